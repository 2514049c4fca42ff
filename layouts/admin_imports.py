"""Admin imports: the catalog workbook (/admin/catalog) and the State Council's holiday notice (/admin/holidays).

Two tabs of the admin view. Each reads first and shows what it read (the catalog report with its bad rows and
how every body matched a department; the holiday ranges and make-up workdays), and writes only on confirm. Ids,
the panels and pure functions turning service results into components live here; callbacks/admin_imports.py
calls the services.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from datetime import date
from typing import Any

from dash import dcc, html

from dashboard.domain.catalog_rows import ImportReport
from dashboard.domain.holiday_notice import Notice
from dashboard.services import holidays as hol
from dashboard.services.catalog_import import MAX_UPLOAD_BYTES
from dashboard.services.errors import FieldError
from layouts.i18n import t

CATALOG_PATH = "/admin/catalog"
HOLIDAYS_PATH = "/admin/holidays"
TAB_CATALOG = "admin-tab-catalog"
TAB_HOLIDAYS = "admin-tab-holidays"
CATALOG_PANEL = "admin-catalog-panel"
HOLIDAYS_PANEL = "admin-holidays-panel"
# Catalog tab
CATALOG_UPLOAD = "admin-catalog-upload"
CATALOG_REPLACE = "admin-catalog-replace"
CATALOG_REPORT = "admin-catalog-report"
CATALOG_CONFIRM = "admin-catalog-confirm"
CATALOG_MSG = "admin-catalog-msg"
# Holidays tab
HOLIDAYS_PASTE = "admin-holidays-paste"
HOLIDAYS_READ = "admin-holidays-read"
HOLIDAYS_READ_TEXT = "admin-holidays-read-text"  # the text that was read: exactly this is saved
HOLIDAYS_PREVIEW = "admin-holidays-preview"
HOLIDAYS_SAVE = "admin-holidays-save"
HOLIDAYS_SAVE_CONFIRM = "admin-holidays-save-confirm"
HOLIDAYS_MSG = "admin-holidays-msg"
HOLIDAYS_YEAR = "admin-holidays-year"
HOLIDAYS_YEAR_VIEW = "admin-holidays-year-view"
HOLIDAYS_VERSION = "admin-holidays-version"  # bumped after a save so the year view re-reads

PREVIEW_ROWS = 50  # good rows shown in the catalog preview; the counts cover all of them
CELL_CHARS = 60  # long cells (conditions, law texts) are cut in tables; the full text is the cell's title


# ---- pure helpers (unit-tested) -----------------------------------------------------------------------------


def tab_of(pathname: str | None) -> str | None:
    """catalog or holidays when the path opens one of these tabs, else None."""
    path = pathname.rstrip("/") if isinstance(pathname, str) else ""
    return {CATALOG_PATH: "catalog", HOLIDAYS_PATH: "holidays"}.get(path)


def decode_upload(contents: Any) -> bytes:
    """The bytes of a dcc.Upload `contents` data URL; FieldError("file", …) when it is not one or too large."""
    if not isinstance(contents, str) or ";base64," not in contents[:200]:
        raise FieldError("file", "is not an uploaded file")
    encoded = contents.split(";base64,", 1)[1]
    if len(encoded) > (MAX_UPLOAD_BYTES * 4) // 3 + 4:
        raise FieldError("file", f"is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB")
    try:
        return base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise FieldError("file", "is not valid base64 data") from None


def short(text: str, limit: int = CELL_CHARS) -> html.Span:
    """A cell's text cut to `limit` characters (line breaks shown as ⏎), the whole of it as its title."""
    flat = " ⏎ ".join(part.strip() for part in text.splitlines() if part.strip())
    shown = flat if len(flat) <= limit else flat[: limit - 1] + "…"
    return html.Span(shown, title=text if shown != text else None)


def calendar_banners(years: Sequence[int]) -> list[html.Div]:
    """The admin banner for each year without an official holiday schedule."""
    return [
        html.Div(
            [html.B(t("admin.banner.calendar")), html.Span(t("admin.banner.calendar_missing").format(year=year))],
            className="admin-banner",
            role="alert",
        )
        for year in years
    ]


def _table(keys: Sequence[str], rows: Sequence[Sequence[Any]], prefix: str, **props: Any) -> html.Table:
    head = html.Thead(html.Tr([html.Th(t(f"{prefix}.{k}")) for k in keys]))
    return html.Table([head, html.Tbody([html.Tr([html.Td(c) for c in row]) for row in rows])], **props)


def _kind_text(kind: str) -> str:
    return f"（{kind}）" if kind else ""


def catalog_report(report: ImportReport, name: str, *, replace: bool) -> html.Div:
    """The preview of a catalog import: sheets, counts, new departments, body matches, bad rows, first rows."""
    new_codes = new_codes_for(report)
    good = len(report.inserted) + len(report.updated) + len(report.unchanged)
    counts = t("admin.catalog.summary").format(
        good=good,
        inserted=len(report.inserted),
        updated=len(report.updated),
        unchanged=len(report.unchanged),
        bad=len(report.bad),
    )
    children: list[Any] = [
        html.H3(t("admin.catalog.preview").format(name=name)),
        html.P(counts, className="admin-catalog-counts"),
    ]
    if replace:
        children.append(html.P(t("admin.catalog.removed").format(n=len(report.removed), kept=len(report.kept))))
    sheets = [
        html.Li(
            t("admin.catalog.sheet_skipped").format(name=s.name)
            if s.skipped
            else t("admin.catalog.sheet_line").format(name=s.name, kind=_kind_text(s.kind), good=s.good, bad=s.bad),
            className="is-skipped" if s.skipped else None,
        )
        for s in report.sheets
        if s.name
    ]
    if sheets:
        children += [html.H3(t("admin.catalog.sheets")), html.Ul(sheets, className="admin-catalog-sheets")]
    if report.bad:
        rows = [(b.sheet or "—", str(b.row_number), short(b.reason, 240)) for b in report.bad]
        children += [
            html.H3(f"{t('admin.catalog.bad')}（{len(report.bad)}）"),
            _table(("sheet", "row", "reason"), rows, "admin.catalog.col", className="admin-table admin-catalog-bad"),
        ]
    if report.new_departments:
        children += [
            html.H3(f"{t('admin.catalog.new_departments')}（{len(report.new_departments)}）"),
            html.Ul(
                [html.Li([html.Code(code), " ", dept]) for code, dept in report.new_departments],
                className="admin-catalog-new",
            ),
        ]
    if report.bodies:
        rows = [
            (
                b.text,
                t(f"admin.catalog.role.{b.role}"),
                [b.name, html.Span(b.code, className="admin-code")] if b.code else new_codes.get(b.text, "—"),
                html.Span(t(f"admin.catalog.how.{b.how}"), className=f"admin-how admin-how--{b.how}"),
            )
            for b in report.bodies
        ]
        children += [
            html.H3(t("admin.catalog.bodies")),
            _table(("body", "role", "department", "how"), rows, "admin.catalog.col", className="admin-table"),
        ]
    if report.good:
        rows = [
            (
                html.Code(r.code),
                r.kind or "—",
                f"{r.major_name} / {r.minor_name}",
                short(r.condition),
                r.time_limit,
                r.level,
                r.department_code or new_codes.get(r.new_department, "—"),
            )
            for r in report.good[:PREVIEW_ROWS]
        ]
        children += [
            html.H3(t("admin.catalog.rows").format(n=min(PREVIEW_ROWS, len(report.good)))),
            _table(
                ("code", "kind", "class", "condition", "limit", "level", "department"),
                rows,
                "admin.catalog.col",
                className="admin-table admin-catalog-rows",
            ),
        ]
    return html.Div(children, className="admin-catalog-report")


def new_codes_for(report: ImportReport) -> dict[str, str]:
    """New department name → its code."""
    return {dept: code for code, dept in report.new_departments}


def _weekday(day: date) -> str:
    return t("admin.holidays.weekday").split(",")[day.weekday()]


def _day(day: date) -> str:
    return f"{day.isoformat()}（{_weekday(day)}）"


def schedule_table(rows: Sequence[hol.DayRow]) -> html.Table | html.Div:
    """Holiday ranges and make-up workdays, one line each, in date order."""
    if not rows:
        return html.Div(t("admin.holidays.source.none"), className="admin-empty")
    lines = [
        (
            html.Span(t(f"admin.holidays.kind.{s.kind}"), className=f"admin-day admin-day--{s.kind}"),
            s.name or "—",
            _day(s.start),
            _day(s.end) if s.end != s.start else "",
            str(s.days) if s.kind == "holiday" else "",
        )
        for s in hol.spans(list(rows))
    ]
    return _table(
        ("kind", "name", "from", "to", "days"), lines, "admin.holidays.col", className="admin-table admin-holidays"
    )


def notice_preview(notice: Notice, differ: list[date] | None, before: hol.YearSchedule) -> html.Div:
    """What was read from a pasted notice, before it is saved."""
    children: list[Any] = [
        html.H3(t("admin.holidays.read_title").format(year=notice.year)),
        schedule_table(hol.notice_rows(notice)),
        html.P(
            t("admin.holidays.totals").format(holidays=len(notice.holidays), workdays=len(notice.workdays)),
            className="admin-count",
        ),
    ]
    if differ is not None:
        text = (
            t("admin.holidays.same")
            if not differ
            else t("admin.holidays.differs").format(days="、".join(d.isoformat() for d in differ))
        )
        children.append(html.P(text, className="admin-count"))
    if before.source == "entered":
        replaces = t("admin.holidays.replaces").format(
            by=before.entered_by, at=(before.entered_at or "")[:19].replace("T", " ")
        )
        children.append(html.P(replaces, className="admin-hint"))
    return html.Div(children, className="admin-holidays-preview")


def year_view(schedule: hol.YearSchedule) -> html.Div:
    """A year's schedule and where it comes from."""
    source = t(f"admin.holidays.source.{schedule.source}").format(
        by=schedule.entered_by or "", at=(schedule.entered_at or "")[:19].replace("T", " ")
    )
    head = html.P([html.B(str(schedule.year)), "  ", source], className="admin-count")
    return html.Div([head, schedule_table(schedule.days)] if schedule.days else [head])


def default_year(today: date) -> int:
    """The year an admin most likely enters: next year from November on, else this year."""
    return today.year + 1 if today.month >= 11 else today.year


# ---- the panels ---------------------------------------------------------------------------------------------


def _button(label_key: str, button_id: str, variant: str = "", **props: Any) -> html.Button:
    classes = "admin-btn" + "".join(f" admin-btn--{v}" for v in variant.split())
    return html.Button(t(label_key), id=button_id, className=classes, n_clicks=0, **props)


def nav_links() -> list[dcc.Link]:
    """The two tabs' links for the admin header."""
    return [
        dcc.Link(t("admin.tab.catalog"), href=CATALOG_PATH, id=TAB_CATALOG, className="admin-tab"),
        dcc.Link(t("admin.tab.holidays"), href=HOLIDAYS_PATH, id=TAB_HOLIDAYS, className="admin-tab"),
    ]


def catalog_panel() -> html.Main:
    """Upload, preview report and confirm."""
    return html.Main(
        id=CATALOG_PANEL,
        className="admin-panel admin-imports is-hidden",
        children=[
            html.Section(
                className="admin-card",
                children=[
                    html.H2(t("admin.catalog.title")),
                    html.P(t("admin.catalog.hint"), className="admin-hint"),
                    dcc.Upload(
                        id=CATALOG_UPLOAD,
                        children=html.Div(t("admin.catalog.drop")),
                        className="admin-upload",
                        accept=".xlsx,.xlsm,.csv,.txt",
                        multiple=False,
                        max_size=MAX_UPLOAD_BYTES,
                    ),
                    dcc.Checklist(
                        id=CATALOG_REPLACE,
                        options=[{"label": t("admin.catalog.replace"), "value": "replace"}],
                        value=[],
                        className="admin-check",
                    ),
                    html.Div(
                        className="admin-actions",
                        children=[
                            _button("admin.catalog.confirm", CATALOG_CONFIRM, "primary", disabled=True),
                            html.Div(id=CATALOG_MSG),
                        ],
                    ),
                    html.Div(id=CATALOG_REPORT, className="admin-table-wrap"),
                ],
            )
        ],
    )


def holidays_panel(year: int) -> html.Main:
    """Paste box, what was read, save; and a year's schedule."""
    return html.Main(
        id=HOLIDAYS_PANEL,
        className="admin-panel admin-imports is-hidden",
        children=[
            dcc.Store(id=HOLIDAYS_READ_TEXT),
            dcc.Store(id=HOLIDAYS_VERSION, data=0),
            html.Section(
                className="admin-card",
                children=[
                    html.H2(t("admin.holidays.title")),
                    html.P(t("admin.holidays.hint"), className="admin-hint"),
                    dcc.Textarea(
                        id=HOLIDAYS_PASTE,
                        className="admin-notice",
                        placeholder=t("admin.holidays.paste"),
                        maxLength=hol.MAX_NOTICE_CHARS,
                    ),
                    html.Div(
                        className="admin-actions",
                        children=[
                            _button("admin.holidays.read", HOLIDAYS_READ, "primary"),
                            dcc.ConfirmDialogProvider(
                                _button("admin.holidays.save", HOLIDAYS_SAVE, disabled=True),
                                id=HOLIDAYS_SAVE_CONFIRM,
                                message=t("admin.holidays.save_confirm"),
                            ),
                            html.Div(id=HOLIDAYS_MSG),
                        ],
                    ),
                    html.Div(id=HOLIDAYS_PREVIEW),
                ],
            ),
            html.Section(
                className="admin-card",
                children=[
                    html.Div(
                        className="admin-card-head",
                        children=[
                            html.H2(t("admin.holidays.show")),
                            html.Div(
                                dcc.Input(
                                    id=HOLIDAYS_YEAR,
                                    type="number",
                                    min=2004,
                                    max=2999,
                                    step=1,
                                    value=year,
                                    debounce=True,
                                ),
                                className="admin-year",
                            ),
                        ],
                    ),
                    html.Div(id=HOLIDAYS_YEAR_VIEW, className="admin-table-wrap"),
                ],
            ),
        ],
    )
