"""Callbacks of the admin imports (catalog workbook, holiday notice): unpack, call the services, pack outputs.

Every callback re-checks the caller with `require("admin")`. Reading never writes: the catalog preview runs the
import as a dry run, the notice is only parsed; the confirm and save buttons do the writing, audited.
"""

from __future__ import annotations

from typing import Any

import dash
from dash import Input, Output, State, no_update
from flask import current_app, request

from callbacks.registry import Callback, attach
from dashboard.api.auth import require
from dashboard.runtime import Runtime
from dashboard.services import holidays as hol
from dashboard.services.catalog_import import CatalogReadError, import_catalog_data
from dashboard.services.clock import utcnow
from dashboard.services.errors import FieldError
from layouts import admin as admin_ui
from layouts import admin_imports as ui
from layouts.i18n import t


def _rt() -> Runtime:
    return current_app.extensions["gridcmd"]


def _replace(value: Any) -> bool:
    return isinstance(value, list) and "replace" in value


def _name(filename: Any) -> str:
    return filename if isinstance(filename, str) and 0 < len(filename) <= 255 else "upload.xlsx"


def _catalog(contents: Any, filename: Any, replace: Any, *, dry_run: bool) -> Any:
    """The import report of the uploaded file (a dry run, or the real import by the signed-in admin)."""
    principal = require("admin")
    data = ui.decode_upload(contents)
    with _rt().session() as session:
        return import_catalog_data(
            session=session,
            data=data,
            name=_name(filename),
            replace=_replace(replace),
            dry_run=dry_run,
            by="" if dry_run else principal.name,
            ip=request.remote_addr or "",
        )


def _error(exc: Exception, filename: Any = None) -> Any:
    # FieldError and CatalogReadError alike, in the UI language (layouts/admin_text.py).
    return admin_ui.message(admin_ui.error_text(exc, filename=_name(filename)), ok=False)


def route(pathname: str | None) -> tuple[str, str, str, str]:
    """Show the tab the path names (hidden otherwise) and mark its link."""
    tab = ui.tab_of(pathname)
    panel, link = "admin-panel admin-imports", "admin-tab"
    return (
        panel + ("" if tab == "catalog" else " is-hidden"),
        panel + ("" if tab == "holidays" else " is-hidden"),
        link + (" is-active" if tab == "catalog" else ""),
        link + (" is-active" if tab == "holidays" else ""),
    )


def catalog_preview(contents: Any, replace: Any, filename: Any) -> tuple[Any, Any, bool]:
    """An uploaded file's report; the confirm button is enabled when some condition would land."""
    if not contents:
        return no_update, no_update, True  # cleared after an import: keep its report and message
    try:
        report = _catalog(contents, filename, replace, dry_run=True)
    except (FieldError, CatalogReadError) as exc:
        return None, _error(exc, filename), True
    report_view = ui.catalog_report(report, _name(filename), replace=_replace(replace))
    if not report.landed:
        return report_view, admin_ui.message(t("admin.catalog.nothing"), ok=False), True
    return report_view, None, False


def catalog_confirm(_n: int, contents: Any, replace: Any, filename: Any) -> tuple[Any, Any, bool, Any]:
    """Import the previewed file; the upload is cleared so the same file is not imported twice by accident."""
    if not contents:
        return no_update, no_update, True, no_update
    try:
        report = _catalog(contents, filename, replace, dry_run=False)
    except (FieldError, CatalogReadError) as exc:
        return no_update, _error(exc, filename), True, no_update
    done = t("admin.catalog.done").format(
        name=_name(filename),
        inserted=len(report.inserted),
        updated=len(report.updated),
        unchanged=len(report.unchanged),
        removed=len(report.removed),
        departments=len(report.new_departments),
    )
    view = ui.catalog_report(report, _name(filename), replace=_replace(replace))
    return view, admin_ui.message(done, ok=True), True, None


def holidays_read(_n: int, text: Any) -> tuple[Any, Any, bool, Any]:
    """Parse the pasted notice and show what was read; Save is enabled only for a notice read whole."""
    require("admin")
    try:
        notice = hol.read_notice(text)
    except FieldError as exc:
        return None, _error(exc), True, None
    with _rt().session() as session:
        before = hol.year_schedule(session=session, year=notice.year, tz=_rt().settings.timezone)
    preview = ui.notice_preview(notice, hol.package_differences(notice), before)
    return preview, None, False, text


def holidays_edited(text: Any, read_text: Any) -> bool:
    """Save stays enabled only while the box holds exactly the text that was read."""
    return not (isinstance(text, str) and text == read_text)


def holidays_save(n: int | None, read_text: Any, version: Any) -> tuple[Any, ...]:
    """Enter the notice that was read; deadlines of open cases it affects are recomputed and pushed live."""
    principal = require("admin")
    if not n or not isinstance(read_text, str):
        return (no_update,) * 6
    rt = _rt()
    try:
        notice = hol.read_notice(read_text)
        entered = hol.enter_notice(
            sessions=rt.sessions,
            base=rt.base_calendar,
            tz=rt.settings.timezone,
            county_code=rt.settings.county_code,
            notice=notice,
            text=read_text,
            by=principal.name,
            ip=request.remote_addr or "",
        )
    except FieldError as exc:
        return _error(exc), no_update, no_update, no_update, no_update, no_update
    cal = rt.refresh_calendar(force=True)
    done = t("admin.holidays.saved").format(year=notice.year, n=len(entered.moved))
    banners = ui.calendar_banners(hol.missing_years(cal, utcnow()))
    bumped = (version if isinstance(version, int) and 0 <= version < 2**31 else 0) + 1
    # The preview goes: the year view below now shows the saved schedule.
    return admin_ui.message(done, ok=True), True, banners, notice.year, bumped, None


def holidays_show(year: Any, _version: Any) -> Any:
    """The chosen year's schedule (entered, packaged or none)."""
    require("admin")
    if isinstance(year, float) and year.is_integer():
        year = int(year)
    if not isinstance(year, int) or isinstance(year, bool) or not 2004 <= year <= 2999:
        return None
    with _rt().session() as session:
        return ui.year_view(hol.year_schedule(session=session, year=year, tz=_rt().settings.timezone))


# Every callback of the catalog and holidays tabs, in registration order (app.py attaches them to the admin app).
CALLBACKS: tuple[Callback, ...] = (
    Callback(
        route,
        outputs=(
            Output(ui.CATALOG_PANEL, "className"),
            Output(ui.HOLIDAYS_PANEL, "className"),
            Output(ui.TAB_CATALOG, "className"),
            Output(ui.TAB_HOLIDAYS, "className"),
        ),
        inputs=(Input(admin_ui.URL, "pathname"),),
    ),
    Callback(
        catalog_preview,
        outputs=(
            Output(ui.CATALOG_REPORT, "children"),
            Output(ui.CATALOG_MSG, "children"),
            Output(ui.CATALOG_CONFIRM, "disabled"),
        ),
        inputs=(
            Input(ui.CATALOG_UPLOAD, "contents"),
            Input(ui.CATALOG_REPLACE, "value"),
        ),
        state=(State(ui.CATALOG_UPLOAD, "filename"),),
        prevent_initial_call=True,
    ),
    Callback(
        catalog_confirm,
        outputs=(
            Output(ui.CATALOG_REPORT, "children", allow_duplicate=True),
            Output(ui.CATALOG_MSG, "children", allow_duplicate=True),
            Output(ui.CATALOG_CONFIRM, "disabled", allow_duplicate=True),
            Output(ui.CATALOG_UPLOAD, "contents"),
        ),
        inputs=(Input(ui.CATALOG_CONFIRM, "n_clicks"),),
        state=(
            State(ui.CATALOG_UPLOAD, "contents"),
            State(ui.CATALOG_REPLACE, "value"),
            State(ui.CATALOG_UPLOAD, "filename"),
        ),
        prevent_initial_call=True,
    ),
    Callback(
        holidays_read,
        outputs=(
            Output(ui.HOLIDAYS_PREVIEW, "children"),
            Output(ui.HOLIDAYS_MSG, "children"),
            Output(ui.HOLIDAYS_SAVE, "disabled"),
            Output(ui.HOLIDAYS_READ_TEXT, "data"),
        ),
        inputs=(Input(ui.HOLIDAYS_READ, "n_clicks"),),
        state=(State(ui.HOLIDAYS_PASTE, "value"),),
        prevent_initial_call=True,
    ),
    Callback(
        holidays_edited,
        outputs=(Output(ui.HOLIDAYS_SAVE, "disabled", allow_duplicate=True),),
        inputs=(Input(ui.HOLIDAYS_PASTE, "value"),),
        state=(State(ui.HOLIDAYS_READ_TEXT, "data"),),
        prevent_initial_call=True,
    ),
    Callback(
        holidays_save,
        outputs=(
            Output(ui.HOLIDAYS_MSG, "children", allow_duplicate=True),
            Output(ui.HOLIDAYS_SAVE, "disabled", allow_duplicate=True),
            Output(admin_ui.BANNER, "children"),
            Output(ui.HOLIDAYS_YEAR, "value"),
            Output(ui.HOLIDAYS_VERSION, "data"),
            Output(ui.HOLIDAYS_PREVIEW, "children", allow_duplicate=True),
        ),
        inputs=(Input(ui.HOLIDAYS_SAVE_CONFIRM, "submit_n_clicks"),),
        state=(
            State(ui.HOLIDAYS_READ_TEXT, "data"),
            State(ui.HOLIDAYS_VERSION, "data"),
        ),
        prevent_initial_call=True,
    ),
    Callback(
        holidays_show,
        outputs=(Output(ui.HOLIDAYS_YEAR_VIEW, "children"),),
        inputs=(
            Input(ui.HOLIDAYS_YEAR, "value"),
            Input(ui.HOLIDAYS_VERSION, "data"),
        ),
    ),
)


def register(app: dash.Dash) -> None:
    """Attach the import callbacks to the admin app."""
    attach(app, CALLBACKS)
