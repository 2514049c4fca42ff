"""Import a catalog table (CSV or XLSX, 立案、处置和结案标准 layout) into the `catalog` table.

Reading: XLSX through openpyxl, every sheet laid out as a catalog table (a header row within its first rows;
other sheets, such as notes, are skipped and reported) or only the one named; cached values; a merged range's
value (openpyxl keeps it in the top-left cell) is copied into every cell of the range, so merged class, body and
law cells read on every row they cover. CSV as UTF-8 with or without BOM, else GB18030 (a superset of the GBK
that Chinese Excel writes), comma-separated unless the first line has more tabs than commas.

Writing: handling bodies that match no department become new departments first (codes ORG001, ORG002 …, listed
in the report); then each good row is inserted or updated in its own savepoint, so a row the database refuses
is reported bad and leaves nothing behind, while the other rows still land. With `replace`, catalog conditions
absent from the file are deleted unless a case references them (those are kept and reported); conditions of the
file's bad rows are never deleted, and nothing is deleted when no row of the file landed. With `dry_run` all of
it runs inside a savepoint that is rolled back: the report is exactly what an import would do. The caller
commits.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from dashboard.domain.catalog_rows import (
    BadRow,
    CatalogHeaderError,
    CatalogRow,
    ImportReport,
    parse_catalog_rows,
    parse_catalog_sheets,
)
from dashboard.services.audit import record
from dashboard.store.models import Case, CatalogItem, Department

XLSX_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xltx", ".xltm"})
_ZIP_MAGIC = b"PK\x03\x04"
_STORED = (
    "major_code",
    "major_name",
    "minor_code",
    "minor_name",
    "condition",
    "closing_standard",
    "level",
    "department_code",
    "time_limit",
    "limit_kind",
    "limit_amount",
    "kind",
    "supervisor",
    "co_handlers",
)
NEW_DEPARTMENT_PREFIX = "ORG"
MAX_UPLOAD_BYTES = 5 * 1024 * 1024  # a city's whole standard is well under 1 MB; base64 must fit a request


class CatalogReadError(Exception):
    """The file cannot be read as a catalog table at all (missing, not CSV/XLSX, no header row)."""


def _decode(data: bytes, name: str) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")  # Excel's "Unicode text" export
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise CatalogReadError(f"{name}: 编码无法识别 neither UTF-8 nor GB18030/GBK text")


def csv_rows(data: bytes, name: str) -> list[list[str]]:
    """The records of a CSV file, decoded as UTF-8 (BOM or not) or GB18030."""
    text = _decode(data, name)
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def read_csv_rows(path: Path) -> list[list[str]]:
    """The records of a CSV file, decoded as UTF-8 (BOM or not) or GB18030."""
    return csv_rows(_read(path), str(path))


def _sheet_rows(worksheet: Any) -> list[tuple[Any, ...]]:
    """A worksheet's values, every merged range filled with its top-left value."""
    rows = [list(row) for row in worksheet.iter_rows(values_only=True)]
    for merged in worksheet.merged_cells.ranges:
        top, left = merged.min_row - 1, merged.min_col - 1
        if top >= len(rows) or left >= len(rows[top]):
            continue
        value = rows[top][left]
        for r in range(top, min(merged.max_row, len(rows))):
            for c in range(left, min(merged.max_col, len(rows[r]))):
                rows[r][c] = value
    return [tuple(row) for row in rows]


def xlsx_sheets(data: bytes, name: str, *, sheet: str | None = None) -> list[tuple[str, list[tuple[Any, ...]]]]:
    """(sheet name, rows) of every sheet of a workbook, or of the named one, merged ranges filled."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        # Not read-only: only a fully loaded sheet knows its merged ranges.
        workbook = load_workbook(io.BytesIO(data), data_only=True)
    except (OSError, zipfile.BadZipFile, InvalidFileException, KeyError, ValueError) as exc:
        raise CatalogReadError(f"{name}: 不是可读的 XLSX 文件 not a readable XLSX workbook: {exc}") from exc
    try:
        if sheet is not None and sheet not in workbook.sheetnames:
            names = "、".join(workbook.sheetnames)
            raise CatalogReadError(f"{name}: 没有工作表 no sheet named {sheet!r} (sheets: {names})")
        chosen = [workbook[sheet]] if sheet is not None else workbook.worksheets
        return [(ws.title, _sheet_rows(ws)) for ws in chosen]
    finally:
        workbook.close()


def read_xlsx_rows(path: Path, *, sheet: str | None = None) -> list[tuple[Any, ...]]:
    """Cell values of the first (or the named) sheet of a workbook, row by row from row 1, merged ranges filled."""
    sheets = xlsx_sheets(_read(path), str(path), sheet=sheet)
    return sheets[0][1] if sheets else []


def _read(path: Path) -> bytes:
    if not path.is_file():
        raise CatalogReadError(f"{path}: 文件不存在 no such file")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise CatalogReadError(f"{path}: 无法读取文件 cannot read: {exc.strerror or exc}") from exc


def _is_xlsx(data: bytes, name: str) -> bool:
    suffix = Path(name).suffix.lower()
    if suffix == ".xls":
        raise CatalogReadError(f"{name}: 不支持旧版 .xls，请另存为 .xlsx 或 CSV; save it as .xlsx or CSV")
    return suffix in XLSX_SUFFIXES or data[:4] == _ZIP_MAGIC


def read_table(path: Path, *, sheet: str | None = None) -> Sequence[Sequence[Any]]:
    """The rows of a CSV file or of one sheet of an XLSX file (XLSX recognised by suffix or zip signature)."""
    data = _read(path)
    if _is_xlsx(data, str(path)):
        sheets = xlsx_sheets(data, str(path), sheet=sheet)
        return sheets[0][1] if sheets else []
    return csv_rows(data, str(path))


def parse_catalog_data(
    data: bytes, name: str, *, departments: Sequence[tuple[str, str]], sheet: str | None = None
) -> ImportReport:
    """Read and check a catalog file's bytes (every catalog sheet of a workbook) without touching the database."""
    try:
        if _is_xlsx(data, name):
            sheets = xlsx_sheets(data, name, sheet=sheet)
            return parse_catalog_sheets(sheets, departments=departments, require_header=sheet is not None)
        return parse_catalog_rows(csv_rows(data, name), departments=departments)
    except CatalogHeaderError as exc:
        raise CatalogReadError(f"{name}: {exc}") from exc


def read_catalog_file(path: Path, *, departments: Sequence[tuple[str, str]], sheet: str | None = None) -> ImportReport:
    """Read and check a catalog file without touching the database."""
    return parse_catalog_data(_read(path), str(path), departments=departments, sheet=sheet)


def _values(row: CatalogRow) -> dict[str, Any]:
    data = asdict(row)
    return {name: data[name] for name in _STORED}


def _write(session: Session, row: CatalogRow, item: CatalogItem | None) -> str:
    """Insert or update one condition; returns inserted, updated or unchanged."""
    values = _values(row)
    if item is None:
        session.add(CatalogItem(code=row.code, **values))
        session.flush()
        return "inserted"
    if all(getattr(item, name) == value for name, value in values.items()):
        return "unchanged"
    for name, value in values.items():
        setattr(item, name, value)
    session.flush()
    return "updated"


def _new_departments(session: Session, rows: Sequence[CatalogRow]) -> dict[str, str]:
    """Departments for the handling bodies no department matched: name → new code (ORG001 …), added to `session`."""
    names = list(dict.fromkeys(row.new_department for row in rows if row.new_department))
    if not names:
        return {}
    taken = set(session.scalars(select(Department.code)))
    numbers = [int(m.group(1)) for c in taken if (m := re.fullmatch(rf"{NEW_DEPARTMENT_PREFIX}(\d+)", c))]
    next_number = max(numbers, default=0) + 1
    created: dict[str, str] = {}
    for name in names:
        code = f"{NEW_DEPARTMENT_PREFIX}{next_number:03d}"
        next_number += 1
        session.add(Department(code=code, name=name, tier="district"))
        created[name] = code
    session.flush()
    return created


def import_catalog(
    *,
    session: Session,
    path: Path,
    replace: bool = False,
    sheet: str | None = None,
    dry_run: bool = False,
    by: str = "",
) -> ImportReport:
    """Upsert the good rows of a catalog file; with `replace`, drop conditions the file lacks unless cases use them."""
    return import_catalog_data(
        session=session, data=_read(path), name=str(path), replace=replace, sheet=sheet, dry_run=dry_run, by=by
    )


def import_catalog_data(
    *,
    session: Session,
    data: bytes,
    name: str,
    replace: bool = False,
    sheet: str | None = None,
    dry_run: bool = False,
    by: str = "",
    ip: str = "",
) -> ImportReport:
    """`import_catalog` of a file's bytes (an upload); `dry_run` reports what would happen and writes nothing.

    With `by` (who imports) the import is audited in the same transaction.
    """
    if len(data) > MAX_UPLOAD_BYTES:
        raise CatalogReadError(f"{name}: 文件过大 larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB")
    departments = [(code, dept_name) for code, dept_name in session.execute(select(Department.code, Department.name))]
    parsed = parse_catalog_data(data, name, departments=departments, sheet=sheet)
    outer = session.begin_nested()
    try:
        report = _apply(session, parsed, replace=replace)
    except BaseException:
        outer.rollback()
        raise
    if dry_run:
        outer.rollback()
        session.expire_all()
        return report
    outer.commit()
    if by:
        record(
            session=session,
            actor=by,
            action="admin:catalog_import",
            target=Path(name).name[:64],
            ip=ip,
            detail={
                "inserted": len(report.inserted),
                "updated": len(report.updated),
                "unchanged": len(report.unchanged),
                "removed": report.removed,
                "bad": len(report.bad),
                "new_departments": [f"{code} {dept}" for code, dept in report.new_departments],
                "sheets": [s.name for s in report.sheets if not s.skipped],
            },
        )
    return report


def _apply(session: Session, parsed: ImportReport, *, replace: bool) -> ImportReport:
    created = _new_departments(session, parsed.good)
    existing = {item.code: item for item in session.scalars(select(CatalogItem))}
    report = ImportReport(
        good=[],
        bad=list(parsed.bad),
        bodies=parsed.bodies,
        sheets=parsed.sheets,
        new_departments=[(code, dept_name) for dept_name, code in created.items()],
    )

    for row in parsed.good:
        if row.new_department:
            row = dataclasses.replace(row, department_code=created[row.new_department])
        try:
            with session.begin_nested():
                outcome = _write(session, row, existing.get(row.code))
        except SQLAlchemyError as exc:
            # Checked rows should not get here; if one does, it is this row's problem, not the file's.
            cause = " ".join(str(getattr(exc, "orig", None) or exc).split())
            report.bad.append(
                BadRow(row.row_number, f"database rejected the row 数据库拒绝: {cause}", row.raw, row.code, row.sheet)
            )
            continue
        report.good.append(row)
        getattr(report, outcome).append(row.code)

    if replace and report.landed:
        in_file = {row.code for row in report.good} | {bad.code for bad in report.bad if bad.code}
        stale = sorted(code for code in existing if code not in in_file)
        used = set(session.scalars(select(Case.category_code).where(Case.category_code.in_(stale)).distinct()))
        for code in stale:
            if code in used:
                report.kept.append(code)
                continue
            try:
                with session.begin_nested():
                    session.delete(existing[code])
                    session.flush()
            except SQLAlchemyError:
                report.kept.append(code)  # a case filed under it since the check above
                continue
            report.removed.append(code)

    sheet_order = {summary.name: i for i, summary in enumerate(report.sheets)}
    report.bad.sort(key=lambda bad: (sheet_order.get(bad.sheet, 0), bad.row_number))
    return report
