"""Import a catalog table (CSV or XLSX, 立案、处置和结案标准 layout) into the `catalog` table.

Reading: XLSX through openpyxl (first sheet or a named one, cached values, merged cells read as empty so the
row parser's fill-down supplies them); CSV as UTF-8 with or without BOM, else GB18030 (a superset of the GBK
that Chinese Excel writes), comma-separated unless the first line has more tabs than commas.

Writing: each good row is inserted or updated in its own savepoint, so a row the database refuses is reported
bad and leaves nothing behind, while the other rows still land. With `replace`, catalog conditions absent from
the file are deleted unless a case references them (those are kept and reported); conditions of the file's bad
rows are never deleted, and nothing is deleted when no row of the file landed. The caller commits.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from dashboard.domain.catalog_rows import BadRow, CatalogHeaderError, CatalogRow, ImportReport, parse_catalog_rows
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
)


class CatalogReadError(Exception):
    """The file cannot be read as a catalog table at all (missing, not CSV/XLSX, no header row)."""


def _decode(data: bytes, path: Path) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")  # Excel's "Unicode text" export
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise CatalogReadError(f"{path}: 编码无法识别 neither UTF-8 nor GB18030/GBK text")


def read_csv_rows(path: Path) -> list[list[str]]:
    """The records of a CSV file, decoded as UTF-8 (BOM or not) or GB18030."""
    try:
        text = _decode(path.read_bytes(), path)
    except OSError as exc:
        raise CatalogReadError(f"{path}: 无法读取文件 cannot read: {exc.strerror or exc}") from exc
    first = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = "\t" if first.count("\t") > first.count(",") else ","
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def read_xlsx_rows(path: Path, *, sheet: str | None = None) -> list[tuple[Any, ...]]:
    """Cell values of the first (or the named) sheet of a workbook, row by row from row 1."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (OSError, zipfile.BadZipFile, InvalidFileException, KeyError) as exc:
        raise CatalogReadError(f"{path}: 不是可读的 XLSX 文件 not a readable XLSX workbook: {exc}") from exc
    try:
        if sheet is None:
            worksheet = workbook.worksheets[0]
        elif sheet in workbook.sheetnames:
            worksheet = workbook[sheet]
        else:
            names = "、".join(workbook.sheetnames)
            raise CatalogReadError(f"{path}: 没有工作表 no sheet named {sheet!r} (sheets: {names})")
        # Some exporters write a wrong <dimension>; without this, read-only mode would stop at it.
        worksheet.reset_dimensions()
        return [tuple(row) for row in worksheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def read_table(path: Path, *, sheet: str | None = None) -> Sequence[Sequence[Any]]:
    """The rows of a CSV or XLSX file (XLSX recognised by suffix or by its zip signature)."""
    if not path.is_file():
        raise CatalogReadError(f"{path}: 文件不存在 no such file")
    try:
        with path.open("rb") as handle:
            magic = handle.read(4)
    except OSError as exc:
        raise CatalogReadError(f"{path}: 无法读取文件 cannot read: {exc.strerror or exc}") from exc
    if path.suffix.lower() == ".xls":
        raise CatalogReadError(f"{path}: 不支持旧版 .xls，请另存为 .xlsx 或 CSV; save it as .xlsx or CSV")
    if path.suffix.lower() in XLSX_SUFFIXES or magic == _ZIP_MAGIC:
        return read_xlsx_rows(path, sheet=sheet)
    return read_csv_rows(path)


def read_catalog_file(path: Path, *, departments: Sequence[tuple[str, str]], sheet: str | None = None) -> ImportReport:
    """Read and check a catalog file without touching the database."""
    try:
        return parse_catalog_rows(read_table(path, sheet=sheet), departments=departments)
    except CatalogHeaderError as exc:
        raise CatalogReadError(f"{path}: {exc}") from exc


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


def import_catalog(*, session: Session, path: Path, replace: bool = False, sheet: str | None = None) -> ImportReport:
    """Upsert the good rows of a catalog file; with `replace`, drop conditions the file lacks unless cases use them."""
    departments = [(code, name) for code, name in session.execute(select(Department.code, Department.name))]
    parsed = read_catalog_file(path, departments=departments, sheet=sheet)
    existing = {item.code: item for item in session.scalars(select(CatalogItem))}
    report = ImportReport(good=[], bad=list(parsed.bad))

    for row in parsed.good:
        try:
            with session.begin_nested():
                outcome = _write(session, row, existing.get(row.code))
        except SQLAlchemyError as exc:
            # Checked rows should not get here; if one does, it is this row's problem, not the file's.
            cause = " ".join(str(getattr(exc, "orig", None) or exc).split())
            report.bad.append(
                BadRow(row.row_number, f"database rejected the row 数据库拒绝: {cause}", row.raw, row.code)
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

    report.bad.sort(key=lambda bad: bad.row_number)
    return report
