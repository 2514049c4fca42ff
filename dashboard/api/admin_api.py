"""Admin REST API under /api/v1/admin: accounts, tokens, audit (query, CSV), catalog and holiday imports, the 12345
callbacks' dead letters (hotline_admin.py). Admins only.

The /admin Dash page calls the same service functions; this blueprint serves scripts and the CSV download.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

from flask import Blueprint, Response, jsonify, request, stream_with_context

from dashboard.api import hotline_admin
from dashboard.api.args import int_arg
from dashboard.api.auth import Principal, require
from dashboard.api.inputs import json_body
from dashboard.api.registry import Route, hooks, make_blueprint, runtime
from dashboard.runtime import Runtime
from dashboard.services import admin, catalog_import, holidays, validate
from dashboard.services.clock import local_date_code, utcnow
from dashboard.services.errors import FieldError

# Machine-readable column names; app.py hands in the UI language's headings (registry.ApiHooks.csv_header).
CSV_COLUMNS = ("id", "at", "actor", "action", "target", "ip", "detail")


def _who(principal: Principal) -> admin.Who:
    return admin.Who(principal.name, request.remote_addr or "")


def _body() -> dict[str, Any]:
    body = json_body()
    if not isinstance(body, dict):
        raise FieldError("body", "must be a JSON object (Content-Type: application/json)")
    return body


def _text(body: dict[str, Any], name: str, *, required: bool = False, max_len: int = 256) -> str | None:
    # One line of text (names, labels, passwords): no control characters, surrogates or megabyte passwords.
    return validate.text(body.get(name), name, max_len=max_len, required=required, multiline=False)


def _page_args() -> tuple[int, int]:
    return int_arg("page", 1, 1, 1_000_000), int_arg("size", 50, 1, admin.MAX_PAGE_SIZE)


def _admins_only() -> None:
    # One gate for the whole blueprint, so an endpoint added later cannot forget it.
    require("admin")


def users() -> Response:
    """GET /users: every account."""
    rt = runtime()
    with rt.session() as session:
        rows = admin.list_users(session=session, tz=rt.settings.timezone)
    return jsonify({"users": [r.as_json() for r in rows], "count": len(rows)})


def create_user() -> tuple[Response, int]:
    """POST /users: a new account (name, role, scope, optional password, department, display name)."""
    principal = require("admin")
    rt = runtime()
    body = _body()
    with rt.session() as session:
        user = admin.create_account(
            session=session,
            by=_who(principal),
            county_code=rt.settings.county_code,
            name=_text(body, "name", required=True) or "",
            role=_text(body, "role", required=True) or "",
            scope=_text(body, "scope") or rt.settings.county_code,
            password=_text(body, "password"),
            department_code=_text(body, "department"),
            display_name=_text(body, "display_name") or "",
        )
        row = admin.get_user(session=session, user_id=user.id, tz=rt.settings.timezone)
    return jsonify(row.as_json()), 201


def user(user_id: int) -> Response:
    """GET /users/{id}: one account with its tokens."""
    rt = runtime()
    with rt.session() as session:
        row = admin.get_user(session=session, user_id=user_id, tz=rt.settings.timezone)
    return jsonify(row.as_json())


def reset_password(user_id: int) -> Response:
    """POST /users/{id}/password: set a new password."""
    principal = require("admin")
    rt = runtime()
    password = _text(_body(), "password", required=True) or ""
    with rt.session() as session:
        admin.reset_password(session=session, by=_who(principal), user_id=user_id, password=password)
    return jsonify({"id": user_id, "password": "changed"})


def deactivate(user_id: int) -> Response:
    """POST /users/{id}/deactivate."""
    return _set_active(user_id, active=False)


def activate(user_id: int) -> Response:
    """POST /users/{id}/activate."""
    return _set_active(user_id, active=True)


def _set_active(user_id: int, *, active: bool) -> Response:
    principal = require("admin")
    rt = runtime()
    with rt.session() as session:
        admin.set_active(session=session, by=_who(principal), user_id=user_id, active=active)
        row = admin.get_user(session=session, user_id=user_id, tz=rt.settings.timezone)
    return jsonify(row.as_json())


def issue_token(user_id: int) -> tuple[Response, int]:
    """POST /users/{id}/tokens: a new bearer token (and kiosk address for a display account), shown once."""
    principal = require("admin")
    rt = runtime()
    body = _body() if request.is_json and request.get_data(cache=True) else {}  # the body (a label) is optional
    with rt.session() as session:
        issued = admin.issue_user_token(
            session=session, by=_who(principal), user_id=user_id, label=_text(body, "label") or ""
        )
    # The only time the plain token leaves the server; it is not stored anywhere.
    response = jsonify(
        {"id": issued.id, "user": issued.user_name, "token": issued.token, "kiosk_path": issued.kiosk_path}
    )
    response.headers["Cache-Control"] = "no-store"
    return response, 201


def revoke_token(token_id: int) -> Response:
    """POST /tokens/{id}/revoke."""
    principal = require("admin")
    rt = runtime()
    with rt.session() as session:
        row = admin.revoke_token(session=session, by=_who(principal), token_id=token_id)
        body = {"id": row.id, "revoked": True}
    return jsonify(body)


def scopes() -> Response:
    """GET /scopes: the scopes and departments an account may be given."""
    rt = runtime()
    with rt.session() as session:
        body = {
            "scopes": [o.__dict__ for o in admin.scope_options(session=session, county_code=rt.settings.county_code)],
            "departments": [o.__dict__ for o in admin.department_options(session=session)],
        }
    return jsonify(body)


def audit() -> Response:
    """GET /audit?from=&to=&actor=&action=&target=&system=&page=&size=: one page of the audit log.

    `system=0` leaves out the case commands of the overdue rule (`system:overdue-rule`) and the demo simulator
    (`sim:*`, `grid_worker:*`); the default `system=1` keeps every row, as API clients have always had it (the
    /admin page sends `system=0` until its "show system and simulated actions" box is ticked).
    """
    rt = runtime()
    tz = rt.settings.timezone
    flt = admin.audit_filter(request.args.to_dict(), tz)
    page, size = _page_args()
    with rt.session() as session:
        result = admin.query_audit(session=session, flt=flt, tz=tz, page=page, size=size)
    return jsonify(
        {
            "rows": [r.as_json() for r in result.rows],
            "total": result.total,
            "page": result.page,
            "pages": result.pages,
            "size": result.size,
        }
    )


def audit_csv() -> Response:
    """GET /audit.csv: the filtered log (the same arguments as /audit, `system` included) as a streamed CSV
    download; the export itself is audited with its filter.
    """
    principal = require("admin")
    rt = runtime()
    tz = rt.settings.timezone
    flt = admin.audit_filter(request.args.to_dict(), tz)
    with rt.session() as session:
        admin.record_export(session=session, by=_who(principal), flt=flt, tz=tz)
    heading = hooks().csv_header
    header = heading() if heading else CSV_COLUMNS
    filename = f"gridcmd-audit-{local_date_code(utcnow(), tz)}.csv"
    return Response(
        stream_with_context(_csv_lines(rt, flt, tz, header)),
        mimetype="text/csv",
        headers={
            "Content-Type": "text/csv; charset=utf-8",
            "Content-Disposition": f"attachment; filename={filename}",
            "Cache-Control": "no-store",
        },
    )


def _csv_lines(rt: Runtime, flt: admin.AuditFilter, tz: str, header: tuple[str, ...]) -> Iterator[str]:
    # Its own session, opened inside the generator: the response streams after the view has returned.
    with rt.session() as session:
        yield from admin.audit_csv_lines(admin.iter_audit(session=session, flt=flt, tz=tz), header)


def holiday_year(year: int) -> Response:
    """GET /holidays/{year}: the year's schedule and where it comes from (entered, packaged or none)."""
    if not 1900 <= year <= 2999:
        raise FieldError("year", "must be a year such as 2027")
    rt = runtime()
    with rt.session() as session:
        schedule = holidays.year_schedule(session=session, year=year, tz=rt.settings.timezone)
    return jsonify(_schedule_json(schedule))


def enter_holidays() -> Response | tuple[Response, int]:
    """POST /holidays: read a State Council notice and (unless `dry_run`) enter it, recomputing open deadlines."""
    principal = require("admin")
    rt = runtime()
    body = _body()
    text = validate.text(body.get("notice"), "notice", max_len=holidays.MAX_NOTICE_CHARS, required=True) or ""
    notice = holidays.read_notice(text)
    read = [dataclasses.asdict(r) | {"day": r.day.isoformat()} for r in holidays.notice_rows(notice)]
    if body.get("dry_run") is True:
        return jsonify({"year": notice.year, "days": read, "saved": False})
    entered = holidays.enter_notice(
        sessions=rt.sessions,
        base=rt.base_calendar,
        tz=rt.settings.timezone,
        county_code=rt.settings.county_code,
        notice=notice,
        text=text,
        by=principal.name,
        ip=request.remote_addr or "",
    )
    rt.refresh_calendar(force=True)
    moved = [dataclasses.asdict(m) for m in entered.moved]
    return jsonify({"year": notice.year, "days": read, "saved": True, "recomputed": moved}), 201


def import_catalog() -> Response:
    """POST /catalog?name=&sheet=&replace=&dry_run=: import a catalog workbook or CSV sent as the body."""
    principal = require("admin")
    name = validate.text(request.args.get("name"), "name", max_len=255, multiline=False) or "upload.xlsx"
    dry_run = request.args.get("dry_run") in ("1", "true")
    with runtime().session() as session:
        try:
            report = catalog_import.import_catalog_data(
                session=session,
                data=request.get_data(cache=False),
                name=name,
                replace=request.args.get("replace") in ("1", "true"),
                sheet=validate.text(request.args.get("sheet"), "sheet", max_len=64, multiline=False),
                dry_run=dry_run,
                by="" if dry_run else principal.name,
                ip=request.remote_addr or "",
            )
        except catalog_import.CatalogReadError as exc:
            raise FieldError("file", str(exc)) from exc
    return jsonify(_catalog_json(report, dry_run=dry_run))


def _schedule_json(schedule: holidays.YearSchedule) -> dict[str, Any]:
    return {
        "year": schedule.year,
        "source": schedule.source,
        "entered_at": schedule.entered_at,
        "entered_by": schedule.entered_by,
        "days": [{"day": r.day.isoformat(), "kind": r.kind, "name": r.name} for r in schedule.days],
    }


def _catalog_json(report: Any, *, dry_run: bool) -> dict[str, Any]:
    return {
        "dry_run": dry_run,
        "inserted": report.inserted,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "removed": report.removed,
        "kept": report.kept,
        "new_departments": [{"code": code, "name": name} for code, name in report.new_departments],
        "bodies": [dataclasses.asdict(b) for b in report.bodies],
        "sheets": [dataclasses.asdict(s) for s in report.sheets],
        "bad": [{"sheet": b.sheet, "row": b.row_number, "code": b.code, "reason": b.reason} for b in report.bad],
    }


PREFIX = "/api/v1/admin"
ROUTES: tuple[Route, ...] = (
    Route("/users", ("GET",), users),
    Route("/users", ("POST",), create_user),
    Route("/users/<int:user_id>", ("GET",), user),
    Route("/users/<int:user_id>/password", ("POST",), reset_password),
    Route("/users/<int:user_id>/deactivate", ("POST",), deactivate),
    Route("/users/<int:user_id>/activate", ("POST",), activate),
    Route("/users/<int:user_id>/tokens", ("POST",), issue_token),
    Route("/tokens/<int:token_id>/revoke", ("POST",), revoke_token),
    Route("/scopes", ("GET",), scopes),
    Route("/audit", ("GET",), audit),
    Route("/audit.csv", ("GET",), audit_csv),
    Route("/holidays/<int:year>", ("GET",), holiday_year),
    Route("/holidays", ("POST",), enter_holidays),
    Route("/catalog", ("POST",), import_catalog),
    *hotline_admin.ROUTES,  # the 12345 callbacks: dead letters and replay
)


def blueprint() -> Blueprint:
    """The /api/v1/admin blueprint, served from ROUTES; every endpoint answers admins only (401 anonymous, 403 other
    roles). The CSV headings come from registry.ApiHooks.csv_header.
    """
    return make_blueprint("admin_api", __name__, ROUTES, url_prefix=PREFIX, before=(_admins_only,))
