"""Catalog time limits (处置时限) such as `2紧急工作时`, `4工作时`, `5个工作日`, `15天` (DESIGN.md section 6).

Kinds and what they count:

- `urgent_hours`: continuous wall-clock hours, nights and holidays included (紧急工作时, 小时, 分钟).
  紧急工作日 is 24 continuous hours per day. 即时 ("at once") is read as 1 urgent hour: the catalog gives
  no number, and one hour keeps the clock continuous and short without turning red before a responder
  can physically arrive; a center that wants less writes `30分钟` instead.
- `work_hours`: hours inside the working periods of working days (工作时, 工作小时).
- `work_days`: working days (工作日, 个工作日); whole numbers only, since the rule is "the N-th working day".
- `natural_days`: calendar days (天, 日, 自然日); whole numbers only for the same reason.

A missing number means 1 (`紧急工作日`, `工作日`); 半 means a half (`半小时`, `一个半小时`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum


class TimeLimitKind(StrEnum):
    """How a time limit is counted; the values match the stored `limit_kind` strings."""

    URGENT_HOURS = "urgent_hours"
    WORK_HOURS = "work_hours"
    WORK_DAYS = "work_days"
    NATURAL_DAYS = "natural_days"


HOUR_KINDS: frozenset[TimeLimitKind] = frozenset({TimeLimitKind.URGENT_HOURS, TimeLimitKind.WORK_HOURS})
DAY_KINDS: frozenset[TimeLimitKind] = frozenset({TimeLimitKind.WORK_DAYS, TimeLimitKind.NATURAL_DAYS})


class TimeLimitError(ValueError):
    """A time limit that cannot be read or does not make sense."""


ACCEPTED_FORMS = (
    "a number (2, ２, 0.5, 三, 两, 十五, 半) and a unit: 紧急工作时, 紧急工作日, 小时, 分钟, 工作时, 工作日, "
    "个工作日, 天, 日 or 自然日 (e.g. 2紧急工作时, 4小时, 4工作时, 5个工作日, 15天); or 即时"
)
_MAX_DAYS = 3660


@dataclass(frozen=True, slots=True)
class TimeLimit:
    """A parsed time limit: `amount` is in hours for the hour kinds and in days for the day kinds."""

    kind: TimeLimitKind
    amount: float
    text: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", TimeLimitKind(self.kind))
        if not self.amount > 0:
            raise TimeLimitError(f"time limit {self.text!r} must be longer than zero; expected {ACCEPTED_FORMS}")
        if self.amount > (_MAX_DAYS if self.kind in DAY_KINDS else _MAX_DAYS * 24):
            # Bounds the day-by-day calendar walk and keeps datetime arithmetic from overflowing.
            raise TimeLimitError(f"time limit {self.text!r} is longer than ten years")
        if self.kind in DAY_KINDS and self.amount != int(self.amount):
            # "the N-th following day" has no meaning for N = 1.5; hours say it exactly.
            raise TimeLimitError(f"time limit {self.text!r}: days must be whole; write hours (工作时, 小时) instead")

    def __str__(self) -> str:
        return self.text


# Unit → (kind, factor to the kind's unit). Regex alternation tries these in order, so longer names come first.
_UNITS: dict[str, tuple[TimeLimitKind, float]] = {
    "紧急工作小时": (TimeLimitKind.URGENT_HOURS, 1.0),
    "紧急工作时": (TimeLimitKind.URGENT_HOURS, 1.0),
    "紧急工作日": (TimeLimitKind.URGENT_HOURS, 24.0),
    "紧急小时": (TimeLimitKind.URGENT_HOURS, 1.0),
    "紧急日": (TimeLimitKind.URGENT_HOURS, 24.0),
    "工作小时": (TimeLimitKind.WORK_HOURS, 1.0),
    "工作时": (TimeLimitKind.WORK_HOURS, 1.0),
    "工作日": (TimeLimitKind.WORK_DAYS, 1.0),
    "自然日": (TimeLimitKind.NATURAL_DAYS, 1.0),
    "小时": (TimeLimitKind.URGENT_HOURS, 1.0),
    "分钟": (TimeLimitKind.URGENT_HOURS, 1.0 / 60.0),
    "天": (TimeLimitKind.NATURAL_DAYS, 1.0),
    "日": (TimeLimitKind.NATURAL_DAYS, 1.0),
}
_IMMEDIATE = {"即时", "立即"}
_IMMEDIATE_HOURS = 1.0

_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_PATTERN = re.compile(
    r"(?P<number>[0-9]+(?:\.[0-9]+)?|[零〇一二两三四五六七八九十百]+)?"
    r"个?(?P<half>半)?个?"
    r"(?P<unit>" + "|".join(map(re.escape, _UNITS)) + r")"
)


def _chinese_number(text: str) -> int:
    """Value of a Chinese numeral below 1000 (三, 十五, 二十, 一百零五); ValueError if malformed."""
    if text == "两" or (len(text) == 1 and text in _CN_DIGITS):
        return _CN_DIGITS[text]
    total, digit = 0, None
    seen_units: list[int] = []
    for char in text:
        if char in "零〇" and total and digit is None:
            continue  # placeholder zero, as in 一百零五
        if char in _CN_DIGITS:
            if digit is not None:
                raise ValueError(text)
            digit = _CN_DIGITS[char]
        elif char in "十百":
            unit = 10 if char == "十" else 100
            if seen_units and seen_units[-1] <= unit:
                raise ValueError(text)
            seen_units.append(unit)
            # A bare 十 means ten (十五 = 15); a bare 百 is not how anyone writes 100.
            if digit is None and not (char == "十" and total == 0):
                raise ValueError(text)
            total += (1 if digit is None else digit) * unit
            digit = None
        else:
            raise ValueError(text)
    return total + (digit or 0)


def _amount(number: str | None, half: bool, text: str) -> float:
    if number is None:
        return 0.5 if half else 1.0
    try:
        value = float(number) if number[0].isdigit() else float(_chinese_number(number))
    except ValueError:
        raise TimeLimitError(f"cannot read the number in time limit {text!r}; expected {ACCEPTED_FORMS}") from None
    return value + (0.5 if half else 0.0)


def parse_time_limit(text: str) -> TimeLimit:
    """Parse catalog time-limit text such as `2紧急工作时`, `5个工作日`, `15天` or `即时` into a TimeLimit."""
    if not isinstance(text, str):
        raise TimeLimitError(f"time limit must be text, got {text!r}")
    shown = text.strip()
    # NFKC folds full-width digits, dots and spaces (２．５ → 2.5); inner spaces carry no meaning.
    compact = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))
    # Published catalogs often write "3个工作日内" / "2小时以内": the suffix only restates that it is a limit.
    compact = re.sub(r"(以内|之内|内)$", "", compact)
    if compact in _IMMEDIATE:
        return TimeLimit(TimeLimitKind.URGENT_HOURS, _IMMEDIATE_HOURS, shown)
    match = _PATTERN.fullmatch(compact)
    if match is None:
        raise TimeLimitError(f"cannot read time limit {text!r}; expected {ACCEPTED_FORMS}")
    kind, factor = _UNITS[match["unit"]]
    amount = _amount(match["number"], match["half"] is not None, text)
    return TimeLimit(kind, amount * factor, shown)
