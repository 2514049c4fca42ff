"""Big screen 大屏 at /screen: the command hall's live picture, unattended for weeks.

Dash renders only the static frame (header, map, empty panels). Everything live — case markers, patrol dots,
counters, the latest-reports list, grid load colours — is drawn by `assets/gridcmd-screen.js` from its own
Socket.IO client, so no high-rate data ever passes through Dash props (DESIGN.md section 11: Dash keeps an
unbounded undo history of prop changes).
"""

from __future__ import annotations

import json

import dash
import dash_leaflet as dl
from dash import html
from flask import Flask

from dashboard.config import get_settings
from layouts.dash_app import make_dash
from layouts.i18n import bundle, t

ID = "screen"
ROOT = "screen-root"
CLOCK = "screen-clock"
CONN = "screen-conn"
MAP = "screen-map"
GRIDS = "screen-grids"
LIVE = "screen-live"
RECENT = "screen-recent-list"
KPI_TODAY = "screen-kpi-today"
KPI_OPEN = "screen-kpi-open"
KPI_PATROLS = "screen-kpi-patrols"
KPI_GRIDS = "screen-kpi-grids"

# Open cases per grid at which the fill turns warmer; read by gridcmd.gridStyle through `hideout`.
LOAD_STEPS = (1, 3, 6)
# Until the grids load and fit the view (zoomToBounds), show the demo county (Tongzhou) rather than (0, 0).
DEFAULT_CENTER = (39.80, 116.70)
DEFAULT_ZOOM = 11


def _kpi(kpi_id: str, label_key: str, unit_key: str, tone: str) -> html.Div:
    return html.Div(
        className=f"screen-kpi screen-kpi--{tone}",
        children=[
            html.Div(t(label_key), className="screen-kpi-label"),
            html.Div(
                className="screen-kpi-value",
                children=[html.Span("—", id=kpi_id, className="screen-kpi-num"), html.Span(t(unit_key))],
            ),
        ],
    )


def _legend_row(swatch: str, label_key: str) -> html.Div:
    return html.Div(className="screen-legend-row", children=[html.Span(className=f"sw {swatch}"), t(label_key)])


def _legend() -> html.Div:
    return html.Div(
        className="screen-legend",
        children=[
            html.Div(t("screen.legend.cases"), className="screen-legend-title"),
            _legend_row("sw-case lvl-a", "screen.legend.level_a"),
            _legend_row("sw-case lvl-b", "screen.legend.level_b"),
            _legend_row("sw-case lvl-c", "screen.legend.level_c"),
            _legend_row("sw-case lvl-n", "screen.legend.level_none"),
            _legend_row("sw-case overdue", "screen.legend.overdue"),
            html.Div(t("screen.legend.patrols"), className="screen-legend-title"),
            _legend_row("sw-patrol available", "screen.legend.available"),
            _legend_row("sw-patrol busy", "screen.legend.busy"),
            html.Div(t("screen.legend.load"), className="screen-legend-title"),
            html.Div(
                className="screen-legend-ramp",
                children=[html.Span(t("screen.legend.load_low")), html.I(), html.Span(t("screen.legend.load_high"))],
            ),
        ],
    )


def _map() -> dl.Map:
    settings = get_settings()
    children: list = []
    if settings.tile_url:  # offline by default: a wall in a command hall often has no internet
        children.append(dl.TileLayer(url=settings.tile_url, maxZoom=18))
    children += [
        dl.GeoJSON(
            id=GRIDS,
            url="/api/v1/grids",
            style={"variable": "gridcmd.gridStyle"},
            onEachFeature={"variable": "gridcmd.gridFeature"},
            hideout={"steps": list(LOAD_STEPS)},
            zoomToBounds=True,
            interactive=False,
        ),
        # The mount point of the JS-drawn layers; dash-leaflet calls attach(e, ctx) on every (re)creation.
        dl.LayerGroup(
            id=LIVE,
            eventHandlers={"add": {"variable": "gridcmd.attach"}, "remove": {"variable": "gridcmd.detach"}},
        ),
    ]
    return dl.Map(
        id=MAP,
        className="screen-map",
        center=list(DEFAULT_CENTER),
        zoom=DEFAULT_ZOOM,
        zoomSnap=0.25,
        zoomControl=False,
        attributionControl=False,
        children=children,
    )


def layout(**_query: str) -> html.Div:
    """The static frame of the big screen; the live parts are filled in by assets/gridcmd-screen.js."""
    settings = get_settings()
    # Read once by the page's JS: UI strings in the configured language and the center's time zone.
    data = {
        "data-i18n": json.dumps(bundle(("screen.", "state.", "source.")), ensure_ascii=False),
        "data-tz": settings.timezone,
        "data-lang": settings.lang,
    }
    return html.Div(
        id=ROOT,
        className="screen",
        **data,
        children=[
            html.Header(
                className="screen-header",
                children=[
                    html.Div(
                        className="screen-brand",
                        children=[
                            html.Span(className="screen-emblem"),
                            html.H1(t("screen.title")),
                            html.Span(t("screen.subtitle"), className="screen-subtitle"),
                        ],
                    ),
                    html.Div(
                        className="screen-status",
                        children=[
                            html.Div(id=CLOCK, className="screen-clock"),
                            html.Div(
                                id=CONN,
                                className="screen-conn is-connecting",
                                children=[
                                    html.Span(className="screen-conn-dot"),
                                    html.Span(t("screen.connecting"), className="screen-conn-label"),
                                ],
                            ),
                        ],
                    ),
                ],
            ),
            html.Main(
                className="screen-body",
                children=[
                    html.Section(className="screen-map-wrap", children=[_map(), _legend()]),
                    html.Aside(
                        className="screen-side",
                        children=[
                            html.Div(
                                className="screen-kpis",
                                children=[
                                    _kpi(KPI_TODAY, "screen.today", "screen.unit.cases", "cyan"),
                                    _kpi(KPI_OPEN, "screen.open", "screen.unit.cases", "amber"),
                                    _kpi(KPI_PATROLS, "screen.patrols", "screen.unit.patrols", "green"),
                                    _kpi(KPI_GRIDS, "screen.grids", "screen.unit.grids", "blue"),
                                ],
                            ),
                            html.Section(
                                className="screen-recent",
                                children=[
                                    html.H2(t("screen.recent"), className="screen-panel-title"),
                                    # No React children: the JS owns the items (CSS shows data-empty).
                                    html.Ol(
                                        id=RECENT, className="screen-recent-list", **{"data-empty": t("screen.empty")}
                                    ),
                                ],
                            ),
                        ],
                    ),
                ],
            ),
        ],
    )


def build(server: Flask) -> dash.Dash:
    """The big screen's Dash app at /screen/."""
    return make_dash(server, ID, layout, t("screen.title"))
