"""GridCommand app: one Flask server carrying the REST API, the Dash views and the Socket.IO gateway.

`python app.py` runs the embedded default (SQLite + embedded Redis) like `gridcmd serve`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import dash
import socketio as socketio_lib
from dash.exceptions import DependencyException
from flask import Flask, Response, jsonify, request
from flask_socketio import SocketIO

from dashboard import logsafe
from dashboard.api.admin_api import build_admin_api
from dashboard.api.auth import install_auth
from dashboard.api.errors import install_error_handlers
from dashboard.api.inputs import install_input_limits, json_body
from dashboard.api.routes import build_api, build_health
from dashboard.api.screen_feed import build_screen_feed
from dashboard.config import Settings, get_settings, secret_key
from dashboard.live.gateway import LiveLoops, register_live_handlers
from dashboard.runtime import Runtime
from dashboard.services import validate
from dashboard.services.errors import FieldError
from dashboard.store.schema import migrate
from layouts.login import build_login

ROOT = Path(__file__).resolve().parent


@dataclass
class GridApp:
    """The assembled application and its live loops."""

    server: Flask
    views: dict[str, dash.Dash]
    socketio: SocketIO
    runtime: Runtime
    loops: LiveLoops


def create_app(settings: Settings | None = None, *, start_loops: bool = True) -> GridApp:
    """Build the app on `settings` (default: environment); migrates the schema, starts the live loops."""
    settings = settings or get_settings()
    migrate(settings.database_url)
    runtime = Runtime.build(settings)

    server = Flask(__name__, static_folder=str(ROOT / "assets"), static_url_path="/static")
    server.config.update(SECRET_KEY=secret_key(settings), JSON_AS_ASCII=False)
    server.json.ensure_ascii = False  # type: ignore[attr-defined]
    server.extensions["gridcmd"] = runtime
    install_auth(server, runtime)
    install_input_limits(server)  # after auth: path ids are checked once the caller is known

    # threading + simple-websocket: set explicitly (with gevent installed Flask-SocketIO would pick it).
    socketio = SocketIO(
        server,
        async_mode="threading",
        # Built here rather than from `message_queue=`: Flask-SocketIO only recognises redis:// URLs and would
        # hand the embedded server's unix:// URL to Kombu.
        client_manager=socketio_lib.RedisManager(runtime.redis_url, channel=runtime.keys.socketio_channel),
        cors_allowed_origins=None,
        ping_interval=10,
        ping_timeout=10,
    )
    loops = LiveLoops(socketio, runtime)
    server.register_blueprint(build_api(after_commit=loops.wake.set))
    server.register_blueprint(build_health())
    server.register_blueprint(build_screen_feed())
    server.register_blueprint(build_login())
    install_error_handlers(server)
    register_live_handlers(socketio, runtime, loops.patrol_streets)

    from layouts import screen

    views = {"screen": screen.build(server)}
    from layouts import admin

    views["admin"] = admin.build(server)
    server.register_blueprint(build_admin_api(csv_header=admin.csv_header))
    from layouts import dispatch

    views["dispatch"] = dispatch.build(server)
    install_dash_guards(server, views)

    if start_loops:
        loops.start()
    return GridApp(server=server, views=views, socketio=socketio, runtime=runtime, loops=loops)


def _wildcards(deps: list[dict]) -> tuple[bool, ...]:
    # A pattern-matching id with ALL (or ALLSMALLER) arrives as a list of {id, property, value}.
    return tuple('["ALL' in str(dep.get("id")) for dep in deps)


def install_dash_guards(server: Flask, views: dict[str, dash.Dash]) -> None:
    """4xx, not Dash's 500, for a malformed callback request or an unknown component bundle."""
    by_path = {view.config.requests_pathname_prefix + "_dash-update-component": view for view in views.values()}

    def check_callback_body() -> Response | tuple[Response, int] | None:
        view = by_path.get(request.path) if request.method == "POST" else None
        if view is None:
            return None
        shapes = {
            out: (_wildcards(cb.get("inputs", [])), _wildcards(cb.get("state", [])))
            for out, cb in view.callback_map.items()
        }
        try:
            validate.dash_callback(json_body(), shapes)
        except FieldError as exc:
            return jsonify({"error": exc.message, "field": exc.field}), 400
        return None

    def unknown_bundle(exc: DependencyException) -> tuple[Response, int]:
        return jsonify({"error": "no such component bundle", "field": "package_name"}), 404

    server.before_request(check_callback_body)  # after `enforce`: only a caller who may open the page gets here
    server.register_error_handler(DependencyException, unknown_bundle)


def serve(host: str = "127.0.0.1", port: int = 8050) -> None:
    """Run the app with the threaded Werkzeug server (embedded default: one process)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logsafe.install()
    grid = create_app()
    grid.socketio.run(grid.server, host=host, port=port, allow_unsafe_werkzeug=True, use_reloader=False)


if __name__ == "__main__":
    serve()
