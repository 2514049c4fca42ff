"""Dispatch desk 派单台 at /dispatch: triage, assign, escalate, supervise, verify and close, live.

Dash renders the static frame once (header, tabs, an empty AG Grid, the map, empty panels) and hands the page's
JavaScript what it needs to know up front: who the user is, which commands their role may run from which state
(dashboard/domain/actions.py), the departments and streets, the SLA colour thresholds, and the UI strings.
Everything live is the JS in `assets/dispatch/` (one file per concern; callbacks/dispatch.py lists them): on the
shared live client (`assets/shared/live.js`) it keeps the queue's rows and feeds the grid through the grid's JS
API (transactions), never through Dash props (DESIGN.md section 11), and every action is a same-origin fetch to
`POST /api/v1/cases/{id}/{command}`, so the server's state machine, role and scope checks stay the only authority.
"""

from __future__ import annotations

import json
from typing import Any

import dash
import dash_ag_grid as dag
import dash_leaflet as dl
from dash import html
from flask import Flask, current_app

from dashboard.api.auth import current_principal
from dashboard.domain.actions import command_sources, role_commands
from dashboard.domain.cases import TERMINAL
from dashboard.domain.sla import sla_thresholds
from dashboard.services.lookups import desk_reference
from layouts.dash_app import make_dash
from layouts.i18n import bundle, t

ID = "dispatch"
ROOT = "dispatch-root"
CLOCK = "dispatch-clock"
CONN = "dispatch-conn"
USER = "dispatch-user"
MUTE = "dispatch-mute"
MAP_TOGGLE = "dispatch-map-toggle"
HELP = "dispatch-help"
TABS = "dispatch-tabs"
SEARCH = "dispatch-search"
STREET = "dispatch-street"
TOTAL = "dispatch-total"
BULK = "dispatch-bulk"
QUEUE = "dispatch-queue"
MAP = "dispatch-map"
GRIDS = "dispatch-grids"
LIVE = "dispatch-live"
PANEL = "dispatch-panel"
MODAL = "dispatch-modal"
TOASTS = "dispatch-toasts"

# Queue tabs in the order a dispatcher works them; the JS owns what each one shows (dqFilterPass).
TABS_ORDER = ("reported", "to_dispatch", "handling", "to_verify", "overdue", "supervised", "suspended", "closed", "all")
TAB_KEYS = "123456789"  # number keys switch tabs
# Until the grids load and fit the view (zoomToBounds), show the demo county rather than (0, 0).
DEFAULT_CENTER = (39.80, 116.70)
DEFAULT_ZOOM = 10

# ---- reference data for the page ----------------------------------------------------------------------------


def _reference() -> dict[str, Any]:
    """Departments, streets and the district name, read once per page load (through the services)."""
    rt = current_app.extensions["gridcmd"]
    with rt.session() as session:
        return desk_reference(session=session)


def page_config() -> dict[str, Any]:
    """Everything the page's JS needs before its socket connects (read from `data-config`)."""
    settings = current_app.extensions["gridcmd"].settings
    principal = current_principal()
    ref = _reference()
    role = principal.role if principal else ""
    scope = principal.scope if principal else settings.county_code
    return {
        "me": {
            "name": principal.name if principal else "",
            "display": principal.display_name if principal else "",
            "role": role,
            "scope": scope,
            "district_wide": len(scope) == 6,
        },
        "commands": role_commands(role),
        # Which command a row offers from which state: the domain's table, the one the command functions check.
        "sources": command_sources(),
        "terminal": sorted(s.value for s in TERMINAL),
        "sla_thresholds": sla_thresholds(),  # amber/red shares of a stage left (dashboard/domain/sla.py)
        "tabs": list(TABS_ORDER),
        **ref,
        "tz": settings.timezone,
        "lang": settings.lang,
        "i18n": bundle(("dispatch.", "state.", "source.")),
    }


# ---- the frame ------------------------------------------------------------------------------------------------


def _fn(name: str) -> dict[str, str]:
    """A dash-ag-grid function reference: `name(params)` from window.dashAgGridFunctions (assets JS)."""
    return {"function": f"{name}(params)"}


def _intake_columns(quick: dict[str, str]) -> list[dict[str, Any]]:
    """What came in and when: level, case code, report time (the default sort) and source."""
    return [
        {
            "field": "level",
            "headerName": t("dispatch.col.level"),
            "width": 48,
            "valueFormatter": _fn("dqLevel"),
            "cellClass": _fn("dqLevelClass"),
        },
        {"field": "code", "headerName": t("dispatch.col.code"), "width": 168, "cellClass": "dq-mono"},
        {
            "field": "reported_at",
            "headerName": t("dispatch.col.time"),
            "width": 84,
            "valueFormatter": _fn("dqTime"),
            "comparator": {"function": "dqCompareReported"},
            "sort": "desc",
            "cellClass": "dq-mono dq-muted",
        },
        {
            "field": "source",
            "headerName": t("dispatch.col.source"),
            "width": 82,
            "valueFormatter": _fn("dqSource"),
            "getQuickFilterText": quick,
        },
    ]


def _subject_columns(quick: dict[str, str], tip: dict[str, str]) -> list[dict[str, Any]]:
    """Where and what: the grid, category and description take the spare width (flex), then the case's state."""
    return [
        {
            "field": "grid_code",
            "headerName": t("dispatch.col.grid"),
            "flex": 3,
            "minWidth": 120,
            "valueFormatter": _fn("dqGrid"),
            "cellClass": _fn("dqGridClass"),  # 待定位 marked while a report has no location
            "tooltipValueGetter": tip,
            "getQuickFilterText": quick,
        },
        {
            "field": "category",
            "headerName": t("dispatch.col.category"),
            "flex": 2,
            "minWidth": 80,
            "valueFormatter": _fn("dqCategory"),
            "tooltipValueGetter": tip,
        },
        {
            # The first line only, cut with an ellipsis; the tooltip has the whole text (both text, never markup).
            "field": "description",
            "headerName": t("dispatch.col.description"),
            "flex": 3,
            "minWidth": 100,
            "valueFormatter": _fn("dqDescription"),
            "tooltipValueGetter": tip,
            "cellClass": "dq-desc",
        },
        {
            "field": "state",
            "headerName": t("dispatch.col.state"),
            "width": 70,
            "valueFormatter": _fn("dqState"),
            "cellClass": _fn("dqStateClass"),
            "getQuickFilterText": quick,
        },
    ]


def _follow_up_columns(quick: dict[str, str], tip: dict[str, str]) -> list[dict[str, Any]]:
    """Who owes it and by when: countdown, department, then the supervision (督办) and instruction (批示) counts."""
    # Countdowns and counts change by the second and mean nothing as search text, so they give none.
    no_quick = {"function": "''"}
    return [
        {
            "colId": "deadline",
            "field": "_due",
            "headerName": t("dispatch.col.deadline"),
            "width": 98,
            "valueFormatter": _fn("dqCountdown"),
            "cellClass": _fn("dqCountdownClass"),
            "comparator": {"function": "dqCompareDue"},
            "getQuickFilterText": no_quick,
        },
        {
            "field": "department_code",
            "headerName": t("dispatch.col.department"),
            "width": 110,
            "valueFormatter": _fn("dqDept"),
            "tooltipValueGetter": tip,
            "getQuickFilterText": quick,
        },
        {
            "field": "supervision_count",
            "headerName": t("dispatch.col.supervision"),
            "width": 66,  # "×2 待复": the count and the answer to the open 督办 (the panel says it in full)
            "valueFormatter": _fn("dqSupervision"),
            "cellClass": _fn("dqSupervisionClass"),
            "getQuickFilterText": no_quick,
        },
        {
            "field": "instruction_count",
            "headerName": t("dispatch.col.instruction"),
            "width": 60,
            "valueFormatter": _fn("dqInstruction"),
            "cellClass": "dq-ins",
            "getQuickFilterText": no_quick,
        },
    ]


def _columns() -> list[dict[str, Any]]:
    """The queue's columns, left to right in the order a dispatcher reads a row."""
    quick = _fn("dqQuickText")
    tip = _fn("dqTip")  # long grid and department names are cut with an ellipsis; the tooltip has them whole
    return [*_intake_columns(quick), *_subject_columns(quick, tip), *_follow_up_columns(quick, tip)]


# A dense, neutral dark theme for eight hours of reading; AG Grid's Theming API injects it (no CDN CSS).
GRID_THEME = (
    "themeBalham.withPart(agGrid.colorSchemeDark).withParams({"
    "backgroundColor: '#161a20', foregroundColor: '#d9dee6', headerBackgroundColor: '#1d222a', "
    "headerTextColor: '#9aa4b2', oddRowBackgroundColor: '#181c23', borderColor: '#2a303a', "
    "rowHoverColor: '#222a35', selectedRowBackgroundColor: '#1f3550', accentColor: '#4c8dff', "
    "fontFamily: ['Microsoft YaHei', 'PingFang SC', 'Noto Sans CJK SC', 'WenQuanYi Micro Hei', 'sans-serif'], "
    "fontSize: 13, headerFontSize: 12, rowHeight: 30, headerHeight: 30, cellHorizontalPadding: 8, "
    "wrapperBorderRadius: 0, wrapperBorder: false})"
)


# AG Grid's own texts (its overlays, sort and aria labels) in the UI language: localeText key → i18n key.
GRID_LOCALE = {
    "noRowsToShow": "dispatch.grid.no_rows",
    "noMatchingRows": "dispatch.grid.no_matching",
    "loadingOoo": "dispatch.loading",
    "loadingError": "dispatch.grid.error",
    "sortAscending": "dispatch.grid.sort_asc",
    "sortDescending": "dispatch.grid.sort_desc",
    "sortUnSort": "dispatch.grid.sort_none",
    "ariaRowSelect": "dispatch.grid.row_select",
    "ariaSortableColumn": "dispatch.grid.sortable",
    "ariaMenuColumn": "dispatch.grid.menu",
    "ariaPendingChange": "dispatch.loading",
}


def grid_locale() -> dict[str, str]:
    """The queue grid's `localeText`: plain strings, which AG Grid sets as text."""
    return {key: t(text) for key, text in GRID_LOCALE.items()}


def _queue() -> dag.AgGrid:
    return dag.AgGrid(
        id=QUEUE,
        className="desk-grid",
        columnDefs=_columns(),
        defaultColDef={"sortable": True, "resizable": True, "suppressHeaderMenuButton": True},
        # Rows come from the socket through the grid's JS API, never through `rowData`: with no rowData prop and
        # no rowModelType prop, dash-ag-grid does not copy every row back into Dash props on each change.
        rowModelType=None,
        getRowId="params.data.code",
        rowClassRules={
            "dq-row-sel": "dqIsPrimary(params)",
            "dq-row-multi": "dqIsMulti(params)",
            "dq-row-new": "dqIsNew(params)",
            "dq-row-a": "params.data.level === 'A'",
        },
        dashGridOptions={
            "theme": {"function": GRID_THEME},
            "localeText": grid_locale(),
            "isExternalFilterPresent": {"function": "dqFilterPresent(params)"},
            "doesExternalFilterPass": {"function": "dqFilterPass(params)"},
            "includeHiddenColumnsInQuickFilter": True,
            "suppressCellFocus": True,
            "animateRows": False,
            "enableCellTextSelection": False,
            "tooltipShowDelay": 400,
        },
        style={"height": "100%", "width": "100%"},
    )


def _map() -> dl.Map:
    settings = current_app.extensions["gridcmd"].settings
    children: list[Any] = []
    if settings.tile_url:  # offline by default, like the big screen
        children.append(dl.TileLayer(url=settings.tile_url, maxZoom=18))
    children += [
        dl.GeoJSON(
            id=GRIDS,
            url="/api/v1/screen/grids",  # the pre-encoded layer (ETag): the desk needs shapes, not per-call load
            style={"variable": "gridcmdDesk.gridStyle"},
            onEachFeature={"variable": "gridcmdDesk.gridFeature"},
            zoomToBounds=True,
            interactive=False,
        ),
        # Mount point of the JS-drawn layers (cases, patrols, suggestions); attach is idempotent.
        dl.LayerGroup(
            id=LIVE,
            eventHandlers={"add": {"variable": "gridcmdDesk.attach"}, "remove": {"variable": "gridcmdDesk.detach"}},
        ),
    ]
    return dl.Map(
        id=MAP,
        className="desk-map",
        center=list(DEFAULT_CENTER),
        zoom=DEFAULT_ZOOM,
        zoomSnap=0.25,
        attributionControl=False,
        boxZoom=False,  # shift+drag would zoom; shift+click is multi-select here
        doubleClickZoom=False,
        children=children,
    )


def _tab(key: str, hotkey: str) -> html.Button:
    return html.Button(
        className="desk-tab" + (" is-active" if key == "reported" else ""),
        title=f"{hotkey}",
        **{"data-tab": key},
        children=[
            html.Span(t(f"dispatch.tab.{key}"), className="desk-tab-label"),
            html.Span("0", id=f"dispatch-count-{key}", className="desk-tab-count"),
        ],
    )


def _legend() -> html.Div:
    def row(cls: str, key: str) -> html.Div:
        return html.Div(className="desk-legend-row", children=[html.I(className=cls), t(key)])

    return html.Div(
        className="desk-legend",
        children=[
            row("lg lg-a", "dispatch.legend.level_a"),
            row("lg lg-b", "dispatch.legend.level_b"),
            row("lg lg-c", "dispatch.legend.level_c"),
            row("lg lg-n", "dispatch.legend.level_none"),
            row("lg lg-sel", "dispatch.legend.selected"),
            row("lg lg-patrol", "dispatch.legend.patrol"),
        ],
    )


def _scope_name(config: dict[str, Any]) -> str:
    """The user's area as the header names it: the district, or their street (its code if it is unknown)."""
    me = config["me"]
    if me["district_wide"]:
        return config["district"]
    return next((s["name"] for s in config["streets"] if s["code"] == me["scope"]), me["scope"])


def _street_options(config: dict[str, Any]) -> list[html.Option]:
    """The street filter's choices; only a district-wide user can narrow to the district's own cases or a street."""
    options = [html.Option(t("dispatch.street.all"), value="")]
    if config["me"]["district_wide"]:
        options.append(html.Option(t("dispatch.street.district"), value="district"))
        options += [html.Option(s["name"], value=s["code"]) for s in config["streets"]]
    return options


def _brand() -> html.Div:
    return html.Div(
        className="desk-brand",
        children=[
            html.Span(className="desk-logo"),
            html.H1(t("dispatch.title")),
            html.Span(t("dispatch.subtitle"), className="desk-subtitle"),
        ],
    )


def _status(me: dict[str, Any], scope_name: str) -> html.Div:
    """Who is signed in, the clock, the socket's state and the header's buttons (the JS wires them)."""
    return html.Div(
        className="desk-status",
        children=[
            html.Span(
                id=USER,
                className="desk-user",
                children=[
                    html.B(me["display"] or me["name"]),
                    html.Span(t(f"dispatch.role.{me['role']}")),
                    html.Span(scope_name),
                ],
            ),
            html.Span(id=CLOCK, className="desk-clock"),
            html.Span(
                id=CONN,
                className="desk-conn is-connecting",
                children=[html.I(), html.Span(t("dispatch.conn.connecting"), className="lbl")],
            ),
            # Folds the map away so the queue and the panel have the room (narrow screens start folded).
            html.Button(t("dispatch.map.hide"), id=MAP_TOGGLE, className="desk-btn desk-btn--ghost desk-map-toggle"),
            html.Button(t("dispatch.sound.on"), id=MUTE, className="desk-btn desk-btn--ghost"),
            html.Button(t("dispatch.help") + " ?", id=HELP, className="desk-btn desk-btn--ghost"),
            html.A(t("dispatch.logout"), href="/logout", className="desk-btn desk-btn--ghost"),
        ],
    )


def _header(config: dict[str, Any]) -> html.Header:
    return html.Header(className="desk-header", children=[_brand(), _status(config["me"], _scope_name(config))])


def _toolbar(config: dict[str, Any]) -> html.Div:
    return html.Div(
        className="desk-toolbar",
        children=[
            # JS-owned: the quick-search box (an uncontrolled <input>, no Dash prop traffic).
            html.Span(id=SEARCH + "-box", className="desk-search-box"),
            html.Select(id=STREET, className="desk-select", children=_street_options(config)),
            html.Span(id=TOTAL, className="desk-total"),
            # JS-owned: the multi-selection bar (no React children).
            html.Div(id=BULK, className="desk-bulk"),
        ],
    )


def _queue_section(config: dict[str, Any]) -> html.Section:
    """The left side: queue tabs, the toolbar and the grid."""
    return html.Section(
        className="desk-queue",
        children=[
            html.Nav(
                id=TABS,
                className="desk-tabs",
                children=[_tab(k, TAB_KEYS[i]) for i, k in enumerate(TABS_ORDER)],
            ),
            _toolbar(config),
            html.Div(className="desk-grid-wrap", children=[_queue()]),
        ],
    )


def _side_section() -> html.Section:
    """The right side: the map with its legend above the case panel."""
    return html.Section(
        className="desk-side",
        children=[
            html.Div(className="desk-map-wrap", children=[_map(), _legend()]),
            # JS-owned: the case panel (no React children, so Dash never re-renders over it).
            html.Section(id=PANEL, className="desk-panel"),
        ],
    )


def layout(**_query: str) -> html.Div:
    """The static frame of the desk; the JS in assets/dispatch/ fills in everything live."""
    config = page_config()
    return html.Div(
        id=ROOT,
        className="desk",
        **{"data-config": json.dumps(config, ensure_ascii=False, separators=(",", ":"))},
        children=[
            _header(config),
            html.Main(className="desk-body", children=[_queue_section(config), _side_section()]),
            html.Div(id=MODAL, className="desk-modal"),
            html.Div(id=TOASTS, className="desk-toasts"),
        ],
    )


def build(server: Flask) -> dash.Dash:
    """The dispatch desk's Dash app at /dispatch/ (dispatcher and admin only, enforced by path)."""
    return make_dash(server, ID, layout, t("dispatch.title"), libraries=("dash_leaflet", "dash_ag_grid"))
