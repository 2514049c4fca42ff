"""Checking rows of a 立案、处置和结案标准 table: header aliases, fill-down, codes, levels and bad-row reasons."""

from __future__ import annotations

import pytest

from dashboard.domain.catalog_default import DEFAULT_DEPARTMENTS
from dashboard.domain.catalog_rows import (
    BadRow,
    CatalogHeaderError,
    DepartmentIndex,
    ImportReport,
    header_field,
    infer_level,
    parse_catalog_rows,
    parse_catalog_sheets,
)
from dashboard.domain.time_limits import parse_time_limit

DEPARTMENTS = [(d.code, d.name) for d in DEFAULT_DEPARTMENTS]
HEADER = ("大类代码", "大类名称", "小类代码", "小类名称", "立案条件", "处置时限", "结案条件", "处置单位", "等级")


def parse(*rows: tuple[object, ...], header: tuple[str, ...] = HEADER) -> ImportReport:
    return parse_catalog_rows([header, *rows], departments=DEPARTMENTS)


def only_bad(report: ImportReport) -> BadRow:
    assert len(report.bad) == 1, report.bad
    return report.bad[0]


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("大类代码", "major_code"),
        (" 大类 代码\u3000", "major_code"),
        ("大类\n编码", "major_code"),
        ("*小类名称", "minor_name"),
        ("ｍａｊｏｒ＿ｃｏｄｅ", "major_code"),
        ("Major Code", "major_code"),
        ("MINOR_NAME", "minor_name"),
        ("minor-code", "minor_code"),
        ("立案标准", "condition"),
        ("Time_Limit", "time_limit"),
        ("结案标准", "closing_standard"),
        ("closing_standard", "closing_standard"),
        ("主管部门", "department"),
        ("处置单位", "department"),
        ("级别", "level"),
        ("条件代码", "code"),
        ("处置时限\n（工作时）", "time_limit"),
        ("责任主体", "department"),
        ("监管主体", "supervisor"),
        ("法律法规依据", None),
        ("code", "code"),
        ("序号", None),
        ("备注", None),
    ],
)
def test_header_aliases(text: str, field: str | None) -> None:
    assert header_field(text) == field


def test_english_header_in_any_order_with_extra_columns() -> None:
    header = ("No.", "condition", "minor_name", "minor_code", "major_name", "major_code", "time_limit",
              "closing_standard", "department", "level", "code", "remarks")  # fmt: skip
    row = (1, "井盖丢失的", "道路设施", "0104", "城市管理", "01", "2紧急工作时", "补装井盖", "SWJ", "A", "010401", "")
    report = parse(row, header=header)
    assert not report.bad
    (good,) = report.good
    assert (good.code, good.major_code, good.minor_code, good.department_code) == ("010401", "01", "0104", "SWJ")
    assert (good.condition, good.closing_standard, good.level) == ("井盖丢失的", "补装井盖", "A")


def test_title_rows_above_the_header_keep_spreadsheet_row_numbers() -> None:
    rows = [
        ("某市网格化服务管理事项立案、处置和结案标准",),
        (),
        HEADER,
        ("01", "城市管理", "0101", "市容环境", "暴露垃圾的", "4工作时", "清理干净", "区城市管理委员会", "C"),
        ("01", "城市管理", "0101", "市容环境", "", "4工作时", "清理干净", "", ""),
    ]
    report = parse_catalog_rows(rows, departments=DEPARTMENTS)
    assert [r.row_number for r in report.good] == [4]
    assert only_bad(report).row_number == 5


def test_missing_header_names_the_missing_columns() -> None:
    with pytest.raises(CatalogHeaderError, match="立案条件.*处置时限") as info:
        parse_catalog_rows([("大类代码", "大类名称", "小类代码", "小类名称", "结案条件")], departments=DEPARTMENTS)
    assert "row 1" in str(info.value)
    with pytest.raises(CatalogHeaderError):
        parse_catalog_rows([], departments=DEPARTMENTS)


def test_merged_major_and_minor_cells_fill_down_and_number_conditions_by_position() -> None:
    report = parse(
        ("01", "社会治安", "0101", "矛盾纠纷", "一般纠纷", "5个工作日", "调解完毕", "", "C"),
        (None, None, None, None, "纠纷激化", "2紧急工作时", "现场稳控", "", "A"),
        ("", "", "0102", "治安隐患", "可疑物品", "即时", "处置完毕", "", "A"),
        ("\u3000", " ", "", "", "群租", "5个工作日", "整改到位", "", "B"),
        ("02", "公共安全", "0201", "消防安全", "堵塞消防通道", "4工作时", "通道畅通", "", "B"),
    )
    assert not report.bad
    got = [(r.row_number, r.code, r.major_code, r.major_name, r.minor_code, r.minor_name) for r in report.good]
    assert got == [
        (2, "010101", "01", "社会治安", "0101", "矛盾纠纷"),
        (3, "010102", "01", "社会治安", "0101", "矛盾纠纷"),
        (4, "010201", "01", "社会治安", "0102", "治安隐患"),
        (5, "010202", "01", "社会治安", "0102", "治安隐患"),
        (6, "020101", "02", "公共安全", "0201", "消防安全"),
    ]


def test_fill_down_completes_half_given_pairs() -> None:
    report = parse(
        ("01", "社会治安", "0101", "矛盾纠纷", "一般纠纷", "5个工作日", "调解完毕", "", ""),
        ("01", "", "", "矛盾纠纷", "纠纷激化", "2紧急工作时", "现场稳控", "", ""),
    )
    assert not report.bad
    assert [(r.major_name, r.minor_code) for r in report.good] == [("社会治安", "0101")] * 2


def test_minor_class_does_not_fill_down_across_a_new_major_class() -> None:
    report = parse(
        ("01", "社会治安", "0101", "矛盾纠纷", "一般纠纷", "5个工作日", "调解完毕", "", ""),
        ("02", "公共安全", "", "", "堵塞消防通道", "4工作时", "通道畅通", "", ""),
    )
    bad = only_bad(report)
    assert bad.row_number == 3
    assert "missing required field" in bad.reason and "小类代码" in bad.reason and "小类名称" in bad.reason


def test_excel_numbers_get_their_leading_zeros_back() -> None:
    report = parse(
        (1, "社会治安", 101, "矛盾纠纷", "一般纠纷", "5个工作日", "调解完毕", "", ""),
        (1.0, "社会治安", "101", "矛盾纠纷", "纠纷激化", "2紧急工作时", "现场稳控", "", ""),
    )
    assert not report.bad
    assert [(r.major_code, r.minor_code, r.code) for r in report.good] == [
        ("01", "0101", "010101"),
        ("01", "0101", "010102"),
    ]


def test_six_and_eight_digit_minor_codes_are_accepted() -> None:
    report = parse(
        ("01", "城市管理", "010101", "暴露垃圾", "一处", "4工作时", "清理", "", ""),
        ("02", "环境保护", "02010101", "油烟", "直排", "5个工作日", "整改", "", ""),
    )
    assert not report.bad
    assert [r.code for r in report.good] == ["01010101", "0201010101"]


def test_given_condition_codes_are_used_and_checked() -> None:
    header = (*HEADER, "条件代码")
    report = parse(
        ("01", "城市管理", "0101", "市容环境", "暴露垃圾", "4工作时", "清理", "", "", "010107"),
        ("", "", "", "", "垃圾满溢", "4工作时", "清运", "", "", 10108),
        ("", "", "", "", "乱扔", "4工作时", "清理", "", "", "020101"),
        header=header,
    )
    assert [r.code for r in report.good] == ["010107", "010108"]
    bad = only_bad(report)
    assert (bad.row_number, bad.code) == (4, "")
    assert bad.reason.startswith("bad code") and "does not start with 小类代码 0101" in bad.reason


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("即时", "A"),
        ("30分钟", "A"),
        ("2紧急工作时", "A"),
        ("2小时", "A"),
        ("3小时", "B"),
        ("紧急工作日", "B"),
        ("2工作时", "B"),
        ("4工作时", "B"),
        ("1工作日", "B"),
        ("4个工作日", "B"),
        ("5个工作日", "C"),
        ("10个工作日", "C"),
        ("1天", "C"),
        ("15天", "C"),
        ("7个自然日", "C"),
    ],
)
def test_level_inferred_from_time_limit(text: str, level: str) -> None:
    assert infer_level(parse_time_limit(text)) == level


def test_level_column_wins_and_absence_infers() -> None:
    header = HEADER[:-1]  # no level column at all
    report = parse(
        ("01", "城市管理", "0101", "市容环境", "暴露垃圾", "2紧急工作时", "清理", ""),
        ("", "", "", "", "垃圾满溢", "15天", "清运", ""),
        header=header,
    )
    assert [(r.level, r.level_inferred) for r in report.good] == [("A", True), ("C", True)]
    report = parse(
        ("01", "城市管理", "0101", "市容环境", "暴露垃圾", "2紧急工作时", "清理", "", "c"),
        ("", "", "", "", "垃圾满溢", "15天", "清运", "", "Ａ级"),
        ("", "", "", "", "乱扔", "4工作时", "清理", "", ""),
    )
    assert [(r.level, r.level_inferred) for r in report.good] == [("C", False), ("A", False), ("B", True)]


def test_parsed_limit_and_departments_by_code_name_or_several() -> None:
    report = parse(
        ("03", "城市管理", "0301", "街面秩序", "占道经营", "２工作时", "清除", "区城管执法局", ""),
        ("", "", "", "", "小广告", "3个工作日", "清除", "cgzf", ""),
        ("", "", "", "", "乱停车", "4小时", "挪离", "公安通州分局、属地街道(乡镇)", ""),
        ("", "", "", "", "无人管", "4小时", "处理", "", ""),
    )
    assert not report.bad
    got = [(r.department_code, r.limit_kind, r.limit_amount, r.time_limit) for r in report.good]
    assert got == [
        ("CGZF", "work_hours", 2.0, "２工作时"),
        ("CGZF", "work_days", 3.0, "3个工作日"),
        ("GA", "urgent_hours", 4.0, "4小时"),
        (None, "urgent_hours", 4.0, "4小时"),
    ]


GOOD = ("01", "城市管理", "0101", "市容环境", "暴露垃圾", "4工作时", "清理干净", "CGW", "C")


@pytest.mark.parametrize(
    ("row", "reason", "fragment"),
    [
        (
            ("01", "城市管理", "0101", "市容环境", "", "4工作时", "清理干净", "", ""),
            "missing required field",
            "立案条件",
        ),
        (("01", "城市管理", "0101", "市容环境", "乱扔", "", "清理干净", "", ""), "missing required field", "处置时限"),
        (("01", "城市管理", "0101", "市容环境", "乱扔", "4工作时", "", "", ""), "missing required field", "结案条件"),
        (("1A", "城市管理", "1A01", "市容环境", "乱扔", "4工作时", "清理", "", ""), "bad code", "大类代码 '1A'"),
        (("001", "城市管理", "0101", "市容环境", "乱扔", "4工作时", "清理", "", ""), "bad code", "大类代码 '001'"),
        (("01", "城市管理", "A1", "市容环境", "乱扔", "4工作时", "清理", "", ""), "bad code", "小类代码 'A1'"),
        (("01", "城市管理", "0201", "市容环境", "乱扔", "4工作时", "清理", "", ""), "bad code", "does not start"),
        (("01", "城市管理", "0101", "市容环境", "乱扔", "尽快", "清理", "", ""), "unknown time limit", "尽快"),
        (("01", "城市管理", "0101", "市容环境", "乱扔", "1.5天", "清理", "", ""), "unknown time limit", "whole"),
        (
            ("01", "城市管理", "0101", "市容环境", "乱扔", "4工作时", "清理", "XYZ", ""),
            "unknown department",
            "XYZ",
        ),
        (
            ("01", "城市管理", "0101", "市容环境", "乱扔", "4工作时", "清理", "XYZ、GA", ""),
            "unknown department",
            "'XYZ'",
        ),
        (("01", "城市管理", "0101", "市容环境", "乱扔", "4工作时", "清理", "", "D"), "unknown level", "'D'"),
        (("01", "城市" * 17, "0101", "市容环境", "乱扔", "4工作时", "清理", "", ""), "too long", "大类名称"),
    ],
)
def test_each_bad_reason_names_its_row(row: tuple[str, ...], reason: str, fragment: str) -> None:
    report = parse(GOOD, row, GOOD[:4] + ("另一条件",) + GOOD[5:])
    bad = only_bad(report)
    assert bad.row_number == 3
    assert bad.reason.startswith(reason), bad.reason
    assert fragment in bad.reason
    assert bad.raw[:4] == tuple(str(c) for c in row[:4])
    assert [r.row_number for r in report.good] == [2, 4]  # rows around a bad one are unaffected


def test_duplicate_condition_code_names_the_first_row() -> None:
    header = (*HEADER, "条件代码")
    report = parse(
        (*GOOD, ""),
        (*GOOD[:4], "垃圾满溢", *GOOD[5:], "010101"),
        header=header,
    )
    bad = only_bad(report)
    assert (bad.row_number, bad.code) == (3, "010101")
    assert bad.reason == "duplicate condition code 条件代码重复: 010101 (first at row 2)"


def test_a_bad_row_still_takes_its_position_and_reports_every_reason() -> None:
    report = parse(
        ("01", "城市管理", "0101", "市容环境", "暴露垃圾", "尽快", "", "NOPE", "Z"),
        ("", "", "", "", "垃圾满溢", "4工作时", "清运", "", ""),
    )
    bad = only_bad(report)
    assert bad.code == "010101"
    for reason in ("missing required field", "unknown time limit", "unknown department", "unknown level"):
        assert reason in bad.reason
    # Fixing row 2 later must not renumber row 3.
    assert [r.code for r in report.good] == ["010102"]


def test_blank_rows_are_skipped_and_empty_table_has_no_rows() -> None:
    report = parse((), ("", None, "  "), GOOD, (None,) * 9)
    assert [r.row_number for r in report.good] == [4]
    assert not report.bad
    empty = parse()
    assert (empty.good, empty.bad) == ([], [])


def test_unknown_department_says_when_no_departments_are_known() -> None:
    report = parse_catalog_rows([HEADER, GOOD], departments=[])
    assert only_bad(report).reason == "unknown department 未知处置单位: 'CGW' (no departments are known 尚无部门数据)"


# ---- workbooks as cities publish them: two-digit minor codes, kinds, bodies as free text --------------------

PUBLISHED = (
    *("大类代码", "大类名称", "小类代码", "小类名称", "立案条件"),
    *("处置时限", "结案条件", "监管主体", "责任主体", "法律依据"),
)
LAW = "《城市市容和环境卫生管理条例》\n第十条 " + "一切单位和个人，都应当依照规定的时间、地点、方式，倾倒垃圾。" * 60


def parse_sheet(*rows: tuple[object, ...], sheet: str = "部件", title: str = "") -> ImportReport:
    table: list[tuple[object, ...]] = [(title,)] if title else []
    return parse_catalog_rows([*table, PUBLISHED, *rows], departments=DEPARTMENTS, sheet=sheet)


def test_two_digit_minor_codes_count_within_their_major_class() -> None:
    report = parse_sheet(
        ("01", "公用设施", "02", "污水井盖", "缺失", "2紧急工作时", "恢复", "", "区城市管理委员会", LAW),
        ("", "", "", "", "破损", "4工作时", "修复", "", "", ""),
        ("01", "公用设施", "99", "其他设施（本地）", "损坏", "3工作日", "修复", "", "", ""),
        ("01", "公用设施", 98, "本地设施乙", "损坏", "3工作日", "修复", "", "", ""),
        (3, "市容环境设施", 7, "果皮箱", "满溢", "4工作时", "清运", "", "", ""),
    )
    assert not report.bad, report.bad
    got = [(r.code, r.major_code, r.minor_code, r.kind) for r in report.good]
    assert got == [
        ("0102101", "01", "0102", "部件"),
        ("0102102", "01", "0102", "部件"),
        ("0199101", "01", "0199", "部件"),
        ("0198101", "01", "0198", "部件"),
        ("0307101", "03", "0307", "部件"),
    ]
    assert report.good[0].condition == "缺失" and LAW not in report.good[0].raw[:9]


@pytest.mark.parametrize(
    ("sheet", "title", "kind", "code"),
    [
        ("部件", "", "部件", "0102101"),
        ("事件", "", "事件", "0102201"),
        ("Sheet1", "示例区立案、处置和结案标准（事件）", "事件", "0102201"),
        ("Sheet1", "", "", "010201"),
        ("部件和事件", "", "", "010201"),  # names both: no kind
    ],
)
def test_kind_from_the_sheet_name_or_title_gives_the_code_its_digit(
    sheet: str, title: str, kind: str, code: str
) -> None:
    report = parse_sheet(("01", "大类", "02", "小类", "条件", "1天", "结案", "", "", ""), sheet=sheet, title=title)
    assert [(r.kind, r.code, r.sheet) for r in report.good] == [(kind, code, sheet)]


@pytest.mark.parametrize(
    ("cell", "how", "code"),
    [
        ("区城管执法局", "exact", "CGZF"),
        ("cgzf", "code", "CGZF"),
        ("区供电公司", "normalised", "GDGS"),  # 区 dropped on one side
        ("各区燃气集团", "normalised", "RQJT"),
        ("属地街道（乡镇）", "exact", "JD"),
        ("属地街道", "street", "JD"),
        ("所属街道", "street", "JD"),
        ("属地街道综合执法队", "street", "JD"),
        ("区水务局（排水科）", "normalised", "SWJ"),
        ("市水务局", "new", None),  # 市 and 区 are different governments: never matched
        ("市政公用服务中心", "new", None),  # 市政 is a word, not a level
        ("XYZ", "unknown", None),
    ],
)
def test_handling_body_matches_a_department_and_says_how(cell: str, how: str, code: str | None) -> None:
    index = DepartmentIndex(DEPARTMENTS)
    found = index.match(cell, "handler")
    assert (found.how, found.code) == (how, code)


def test_bodies_as_free_text_lists_first_handles_others_kept() -> None:
    report = parse_sheet(
        (
            *("01", "公用设施", "02", "污水井盖", "缺失", "2紧急工作时", "恢复"),
            *("区城市管理委员会", "市政公用服务中心、各产权单位", ""),
        ),
        (
            *("", "", "", "", "破损", "4工作时", "修复"),
            *("区城市管理委员会\n区水务局", "区供电公司，区水务局；各产权单位", ""),
        ),
        ("", "", "", "", "松动", "4工作时", "修复", "", "市政公用服务中心", ""),
    )
    assert not report.bad, report.bad
    first, second, third = report.good
    assert (first.department_code, first.new_department, first.co_handlers) == (None, "市政公用服务中心", "各产权单位")
    assert first.supervisor == "区城市管理委员会"
    assert (second.department_code, second.co_handlers) == ("GDGS", "区水务局、各产权单位")
    assert second.supervisor == "区城市管理委员会、区水务局"
    assert third.new_department == "市政公用服务中心"
    bodies = {(b.role, b.text): (b.how, b.code) for b in report.bodies}
    assert bodies[("handler", "市政公用服务中心")] == ("new", None)
    assert bodies[("co_handler", "各产权单位")] == ("kept", None)
    assert bodies[("co_handler", "区水务局")] == ("exact", "SWJ")
    assert bodies[("supervisor", "区城市管理委员会")] == ("exact", "CGW")
    assert len(report.bodies) == len(bodies)  # each body listed once per role


def test_a_too_long_new_body_is_a_bad_row() -> None:
    report = parse_sheet(("01", "公用设施", "02", "污水井盖", "缺失", "1天", "恢复", "", "很" * 70, ""))
    assert only_bad(report).reason.startswith("too long") and "处置单位" in only_bad(report).reason


def test_sheets_of_a_workbook_are_read_together_and_codes_stay_unique() -> None:
    components = [("标准（部件）",), PUBLISHED, ("01", "公用设施", "02", "污水井盖", "缺失", "1天", "恢复", "", "", "")]
    events = [PUBLISHED, ("01", "市容环境", "02", "道路不洁", "污渍", "4工作时", "清洁", "", "", "")]
    notes = [("说明",), ("本表依据……",)]
    plain = [PUBLISHED, ("01", "市容环境", "02", "道路不洁", "污渍", "尽快", "清洁", "", "", "")]
    again = [PUBLISHED, ("01", "公用设施", "02", "污水井盖", "缺失", "1天", "恢复", "", "", "")]
    report = parse_catalog_sheets(
        [("Sheet1", components), ("事件", events), ("说明", notes), ("附表", plain), ("部件2", again)],
        departments=DEPARTMENTS,
    )
    assert [r.code for r in report.good] == ["0102101", "0102201"]
    assert [(s.name, s.kind, s.good, s.bad, bool(s.skipped)) for s in report.sheets] == [
        ("Sheet1", "部件", 1, 0, False),
        ("事件", "事件", 1, 0, False),
        ("说明", "", 0, 0, True),
        ("附表", "", 0, 1, False),
        ("部件2", "部件", 0, 1, False),
    ]
    unreadable, repeated = report.bad
    assert (unreadable.sheet, unreadable.row_number, unreadable.where) == ("附表", 2, "附表 第 2 行 row 2")
    assert repeated.reason == "duplicate condition code 条件代码重复: 0102101 (first at Sheet1 第 3 行 row 3)"
    with pytest.raises(CatalogHeaderError):
        parse_catalog_sheets([("说明", notes)], departments=DEPARTMENTS)
    with pytest.raises(CatalogHeaderError):
        parse_catalog_sheets([("说明", notes)], departments=DEPARTMENTS, require_header=True)
