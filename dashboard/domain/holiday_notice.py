"""The State Council's annual holiday notice (国务院办公厅关于YYYY年部分节假日安排的通知), read as published.

A notice names its year in the title ("关于2027年部分节假日安排的通知") or the opening ("现将2027年元旦、…"), then
gives one line per festival:

    一、元旦：1月1日（周四）至3日（周六）放假调休，共3天。1月4日（周日）上班。

Rules, each chosen for how notices have been written over the years:

- A line is a festival line when it gives a date (``M月D日``, ``D日`` after a month, or ``YYYY年M月D日``) together
  with 放假, 补休 or 上班. Other lines (title, salutation, duty arrangements, the signature and its date) are left
  alone; a festival line must be read whole, or the notice is refused naming that line.
- Dates: ``D日`` takes the month of the date before it in the line, so ``2月15日至23日`` and ``9月29日至10月6日``
  both work; a bare date is in the notice's year, except a December date on the 元旦 line, which is the year
  before (元旦 can start on 30 or 31 December). The parentheses after a date may hold the weekday and a lunar date
  (``（农历腊月二十八、周日）``): a weekday there must be the date's, which catches a misread year or month.
- Holidays: ``A至B放假[调休]`` or ``A放假``, with ``共N天`` or ``放假N天`` (must equal the days of the range),
  ``与周末连休`` (joined with the weekend: the weekend stays a weekend, the holiday is the dates given; the
  chinese-calendar package lists the weekend as holiday for some years and not for others),
  ``不调休``, and ``X、Y补休`` (extra days off). Make-up workdays: ``X（周六）、Y（周日）上班`` (several per line).
- A sentence of advice (鼓励/提倡/倡导…, without 放假, 补休 or 上班) is not part of the schedule and is skipped.
- Full-width and half-width punctuation and digits are the same (NFKC); 星期X and 周X both name a weekday.

The result lists every holiday range and make-up workday, so a person can check it before it is saved.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, timedelta

_NUMERALS = "一二三四五六七八九十"
_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_WEEKDAY_NAMES = "一二三四五六日"

_YEAR = re.compile(r"(?:关于|现将)\s*(\d{4})\s*年")
_DATE = re.compile(r"(?:(\d{4})年)?(?:(\d{1,2})月)?(\d{1,2})日(?:\(([^()]*)\))?")
_ANY_DATE = re.compile(r"\d{1,2}日")
_LABEL = re.compile(rf"^(?:[{_NUMERALS}]+[、.]|\(\s*[{_NUMERALS}\d]+\s*\)|\d+[、.])?\s*([^:：\d]{{1,24}}?)\s*:(.*)$")
_WEEKDAY = re.compile(r"(?:周|星期|礼拜)([一二三四五六日天])")
_COUNT = re.compile(r"^(?:共|放假)?(\d{1,2})天$")
_KEYWORDS = ("放假", "补休", "上班")
_REMARKS = ("鼓励", "提倡", "倡导")
_MAX_DAYS = 31  # no festival of any notice has been longer; more means a misread date


class NoticeError(ValueError):
    """The notice cannot be read whole; names the line (1-based) and why."""

    def __init__(self, line_number: int, line: str, reason: str) -> None:
        self.line_number = line_number
        self.line = line
        self.reason = reason
        where = f"第 {line_number} 行 line {line_number}" if line_number else "通知 notice"
        super().__init__(f"{where}: {reason}" + (f" — {line.strip()[:80]}" if line.strip() else ""))


@dataclass(frozen=True, slots=True)
class Festival:
    """One festival line: its holiday range(s) and make-up workdays, as read."""

    name: str
    line_number: int
    start: date
    end: date
    holidays: tuple[date, ...]  # every day off, in order (the range, joined weekends and 补休 days)
    workdays: tuple[date, ...]  # make-up workdays 调休上班
    stated_days: int | None  # 共N天 as written, when written
    joins_weekend: bool = False  # 与周末连休


@dataclass(frozen=True, slots=True)
class Notice:
    """A whole notice: its year and its festivals in order."""

    year: int
    festivals: tuple[Festival, ...]

    @property
    def holidays(self) -> dict[date, str]:
        """Every day off, with its festival's name."""
        return {day: f.name for f in self.festivals for day in f.holidays}

    @property
    def workdays(self) -> dict[date, str]:
        """Every make-up workday, with the festival it makes up for."""
        return {day: f.name for f in self.festivals for day in f.workdays}


def _normalise(text: str) -> str:
    # NFKC folds full-width digits, colons, commas and brackets; 。 and 、 have no half-width form and stay.
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"\s+", "", text).replace("．", ".").replace("～", "至").replace("~", "至")


def _weekday(text: str | None) -> int | None:
    found = _WEEKDAY.search(text or "")
    return _WEEKDAYS[found.group(1)] if found else None


class _Line:
    """Reads the dates of one line in order, carrying the month from one date to the next."""

    def __init__(self, number: int, raw: str, year: int, new_year_line: bool) -> None:
        self.number, self.raw, self.year, self.new_year_line = number, raw, year, new_year_line
        self.month: int | None = None
        self.explicit_year: int | None = None

    def fail(self, reason: str) -> NoticeError:
        return NoticeError(self.number, self.raw, reason)

    def date(self, match: re.Match[str]) -> date:
        year_text, month_text, day_text, paren = match.groups()
        if month_text:
            self.month = int(month_text)
        if self.month is None:
            raise self.fail(f"无法确定月份 cannot tell the month of {match.group(0)!r}")
        if year_text:
            self.explicit_year = int(year_text)
        year = self.explicit_year or self.year
        if not year_text and self.explicit_year is None and self.new_year_line and self.month == 12:
            year = self.year - 1  # 元旦 starting on 30 or 31 December of the year before
        try:
            day = date(year, self.month, int(day_text))
        except ValueError:
            raise self.fail(f"日期不存在 no such date {year}年{self.month}月{day_text}日") from None
        said = _weekday(paren)
        if said is not None and said != day.weekday():
            raise self.fail(
                f"星期不符 weekday mismatch: {day.isoformat()} is 周{_WEEKDAY_NAMES[day.weekday()]}, "
                f"the notice says 周{_WEEKDAY_NAMES[said]}"
            )
        return day

    def dates(self, text: str, *, joiner: str = "、") -> list[date]:
        """The dates of `text`, which must be nothing but dates joined by `joiner`."""
        out, pos = [], 0
        while True:
            match = _DATE.match(text, pos)
            if match is None:
                raise self.fail(f"无法识别日期 cannot read the dates in {text!r}")
            out.append(self.date(match))
            pos = match.end()
            if pos == len(text):
                return out
            if not text.startswith(joiner, pos):
                raise self.fail(f"无法识别日期 cannot read the dates in {text!r}")
            pos += len(joiner)


def _range(line: _Line, text: str) -> list[date]:
    """``A至B`` or ``A`` as the list of its days."""
    parts = text.split("至")
    if len(parts) > 2 or not all(parts):
        raise line.fail(f"无法识别放假日期 cannot read the holiday dates {text!r}")
    first = line.dates(parts[0])
    if len(first) != 1:
        raise line.fail(f"无法识别放假日期 cannot read the holiday dates {text!r}")
    if len(parts) == 1:
        return first
    ends = line.dates(parts[1])
    if len(ends) != 1:
        raise line.fail(f"无法识别放假日期 cannot read the holiday dates {text!r}")
    start, last = first[0], ends[0]
    if last < start and last.month < start.month:
        last = last.replace(year=last.year + 1)  # 12月31日至1月2日: the end is in the next year
    days = (last - start).days + 1
    if not 0 < days <= _MAX_DAYS:
        raise line.fail(f"放假日期有误 the holiday range {start.isoformat()}–{last.isoformat()} is not 1–31 days")
    return [start + timedelta(days=i) for i in range(days)]


def _festival(number: int, raw: str, name: str, body: str, year: int) -> Festival:
    line = _Line(number, raw, year, "元旦" in name)
    holidays: list[date] = []
    extra_off: list[date] = []
    workdays: list[date] = []
    stated: int | None = None
    weekend_join = False
    for sentence in filter(None, body.split("。")):
        if sentence.startswith(_REMARKS) and not any(word in sentence for word in _KEYWORDS):
            continue  # advice such as 鼓励各单位…安排职工在除夕（2月9日）休息: not a public holiday
        for clause in filter(None, re.split(r"[,;]", sentence)):
            if clause in ("与周末连休", "不调休", "调休", "放假调休"):
                weekend_join = weekend_join or clause == "与周末连休"
                continue
            if count := _COUNT.match(clause):
                stated = int(count.group(1))
                continue
            if "放假" in clause:
                head, _, tail = clause.partition("放假")
                if holidays:
                    raise line.fail("一行只能有一段放假日期 one holiday range per festival line")
                holidays = _range(line, head)
                tail = tail.removeprefix("调休")
                if tail:
                    if not (count := _COUNT.match(tail)):
                        raise line.fail(f"无法识别 cannot read {clause!r}")
                    stated = int(count.group(1))
                continue
            if clause.endswith("补休"):
                extra_off += line.dates(clause.removesuffix("补休"))
                continue
            if clause.endswith("上班"):
                workdays += line.dates(clause.removesuffix("上班").removesuffix("调休"))
                continue
            raise line.fail(f"无法识别 cannot read {clause!r}")
    if not holidays:
        raise line.fail("没有放假日期 no holiday dates (expected …至…放假)")
    if stated is not None and stated != len(holidays):
        raise line.fail(
            f"天数不符 the range {holidays[0].isoformat()}–{holidays[-1].isoformat()} has {len(holidays)} days, "
            f"the notice says 共{stated}天"
        )
    off = sorted({*holidays, *extra_off})
    if clash := sorted(set(off) & set(workdays)):
        raise line.fail(f"同一天既放假又上班 both a holiday and a workday: {clash[0].isoformat()}")
    if weekday_work := [d for d in workdays if d.weekday() < 5]:
        d = weekday_work[0]
        raise line.fail(f"调休上班日应为周末 make-up workday {d.isoformat()} is a 周{_WEEKDAY_NAMES[d.weekday()]}")
    return Festival(
        name=name,
        line_number=number,
        start=off[0],
        end=off[-1],
        holidays=tuple(off),
        workdays=tuple(sorted(set(workdays))),
        stated_days=stated,
        joins_weekend=weekend_join,
    )


def _year(lines: list[str]) -> int:
    for text in lines:
        if found := _YEAR.search(_normalise(text)):
            return int(found.group(1))
    raise NoticeError(
        1,
        lines[0] if lines else "",
        "找不到年份 no year: paste the whole notice, its title 关于YYYY年部分节假日安排的通知 included",
    )


def parse_notice(text: str) -> Notice:
    """Read a notice as published; raises NoticeError naming the first line it cannot read whole."""
    lines = text.splitlines()
    if not any(line.strip() for line in lines):
        raise NoticeError(0, "", "通知为空 the notice is empty")
    year = _year(lines)
    festivals: list[Festival] = []
    for number, raw in enumerate(lines, start=1):
        norm = _normalise(raw)
        if not (_ANY_DATE.search(norm) and any(word in norm for word in _KEYWORDS)):
            continue
        label = _LABEL.match(norm)
        if label is None:
            raise NoticeError(number, raw, "找不到节日名称 no festival name (expected 一、元旦：…)")
        festivals.append(_festival(number, raw, label.group(1), label.group(2), year))
    if not festivals:
        raise NoticeError(0, "", f"没有找到放假安排 no festival lines in the {year} notice")
    seen: dict[date, Festival] = {}
    for festival in festivals:
        for day in (*festival.holidays, *festival.workdays):
            if (other := seen.get(day)) is not None:
                raise NoticeError(
                    festival.line_number,
                    lines[festival.line_number - 1],
                    f"日期重复 {day.isoformat()} is also on line {other.line_number} ({other.name})",
                )
            seen[day] = festival
        if not all(year - 1 <= d.year <= year for d in (*festival.holidays, *festival.workdays)):
            raise NoticeError(
                festival.line_number, lines[festival.line_number - 1], f"日期不在 {year} 年 a date outside {year}"
            )
    return Notice(year=year, festivals=tuple(festivals))
