"""The naive baseline for bench/screen_perf.py: the wall as a plain Dash page that re-sends its whole live picture
as GeoJSON every second.

A `dcc.Interval` fires once a second; its callback reads every patrol position (Redis) and every open case (the
database) and returns two FeatureCollections to `dl.GeoJSON(data=…)` props — patrols clustered, as DESIGN.md
section 11 found cheapest among the data-replacing variants. The grid layer is the same 8,000 polygons. This is
what the big screen would be without its own Socket.IO client, incremental layers and painter worker.
"""

from __future__ import annotations

import json
import logging
import threading
from typing import Any

import dash
import dash_leaflet as dl
from dash import Input, Output, dcc, html
from flask import Flask, Response
from sqlalchemy import select
from werkzeug.serving import make_server

from dashboard.config import Settings
from dashboard.domain.cases import TERMINAL
from dashboard.live.keys import Keys
from dashboard.live.patrols import PatrolStore
from dashboard.live.redis_conn import connect
from dashboard.store.db import get_sessionmaker, transaction
from dashboard.store.models import Case, Grid


def _points(rows: list[tuple[Any, float, float, str]]) -> dict[str, Any]:
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [lon, lat]},
                "properties": {"id": i, "s": s},
            }
            for i, lon, lat, s in rows
        ],
    }


def build(settings: Settings) -> Flask:
    """The baseline's Flask server with its Dash page at /."""
    sessions = get_sessionmaker(settings.database_url)
    store = PatrolStore(connect(settings), Keys(settings.redis_prefix))
    with transaction(sessions) as session:
        grids = {
            "type": "FeatureCollection",
            "features": [
                {"type": "Feature", "geometry": json.loads(g.geometry), "properties": {"code": g.code}}
                for g in session.scalars(select(Grid))
            ],
        }
    grids_body = json.dumps(grids, separators=(",", ":"))

    server = Flask(__name__)
    app = dash.Dash(__name__, server=server, serve_locally=True, update_title=None)
    app.enable_dev_tools(debug=False, dev_tools_disable_version_check=True, dev_tools_ui=False)

    @server.get("/grids.json")
    def grids_json() -> Response:
        return Response(grids_body, mimetype="application/json")

    app.layout = html.Div(
        [
            dl.Map(
                id="map",
                center=[39.8, 116.7],
                zoom=11,
                style={"position": "fixed", "inset": "0"},
                children=[
                    dl.GeoJSON(id="grids", url="/grids.json", zoomToBounds=True, interactive=False),
                    dl.GeoJSON(id="patrols", cluster=True),
                    dl.GeoJSON(id="cases"),
                ],
            ),
            dcc.Interval(id="tick", interval=1000),
        ]
    )

    @app.callback(Output("patrols", "data"), Output("cases", "data"), Input("tick", "n_intervals"))
    def frame(_n: int | None) -> tuple[dict[str, Any], dict[str, Any]]:
        patrols = [(r[0], r[1], r[2], r[3]) for r in store.all_rows()]
        with transaction(sessions) as session:
            cases = session.execute(
                select(Case.id, Case.lon, Case.lat, Case.state).where(Case.state.not_in([s.value for s in TERMINAL]))
            ).all()
        return _points(patrols), _points([tuple(c) for c in cases])

    return server


def serve_in_thread(settings: Settings, port: int) -> Any:
    """Serve the baseline on 127.0.0.1:`port` from a daemon thread; returns the server (call .shutdown())."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one request a second: keep the bench output readable
    httpd = make_server("127.0.0.1", port, build(settings), threaded=True)
    threading.Thread(target=httpd.serve_forever, name="naive-baseline", daemon=True).start()
    return httpd
