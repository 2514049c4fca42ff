"""Big screen 大屏 at /screen: the command hall's live picture, unattended for weeks.

Dash renders only the static frame: header, panels, chart containers and the map with its grid layer.
Everything live — case markers, patrols, the deadline board, the alert ticker, counters, grid load colours — is
drawn by the JS in `assets/screen/` (callbacks/screen.py lists its parts) on the shared live client
(`assets/shared/live.js`), and the same JS refreshes the KPI tiles and charts from `/api/v1/screen/summary` about
once a minute (Plotly.react into plain divs). No live data ever passes through Dash props: Dash keeps an unbounded
undo history of prop changes (DESIGN.md section 11), so a wall that runs for weeks must not feed them. The patrol
layer is painted in a Web Worker on an OffscreenCanvas; its script is `assets/screen/workers/patrols.js`, a folder
this view's Dash app serves but does not inject into the page.
"""

from __future__ import annotations

import json
from typing import Any

import dash
import dash_leaflet as dl
import plotly.io as pio
from dash import html
from flask import Flask

from dashboard.api.screen_feed import RANKING_DAYS
from dashboard.config import get_settings
from dashboard.domain.sla import sla_thresholds
from layouts.dash_app import ASSETS, STATIC_URL, make_dash
from layouts.i18n import bundle, t

ID = "screen"
ROOT = "screen-root"
CLOCK = "screen-clock"
CONN = "screen-conn"
MAP = "screen-map"
GRIDS = "screen-grids"
LIVE = "screen-live"
TOUR = "screen-tour"
TICKER = "screen-ticker"
BOARD = "screen-board-list"
# KPI tiles: today's counts (the first is live from deltas) and rates, each with a change against yesterday.
TILES = (("today", "reported"), ("filed", "filed"), ("closed", "closed"), ("self", "self_handled"))
RATES = ("handle_rate", "on_time_close_rate", "first_time_rate", "satisfaction_rate")
STATS = (("open", "amber"), ("overdue", "red"), ("warning", "orange"), ("patrols", "green"), ("grids", "blue"))
CHARTS = ("major", "source", "trend", "ranking")

# The patrol painter runs in a Web Worker: a file of the view's assets that Dash serves but must not inject.
WORKER_FOLDER = "workers"
WORKER_ASSET = f"{WORKER_FOLDER}/patrols.js"
PLOTLY_BASIC = "vendor/plotly-basic.min.js"

# Open cases per 1,000 residents at which a grid's fill steps up (read by gridcmd.gridStyle via `hideout`).
LOAD_STEPS = (0.5, 1, 2, 4)
# Patrols are drawn as clusters below this zoom and one dot each at or above it.
CLUSTER_BELOW_ZOOM = 12.5
# Below this zoom (the district and most streets) ordinary cases are drawn as count badges; A-level and overdue cases
# always one marker each, on top (assets/screen/16-clusters.js, 53-clusters.js).
CASE_CLUSTER_BELOW_ZOOM = 13
SUMMARY_PERIOD_S = 60  # tiles and charts; sooner (but at most every 20 s) after deltas arrive
TOUR_IDLE_S = 60  # nobody touched the map for this long: the auto-tour starts
TOUR_STEP_S = 20  # each stop of the tour
# Until the grids load and the wall fits the view (51-grids.js), show the demo county (Tongzhou) rather than (0, 0).
DEFAULT_CENTER = (39.80, 116.70)
DEFAULT_ZOOM = 11


def _tile(kind: str, key: str, label_key: str, unit_key: str = "") -> html.Div:
    """A KPI tile: label, big number (filled by the JS) and its change against the same time yesterday."""
    value_id = f"screen-kpi-{key}" if kind == "count" else f"screen-rate-{key}"
    return html.Div(
        className=f"screen-tile screen-tile--{kind}",
        children=[
            html.Div(t(label_key), className="screen-tile-label"),
            html.Div(
                className="screen-tile-value",
                children=[
                    html.Span("—", id=value_id, className="screen-tile-num"),
                    html.Span(t(unit_key) if unit_key else "%", className="screen-tile-unit"),
                ],
            ),
            html.Div("", id=f"{value_id}-delta", className="screen-tile-delta"),
        ],
    )


def _panel(title: Any, body: Any, extra_class: str = "", title_extra: Any = None) -> html.Section:
    head = [html.H2(title, className="screen-panel-title")]
    if title_extra is not None:
        head.append(title_extra)
    return html.Section(
        className=f"screen-panel {extra_class}".strip(),
        children=[html.Div(head, className="screen-panel-head"), body],
    )


def _kpi_panel() -> html.Section:
    counts = [_tile("count", key, f"screen.tile.{name}", "screen.unit.cases") for key, name in TILES]
    rates = [_tile("rate", key, f"screen.rate.{key}") for key in RATES]
    return _panel(
        t("screen.panel.today"),
        html.Div(className="screen-tiles", children=[*counts, *rates]),
        "screen-panel--kpis",
        html.Span(t("screen.panel.vs"), className="screen-panel-note"),
    )


def chart_template() -> dict[str, Any]:
    """Plotly's dark template, tuned for the wall: transparent backgrounds, the hall's font and palette (the JS
    hands it to every chart's layout)."""
    template = pio.templates["plotly_dark"].to_plotly_json()
    template["layout"].update(
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        font={"family": '"Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC", sans-serif', "color": "#cfe3ff"},
        colorway=["#2ee6ff", "#ffb02e", "#3ee07a", "#4da3ff", "#ff6b6b", "#b18cff", "#ffd60a", "#8aa4c4"],
    )
    return template


def _chart(name: str, title: str, extra: Any = None) -> html.Section:
    # A plain container, not dcc.Graph: dcc.Graph loads plotly.js (4.8 MB, ~1.3 s of main-thread evaluation on
    # the reference machine) the moment it mounts, in the middle of the map's first paint. The JS loads Plotly
    # itself once the live picture is complete and draws with Plotly.react; figures never pass through Dash props.
    graph = html.Div(id=f"screen-chart-{name}", className="screen-chart")
    return _panel(
        title, html.Div(graph, className="screen-chart-box"), f"screen-panel--chart screen-panel--{name}", extra
    )


def _board() -> html.Section:
    counts = html.Div(
        className="screen-board-counts",
        children=[
            html.Span([t("screen.board.overdue"), " ", html.B("0", id="screen-board-overdue")], className="bc-over"),
            html.Span([t("screen.board.warning"), " ", html.B("0", id="screen-board-warning")], className="bc-warn"),
            html.Span("", id="screen-board-page", className="bc-page"),
        ],
    )
    return _panel(
        t("screen.board.title"),
        html.Ol(id=BOARD, className="screen-board-list", **{"data-empty": t("screen.board.empty")}),
        "screen-panel--board",
        counts,
    )


def _stat(key: str, tone: str) -> html.Div:
    return html.Div(
        className=f"screen-stat screen-stat--{tone}",
        children=[
            html.Span(t(f"screen.stat.{key}"), className="screen-stat-label"),
            html.B("—", id=f"screen-kpi-{key}"),
        ],
    )


def _legend_row(swatch: str, label: str) -> html.Div:
    return html.Div(className="screen-legend-row", children=[html.Span(className=f"sw {swatch}"), label])


def _legend() -> html.Div:
    ramp = [html.Span(className=f"ramp-step load-{i}") for i in range(len(LOAD_STEPS) + 1)]
    labels = [html.Span("0")] + [html.Span(f"{step:g}") for step in LOAD_STEPS]
    return html.Div(
        className="screen-legend",
        children=[
            html.Div(t("screen.legend.sla"), className="screen-legend-title"),
            _legend_row("sw-case sla-green", t("screen.legend.sla_green")),
            _legend_row("sw-case sla-amber", t("screen.legend.sla_amber")),
            _legend_row("sw-case sla-red", t("screen.legend.sla_red")),
            _legend_row("sw-case sla-over", t("screen.legend.sla_over")),
            _legend_row("sw-case sla-none", t("screen.legend.sla_none")),
            # Reports that wait for a location (待定位) are open and counted, but on no map: their count is here.
            html.Div(
                className="screen-legend-row screen-legend-unplaced",
                children=[t("screen.legend.unplaced"), " ", html.B("—", id="screen-unplaced")],
            ),
            html.Div(t("screen.legend.patrols"), className="screen-legend-title"),
            _legend_row("sw-patrol available", t("screen.legend.available")),
            _legend_row("sw-patrol busy", t("screen.legend.busy")),
            _legend_row("sw-cluster", t("screen.legend.cluster")),
            html.Div(t("screen.legend.load"), className="screen-legend-title"),
            html.Div(ramp, className="screen-legend-ramp"),
            html.Div(labels, className="screen-legend-ramp-labels"),
        ],
    )


def _map() -> dl.Map:
    settings = get_settings()
    children: list[Any] = []
    if settings.tile_url:  # offline by default: a wall in a command hall often has no internet
        children.append(dl.TileLayer(url=settings.tile_url, maxZoom=18))
    children += [
        dl.GeoJSON(
            id=GRIDS,
            url="/api/v1/screen/grids",  # pre-encoded, revalidated with an ETag; load comes from the snapshot
            style={"variable": "gridcmd.gridStyle"},
            onEachFeature={"variable": "gridcmd.gridFeature"},
            hideout={"steps": list(LOAD_STEPS)},
            # Off: the wall fits the district itself, clear of the tiles and the legend (51-grids.js fitDistrict).
            # dash-leaflet's own fit ran again on every re-add of the data (a hideout change) and left the
            # district's north under the tiles on a 4K wall.
            zoomToBounds=False,
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
        # 8,000 grid polygons on one canvas: restyling a grid repaints only its neighbourhood, and no DOM node
        # per polygon. trackViewport off: the auto-tour moves the map for weeks, and every viewport write
        # would be a Dash prop change kept in the undo history.
        preferCanvas=True,
        trackViewport=False,
        children=children,
    )


def client_config() -> dict[str, Any]:
    """Settings the page's JS reads once (data-config on the root)."""
    return {
        "loadSteps": list(LOAD_STEPS),
        "clusterBelowZoom": CLUSTER_BELOW_ZOOM,
        "caseClusterBelowZoom": CASE_CLUSTER_BELOW_ZOOM,
        "summaryPeriodS": SUMMARY_PERIOD_S,
        "tourIdleS": TOUR_IDLE_S,
        "tourStepS": TOUR_STEP_S,
        "workerUrl": worker_url(),
        "sla_thresholds": sla_thresholds(),  # amber/red shares of a stage left (dashboard/domain/sla.py)
    }


def _data_attributes() -> dict[str, str]:
    """What the JS reads once from the root's data-* attributes: strings, locale, client settings, chart theme."""
    settings = get_settings()
    return {
        "data-i18n": json.dumps(bundle(("screen.", "state.", "source.")), ensure_ascii=False),
        "data-tz": settings.timezone,
        "data-lang": settings.lang,
        "data-config": json.dumps(client_config()),
        "data-chart-template": json.dumps(chart_template(), ensure_ascii=False),
        "data-plotly-url": plotly_url(),
    }


def plotly_url() -> str:
    """plotly.js's basic bundle (bar, pie, scatter: every chart the wall draws), vendored from npm's
    plotly.js-basic-dist-min at the version Dash's plotly package carries: 1.2 MB against the full bundle's
    4.8 MB, so it evaluates in a quarter of the time beside the map's first paint (BENCHMARKS.md, big screen)."""
    return f"{STATIC_URL}{PLOTLY_BASIC}?m={int((ASSETS / PLOTLY_BASIC).stat().st_mtime)}"


def _header() -> html.Header:
    """Emblem, title and district name; the clock and connection state are filled in by the JS."""
    return html.Header(
        className="screen-header",
        children=[
            html.Div(
                className="screen-brand",
                children=[
                    html.Span(className="screen-emblem"),
                    html.H1(t("screen.title")),
                    html.Span(t("screen.subtitle"), id="screen-district", className="screen-subtitle"),
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
    )


def _ticker() -> html.Div:
    """The alert ticker under the map; the JS scrolls its track."""
    return html.Div(
        className="screen-ticker",
        children=[
            html.Div(t("screen.ticker.title"), className="screen-ticker-title"),
            html.Div(
                className="screen-ticker-window",
                children=html.Div(
                    id=TICKER, className="screen-ticker-track", **{"data-empty": t("screen.ticker.empty")}
                ),
            ),
        ],
    )


def _centre() -> html.Section:
    """The map with its overlays (live counters, legend, tour caption), then the ticker."""
    stats = html.Div(
        className="screen-stats",
        children=[_stat(key, tone) for key, tone in STATS],
    )
    return html.Section(
        className="screen-centre",
        children=[
            html.Div(
                className="screen-map-wrap",
                children=[_map(), stats, _legend(), html.Div(id=TOUR, className="screen-tour")],
            ),
            _ticker(),
        ],
    )


def _left_column() -> html.Aside:
    return html.Aside(
        className="screen-col screen-col--left",
        children=[_kpi_panel(), _chart("major", t("screen.chart.major")), _chart("source", t("screen.chart.source"))],
    )


def _right_column() -> html.Aside:
    return html.Aside(
        className="screen-col screen-col--right",
        children=[
            _board(),
            _chart("trend", t("screen.chart.trend")),
            _chart("ranking", t("screen.chart.ranking").format(days=RANKING_DAYS)),
        ],
    )


def layout(**_query: str) -> html.Div:
    """The static frame of the big screen; the live parts are filled in by the JS in assets/screen/."""
    return html.Div(
        id=ROOT,
        className="screen",
        **_data_attributes(),
        children=[
            _header(),
            html.Main(className="screen-body", children=[_left_column(), _centre(), _right_column()]),
        ],
    )


def worker_url() -> str:
    """The worker script's URL under /screen/ (the view's role check applies), fingerprinted like Dash's assets
    so a deploy reaches walls that never reload by hand."""
    return f"/{ID}/assets/{WORKER_ASSET}?m={int((ASSETS / ID / WORKER_ASSET).stat().st_mtime)}"


def build(server: Flask) -> dash.Dash:
    """The big screen's Dash app at /screen/."""
    return make_dash(
        server, ID, layout, t("screen.title"), libraries=("dash_leaflet",), assets_path_ignore=[WORKER_FOLDER]
    )
