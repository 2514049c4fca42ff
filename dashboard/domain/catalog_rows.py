"""Rows of a catalog table in the 立案、处置和结案标准 layout, checked and turned into catalog conditions.

The table is what Chinese cities publish: a header row naming 大类代码, 大类名称, 小类代码, 小类名称, 立案条件,
处置时限, 结案条件, optionally 处置单位 (or 主管部门), 等级 (or 级别) and 条件代码, then one row per filing
condition. Rules, each chosen for how real tables are written:

- Header: found in the first ten rows (published tables often open with a title row); cells compare after
  NFKC (full-width letters and spaces fold), with all whitespace removed and case ignored, against the Chinese
  names and a few variants (编码 for 代码, 立案标准, 结案标准, 办理时限, 责任单位…) or the English names
  major_code, major_name, minor_code, minor_name, condition, time_limit, closing_standard, department, level,
  code. Other columns (序号, 备注) are ignored. Row numbers are the spreadsheet's, 1-based, so the header of a
  table without a title row is row 1.
- Fill-down: 大类 and 小类 cells are usually merged, which reads as empty. An empty code and name inherit both
  from the row above; an empty code beside the same name (or an empty name beside the same code) inherits the
  missing half. A 小类 never inherits across a change of 大类.
- Codes: digits only; 大类 2 digits, 小类 4 digits (some cities use 6 or 8, accepted) starting with its 大类.
  Excel drops leading zeros from codes kept as numbers (in XLSX cells and the CSVs it exports), so a code one
  digit short of an accepted length gets its zero back (1 → 01, 101 → 0101). The condition code is 条件代码
  when given (digits, starting with its 小类 code, at most 16 digits), otherwise the 小类 code followed by the
  row's 2-digit position within its 小类, counted over every row of that 小类 so fixing a bad row later does not
  renumber the others.
- Level: A, B or C (full-width, lower case and a trailing 级/类 accepted). Without a level column or value it is
  inferred from the time limit: at most 2 urgent hours → A; 5 or more working days, or any natural days → C;
  anything else → B.
- Department: matched by code or by name against the departments given (full-width folded, whitespace and case
  ignored). A cell naming several units (主办、协办) takes the first as the handling department, provided every
  one of them is known.
- Required cells: the seven columns of the layout; text is stored as written (trimmed), time limits as their
  parser reads them.

A row that breaks a rule becomes a BadRow with every reason found; the others are unaffected.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from dashboard.domain.time_limits import TimeLimit, TimeLimitError, TimeLimitKind, parse_time_limit

HEADER_SEARCH_ROWS = 10

# field → (label shown in reasons, accepted header spellings before normalisation)
COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "major_code": ("大类代码", ("大类代码", "大类编码", "大类编号", "major_code")),
    "major_name": ("大类名称", ("大类名称", "大类", "major_name")),
    "minor_code": ("小类代码", ("小类代码", "小类编码", "小类编号", "minor_code")),
    "minor_name": ("小类名称", ("小类名称", "小类", "minor_name")),
    "condition": ("立案条件", ("立案条件", "立案标准", "condition")),
    "time_limit": ("处置时限", ("处置时限", "办理时限", "处理时限", "时限", "time_limit")),
    "closing_standard": ("结案条件", ("结案条件", "结案标准", "closing_standard")),
    "department": ("处置单位", ("处置单位", "主管部门", "处置部门", "责任单位", "主责单位", "department")),
    "level": ("等级", ("等级", "级别", "案件等级", "事件等级", "level")),
    "code": ("条件代码", ("条件代码", "条件编码", "立案条件代码", "code")),
}
REQUIRED: tuple[str, ...] = (
    "major_code",
    "major_name",
    "minor_code",
    "minor_name",
    "condition",
    "time_limit",
    "closing_standard",
)
MINOR_CODE_LENGTHS = (4, 6, 8)
MAX_CONDITION_CODE = 16
# Widths of the stored columns: PostgreSQL refuses longer text, so the row is refused here on every database.
MAX_LENGTHS = {"major_name": 32, "minor_name": 64, "time_limit": 32}
_DEPARTMENT_SEPARATORS = re.compile(r"[、，,/／;；\n]+")
_LEVEL_SUFFIX = re.compile(r"[级类]$")


class CatalogHeaderError(ValueError):
    """No row near the top of the table names the required columns."""


@dataclass(frozen=True, slots=True)
class CatalogRow:
    """One good row: a filing condition ready to store (field names match the `catalog` table)."""

    row_number: int
    code: str
    major_code: str
    major_name: str
    minor_code: str
    minor_name: str
    condition: str
    closing_standard: str
    level: str
    level_inferred: bool
    department_code: str | None
    time_limit: str
    limit_kind: str
    limit_amount: float
    raw: tuple[str, ...] = field(default=(), compare=False)


@dataclass(frozen=True, slots=True)
class BadRow:
    """A row that cannot be stored, why (every reason found, joined by "; "), and its cells as read."""

    row_number: int
    reason: str
    raw: tuple[str, ...]
    code: str = ""  # the condition code the row would have had, when that much could be read


@dataclass(slots=True)
class ImportReport:
    """Good and bad rows of a table; an import also fills in what happened to each condition code."""

    good: list[CatalogRow]
    bad: list[BadRow]
    inserted: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # absent from the file but referenced by cases

    @property
    def landed(self) -> int:
        """How many conditions of the file are now in the catalog (inserted, updated or already equal)."""
        return len(self.inserted) + len(self.updated) + len(self.unchanged)


def _fold(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).casefold()


def _header_key(text: str) -> str:
    # Required-column stars and English separators carry no meaning: "* 大类代码" and "Major Code" both match.
    return re.sub(r"[*_\-]", "", _fold(text))


_ALIASES: dict[str, str] = {_header_key(alias): name for name, (_, aliases) in COLUMNS.items() for alias in aliases}


def header_field(text: str) -> str | None:
    """The catalog field a header cell names (e.g. `大类 代码`, `Major_Code` → `major_code`), or None."""
    return _ALIASES.get(_header_key(text))


def cell_text(value: object) -> str:
    """A cell as trimmed text: None → "", integral numbers without `.0` (Excel keeps codes as numbers)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _label(name: str) -> str:
    return f"{COLUMNS[name][0]} {name}"


def _columns(header: Sequence[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, text in enumerate(header):
        name = header_field(text)
        if name is not None and name not in found:  # the first of two columns for one field wins
            found[name] = index
    return found


def find_header(rows: Sequence[Sequence[str]]) -> tuple[int, dict[str, int]]:
    """Index of the header row among the first rows and the column of each field it names."""
    best: tuple[int, dict[str, int]] = (0, {})
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        columns = _columns(row)
        if all(name in columns for name in REQUIRED):
            return index, columns
        if len(columns) > len(best[1]):
            best = (index, columns)
    missing = "、".join(COLUMNS[name][0] for name in REQUIRED if name not in best[1])
    where = f"row {best[0] + 1} lacks" if best[1] else "no row names"
    raise CatalogHeaderError(
        f"找不到表头 no header row in the first {HEADER_SEARCH_ROWS} rows: {where} {missing} "
        f"(columns: 大类代码, 大类名称, 小类代码, 小类名称, 立案条件, 处置时限, 结案条件)"
    )


def _restore_zero(code: str, lengths: Iterable[int]) -> str:
    return "0" + code if code.isdigit() and len(code) + 1 in lengths else code


def _code(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def _fill(code: str, name: str, prev_code: str, prev_name: str) -> tuple[str, str]:
    if not code and not name:
        return prev_code, prev_name
    if not code and name == prev_name:
        return prev_code, name
    if not name and code and code == prev_code:
        return code, prev_name
    return code, name


def infer_level(limit: TimeLimit) -> str:
    """The level a condition gets when the table gives none: ≤ 2 urgent hours A, ≥ 5 work days or natural days C."""
    if limit.kind is TimeLimitKind.URGENT_HOURS and limit.amount <= 2:
        return "A"
    if (limit.kind is TimeLimitKind.WORK_DAYS and limit.amount >= 5) or limit.kind is TimeLimitKind.NATURAL_DAYS:
        return "C"
    return "B"


def _level(text: str) -> str | None:
    folded = _LEVEL_SUFFIX.sub("", _fold(text)).upper()
    return folded if folded in ("A", "B", "C") else None


class DepartmentIndex:
    """Departments by folded code and name, so a table may name its handler either way."""

    def __init__(self, departments: Iterable[tuple[str, str]]) -> None:
        self._codes: dict[str, set[str]] = {}
        for code, name in departments:
            for key in (_fold(code), _fold(name)):
                self._codes.setdefault(key, set()).add(code)

    def _one(self, text: str) -> str | None:
        codes = self._codes.get(_fold(text), set())
        return next(iter(codes)) if len(codes) == 1 else None

    def resolve(self, text: str) -> tuple[str | None, str]:
        """(department code, "") when `text` names a known department, else (None, the reason)."""
        code = self._one(text)
        if code is not None:
            return code, ""
        if len(self._codes.get(_fold(text), ())) > 1:
            return None, f"unknown department 处置单位不明确: {text!r} names several departments"
        parts = [p for p in (s.strip() for s in _DEPARTMENT_SEPARATORS.split(text)) if p]
        unknown = [p for p in parts if self._one(p) is None]
        if len(parts) > 1 and not unknown:
            return self._one(parts[0]), ""
        shown = "、".join(unknown) if len(parts) > 1 else text
        # An empty list usually means the jurisdiction (with its departments) was never built: say so.
        hint = "" if self._codes else " (no departments are known 尚无部门数据)"
        return None, f"unknown department 未知处置单位: {shown!r}{hint}"


def _code_reasons(major_code: str, minor_code: str) -> tuple[list[str], bool]:
    """Why the class codes are malformed, and whether the minor code can number conditions."""
    reasons: list[str] = []
    major_ok = not major_code or (major_code.isdigit() and len(major_code) == 2)
    if not major_ok:
        reasons.append(f"bad code 代码格式错误: 大类代码 {major_code!r} must be 2 digits")
    minor_ok = bool(minor_code) and minor_code.isdigit() and len(minor_code) in MINOR_CODE_LENGTHS
    if minor_code and not minor_ok:
        reasons.append(f"bad code 代码格式错误: 小类代码 {minor_code!r} must be 4, 6 or 8 digits")
    elif minor_ok and major_code and major_ok and not minor_code.startswith(major_code):
        minor_ok = False
        reasons.append(f"bad code 代码格式错误: 小类代码 {minor_code} does not start with 大类代码 {major_code}")
    return reasons, minor_ok


def _condition_code(given: str, minor_code: str, position: int) -> tuple[str, str]:
    """(condition code, "") from 条件代码 or the row's position in its minor class, else ("", the reason)."""
    if not given:
        if position > 99:
            return "", f"bad code 代码格式错误: 小类 {minor_code} has more than 99 conditions; give 条件代码"
        return f"{minor_code}{position:02d}", ""
    given = _restore_zero(given, (len(minor_code) + 2,))
    if not (given.isdigit() and len(minor_code) < len(given) <= MAX_CONDITION_CODE):
        return "", (
            f"bad code 代码格式错误: 条件代码 {given!r} must be digits, longer than its 小类代码 "
            f"and at most {MAX_CONDITION_CODE} long"
        )
    if not given.startswith(minor_code):
        return "", f"bad code 代码格式错误: 条件代码 {given} does not start with 小类代码 {minor_code}"
    return given, ""


def parse_catalog_rows(rows: Iterable[Sequence[object]], *, departments: Iterable[tuple[str, str]]) -> ImportReport:
    """Check the rows of a catalog table (header first, title rows allowed) against (code, name) departments."""
    table = [tuple(cell_text(v) for v in row) for row in rows]
    header_index, columns = find_header(table)
    index = DepartmentIndex(departments)
    good: list[CatalogRow] = []
    bad: list[BadRow] = []
    first_row_of: dict[str, int] = {}  # condition code → row number that claimed it first
    seen_in_minor: dict[str, int] = {}
    prev = {"major_code": "", "major_name": "", "minor_code": "", "minor_name": ""}

    for number, raw in enumerate(table[header_index + 1 :], start=header_index + 2):
        if not any(raw):
            continue  # blank spacer or trailing rows
        cells = {name: raw[col] if col < len(raw) else "" for name, col in columns.items()}

        major_code = _restore_zero(_code(cells["major_code"]), (2,))
        major_code, major_name = _fill(major_code, cells["major_name"], prev["major_code"], prev["major_name"])
        minor_code = _restore_zero(_code(cells["minor_code"]), MINOR_CODE_LENGTHS)
        minor_name = cells["minor_name"]
        if major_code == prev["major_code"]:
            minor_code, minor_name = _fill(minor_code, minor_name, prev["minor_code"], prev["minor_name"])
        prev = {"major_code": major_code, "major_name": major_name, "minor_code": minor_code, "minor_name": minor_name}
        values = cells | prev

        reasons = [f"missing required field 缺少必填项: {_label(n)}" for n in REQUIRED if not values[n]]
        reasons += [
            f"too long 内容超长: {_label(n)} has {len(values[n])} characters, at most {limit}"
            for n, limit in MAX_LENGTHS.items()
            if len(values[n]) > limit
        ]
        code_reasons, minor_ok = _code_reasons(major_code, minor_code)
        reasons += code_reasons

        code = ""
        if minor_ok:
            seen_in_minor[minor_code] = seen_in_minor.get(minor_code, 0) + 1
            code, why = _condition_code(_code(cells.get("code", "")), minor_code, seen_in_minor[minor_code])
            reasons += [why] if why else []
        if code and code in first_row_of:
            reasons.append(f"duplicate condition code 条件代码重复: {code} (first at row {first_row_of[code]})")
        elif code:
            first_row_of[code] = number

        limit: TimeLimit | None = None
        if values["time_limit"]:
            try:
                limit = parse_time_limit(values["time_limit"])
            except TimeLimitError as exc:
                reasons.append(f"unknown time limit 无法识别处置时限: {exc}")

        level_text = cells.get("level", "")
        level = _level(level_text) if level_text else None
        if level_text and level is None:
            reasons.append(f"unknown level 无法识别等级: {level_text!r}, expected A, B or C")

        department_code: str | None = None
        if cells.get("department"):
            department_code, why = index.resolve(cells["department"])
            reasons += [why] if why else []

        if reasons or limit is None:
            bad.append(BadRow(number, "; ".join(reasons), raw, code))
            continue
        good.append(
            CatalogRow(
                row_number=number,
                code=code,
                major_code=major_code,
                major_name=major_name,
                minor_code=minor_code,
                minor_name=minor_name,
                condition=values["condition"],
                closing_standard=values["closing_standard"],
                level=level or infer_level(limit),
                level_inferred=level is None,
                department_code=department_code,
                time_limit=limit.text,
                limit_kind=limit.kind.value,
                limit_amount=limit.amount,
                raw=raw,
            )
        )
    return ImportReport(good=good, bad=bad)
