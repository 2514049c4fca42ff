"""Checking rows of a 立案、处置和结案标准 table: header aliases, fill-down, codes, levels and bad-row reasons."""

from __future__ import annotations

import pytest

from dashboard.domain.catalog_default import DEFAULT_DEPARTMENTS
from dashboard.domain.catalog_rows import (
    BadRow,
    CatalogHeaderError,
    ImportReport,
    header_field,
    infer_level,
    parse_catalog_rows,
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
        (("01", "城市管理", "01", "市容环境", "乱扔", "4工作时", "清理", "", ""), "bad code", "小类代码 '01'"),
        (("01", "城市管理", "0201", "市容环境", "乱扔", "4工作时", "清理", "", ""), "bad code", "does not start"),
        (("01", "城市管理", "0101", "市容环境", "乱扔", "尽快", "清理", "", ""), "unknown time limit", "尽快"),
        (("01", "城市管理", "0101", "市容环境", "乱扔", "1.5天", "清理", "", ""), "unknown time limit", "whole"),
        (
            ("01", "城市管理", "0101", "市容环境", "乱扔", "4工作时", "清理", "市容委", ""),
            "unknown department",
            "市容委",
        ),
        (
            ("01", "城市管理", "0101", "市容环境", "乱扔", "4工作时", "清理", "GA、市容委", ""),
            "unknown department",
            "'市容委'",
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
        ("01", "城市管理", "0101", "市容环境", "暴露垃圾", "尽快", "", "无此单位", "Z"),
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
    assert parse() == ImportReport(good=[], bad=[])


def test_unknown_department_says_when_no_departments_are_known() -> None:
    report = parse_catalog_rows([HEADER, GOOD], departments=[])
    assert only_bad(report).reason == "unknown department 未知处置单位: 'CGW' (no departments are known 尚无部门数据)"
