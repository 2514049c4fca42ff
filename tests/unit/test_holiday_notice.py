"""Reading the State Council's holiday notice as published, checked day by day against chinese-calendar."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import chinese_calendar
import pytest

from dashboard.domain.holiday_notice import NoticeError, parse_notice
from dashboard.domain.sla import WorkCalendar
from tests.holiday_notices import HOLIDAYS_2027, NOTICE_2024, NOTICE_2025, NOTICE_2027, WORKDAYS_2027

NOTICE_2026 = Path("/work/shared/data/holidays/2026-notice.txt")
HEAD = "国务院办公厅关于2030年部分节假日安排的通知\n"


def days_of(year: int) -> list[date]:
    day, out = date(year, 1, 1), []
    while day.year == year:
        out.append(day)
        day += timedelta(days=1)
    return out


def calendar_of(text: str) -> WorkCalendar:
    notice = parse_notice(text)
    return WorkCalendar(
        entered_holidays=frozenset(notice.holidays),
        entered_workdays=frozenset(notice.workdays),
        entered_years=frozenset({notice.year}),
    )


def notice_text(year: int) -> str:
    if year == 2026:
        if not NOTICE_2026.is_file():
            pytest.skip(f"{NOTICE_2026} is not on this machine")
        return NOTICE_2026.read_text(encoding="utf-8")
    return {2024: NOTICE_2024, 2025: NOTICE_2025}[year]


@pytest.mark.parametrize("year", [2026, 2025, 2024])
def test_published_notice_gives_exactly_the_packages_days(year: int) -> None:
    notice = parse_notice(notice_text(year))
    assert notice.year == year
    # The package lists every day of each range as a holiday (statutory days and in-lieu days 调休 alike) and
    # the make-up workdays as working weekend days: the notice's 共N天 ranges and 上班 days, exactly.
    assert sorted(notice.holidays) == sorted(d for d in chinese_calendar.holidays if d.year == year)
    weekend_work = sorted(d for d in days_of(year) if d.weekday() >= 5 and chinese_calendar.is_workday(d))
    assert sorted(notice.workdays) == weekend_work
    cal = calendar_of(notice_text(year))
    for day in days_of(year):
        assert cal.is_workday(day) == chinese_calendar.is_workday(day), day
    assert not cal.fallback_years_used


def test_2026_figures_and_in_lieu_days() -> None:
    notice = parse_notice(notice_text(2026))
    got = [(f.name, f.start.isoformat(), f.end.isoformat(), f.stated_days) for f in notice.festivals]
    assert got == [
        ("元旦", "2026-01-01", "2026-01-03", 3),
        ("春节", "2026-02-15", "2026-02-23", 9),
        ("清明节", "2026-04-04", "2026-04-06", 3),
        ("劳动节", "2026-05-01", "2026-05-05", 5),
        ("端午节", "2026-06-19", "2026-06-21", 3),
        ("中秋节", "2026-09-25", "2026-09-27", 3),
        ("国庆节", "2026-10-01", "2026-10-07", 7),
    ]
    assert [d.isoformat() for d in sorted(notice.workdays)] == [
        "2026-01-04",
        "2026-02-14",
        "2026-02-28",
        "2026-05-09",
        "2026-09-20",
        "2026-10-10",
    ]
    # Every make-up workday pays for one in-lieu day off inside the same festival (the package's is_in_lieu).
    for festival in notice.festivals:
        in_lieu = [d for d in festival.holidays if chinese_calendar.is_in_lieu(d)]
        assert len(in_lieu) == len(festival.workdays), festival.name


def test_made_up_2027_notice() -> None:
    notice = parse_notice(NOTICE_2027)
    assert notice.year == 2027
    spans = [(f.start.isoformat(), f.end.isoformat()) for f in notice.festivals]
    assert tuple(spans) == HOLIDAYS_2027
    assert tuple(d.isoformat() for d in sorted(notice.workdays)) == WORKDAYS_2027
    assert notice.festivals[2].joins_weekend and notice.festivals[2].holidays == (date(2027, 4, 5),)


@pytest.mark.parametrize(
    ("line", "holidays", "workdays"),
    [
        # a single day
        ("五、端午节：6月9日（周日）放假，共1天。", ["2030-06-09"], []),
        # a range across months, several make-up days, 星期 and half-width punctuation
        (
            "七、中秋节、国庆节:9月29日(星期日)至10月6日(星期日)放假调休,共8天。9月28日(星期六)、10月12日(星期六)上班。",
            [f"2030-09-{d}" for d in (29, 30)] + [f"2030-10-0{d}" for d in range(1, 7)],
            ["2030-09-28", "2030-10-12"],
        ),
        # 元旦 from 30 December of the year before, written without the year
        (
            "一、元旦：12月30日（周日）至1月1日（周二）放假调休，共3天。12月29日（周六）上班。",
            ["2029-12-30", "2029-12-31", "2030-01-01"],
            ["2029-12-29"],
        ),
        # full years written out, 放假N天 and 不调休
        ("一、元旦：2030年1月1日（周二）放假1天，不调休。", ["2030-01-01"], []),
        # 与周末连休 and a 补休 day
        ("三、清明节：4月5日（周五）放假，与周末连休。4月8日（周一）补休。", ["2030-04-05", "2030-04-08"], []),
    ],
)
def test_notice_variants(line: str, holidays: list[str], workdays: list[str]) -> None:
    notice = parse_notice(HEAD + "　　" + line + "\n")
    assert sorted(d.isoformat() for d in notice.holidays) == holidays
    assert sorted(d.isoformat() for d in notice.workdays) == workdays


@pytest.mark.parametrize(
    ("line", "fragment"),
    [
        ("一、元旦：1月1日（周三）放假，共1天。", "weekday mismatch"),
        ("二、春节：2月2日（周六）至8日（周五）放假调休，共8天。", "has 7 days, the notice says 共8天"),
        ("三、清明节：4月5日（周五）放假，另行通知。", "cannot read '另行通知'"),
        ("四、劳动节：5月1日（周三）至5日（周日）放假调休，共5天。5月6日（周一）上班。", "make-up workday"),
        ("五、端午节：6月9日（周日）放假，共1天。6月9日（周日）上班。", "both a holiday and a workday"),
        ("端午节6月9日放假", "no festival name"),
        ("五、端午节：6月9日（周日）放假，共1天。6月15日（周六）上班调整。", "cannot read"),
        ("六、中秋节：9月12日至9月50日放假", "no such date"),
    ],
)
def test_unreadable_line_refuses_the_notice_naming_it(line: str, fragment: str) -> None:
    text = HEAD + "各省、自治区、直辖市人民政府：\n" + "　　" + line + "\n"
    with pytest.raises(NoticeError) as caught:
        parse_notice(text)
    assert caught.value.line_number == 3
    assert "第 3 行 line 3" in str(caught.value)
    assert fragment in str(caught.value), str(caught.value)


def test_overlapping_festivals_name_both_lines() -> None:
    text = HEAD + "一、元旦：1月1日（周二）放假，共1天。\n二、春节：1月1日（周二）至2日（周三）放假，共2天。\n"
    with pytest.raises(NoticeError, match="also on line 2") as caught:
        parse_notice(text)
    assert caught.value.line_number == 3


def test_a_notice_without_its_title_or_any_festival_is_refused() -> None:
    with pytest.raises(NoticeError, match="no year"):
        parse_notice("一、元旦：1月1日（周二）放假，共1天。\n")
    with pytest.raises(NoticeError, match="no festival lines"):
        parse_notice(HEAD + "（正文略）\n国务院办公厅\n2029年11月4日\n")
    with pytest.raises(NoticeError, match="empty"):
        parse_notice("  \n")
