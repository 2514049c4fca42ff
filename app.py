"""GridCommand app: one Flask server carrying the REST API, the Dash views and the Socket.IO gateway.

`python app.py` runs the embedded default (SQLite + embedded Redis) like `gridcmd serve`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import dash
import socketio as socketio_lib
from dash.exceptions import DependencyException
from flask import Blueprint, Flask, Response, current_app, jsonify, request
from flask_socketio import SocketIO
from werkzeug.middleware.proxy_fix import ProxyFix

from callbacks import admin as admin_callbacks
from callbacks import admin_hotline as admin_hotline_callbacks
from callbacks import admin_imports as admin_imports_callbacks
from callbacks import dispatch as dispatch_callbacks
from callbacks import leader as leader_callbacks
from callbacks import login as login_routes
from callbacks import screen as screen_callbacks
from dashboard import logsafe
from dashboard.api import admin_api, health, media, open311, routes, screen_feed
from dashboard.api import leader as leader_api
from dashboard.api.auth import install_auth
from dashboard.api.errors import install_error_handlers
from dashboard.api.inputs import install_input_limits, json_body
from dashboard.api.registry import ApiHooks, install_hooks
from dashboard.config import Settings, get_settings, secret_key
from dashboard.live.gateway import LiveLoops, register_live_handlers
from dashboard.runtime import Runtime
from dashboard.services import validate
from dashboard.services.errors import FieldError
from dashboard.services.scheduler import Scheduler
from dashboard.store.schema import migrate
from feeds.hotline import HotlinePoller
from layouts import admin as admin_view
from layouts import dispatch as dispatch_view
from layouts import error_page
from layouts import leader as leader_view
from layouts import screen as screen_view

ROOT = Path(__file__).resolve().parent

# Every blueprint the server carries. The REST ones are each served from their module's ROUTES table
# (DESIGN.md section 10); what their handlers need from here arrives as registry.ApiHooks.
BLUEPRINTS: tuple[Callable[[], Blueprint], ...] = (
    routes.blueprint,  # /api/v1: cases, grids, catalog, deadlines, patrols, KPIs
    health.blueprint,  # /healthz, /readyz
    screen_feed.blueprint,  # /api/v1/screen: the wall's tiles, charts, names and grid layer
    admin_api.blueprint,  # /api/v1/admin
    leader_api.blueprint,  # /api/v1/leader: the leader pass's summary
    media.blueprint,  # /media: case photos and thumbnails, to those who may read their case
    open311.blueprint,  # /open311/v2: Open311 GeoReport v2 for citizen apps (its own api_key, no session)
    login_routes.blueprint,  # /login, /logout
)


@dataclass(frozen=True)
class View:
    """A Dash view: `build` mounts its own Dash app under /<name>/ (layouts/dash_app.py); `callbacks` attach the
    server-side callbacks of its callbacks/ modules to that app.
    """

    name: str
    build: Callable[[Flask], dash.Dash]
    callbacks: tuple[Callable[[dash.Dash], None], ...] = ()


# Every Dash view, built in this order: layouts/<name>.py, callbacks/<name>.py, assets/<name>/. The screen and the
# desk draw from their own JS (live data stays out of Dash props, DESIGN.md section 2): their callbacks modules
# say so and register nothing. The login view is server-rendered: its routes are in BLUEPRINTS.
VIEWS: tuple[View, ...] = (
    View("screen", screen_view.build, (screen_callbacks.register,)),
    View(
        "admin",
        admin_view.build,
        (admin_callbacks.register, admin_imports_callbacks.register, admin_hotline_callbacks.register),
    ),
    View("dispatch", dispatch_view.build, (dispatch_callbacks.register,)),
    View("leader", leader_view.build, (leader_callbacks.register,)),
)


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

    # Set explicitly (with gevent installed Flask-SocketIO would pick it): threading + simple-websocket under
    # Werkzeug and gunicorn's gthread worker; gevent only under gunicorn's gevent worker (`gridcmd serve-prod`).
    socketio = SocketIO(
        server,
        async_mode=settings.async_mode,
        # Built here rather than from `message_queue=`: Flask-SocketIO only recognises redis:// URLs and would
        # hand the embedded server's unix:// URL to Kombu.
        client_manager=socketio_lib.RedisManager(runtime.redis_url, channel=runtime.keys.socketio_channel),
        cors_allowed_origins=None,
        ping_interval=10,
        ping_timeout=10,
    )
    if settings.proxy_hops:
        # Behind serve-prod's nginx (the app ports listen on loopback only): audit rows, sign-in lockouts and
        # rate limits see the client's address, not the proxy's. Outside the Socket.IO middleware, so both see it.
        server.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            server.wsgi_app, x_for=settings.proxy_hops, x_proto=settings.proxy_hops, x_host=settings.proxy_hops
        )
    loops = LiveLoops(socketio, runtime)
    # A committed case change wakes the relay at once; the audit CSV is headed in the UI language.
    install_hooks(server, ApiHooks(after_commit=loops.wake.set, csv_header=admin_view.csv_header))
    for blueprint in BLUEPRINTS:
        server.register_blueprint(blueprint())
    install_error_handlers(server)
    register_live_handlers(socketio, runtime, loops.patrol_streets)
    views = build_views(server)
    install_dash_guards(server, views)
    error_page.install(server)  # HTML error pages for browsers, /favicon.ico

    if start_loops:
        loops.start()
        Scheduler(runtime, stop=loops.stop, on_change=loops.wake.set).start()  # timed system commands (overdue)
        start_hotline_poll(runtime, loops)
    return GridApp(server=server, views=views, socketio=socketio, runtime=runtime, loops=loops)


def start_hotline_poll(runtime: Runtime, loops: LiveLoops) -> None:
    """Poll HOTLINE_POLL_URL for 12345 orders where the scheduler runs (one process holds its lease); not set: none."""
    s = runtime.settings
    if not s.hotline_poll_url.strip():
        return
    HotlinePoller(
        runtime,
        url=s.hotline_poll_url.strip(),
        token=s.hotline_token,
        interval_s=s.hotline_poll_interval_s,
        timeout_s=s.hotline_timeout_s,
        stop=loops.stop,
        on_change=loops.wake.set,
    ).start()


def build_views(server: Flask) -> dict[str, dash.Dash]:
    """Every view of VIEWS mounted on `server`, its callbacks attached, by name."""
    views: dict[str, dash.Dash] = {}
    for view in VIEWS:
        app = view.build(server)
        for attach in view.callbacks:
            attach(app)
        views[view.name] = app
    return views


def _wildcards(deps: list[dict]) -> tuple[bool, ...]:
    # A pattern-matching id with ALL (or ALLSMALLER) arrives as a list of {id, property, value}.
    return tuple('["ALL' in str(dep.get("id")) for dep in deps)


# Flask extension: each view's callback URL (/<view>/_dash-update-component) → its Dash app, for check_callback_body.
DASH_VIEWS = "gridcmd_dash_views"


def install_dash_guards(server: Flask, views: dict[str, dash.Dash]) -> None:
    """4xx, not Dash's 500, for a malformed callback request or an unknown component bundle."""
    server.extensions[DASH_VIEWS] = {
        view.config.requests_pathname_prefix + "_dash-update-component": view for view in views.values()
    }
    server.before_request(check_callback_body)  # after `enforce`: only a caller who may open the page gets here
    server.register_error_handler(DependencyException, unknown_bundle)


def check_callback_body() -> Response | tuple[Response, int] | None:
    """A 400 naming the field when a callback request does not fit the view's callbacks (before Dash reads it)."""
    views: dict[str, dash.Dash] = current_app.extensions.get(DASH_VIEWS, {})
    view = views.get(request.path) if request.method == "POST" else None
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
    """404 for a component bundle no library of the app provides."""
    return jsonify({"error": "no such component bundle", "field": "package_name"}), 404


def serve(host: str = "127.0.0.1", port: int = 8050) -> None:
    """Run the app with the threaded Werkzeug server (embedded default: one process)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logsafe.install()
    grid = create_app()
    grid.socketio.run(grid.server, host=host, port=port, allow_unsafe_werkzeug=True, use_reloader=False)


def wsgi() -> Flask:
    """The WSGI app for one gunicorn process of `gridcmd serve-prod` (dashboard/prod.py): settings from the
    environment, live loops started (the relay, frames and scheduler are elected among the processes)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s")
    logsafe.install()
    return create_app().server


if __name__ == "__main__":
    serve()
