"""Admin 系统管理 at /admin: accounts, passwords, API and display tokens; the audit log at /admin/audit.

Desktop, Chinese first. The page is admin-only by its path (auth.PAGE_ROLES covers the page, its layout and its
callbacks); the callbacks in callbacks/admin.py call dashboard.services.admin, which audits every change in the
change's own transaction. This module holds the ids, the static frame, and pure functions that turn service
rows into components (tested without a browser).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

import dash
from dash import dcc, html
from flask import Flask, current_app

from dashboard.api.auth import current_principal
from dashboard.config import get_settings
from dashboard.runtime import Runtime
from dashboard.services import admin as svc
from dashboard.services.accounts import USER_ROLES
from dashboard.services.clock import utcnow
from dashboard.services.holidays import missing_years
from layouts import admin_hotline as hotline_ui
from layouts import admin_imports as imports_ui
from layouts.admin_text import action_label, detail_text, error_text
from layouts.dash_app import make_dash
from layouts.i18n import t

__all__ = ["action_label", "detail_text", "error_text"]  # re-exported: the callbacks format errors through here

ID = "admin"
ROOT = "admin-root"
URL = "admin-url"
BANNER = "admin-banner"
TAB_USERS = "admin-tab-users"
TAB_AUDIT = "admin-tab-audit"
USERS_PANEL = "admin-users-panel"
AUDIT_PANEL = "admin-audit-panel"
# Users tab
USERS_VERSION = "admin-users-version"  # bumped after every change so the table and the panel re-read
USERS_TABLE = "admin-users-table"
USERS_COUNT = "admin-users-count"
USER_ROW = "admin-user-manage"  # pattern id {"type": USER_ROW, "index": user id}
SELECTED = "admin-selected"
CREATE_NAME = "admin-create-name"
CREATE_DISPLAY = "admin-create-display"
CREATE_ROLE = "admin-create-role"
CREATE_SCOPE = "admin-create-scope"
CREATE_DEPT = "admin-create-department"
CREATE_PASSWORD = "admin-create-password"
CREATE_SUBMIT = "admin-create-submit"
CREATE_MSG = "admin-create-msg"
USER_CARD = "admin-user-card"
USER_NONE = "admin-user-none"
USER_TITLE = "admin-user-title"
USER_FACTS = "admin-user-facts"
USER_MSG = "admin-user-msg"
RESET_PASSWORD = "admin-reset-password"
RESET_SUBMIT = "admin-reset-submit"
TOGGLE_CONFIRM = "admin-toggle-confirm"
TOGGLE_ACTIVE = "admin-toggle-active"
TOKEN_LABEL = "admin-token-label"
TOKEN_ISSUE = "admin-token-issue"
TOKEN_REVEAL = "admin-token-reveal"
TOKENS_LIST = "admin-tokens"
TOKEN_REVOKE = "admin-token-revoke"  # pattern id {"type": TOKEN_REVOKE, "index": token id}
# Audit tab
AUDIT_DATES = "admin-audit-dates"
AUDIT_ACTOR = "admin-audit-actor"
AUDIT_ACTION = "admin-audit-action"
AUDIT_ACTIONS = "admin-audit-actions"  # <datalist> of common prefixes
AUDIT_TARGET = "admin-audit-target"
AUDIT_SYSTEM = "admin-audit-system"  # checklist: value ["show"] includes the overdue rule's and simulator's rows
AUDIT_SEARCH = "admin-audit-search"
AUDIT_EXPORT = "admin-audit-export"
AUDIT_MSG = "admin-audit-msg"
AUDIT_TABLE = "admin-audit-table"
AUDIT_SUMMARY = "admin-audit-summary"
AUDIT_PREV = "admin-audit-prev"
AUDIT_NEXT = "admin-audit-next"
AUDIT_PAGE = "admin-audit-page"  # {"page": n, "pages": m}

AUDIT_PAGE_SIZE = 50
AUDIT_PATH = "/admin/audit"
CSV_PATH = "/api/v1/admin/audit.csv"
# Offered in the action filter; free text still works (any prefix, e.g. "case:dispatch").
ACTION_SUGGESTIONS = ("login", "login_failed", "login_locked", "logout", "kiosk_login", "token_used", "case:", "admin:")
DETAIL_CHARS = 160  # the table shows the start of a detail; the CSV carries all of it


# ---- pure helpers (unit-tested) -----------------------------------------------------------------------------


def tab_for(pathname: str | None) -> str:
    """Which tab a path opens: /admin/audit → audit, /admin/catalog, /admin/holidays, /admin/hotline, anything else
    → users."""
    if isinstance(pathname, str) and pathname.rstrip("/").endswith("/audit"):
        return "audit"
    return imports_ui.tab_of(pathname) or hotline_ui.tab_of(pathname) or "users"


def role_label(role: str) -> str:
    """A role's name in the UI language."""
    key = f"admin.role.{role}"
    return role if t(key) == key else t(key)


def message(text: str, *, ok: bool) -> html.Div:
    """A one-line result under a form (polite live region, so screen readers announce it)."""
    return html.Div(text, className=f"admin-msg {'is-ok' if ok else 'is-error'}", role="status")


def next_page(trigger: str | None, page: int, pages: int) -> int:
    """The page to show after `trigger` (prev/next step within bounds; a new search starts at page 1)."""
    if trigger == AUDIT_PREV:
        return max(1, page - 1)
    if trigger == AUDIT_NEXT:
        return min(pages, page + 1)
    if trigger in (AUDIT_SEARCH, AUDIT_ACTOR, AUDIT_ACTION, AUDIT_TARGET, AUDIT_DATES, AUDIT_SYSTEM):
        return 1
    return max(1, page)


def audit_args(
    start_date: str | None,
    end_date: str | None,
    actor: str | None,
    action: str | None,
    target: str | None,
    show_system: Any = None,
) -> dict[str, str]:
    """The filter form as query arguments (the API's names), empty fields left out. Unless the checkbox asks for
    them, `system=0` leaves out the overdue rule's and the simulator's case commands (the CSV link carries it).
    """
    args = {"from": start_date, "to": end_date, "actor": actor, "action": action, "target": target}
    clean = {k: v.strip() for k, v in args.items() if isinstance(v, str) and v.strip()}
    shown = isinstance(show_system, list) and "show" in show_system
    return clean if shown else {**clean, "system": "0"}


def csv_href(args: dict[str, str]) -> str:
    """The CSV export address for a filter."""
    return f"{CSV_PATH}?{urlencode(args)}" if args else CSV_PATH


def _short(value: str | None) -> str:
    """A local ISO time as 'YYYY-MM-DD HH:MM:SS' (the offset is the center's own, so it is noise here)."""
    return (value or "")[:19].replace("T", " ")


def users_table(rows: Sequence[svc.UserRow], selected: int | None = None) -> html.Table:
    """The users table; each row has a Manage button (pattern id) that selects it."""
    keys = ("name", "display_name", "role", "scope", "department", "active", "tokens", "actions")
    head = html.Thead(html.Tr([html.Th(t(f"admin.col.{k}"), className=f"admin-col-{k}") for k in keys]))
    if not rows:
        body = html.Tbody(html.Tr(html.Td(t("admin.users.empty"), colSpan=8, className="admin-empty")))
        return html.Table([head, body], className="admin-table")
    body_rows = []
    for r in rows:
        classes = ["admin-row"]
        if not r.active:
            classes.append("is-inactive")
        if r.id == selected:
            classes.append("is-selected")
        body_rows.append(
            html.Tr(
                className=" ".join(classes),
                **{"data-user": r.name},
                children=[
                    html.Td(html.Code(r.name)),
                    html.Td(r.display_name),
                    html.Td(html.Span(role_label(r.role), className=f"admin-role admin-role--{r.role}")),
                    html.Td([r.scope_name, html.Span(r.scope, className="admin-code")]),
                    html.Td(r.department_name or r.department_code or "—"),
                    html.Td(
                        html.Span(
                            t("admin.status.active" if r.active else "admin.status.inactive"),
                            className=f"admin-badge {'is-on' if r.active else 'is-off'}",
                        )
                    ),
                    html.Td(str(r.active_tokens), className="admin-num admin-col-tokens"),
                    html.Td(
                        html.Button(
                            t("admin.manage"),
                            id={"type": USER_ROW, "index": r.id},
                            className="admin-btn admin-btn--small",
                            n_clicks=0,
                        )
                    ),
                ],
            )
        )
    return html.Table([head, html.Tbody(body_rows)], className="admin-table")


def user_facts(r: svc.UserRow) -> html.Dl:
    """Who the selected account is, as a definition list."""
    pairs = [
        ("admin.col.display_name", r.display_name),
        ("admin.col.role", role_label(r.role)),
        ("admin.col.scope", f"{r.scope_name}（{r.scope}）"),
        ("admin.col.department", r.department_name or r.department_code or "—"),
        ("admin.col.active", t("admin.status.active" if r.active else "admin.status.inactive")),
    ]
    children: list[Any] = []
    for key, value in pairs:
        children += [html.Dt(t(key)), html.Dd(value)]
    if not r.has_password:
        children += [html.Dt(t("admin.field.password")), html.Dd(t("admin.user.no_password"))]
    return html.Dl(children, className="admin-facts")


def tokens_list(r: svc.UserRow) -> html.Div | html.Ul:
    """The account's tokens, newest first; an active one has a Revoke button behind a confirmation."""
    if not r.tokens:
        return html.Div(t("admin.tokens.empty"), className="admin-empty")
    items = []
    for tok in sorted(r.tokens, key=lambda x: x.id, reverse=True):
        meta = [
            html.Span(f"#{tok.id}", className="admin-code"),
            html.Span(tok.label or "—", className="admin-token-label"),
            html.Span(f"{t('admin.tokens.created')} {_short(tok.created_at)}", className="admin-token-meta"),
            html.Span(
                f"{t('admin.tokens.last_used')} {_short(tok.last_used_at) or t('admin.tokens.never')}",
                className="admin-token-meta",
            ),
        ]
        if tok.active:
            action: Any = dcc.ConfirmDialogProvider(
                html.Button(t("admin.tokens.revoke"), className="admin-btn admin-btn--danger admin-btn--small"),
                id={"type": TOKEN_REVOKE, "index": tok.id},
                message=t("admin.tokens.revoke_confirm"),
            )
        else:
            action = html.Span(t("admin.tokens.revoked"), className="admin-badge is-off")
        items.append(html.Li([html.Div(meta, className="admin-token-info"), action], className="admin-token"))
    return html.Ul(items, className="admin-token-list")


def token_reveal(issued: svc.IssuedToken, base_url: str) -> html.Div:
    """The new token, shown once, with the kiosk address for a display account."""
    children: list[Any] = [
        html.P(t("admin.tokens.once"), className="admin-reveal-note"),
        html.Code(issued.token, className="admin-secret", id="admin-token-value"),
    ]
    if issued.kiosk_path:
        children += [
            html.P(t("admin.tokens.kiosk"), className="admin-reveal-note"),
            html.Code(base_url.rstrip("/") + issued.kiosk_path, className="admin-secret", id="admin-kiosk-url"),
        ]
    return html.Div(children, className="admin-reveal", role="alert")


def audit_table(page: svc.AuditPage) -> html.Table:
    """One page of the audit log."""
    keys = ("at", "actor", "action", "target", "ip", "detail")
    head = html.Thead(html.Tr([html.Th(t(f"admin.audit.col.{k}")) for k in keys]))
    if not page.rows:
        body = html.Tbody(html.Tr(html.Td(t("admin.audit.empty"), colSpan=len(keys), className="admin-empty")))
        return html.Table([head, body], className="admin-table admin-audit")
    rows = []
    for r in page.rows:
        detail = detail_text(r.detail, r.action)
        family = r.action.split(":")[0].split("_")[0]
        rows.append(
            html.Tr(
                [
                    html.Td(_short(r.at), className="admin-nowrap"),
                    html.Td(r.actor),
                    html.Td(
                        html.Span(
                            action_label(r.action), className=f"admin-action admin-action--{family}", title=r.action
                        )
                    ),
                    html.Td(r.target),
                    html.Td(r.ip, className="admin-nowrap"),
                    html.Td(detail[:DETAIL_CHARS] + ("…" if len(detail) > DETAIL_CHARS else ""), title=detail),
                ]
            )
        )
    return html.Table([head, html.Tbody(rows)], className="admin-table admin-audit")


def audit_summary(page: svc.AuditPage) -> str:
    """'共 N 条 · 第 p / P 页'."""
    return t("admin.audit.summary").format(total=page.total, page=page.page, pages=page.pages)


# ---- the frame ----------------------------------------------------------------------------------------------


def _button(label_key: str, button_id: str, variant: str = "") -> html.Button:
    classes = "admin-btn" + "".join(f" admin-btn--{v}" for v in variant.split())
    return html.Button(t(label_key), id=button_id, className=classes, n_clicks=0)


def _field(label_key: str, control: Any, hint_key: str | None = None) -> html.Label:
    children = [html.Span(t(label_key), className="admin-label"), control]
    if hint_key:
        children.append(html.Span(t(hint_key), className="admin-hint"))
    return html.Label(children, className="admin-field")


def _header(admin_name: str) -> html.Header:
    return html.Header(
        className="admin-header",
        children=[
            html.Div(
                className="admin-brand",
                children=[
                    html.Span(className="admin-emblem"),
                    html.Span(t("app.title"), className="admin-app"),
                    html.Span(t("admin.title"), className="admin-title"),
                ],
            ),
            html.Nav(
                className="admin-nav",
                children=[
                    dcc.Link(t("admin.tab.users"), href="/admin/", id=TAB_USERS, className="admin-tab"),
                    dcc.Link(t("admin.tab.audit"), href=AUDIT_PATH, id=TAB_AUDIT, className="admin-tab"),
                    *imports_ui.nav_links(),
                    hotline_ui.nav_link(),
                ],
            ),
            html.Div(
                className="admin-user",
                children=[
                    html.A(t("admin.nav.screen"), href="/screen/", className="admin-link"),
                    html.A(t("admin.nav.dispatch"), href="/dispatch/", className="admin-link"),
                    html.Span([t("admin.signed_in"), " ", html.B(admin_name)], className="admin-whoami"),
                    html.A(t("admin.logout"), href="/logout", className="admin-link admin-logout", id="admin-logout"),
                ],
            ),
        ],
    )


def _banner(rt: Runtime) -> html.Div:
    # The same warnings /readyz reports: an SLA calendar without official holidays miscounts work days.
    banners = imports_ui.calendar_banners(missing_years(rt.calendar, utcnow()))
    return html.Div(id=BANNER, className="admin-banners", children=banners)


def _create_card(scopes: list[svc.Option], departments: list[svc.Option]) -> html.Section:
    county = scopes[0].code if scopes else ""
    district = t("admin.scope.district")
    scope_opts = [
        {"label": f"{o.name}（{district}）" if o.code == county else f"{o.name}  {o.code}", "value": o.code}
        for o in scopes
    ]
    return html.Section(
        className="admin-card",
        children=[
            html.H2(t("admin.create.title")),
            html.Div(
                className="admin-form-grid",
                children=[
                    _field(
                        "admin.create.name",
                        dcc.Input(id=CREATE_NAME, type="text", autoComplete="off", maxLength=svc.MAX_NAME),
                    ),
                    _field(
                        "admin.create.display_name",
                        dcc.Input(id=CREATE_DISPLAY, type="text", maxLength=svc.MAX_DISPLAY_NAME),
                    ),
                    _field(
                        "admin.create.role",
                        dcc.Dropdown(
                            id=CREATE_ROLE,
                            options=[{"label": role_label(r), "value": r} for r in reversed(USER_ROLES)],
                            value="dispatcher",
                            clearable=False,
                            searchable=False,
                        ),
                    ),
                    _field(
                        "admin.create.scope",
                        dcc.Dropdown(id=CREATE_SCOPE, options=scope_opts, value=county, clearable=False),
                    ),
                    _field(
                        "admin.create.department",
                        dcc.Dropdown(
                            id=CREATE_DEPT,
                            options=[{"label": f"{o.name}  {o.code}", "value": o.code} for o in departments],
                            disabled=True,
                        ),
                    ),
                    _field(
                        "admin.create.password",
                        dcc.Input(
                            id=CREATE_PASSWORD,
                            type="password",
                            autoComplete="new-password",
                            maxLength=svc.MAX_PASSWORD,
                        ),
                        "admin.create.password_hint",
                    ),
                ],
            ),
            html.Div(
                className="admin-actions",
                children=[
                    _button("admin.create.submit", CREATE_SUBMIT, "primary"),
                    html.Div(id=CREATE_MSG),
                ],
            ),
        ],
    )


def _user_card() -> html.Section:
    return html.Section(
        className="admin-card",
        children=[
            html.H2(t("admin.user.title"), id=USER_TITLE),
            html.P(t("admin.user.none"), id=USER_NONE, className="admin-empty"),
            html.Div(
                id=USER_CARD,
                className="admin-user-card is-hidden",
                children=[
                    html.Div(id=USER_FACTS),
                    html.Div(id=USER_MSG),
                    html.H3(t("admin.user.password")),
                    html.Div(
                        className="admin-inline",
                        children=[
                            dcc.Input(
                                id=RESET_PASSWORD,
                                type="password",
                                placeholder=t("admin.user.password_new"),
                                autoComplete="new-password",
                                maxLength=svc.MAX_PASSWORD,
                            ),
                            _button("admin.user.password_submit", RESET_SUBMIT),
                        ],
                    ),
                    html.Div(
                        className="admin-inline",
                        children=[
                            dcc.ConfirmDialogProvider(
                                _button("admin.user.deactivate", TOGGLE_ACTIVE, "danger"),
                                id=TOGGLE_CONFIRM,
                                message=t("admin.user.deactivate_confirm"),
                            ),
                        ],
                    ),
                    html.H3(t("admin.tokens.title")),
                    html.Div(
                        className="admin-inline",
                        children=[
                            dcc.Input(
                                id=TOKEN_LABEL,
                                type="text",
                                placeholder=t("admin.tokens.label"),
                                maxLength=svc.MAX_LABEL,
                            ),
                            _button("admin.tokens.issue", TOKEN_ISSUE, "primary"),
                        ],
                    ),
                    html.Div(id=TOKEN_REVEAL),
                    html.Div(id=TOKENS_LIST),
                ],
            ),
        ],
    )


def _users_panel(scopes: list[svc.Option], departments: list[svc.Option]) -> html.Main:
    # Left: the list and, under it, the create form (the list is short in most centers); right: the account.
    return html.Main(
        id=USERS_PANEL,
        className="admin-panel admin-users",
        children=[
            html.Div(
                className="admin-main",
                children=[
                    html.Section(
                        className="admin-card admin-users-list",
                        children=[
                            html.Div(
                                className="admin-card-head",
                                children=[
                                    html.H2(t("admin.users.title")),
                                    html.Span(id=USERS_COUNT, className="admin-count"),
                                ],
                            ),
                            html.Div(id=USERS_TABLE, className="admin-table-wrap"),
                        ],
                    ),
                    _create_card(scopes, departments),
                ],
            ),
            html.Div(className="admin-side", children=[_user_card()]),
        ],
    )


def _filter_input(input_id: str, **extra: Any) -> dcc.Input:
    return dcc.Input(id=input_id, type="search", debounce=True, maxLength=svc.MAX_FILTER, **extra)


def _audit_panel() -> html.Main:
    return html.Main(
        id=AUDIT_PANEL,
        className="admin-panel admin-audit-panel is-hidden",
        children=[
            html.Section(
                className="admin-card admin-filters",
                children=[
                    _field(
                        "admin.audit.range",
                        dcc.DatePickerRange(
                            id=AUDIT_DATES,
                            display_format="YYYY-MM-DD",
                            first_day_of_week=1,
                            clearable=True,
                            start_date_placeholder_text=t("admin.audit.from"),
                            end_date_placeholder_text=t("admin.audit.to"),
                        ),
                    ),
                    _field("admin.audit.actor", _filter_input(AUDIT_ACTOR)),
                    _field("admin.audit.action", _filter_input(AUDIT_ACTION, list=AUDIT_ACTIONS)),
                    html.Datalist(
                        id=AUDIT_ACTIONS,
                        children=[html.Option(value=a, label=action_label(a)) for a in ACTION_SUGGESTIONS],
                    ),
                    _field("admin.audit.target", _filter_input(AUDIT_TARGET)),
                    html.Div(
                        className="admin-field admin-audit-system",
                        children=[
                            dcc.Checklist(
                                id=AUDIT_SYSTEM,
                                options=[{"label": t("admin.audit.system"), "value": "show"}],
                                value=[],
                                inputClassName="admin-check",
                            ),
                            html.Span(t("admin.audit.system_hint"), className="admin-hint"),
                        ],
                    ),
                    html.Div(
                        className="admin-actions",
                        children=[
                            _button("admin.audit.search", AUDIT_SEARCH, "primary"),
                            html.A(
                                t("admin.audit.export"),
                                id=AUDIT_EXPORT,
                                href=csv_href({"system": "0"}),
                                className="admin-btn",
                                download="",
                            ),
                        ],
                    ),
                ],
            ),
            html.Div(id=AUDIT_MSG),
            html.Section(
                className="admin-card",
                children=[
                    html.Div(id=AUDIT_TABLE, className="admin-table-wrap"),
                    html.Div(
                        className="admin-pager",
                        children=[
                            _button("admin.audit.prev", AUDIT_PREV, "small"),
                            html.Span(id=AUDIT_SUMMARY, className="admin-count"),
                            _button("admin.audit.next", AUDIT_NEXT, "small"),
                        ],
                    ),
                ],
            ),
        ],
    )


def layout(**_query: str) -> html.Div:
    """The admin frame; tables and panels are filled by callbacks/admin.py and callbacks/admin_imports.py."""
    rt: Runtime = current_app.extensions["gridcmd"]
    principal = current_principal()
    with rt.session() as session:
        scopes = svc.scope_options(session=session, county_code=rt.settings.county_code)
        departments = svc.department_options(session=session)
    return html.Div(
        id=ROOT,
        className="admin",
        lang="zh-CN" if get_settings().lang == "zh" else "en",
        children=[
            dcc.Location(id=URL),
            dcc.Store(id=USERS_VERSION, data=0),
            dcc.Store(id=SELECTED),
            dcc.Store(id=AUDIT_PAGE, data={"page": 1, "pages": 1}),
            _header(principal.display_name if principal else ""),
            _banner(rt),
            _users_panel(scopes, departments),
            _audit_panel(),
            imports_ui.catalog_panel(),
            imports_ui.holidays_panel(imports_ui.default_year(utcnow().astimezone(rt.calendar.zone).date())),
            hotline_ui.hotline_panel(has_url=bool(rt.settings.hotline_callback_url.strip())),
        ],
    )


def build(server: Flask) -> dash.Dash:
    """The admin Dash app at /admin/, without callbacks: app.py attaches those of callbacks/admin.py and
    callbacks/admin_imports.py (callbacks import this module, never the reverse).
    """
    return make_dash(server, ID, layout, f"{t('admin.title')} · {t('app.title')}")


def csv_header() -> tuple[str, ...]:
    """The audit CSV's column headings in the UI language (app.py hands it to the admin API as a hook)."""
    return tuple(t(f"admin.audit.col.{k}") for k in ("id", "at", "actor", "action", "target", "ip", "detail"))
