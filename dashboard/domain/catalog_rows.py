"""Rows of a catalog table in the 立案、处置和结案标准 layout, checked and turned into catalog conditions.

The table is what Chinese cities publish: a header row naming 大类代码, 大类名称, 小类代码, 小类名称, 立案条件,
处置时限, 结案条件, optionally 处置单位 (or 责任主体, 主管部门), 监管主体, 等级 (or 级别) and 条件代码, then one row
per filing condition; a standard usually has one such table for 部件 (components) and one for 事件 (events), and
the table's kind is read from its sheet name or title row. Rules, each chosen for how real tables are written:

- Header: found in the first ten rows (published tables often open with a title row); cells compare after
  NFKC (full-width letters and spaces fold), with all whitespace removed and case ignored, against the Chinese
  names and a few variants (编码 for 代码, 立案标准, 结案标准, 办理时限, 责任单位…) or the English names
  major_code, major_name, minor_code, minor_name, condition, time_limit, closing_standard, department, level,
  supervisor, code. Other columns (序号, 备注, 法律法规依据, 采集要求) are ignored. Row numbers are the
  spreadsheet's, 1-based, so the header of a table without a title row is row 1.
- Fill-down: 大类 and 小类 cells are usually merged, which reads as empty. An empty code and name inherit both
  from the row above; an empty code beside the same name (or an empty name beside the same code) inherits the
  missing half. A 小类 never inherits across a change of 大类.
- Codes: digits only; 大类 2 digits, 小类 4 digits (some cities use 6 or 8, accepted) starting with its 大类.
  Published standards often count 小类 within their 大类 with two digits (大类 01, 小类 02; local classes
  counted down from 99): those are stored as the 4-digit code 0102. Excel drops leading zeros from codes kept
  as numbers (in XLSX cells and the CSVs it exports), so a code one digit short of an accepted length gets its
  zero back (1 → 01, 101 → 0101). The condition code is 条件代码 when given (digits, starting with its 小类 code,
  at most 16 digits), otherwise the 小类 code, the kind digit of a 部件 (1) or 事件 (2) table, and the row's
  2-digit position within its 小类, counted over every row of that 小类 so fixing a bad row later does not
  renumber the others (部件 0102 row 1 → 0102101, 事件 0102 row 1 → 0102201; a table of no kind → 010201).
  The kind digit is there because the two tables of a standard number their classes independently: 部件 01
  公用设施 and 事件 01 市容环境 share the code 01.
- Level: A, B or C (full-width, lower case and a trailing 级/类 accepted). Without a level column or value it is
  inferred from the time limit: at most 2 urgent hours → A; 5 or more working days, or any natural days → C;
  anything else → B.
- Bodies: the handling column (处置单位, 责任主体 …) and 监管主体 are free text naming one or several bodies,
  separated by 、，,；; / or line breaks. The first body of the handling column handles the case; the others
  are kept as co-handlers (协办), 监管主体 as written. Each body is matched against the departments given, in
  this order, and the report says which way: by code; by exact name (full-width folded, whitespace and case
  ignored); as the case's own street (属地街道, 所属街道综合执法队 … → the department named 属地街道); by
  normalised name (bracketed notes dropped, a leading 各 and a leading 区 or 市 dropped, except in words such as
  市政 and 市容, and never matching 市X to 区X). A handling body that matches nothing becomes a new department
  (listed in the report), unless it looks like a code (ASCII only) or matches several departments: the row is
  bad then. Co-handlers and supervisors that match nothing are kept as text.
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
    "department": (
        "处置单位",
        ("处置单位", "主管部门", "处置部门", "责任单位", "主责单位", "责任主体", "处置主体", "责任部门", "department"),
    ),
    "supervisor": ("监管主体", ("监管主体", "监管部门", "监管单位", "supervisor")),
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
MAX_DEPARTMENT_NAME = 64
# The kind digit of a condition code (see the module docstring), by the table's kind.
KINDS = {"部件": "1", "事件": "2"}
_DEPARTMENT_SEPARATORS = re.compile(r"[、，,/／;；\n\r]+")
_LEVEL_SUFFIX = re.compile(r"[级类]$")
_BRACKETED = re.compile(r"[(\[【〔〖][^)\]】〕〗]*[)\]】〕〗]")
# Words that start with 市 or 区 without naming a level of government.
_NOT_A_LEVEL = ("市政", "市容", "市场", "市民", "市貌", "区域", "区划")
_OWN_STREET = re.compile(r"^(?:属地|所属|所在)(?:街道|乡镇|街乡|镇街|街镇)(?:办事处|政府|综合执法队|综合行政执法队)?$")
_STREET_KEY = "属地街道"
_CODE_LIKE = re.compile(r"^[A-Za-z0-9_.:\-]+$")


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
    kind: str = ""  # 部件 | 事件 | ""
    supervisor: str = ""  # 监管主体, bodies joined by 、
    co_handlers: str = ""  # the handling column's other bodies, joined by 、
    new_department: str = ""  # the handling body's name when no department matches it (to be created)
    sheet: str = ""  # the workbook sheet it came from ("" for CSV)


@dataclass(frozen=True, slots=True)
class BadRow:
    """A row that cannot be stored, why (every reason found, joined by "; "), and its cells as read."""

    row_number: int
    reason: str
    raw: tuple[str, ...]
    code: str = ""  # the condition code the row would have had, when that much could be read
    sheet: str = ""  # the workbook sheet it came from ("" for CSV)

    @property
    def where(self) -> str:
        """Sheet and row, as a person looks it up: `事件 第 7 行 row 7`."""
        row = f"第 {self.row_number} 行 row {self.row_number}"
        return f"{self.sheet} {row}" if self.sheet else row


@dataclass(frozen=True, slots=True)
class BodyMatch:
    """How one body named in the table was matched to a department.

    `how`: code, exact, street (the case's own street), normalised, new (to be created), kept (a co-handler or
    supervisor matching nothing, kept as text), ambiguous or unknown (a code matching nothing).
    """

    text: str
    role: str  # handler | co_handler | supervisor
    how: str
    code: str | None = None  # the matched department
    name: str | None = None  # its name


@dataclass(frozen=True, slots=True)
class SheetSummary:
    """One sheet of a workbook: its kind and rows, or why it was skipped."""

    name: str
    kind: str
    good: int = 0
    bad: int = 0
    skipped: str = ""  # why the sheet is not a catalog table (no header row), else ""


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
    bodies: list[BodyMatch] = field(default_factory=list)  # every distinct body named, and how it matched
    sheets: list[SheetSummary] = field(default_factory=list)
    new_departments: list[tuple[str, str]] = field(default_factory=list)  # (code, name) created (or to be)

    @property
    def landed(self) -> int:
        """How many conditions of the file are now in the catalog (inserted, updated or already equal)."""
        return len(self.inserted) + len(self.updated) + len(self.unchanged)


def _fold(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).casefold()


def _header_key(text: str) -> str:
    # Required-column stars, English separators and bracketed notes carry no meaning: "* 大类代码", "Major Code"
    # and "处置时限（工作时）" all match.
    return re.sub(r"[*_\-]", "", _BRACKETED.sub("", _fold(text)))


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


def split_bodies(text: str) -> list[str]:
    """The bodies a cell names, in order (`区排水管理中心、各产权单位` → two bodies)."""
    return [p for p in (part.strip() for part in _DEPARTMENT_SEPARATORS.split(text)) if p]


def body_key(text: str) -> tuple[str, str]:
    """(level, key) of a body's name: brackets dropped, a leading 各 and one leading 区/市 taken off as its level."""
    key = _BRACKETED.sub("", _fold(text)).removeprefix("各")
    if key[:1] in ("区", "市") and len(key) > 2 and not key.startswith(_NOT_A_LEVEL):
        return key[0], key[1:]
    return "", key


class DepartmentIndex:
    """Departments by folded code, name and normalised name, so a table may name its handler any usual way."""

    def __init__(self, departments: Iterable[tuple[str, str]]) -> None:
        self._by_code: dict[str, str] = {}
        self._by_name: dict[str, set[str]] = {}
        self._by_key: dict[str, list[tuple[str, str]]] = {}  # key → [(level, code)]
        self._names: dict[str, str] = {}
        for code, name in departments:
            self._by_code[_fold(code)] = code
            self._by_name.setdefault(_fold(name), set()).add(code)
            level, key = body_key(name)
            self._by_key.setdefault(key, []).append((level, code))
            self._names[code] = name

    def __bool__(self) -> bool:
        return bool(self._names)

    def match(self, text: str, role: str) -> BodyMatch:
        """How `text` names a department (see BodyMatch.how); unmatched handlers become `new` unless code-like."""
        folded = _fold(text)

        def found(code: str, how: str) -> BodyMatch:
            return BodyMatch(text, role, how, code, self._names[code])

        if folded in self._by_code:
            return found(self._by_code[folded], "code")
        exact = self._by_name.get(folded, set())
        if len(exact) == 1:
            return found(next(iter(exact)), "exact")
        if len(exact) > 1:
            return BodyMatch(text, role, "ambiguous")
        level, key = body_key(text)
        if _OWN_STREET.match(key):
            street = [code for _, code in self._by_key.get(_STREET_KEY, [])]
            if len(street) == 1:
                return found(street[0], "street")
        # 市城管委 is not 区城管委: two explicit levels must agree; a name without one matches either.
        near = [code for lvl, code in self._by_key.get(key, []) if not (lvl and level and lvl != level)]
        if len(near) == 1:
            return found(near[0], "normalised")
        if len(near) > 1:
            return BodyMatch(text, role, "ambiguous")
        if role != "handler":
            return BodyMatch(text, role, "kept")
        return BodyMatch(text, role, "unknown" if _CODE_LIKE.match(folded) else "new")

    def resolve(self, text: str) -> tuple[str | None, str]:
        """(department code, "") when `text` names one known department, else (None, the reason)."""
        found = self.match(text, "handler")
        if found.code is not None:
            return found.code, ""
        return None, self._why(found)

    def _why(self, found: BodyMatch) -> str:
        if found.how == "ambiguous":
            return f"unknown department 处置单位不明确: {found.text!r} names several departments"
        # An empty list usually means the jurisdiction (with its departments) was never built: say so.
        hint = "" if self._names else " (no departments are known 尚无部门数据)"
        return f"unknown department 未知处置单位: {found.text!r}{hint}"

    def handler(self, cell: str, *, supervisor: str = "") -> tuple[list[BodyMatch], str]:
        """Every body of a row (handling column first) and why the row cannot be handled ("" when it can)."""
        bodies = split_bodies(cell)
        matches = [self.match(b, "handler" if i == 0 else "co_handler") for i, b in enumerate(bodies)]
        matches += [self.match(b, "supervisor") for b in split_bodies(supervisor)]
        if not bodies:
            return matches, ""
        first = matches[0]
        if first.how in ("ambiguous", "unknown"):
            return matches, self._why(first)
        if first.how == "new" and len(first.text) > MAX_DEPARTMENT_NAME:
            return matches, (
                f"too long 内容超长: 处置单位 {first.text[:20]!r}… has {len(first.text)} characters, "
                f"at most {MAX_DEPARTMENT_NAME}"
            )
        return matches, ""


def _expand_minor(minor_code: str, major_code: str) -> str:
    """A 小类代码 counted within its 大类 (`02` under `01`) as the full code `0102`; other codes as they are."""
    if minor_code.isdigit() and len(minor_code) <= 2 and len(major_code) == 2 and major_code.isdigit():
        return major_code + minor_code.zfill(2)
    return _restore_zero(minor_code, MINOR_CODE_LENGTHS)


def _code_reasons(major_code: str, minor_code: str) -> tuple[list[str], bool]:
    """Why the class codes are malformed, and whether the minor code can number conditions."""
    reasons: list[str] = []
    major_ok = not major_code or (major_code.isdigit() and len(major_code) == 2)
    if not major_ok:
        reasons.append(f"bad code 代码格式错误: 大类代码 {major_code!r} must be 2 digits")
    minor_ok = bool(minor_code) and minor_code.isdigit() and len(minor_code) in MINOR_CODE_LENGTHS
    if minor_code and not minor_ok:
        reasons.append(
            f"bad code 代码格式错误: 小类代码 {minor_code!r} must be 2 digits within its 大类, or 4, 6 or 8 digits"
        )
    elif minor_ok and major_code and major_ok and not minor_code.startswith(major_code):
        minor_ok = False
        reasons.append(f"bad code 代码格式错误: 小类代码 {minor_code} does not start with 大类代码 {major_code}")
    return reasons, minor_ok


def _condition_code(given: str, minor_code: str, position: int, kind: str = "") -> tuple[str, str]:
    """(condition code, "") from 条件代码 or the row's position in its minor class, else ("", the reason)."""
    if not given:
        if position > 99:
            return "", f"bad code 代码格式错误: 小类 {minor_code} has more than 99 conditions; give 条件代码"
        return f"{minor_code}{KINDS.get(kind, '')}{position:02d}", ""
    given = _restore_zero(given, (len(minor_code) + 2,))
    if not (given.isdigit() and len(minor_code) < len(given) <= MAX_CONDITION_CODE):
        return "", (
            f"bad code 代码格式错误: 条件代码 {given!r} must be digits, longer than its 小类代码 "
            f"and at most {MAX_CONDITION_CODE} long"
        )
    if not given.startswith(minor_code):
        return "", f"bad code 代码格式错误: 条件代码 {given} does not start with 小类代码 {minor_code}"
    return given, ""


def sheet_kind(name: str, title_rows: Iterable[Sequence[str]] = ()) -> str:
    """部件 or 事件 when the sheet's name, else its title rows, name exactly one of them; otherwise ""."""
    for text in (name, " ".join(cell for row in title_rows for cell in row)):
        named = [kind for kind in KINDS if kind in text]
        if len(named) == 1:
            return named[0]
    return ""


@dataclass(slots=True)
class _TableState:
    """What checking a row needs from the rows before it: the codes claimed, rows per 小类, bodies named."""

    first_row_of: dict[str, int] = field(default_factory=dict)  # condition code → row number that claimed it first
    seen_in_minor: dict[str, int] = field(default_factory=dict)
    bodies: dict[tuple[str, str], BodyMatch] = field(default_factory=dict)


def _remember_bodies(bodies: dict[tuple[str, str], BodyMatch], matches: Iterable[BodyMatch]) -> None:
    """Keep the first match of every (role, text), so the report lists each body once."""
    for found in matches:
        bodies.setdefault((found.role, found.text), found)


def _fill_classes(cells: dict[str, str], prev: dict[str, str]) -> dict[str, str]:
    """The row's 大类 and 小类 codes and names, merged (empty) cells filled down from the row above, `prev`."""
    major_code = _restore_zero(_code(cells["major_code"]), (2,))
    major_code, major_name = _fill(major_code, cells["major_name"], prev["major_code"], prev["major_name"])
    minor_code = _expand_minor(_code(cells["minor_code"]), major_code)
    minor_name = cells["minor_name"]
    if major_code == prev["major_code"]:
        minor_code, minor_name = _fill(minor_code, minor_name, prev["minor_code"], prev["minor_name"])
    return {"major_code": major_code, "major_name": major_name, "minor_code": minor_code, "minor_name": minor_name}


def _text_reasons(values: dict[str, str]) -> list[str]:
    """Required cells that are empty and cells too long for their stored column."""
    reasons = [f"missing required field 缺少必填项: {_label(n)}" for n in REQUIRED if not values[n]]
    reasons += [
        f"too long 内容超长: {_label(n)} has {len(values[n])} characters, at most {limit}"
        for n, limit in MAX_LENGTHS.items()
        if len(values[n]) > limit
    ]
    return reasons


def _number_row(state: _TableState, values: dict[str, str], number: int, kind: str) -> tuple[str, list[str]]:
    """The row's condition code ("" when its codes cannot give one) and why its codes are bad."""
    minor_code = values["minor_code"]
    reasons, minor_ok = _code_reasons(values["major_code"], minor_code)
    code = ""
    if minor_ok:
        # Every row of the 小类 counts, good or bad, so fixing a bad row later does not renumber the others.
        state.seen_in_minor[minor_code] = state.seen_in_minor.get(minor_code, 0) + 1
        code, why = _condition_code(_code(values.get("code", "")), minor_code, state.seen_in_minor[minor_code], kind)
        reasons += [why] if why else []
    if code and code in state.first_row_of:
        reasons.append(f"duplicate condition code 条件代码重复: {code} (first at row {state.first_row_of[code]})")
    elif code:
        state.first_row_of[code] = number
    return code, reasons


def _limit_and_level(values: dict[str, str]) -> tuple[TimeLimit | None, str | None, list[str]]:
    """The time limit and the level given (None when absent or unreadable), and why they cannot be read."""
    reasons: list[str] = []
    limit: TimeLimit | None = None
    if values["time_limit"]:
        try:
            limit = parse_time_limit(values["time_limit"])
        except TimeLimitError as exc:
            reasons.append(f"unknown time limit 无法识别处置时限: {exc}")
    level_text = values.get("level", "")
    level = _level(level_text) if level_text else None
    if level_text and level is None:
        reasons.append(f"unknown level 无法识别等级: {level_text!r}, expected A, B or C")
    return limit, level, reasons


def _good_row(
    number: int,
    code: str,
    values: dict[str, str],
    limit: TimeLimit,
    level: str | None,
    matches: list[BodyMatch],
    raw: tuple[str, ...],
    kind: str,
    sheet: str,
) -> CatalogRow:
    """The CatalogRow of a row without reasons: level inferred when not given, bodies split by role."""
    handler = matches[0] if matches and matches[0].role == "handler" else None
    return CatalogRow(
        row_number=number,
        code=code,
        major_code=values["major_code"],
        major_name=values["major_name"],
        minor_code=values["minor_code"],
        minor_name=values["minor_name"],
        condition=values["condition"],
        closing_standard=values["closing_standard"],
        level=level or infer_level(limit),
        level_inferred=level is None,
        department_code=handler.code if handler else None,
        time_limit=limit.text,
        limit_kind=limit.kind.value,
        limit_amount=limit.amount,
        raw=raw,
        kind=kind,
        supervisor="、".join(m.text for m in matches if m.role == "supervisor"),
        co_handlers="、".join(m.text for m in matches if m.role == "co_handler"),
        new_department=handler.text if handler and handler.how == "new" else "",
        sheet=sheet,
    )


def _check_row(
    number: int,
    raw: tuple[str, ...],
    values: dict[str, str],
    *,
    state: _TableState,
    index: DepartmentIndex,
    kind: str,
    sheet: str,
) -> CatalogRow | BadRow:
    """One data row (classes already filled down into `values`) as a CatalogRow, or a BadRow with every reason."""
    reasons = _text_reasons(values)
    code, code_reasons = _number_row(state, values, number, kind)
    reasons += code_reasons
    limit, level, limit_reasons = _limit_and_level(values)
    reasons += limit_reasons
    matches, why = index.handler(values.get("department", ""), supervisor=values.get("supervisor", ""))
    reasons += [why] if why else []
    _remember_bodies(state.bodies, matches)
    if reasons or limit is None:
        return BadRow(number, "; ".join(reasons), raw, code, sheet)
    return _good_row(number, code, values, limit, level, matches, raw, kind, sheet)


def parse_catalog_rows(
    rows: Iterable[Sequence[object]],
    *,
    departments: Iterable[tuple[str, str]] | DepartmentIndex,
    sheet: str = "",
    kind: str | None = None,
) -> ImportReport:
    """Check the rows of a catalog table (header first, title rows allowed) against (code, name) departments.

    `sheet` names the workbook sheet in the rows' reports; `kind` (部件, 事件 or "") numbers conditions, and is
    taken from the sheet's name or title rows when None.
    """
    table = [tuple(cell_text(v) for v in row) for row in rows]
    header_index, columns = find_header(table)
    if kind is None:
        kind = sheet_kind(sheet, table[:header_index])
    index = departments if isinstance(departments, DepartmentIndex) else DepartmentIndex(departments)
    good: list[CatalogRow] = []
    bad: list[BadRow] = []
    state = _TableState()
    prev = {"major_code": "", "major_name": "", "minor_code": "", "minor_name": ""}

    for number, raw in enumerate(table[header_index + 1 :], start=header_index + 2):
        if not any(raw):
            continue  # blank spacer or trailing rows
        cells = {name: raw[col] if col < len(raw) else "" for name, col in columns.items()}
        prev = _fill_classes(cells, prev)
        checked = _check_row(number, raw, cells | prev, state=state, index=index, kind=kind, sheet=sheet)
        if isinstance(checked, BadRow):
            bad.append(checked)
        else:
            good.append(checked)
    summary = SheetSummary(sheet, kind, good=len(good), bad=len(bad))
    return ImportReport(good=good, bad=bad, bodies=list(state.bodies.values()), sheets=[summary])


def parse_catalog_sheets(
    sheets: Sequence[tuple[str, Sequence[Sequence[object]]]],
    *,
    departments: Iterable[tuple[str, str]],
    require_header: bool = False,
) -> ImportReport:
    """Check every sheet of a workbook; a sheet without a header row is skipped (refused with `require_header`).

    Condition codes must be unique across the sheets: a row repeating another sheet's code is bad and names
    where the code was first used.
    """
    index = DepartmentIndex(departments)
    report = ImportReport(good=[], bad=[])
    first: dict[str, str] = {}  # condition code → where it was first claimed
    bodies: dict[tuple[str, str], BodyMatch] = {}
    header_error: CatalogHeaderError | None = None
    for name, rows in sheets:
        try:
            part = parse_catalog_rows(rows, departments=index, sheet=name)
        except CatalogHeaderError as exc:
            if require_header:
                raise
            header_error = header_error or exc
            report.sheets.append(SheetSummary(name, sheet_kind(name), skipped=str(exc)))
            continue
        landed = 0
        for row in part.good:
            if row.code in first:
                reason = f"duplicate condition code 条件代码重复: {row.code} (first at {first[row.code]})"
                part.bad.append(BadRow(row.row_number, reason, row.raw, row.code, name))
                continue
            first[row.code] = BadRow(row.row_number, "", (), sheet=name).where
            report.good.append(row)
            landed += 1
        for bad in part.bad:
            if bad.code:
                first.setdefault(bad.code, bad.where)  # a bad row's code is still its own: fixed later, it lands
        part.bad.sort(key=lambda b: b.row_number)
        report.bad += part.bad
        report.sheets.append(SheetSummary(name, part.sheets[0].kind, good=landed, bad=len(part.bad)))
        _remember_bodies(bodies, part.bodies)
    if not report.good and not report.bad and header_error is not None:
        raise header_error
    report.bodies = list(bodies.values())
    return report
