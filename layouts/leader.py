"""Leader pass 领导通 at /leader: the phone and tablet view of a district's or street's leaders (issue 14).

Dash renders only the static frame: the header, the status line, the window toggle and the empty containers of
the KPI cards (each with its trend), the small map of a drilled area, the rankings (areas and departments) and the
"needs me" list. Everything in them is drawn by `assets/leader/` from `GET /api/v1/leader/summary` (summaries
only, never the whole map; a drilled area's outline from `GET /api/v1/leader/outline`, once per area) and
refetched when a case delta in scope arrives through the shared live client (`assets/shared/live.js`); 督办 and
批示 are REST commands. As on the wall and the desk, no live data passes through Dash props (callbacks/leader.py).
"""

from __future__ import annotations

import json
from typing import Any

import dash
from dash import html
from flask import Flask

from dashboard.config import get_settings
from dashboard.domain.leader import TARGETS, WINDOWS
from dashboard.domain.sla import sla_thresholds
from layouts.dash_app import make_dash
from layouts.i18n import bundle, t

ID = "leader"
ROOT = "leader-root"
REFETCH_MIN_S = 2  # at most one summary refetch per this many seconds while deltas arrive
RETRY_S = 15  # after a failed fetch
# The cards, in reading order: the four rates of the composite index first, then the counts.
CARDS = ("on_time_close_rate", "handle_rate", "first_time_rate", "satisfaction_rate", "filed", "closed")


def client_config() -> dict[str, Any]:
    """Settings the page's JS reads once (data-config on the root)."""
    return {
        "summaryUrl": "/api/v1/leader/summary",
        "outlineUrl": "/api/v1/leader/outline",
        "caseUrl": "/api/v1/cases/",
        "windows": list(WINDOWS),
        "cards": list(CARDS),
        "targets": TARGETS,
        "refetchMinMs": REFETCH_MIN_S * 1000,
        "retryMs": RETRY_S * 1000,
        "sla_thresholds": sla_thresholds(),
    }


def _data_attributes() -> dict[str, str]:
    settings = get_settings()
    return {
        # dispatch.cmd.*: the commands' names, for the timeline of the case sheet.
        "data-i18n": json.dumps(bundle(("leader.", "state.", "dispatch.cmd.")), ensure_ascii=False),
        "data-tz": settings.timezone,
        "data-lang": settings.lang,
        "data-config": json.dumps(client_config()),
    }


def _header() -> html.Header:
    return html.Header(
        className="leader-header",
        children=[
            html.Div(
                className="leader-brand",
                children=[
                    html.H1(t("leader.title")),
                    html.Span("", id="leader-scope-name", className="leader-scope-name"),
                ],
            ),
            html.Span(t("leader.conn.connecting"), id="leader-conn", className="leader-conn is-connecting"),
            html.A(t("leader.logout"), href="/logout", className="leader-logout"),
        ],
    )


def _toggle() -> html.Div:
    buttons = [
        html.Button(
            t(f"leader.window.{name}"),
            className="leader-toggle-btn",
            type="button",
            **{"data-window": name, "aria-pressed": "true" if name == WINDOWS[0] else "false"},
        )
        for name in WINDOWS
    ]
    return html.Div(buttons, id="leader-toggle", className="leader-toggle", role="group")


def _section(key: str, body: Any, extra: Any = None) -> html.Section:
    head: list[Any] = [html.H2(t(f"leader.{key}.title"))]
    if extra is not None:
        head.append(extra)
    return html.Section(
        className=f"leader-section leader-section--{key}",
        children=[html.Div(head, className="leader-section-head"), body],
    )


def _tabs(tab_id: str, attr: str, choices: tuple[str, ...], label: str) -> html.Div:
    return html.Div(
        id=tab_id,
        className="leader-tabs",
        role="group",
        children=[
            html.Button(
                t(f"{label}.{choice}"),
                type="button",
                className="leader-tab",
                **{f"data-{attr}": choice, "aria-pressed": "true" if i == 0 else "false"},
            )
            for i, choice in enumerate(choices)
        ],
    )


def _rankings() -> html.Section:
    # Which list (the scope's child areas or the departments), then by what (按时结案率 or 超期案件).
    of = _tabs("leader-rank-of", "of", ("areas", "departments"), "leader.rank.of")
    by = _tabs("leader-rank-tabs", "by", ("on_time", "overdue"), "leader.rank.by")
    return _section(
        "rank",
        html.Div([of, by, html.Div(id="leader-rank", className="leader-rank")], className="leader-rank-body"),
        html.Span(id="leader-rank-level"),
    )


def _map() -> html.Section:
    """The small map of a drilled area (hidden for the district): a canvas drawn by assets/leader/25-map.js."""
    section = _section(
        "map",
        html.Div(
            [
                html.Div(id="leader-map", className="leader-map"),
                html.P(id="leader-map-legend", className="leader-map-legend"),
            ]
        ),
        html.Span(id="leader-map-note", className="leader-section-note"),
    )
    section.hidden = True
    return section


def layout(**_query: str) -> html.Div:
    """The static frame; the JS in assets/leader/ fills it."""
    return html.Div(
        id=ROOT,
        className="leader",
        lang="zh-CN" if get_settings().lang == "zh" else "en",
        **_data_attributes(),
        children=[
            _header(),
            html.Main(
                className="leader-body",
                children=[
                    html.P(t("leader.loading"), id="leader-status", className="leader-status", role="status"),
                    html.Nav(id="leader-crumbs", className="leader-crumbs", **{"aria-label": t("leader.crumbs")}),
                    _toggle(),
                    html.Div(id="leader-cards", className="leader-cards"),
                    # The scan column (map, rankings) and the act column (needs me): side by side on a tablet.
                    html.Div([_map(), _rankings()], className="leader-col leader-col--scan"),
                    _section(
                        "needs",
                        html.Ol(id="leader-needs", className="leader-needs"),
                        html.Span(id="leader-needs-count", className="leader-section-note"),
                    ),
                    html.P("", id="leader-updated", className="leader-updated"),
                ],
            ),
            html.P("", id="leader-toast", className="leader-toast", role="status", hidden=True),
            html.Div(id="leader-dialog-host"),
        ],
    )


def build(server: Flask) -> dash.Dash:
    """The leader pass's Dash app at /leader/ (no component libraries beyond Dash's html components)."""
    # html components only: Dash's dcc and dash_table bundles stay off the phone's cold load.
    return make_dash(server, ID, layout, t("leader.title"), without_dash_parts=("dcc", "dash_table"))
