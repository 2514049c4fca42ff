"""Callbacks of the admin tab 12345 回调 (/admin/hotline): list the dead letters, replay one or all of them.

Every callback re-checks the caller with `require("admin")`; replaying is audited by the service
(dashboard/services/hotline_callbacks.py, the same functions the admin API's /hotline/callbacks routes call).
"""

from __future__ import annotations

from typing import Any

import dash
from dash import ALL, Input, Output, State, ctx, no_update
from flask import current_app, request

from callbacks.registry import Callback, attach
from dashboard.api.auth import require
from dashboard.runtime import Runtime
from dashboard.services import hotline_callbacks as svc
from dashboard.services.errors import NotFound
from layouts import admin as admin_ui
from layouts import admin_hotline as ui
from layouts.i18n import t


def _rt() -> Runtime:
    return current_app.extensions["gridcmd"]


def _version(value: Any) -> int:
    ok = isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**31
    return value + 1 if ok else 1


def route(pathname: str | None) -> tuple[str, str]:
    """Show the tab when the path names it, and mark its link."""
    on = ui.tab_of(pathname) == "hotline"
    return (
        "admin-panel admin-hotline-panel" + ("" if on else " is-hidden"),
        "admin-tab" + (" is-active" if on else ""),
    )


def table(pathname: str | None, _refresh: int, _version: int) -> tuple[Any, Any]:
    """The dead letters (read only while the tab is open)."""
    if ui.tab_of(pathname) != "hotline":
        return no_update, no_update
    require("admin")
    rt = _rt()
    with rt.session() as session:
        rows = svc.callbacks(session=session, tz=rt.settings.timezone, state=svc.DEAD)
    return ui.dead_letter_table(rows), ui.count_text(len(rows))


def replay_one(clicks: list[int | None], version: Any) -> tuple[Any, Any]:
    """Replay the dead letter whose 重发 was confirmed."""
    index = ctx.triggered_id.get("index") if isinstance(ctx.triggered_id, dict) else None
    if not any(clicks) or not isinstance(index, int) or isinstance(index, bool) or not 0 < index < 2**63:
        return no_update, no_update
    principal = require("admin")
    try:
        with _rt().session() as session:
            n = svc.replay(session=session, callback_id=index, by=principal.name, ip=request.remote_addr or "")
    except NotFound as exc:
        return admin_ui.message(admin_ui.error_text(exc), ok=False), _version(version)
    return admin_ui.message(t("admin.hotline.replayed").format(n=n), ok=True), _version(version)


def replay_all(n_clicks: int | None, version: Any) -> tuple[Any, Any]:
    """Replay every dead letter (after the confirmation)."""
    if not n_clicks:
        return no_update, no_update
    principal = require("admin")
    with _rt().session() as session:
        n = svc.replay_all(session=session, by=principal.name, ip=request.remote_addr or "")
    return admin_ui.message(t("admin.hotline.replayed").format(n=n), ok=True), _version(version)


CALLBACKS: tuple[Callback, ...] = (
    Callback(
        route,
        outputs=(Output(ui.HOTLINE_PANEL, "className"), Output(ui.TAB_HOTLINE, "className")),
        inputs=(Input(admin_ui.URL, "pathname"),),
    ),
    Callback(
        table,
        outputs=(Output(ui.HOTLINE_TABLE, "children"), Output(ui.HOTLINE_COUNT, "children")),
        inputs=(
            Input(admin_ui.URL, "pathname"),
            Input(ui.HOTLINE_REFRESH, "n_clicks"),
            Input(ui.HOTLINE_VERSION, "data"),
        ),
    ),
    Callback(
        replay_one,
        outputs=(Output(ui.HOTLINE_MSG, "children"), Output(ui.HOTLINE_VERSION, "data")),
        inputs=(Input({"type": ui.HOTLINE_REPLAY, "index": ALL}, "submit_n_clicks"),),
        state=(State(ui.HOTLINE_VERSION, "data"),),
        prevent_initial_call=True,
    ),
    Callback(
        replay_all,
        outputs=(
            Output(ui.HOTLINE_MSG, "children", allow_duplicate=True),
            Output(ui.HOTLINE_VERSION, "data", allow_duplicate=True),
        ),
        inputs=(Input(ui.HOTLINE_REPLAY_ALL, "submit_n_clicks"),),
        state=(State(ui.HOTLINE_VERSION, "data"),),
        prevent_initial_call=True,
    ),
)


def register(app: dash.Dash) -> None:
    """Attach the 12345 tab's callbacks to the admin app."""
    attach(app, CALLBACKS)
