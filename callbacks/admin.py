"""Callbacks of the admin view (/admin): unpack inputs, call dashboard.services.admin, pack outputs.

Each one re-checks the caller with `require("admin")`: the path already limits /admin/_dash-update-component to
admins, and a second check costs nothing if the role table ever changes.
"""

from __future__ import annotations

from typing import Any

import dash
from dash import ALL, Input, Output, State, ctx, no_update
from flask import current_app, request

from callbacks.registry import Callback, attach
from dashboard.api.auth import require
from dashboard.runtime import Runtime
from dashboard.services import admin as svc
from dashboard.services.errors import FieldError, NotFound
from layouts import admin as ui
from layouts.i18n import t


def _rt() -> Runtime:
    return current_app.extensions["gridcmd"]


def _who() -> svc.Who:
    return svc.Who(require("admin").name, request.remote_addr or "")


def _clicked(value: Any) -> bool:
    # Dash also fires pattern-matching inputs when their buttons are (re)created, with n_clicks 0/None.
    return bool(value)


def _count(value: Any, default: int = 0) -> int:
    # Stores and n_clicks come from the browser: anything but a plain small integer reads as the default.
    ok = isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 2**31
    return value if ok else default  # type: ignore[return-value]


def _bump(version: Any) -> int:
    """The next value of a version store (a bad one starts over: it only triggers a refresh)."""
    return _count(version) + 1


def _triggered_index() -> int | None:
    """The `index` of the pattern-matching button that fired (a user or token id), or None."""
    index = ctx.triggered_id.get("index") if isinstance(ctx.triggered_id, dict) else None
    return index if isinstance(index, int) and not isinstance(index, bool) and 0 < index < 2**63 else None


def _no_user() -> tuple[Any, ...]:
    hidden = (no_update,) * 3  # the toggle button keeps its last look while hidden
    return ("admin-empty", "admin-user-card is-hidden", t("admin.user.title"), None, None, *hidden)


def route(pathname: str | None) -> tuple[str, str, str, str]:
    """Show the users or audit panel the path names and mark its tab."""
    tab = ui.tab_for(pathname)  # catalog and holidays: callbacks/admin_imports.py shows those
    audit, users = tab == "audit", tab == "users"
    hidden = " is-hidden"
    return (
        "admin-panel admin-users" + ("" if users else hidden),
        "admin-panel admin-audit-panel" + ("" if audit else hidden),
        "admin-tab" + (" is-active" if users else ""),
        "admin-tab" + (" is-active" if audit else ""),
    )


def users(_version: int, selected: int | None) -> tuple[Any, str]:
    """The users table (the selected account highlighted) and its count, re-read after every change."""
    require("admin")
    rt = _rt()
    with rt.session() as session:
        rows = svc.list_users(session=session, tz=rt.settings.timezone)
    return ui.users_table(rows, selected), t("admin.users.count").format(n=len(rows))


def select(clicks: list[int | None]) -> Any:
    """The account whose Manage button was clicked."""
    if not any(_clicked(c) for c in clicks) or _triggered_index() is None:
        return no_update
    return _triggered_index()


def user_card(selected: int | None, _version: int) -> tuple[Any, ...]:
    """The selected account's card: facts, tokens and the activate/deactivate button's look."""
    require("admin")
    if selected is None:
        return _no_user()
    rt = _rt()
    try:
        with rt.session() as session:
            row = svc.get_user(session=session, user_id=selected, tz=rt.settings.timezone)
    except NotFound:
        return _no_user()
    return (
        "admin-empty is-hidden",
        "admin-user-card",
        [t("admin.user.title"), "：", row.name],
        ui.user_facts(row),
        ui.tokens_list(row),
        t("admin.user.deactivate" if row.active else "admin.user.activate"),
        "admin-btn " + ("admin-btn--danger" if row.active else "admin-btn--primary"),
        t("admin.user.deactivate_confirm") if row.active else f"{t('admin.user.activate')}？",
    )


def clear_on_select(_selected: int | None) -> tuple[None, None, str]:
    """Empty the token reveal, message and password box when another account is picked."""
    # A token shown for one account must not linger on another's card.
    return None, None, ""


def department_for_handlers(role: str, department: str | None) -> tuple[bool, str | None]:
    """The department field applies to handlers only."""
    return (False, department) if role == "handler" else (True, None)


def create(
    _n: int,
    name: str | None,
    display: str | None,
    role: str | None,
    scope: str | None,
    department: str | None,
    password: str | None,
    version: int,
) -> tuple[Any, ...]:
    """Create the account of the form; on success select it and empty the form."""
    who = _who()
    rt = _rt()
    try:
        with rt.session() as session:
            user = svc.create_account(
                session=session,
                by=who,
                county_code=rt.settings.county_code,
                name=name or "",
                role=role or "",
                scope=scope or "",
                password=password or None,
                department_code=department,
                display_name=display or "",
            )
            user_id, user_name = user.id, user.name
    except (FieldError, NotFound) as exc:
        return ui.message(ui.error_text(exc), ok=False), no_update, no_update, no_update, no_update, ""
    done = ui.message(t("admin.create.done").format(name=user_name), ok=True)
    return done, _bump(version), user_id, "", "", ""


def reset(_n: int, selected: int | None, password: str | None) -> tuple[Any, str]:
    """Set the selected account's password."""
    who = _who()
    if selected is None:
        return no_update, ""
    rt = _rt()
    try:
        with rt.session() as session:
            user = svc.reset_password(session=session, by=who, user_id=selected, password=password or "")
            name = user.name
    except (FieldError, NotFound) as exc:
        return ui.message(ui.error_text(exc), ok=False), ""
    return ui.message(t("admin.user.password_done").format(name=name), ok=True), ""


def toggle_active(n: int | None, selected: int | None, version: int) -> tuple[Any, Any]:
    """Activate or deactivate the selected account (after its confirmation dialog)."""
    who = _who()
    if not _clicked(n) or selected is None:
        return no_update, no_update
    rt = _rt()
    try:
        with rt.session() as session:
            current = svc.get_user(session=session, user_id=selected, tz=rt.settings.timezone)
            user = svc.set_active(session=session, by=who, user_id=selected, active=not current.active)
            key, name = ("admin.user.activated" if user.active else "admin.user.deactivated"), user.name
    except (FieldError, NotFound) as exc:
        return ui.message(ui.error_text(exc), ok=False), no_update
    return ui.message(t(key).format(name=name), ok=True), _bump(version)


def issue(_n: int, selected: int | None, label: str | None, version: int) -> tuple[Any, ...]:
    """Issue a token to the selected account and show it once."""
    who = _who()
    if selected is None:
        return no_update, no_update, no_update, no_update
    rt = _rt()
    try:
        with rt.session() as session:
            issued = svc.issue_user_token(session=session, by=who, user_id=selected, label=label or "")
    except (FieldError, NotFound) as exc:
        return None, ui.message(ui.error_text(exc), ok=False), no_update, no_update
    return ui.token_reveal(issued, request.host_url), None, _bump(version), ""


def revoke(clicks: list[int | None], version: int) -> tuple[Any, Any]:
    """Revoke the token whose Revoke button was confirmed."""
    token_id = _triggered_index()
    if not any(_clicked(c) for c in clicks) or token_id is None:
        return no_update, no_update
    who = _who()
    rt = _rt()
    try:
        with rt.session() as session:
            svc.revoke_token(session=session, by=who, token_id=token_id)
    except (FieldError, NotFound) as exc:
        return ui.message(ui.error_text(exc), ok=False), no_update
    return ui.message(t("admin.tokens.revoked_done").format(id=token_id), ok=True), _bump(version)


def audit(
    pathname: str | None,
    _search: int,
    _prev: int,
    _next: int,
    _s1: int | None,
    _s2: int | None,
    _s3: int | None,
    show_system: list[str] | None,
    start_date: str | None,
    end_date: str | None,
    actor: str | None,
    action: str | None,
    target: str | None,
    paging: dict[str, int] | None,
) -> tuple[Any, ...]:
    """One page of the audit log for the filter form, with the pager and the CSV link for the same filter (the
    overdue rule's and the simulator's case commands only when the "show system" box is ticked).
    """
    if ui.tab_for(pathname) != "audit":
        return (no_update,) * 7  # read the log only when the tab is open
    require("admin")
    rt = _rt()
    tz = rt.settings.timezone
    paging = paging if isinstance(paging, dict) else {}
    page = ui.next_page(ctx.triggered_id, _count(paging.get("page"), 1), _count(paging.get("pages"), 1))
    args = ui.audit_args(start_date, end_date, actor, action, target, show_system)
    try:
        flt = svc.audit_filter(args, tz)
        with rt.session() as session:
            result = svc.query_audit(session=session, flt=flt, tz=tz, page=page, size=ui.AUDIT_PAGE_SIZE)
    except FieldError as exc:
        return no_update, no_update, no_update, no_update, ui.message(ui.error_text(exc), ok=False), True, True
    return (
        ui.audit_table(result),
        ui.audit_summary(result),
        {"page": result.page, "pages": result.pages},
        ui.csv_href(args),
        None,
        result.page <= 1,
        result.page >= result.pages,
    )


# Every callback of the users and audit tabs, in registration order (app.py attaches them to the admin app).
CALLBACKS: tuple[Callback, ...] = (
    Callback(
        route,
        outputs=(
            Output(ui.USERS_PANEL, "className"),
            Output(ui.AUDIT_PANEL, "className"),
            Output(ui.TAB_USERS, "className"),
            Output(ui.TAB_AUDIT, "className"),
        ),
        inputs=(Input(ui.URL, "pathname"),),
    ),
    Callback(
        users,
        outputs=(
            Output(ui.USERS_TABLE, "children"),
            Output(ui.USERS_COUNT, "children"),
        ),
        inputs=(
            Input(ui.USERS_VERSION, "data"),
            Input(ui.SELECTED, "data"),
        ),
    ),
    Callback(
        select,
        outputs=(Output(ui.SELECTED, "data"),),
        inputs=(Input({"type": ui.USER_ROW, "index": ALL}, "n_clicks"),),
        prevent_initial_call=True,
    ),
    Callback(
        user_card,
        outputs=(
            Output(ui.USER_NONE, "className"),
            Output(ui.USER_CARD, "className"),
            Output(ui.USER_TITLE, "children"),
            Output(ui.USER_FACTS, "children"),
            Output(ui.TOKENS_LIST, "children"),
            Output(ui.TOGGLE_ACTIVE, "children"),
            Output(ui.TOGGLE_ACTIVE, "className"),
            Output(ui.TOGGLE_CONFIRM, "message"),
        ),
        inputs=(
            Input(ui.SELECTED, "data"),
            Input(ui.USERS_VERSION, "data"),
        ),
    ),
    Callback(
        clear_on_select,
        outputs=(
            Output(ui.TOKEN_REVEAL, "children"),
            Output(ui.USER_MSG, "children"),
            Output(ui.RESET_PASSWORD, "value"),
        ),
        inputs=(Input(ui.SELECTED, "data"),),
    ),
    Callback(
        department_for_handlers,
        outputs=(
            Output(ui.CREATE_DEPT, "disabled"),
            Output(ui.CREATE_DEPT, "value"),
        ),
        inputs=(Input(ui.CREATE_ROLE, "value"),),
        state=(State(ui.CREATE_DEPT, "value"),),
    ),
    Callback(
        create,
        outputs=(
            Output(ui.CREATE_MSG, "children"),
            Output(ui.USERS_VERSION, "data", allow_duplicate=True),
            Output(ui.SELECTED, "data", allow_duplicate=True),
            Output(ui.CREATE_NAME, "value"),
            Output(ui.CREATE_DISPLAY, "value"),
            Output(ui.CREATE_PASSWORD, "value"),
        ),
        inputs=(Input(ui.CREATE_SUBMIT, "n_clicks"),),
        state=(
            State(ui.CREATE_NAME, "value"),
            State(ui.CREATE_DISPLAY, "value"),
            State(ui.CREATE_ROLE, "value"),
            State(ui.CREATE_SCOPE, "value"),
            State(ui.CREATE_DEPT, "value"),
            State(ui.CREATE_PASSWORD, "value"),
            State(ui.USERS_VERSION, "data"),
        ),
        prevent_initial_call=True,
    ),
    Callback(
        reset,
        outputs=(
            Output(ui.USER_MSG, "children", allow_duplicate=True),
            Output(ui.RESET_PASSWORD, "value", allow_duplicate=True),
        ),
        inputs=(Input(ui.RESET_SUBMIT, "n_clicks"),),
        state=(
            State(ui.SELECTED, "data"),
            State(ui.RESET_PASSWORD, "value"),
        ),
        prevent_initial_call=True,
    ),
    Callback(
        toggle_active,
        outputs=(
            Output(ui.USER_MSG, "children", allow_duplicate=True),
            Output(ui.USERS_VERSION, "data", allow_duplicate=True),
        ),
        inputs=(Input(ui.TOGGLE_CONFIRM, "submit_n_clicks"),),
        state=(
            State(ui.SELECTED, "data"),
            State(ui.USERS_VERSION, "data"),
        ),
        prevent_initial_call=True,
    ),
    Callback(
        issue,
        outputs=(
            Output(ui.TOKEN_REVEAL, "children", allow_duplicate=True),
            Output(ui.USER_MSG, "children", allow_duplicate=True),
            Output(ui.USERS_VERSION, "data", allow_duplicate=True),
            Output(ui.TOKEN_LABEL, "value"),
        ),
        inputs=(Input(ui.TOKEN_ISSUE, "n_clicks"),),
        state=(
            State(ui.SELECTED, "data"),
            State(ui.TOKEN_LABEL, "value"),
            State(ui.USERS_VERSION, "data"),
        ),
        prevent_initial_call=True,
    ),
    Callback(
        revoke,
        outputs=(
            Output(ui.USER_MSG, "children", allow_duplicate=True),
            Output(ui.USERS_VERSION, "data", allow_duplicate=True),
        ),
        inputs=(Input({"type": ui.TOKEN_REVOKE, "index": ALL}, "submit_n_clicks"),),
        state=(State(ui.USERS_VERSION, "data"),),
        prevent_initial_call=True,
    ),
    Callback(
        audit,
        outputs=(
            Output(ui.AUDIT_TABLE, "children"),
            Output(ui.AUDIT_SUMMARY, "children"),
            Output(ui.AUDIT_PAGE, "data"),
            Output(ui.AUDIT_EXPORT, "href"),
            Output(ui.AUDIT_MSG, "children"),
            Output(ui.AUDIT_PREV, "disabled"),
            Output(ui.AUDIT_NEXT, "disabled"),
        ),
        inputs=(
            Input(ui.URL, "pathname"),
            Input(ui.AUDIT_SEARCH, "n_clicks"),
            Input(ui.AUDIT_PREV, "n_clicks"),
            Input(ui.AUDIT_NEXT, "n_clicks"),
            Input(ui.AUDIT_ACTOR, "n_submit"),
            Input(ui.AUDIT_ACTION, "n_submit"),
            Input(ui.AUDIT_TARGET, "n_submit"),
            Input(ui.AUDIT_SYSTEM, "value"),
        ),
        state=(
            State(ui.AUDIT_DATES, "start_date"),
            State(ui.AUDIT_DATES, "end_date"),
            State(ui.AUDIT_ACTOR, "value"),
            State(ui.AUDIT_ACTION, "value"),
            State(ui.AUDIT_TARGET, "value"),
            State(ui.AUDIT_PAGE, "data"),
        ),
    ),
)


def register(app: dash.Dash) -> None:
    """Attach the admin callbacks to `app`."""
    attach(app, CALLBACKS)
