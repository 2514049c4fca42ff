"""Parsing catalog time limits (处置时限) into kinds and amounts (DESIGN.md section 6)."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dashboard.domain.time_limits import TimeLimit, TimeLimitError, TimeLimitKind, parse_time_limit

URGENT, WORK_H, WORK_D, NATURAL = (
    TimeLimitKind.URGENT_HOURS,
    TimeLimitKind.WORK_HOURS,
    TimeLimitKind.WORK_DAYS,
    TimeLimitKind.NATURAL_DAYS,
)


@pytest.mark.parametrize(
    ("text", "kind", "amount"),
    [
        ("2紧急工作时", URGENT, 2),
        ("2紧急工作日", URGENT, 48),
        ("紧急工作日", URGENT, 24),
        ("4小时", URGENT, 4),
        ("2小时", URGENT, 2),
        ("0.5小时", URGENT, 0.5),
        ("半小时", URGENT, 0.5),
        ("一个半小时", URGENT, 1.5),
        ("两小时", URGENT, 2),
        ("30分钟", URGENT, 0.5),
        ("即时", URGENT, 1),
        ("2工作时", WORK_H, 2),
        ("4工作小时", WORK_H, 4),
        ("5个工作日", WORK_D, 5),
        ("3工作日", WORK_D, 3),
        ("２工作日", WORK_D, 2),
        ("三个工作日", WORK_D, 3),
        ("1天", NATURAL, 1),
        ("15天", NATURAL, 15),
        ("十五天", NATURAL, 15),
        ("二十天", NATURAL, 20),
        ("一百零五天", NATURAL, 105),
        ("30日", NATURAL, 30),
        ("7个自然日", NATURAL, 7),
        ("  5个工作日 ", WORK_D, 5),
        ("\u30003 工作日\t", WORK_D, 3),
    ],
)
def test_catalog_forms(text: str, kind: TimeLimitKind, amount: float) -> None:
    limit = parse_time_limit(text)
    assert (limit.kind, limit.amount) == (kind, amount)
    assert limit.text == text.strip()


def test_kind_compares_equal_to_the_stored_string() -> None:
    assert parse_time_limit("4工作时").kind == "work_hours"


@pytest.mark.parametrize(
    "text",
    ["", "   ", "abc", "工作", "时", "0天", "0.0小时", "-1天", "1.5工作日", "半天", "1.天", "天天", "百天", "三三天",
     "3周", "2紧急", "4000天", "1e3小时"],
)  # fmt: skip
def test_unreadable_limits_raise_with_the_text_and_the_accepted_forms(text: str) -> None:
    with pytest.raises(TimeLimitError) as info:
        parse_time_limit(text)
    message = str(info.value)
    assert repr(text) in message
    if "whole" not in message and "ten years" not in message:
        assert "工作日" in message and "即时" in message


def test_time_limit_error_is_a_value_error() -> None:
    assert issubclass(TimeLimitError, ValueError)


def test_direct_construction_is_validated() -> None:
    with pytest.raises(TimeLimitError):
        TimeLimit(TimeLimitKind.WORK_DAYS, 0.5, "半个工作日")
    assert TimeLimit("work_hours", 4, "4工作时").kind is TimeLimitKind.WORK_HOURS  # type: ignore[arg-type]


# Unit as written → (kind, amount per written unit).
UNITS: dict[str, tuple[TimeLimitKind, float]] = {
    "紧急工作时": (URGENT, 1),
    "紧急工作日": (URGENT, 24),
    "小时": (URGENT, 1),
    "个小时": (URGENT, 1),
    "工作时": (WORK_H, 1),
    "工作日": (WORK_D, 1),
    "个工作日": (WORK_D, 1),
    "天": (NATURAL, 1),
    "日": (NATURAL, 1),
    "自然日": (NATURAL, 1),
}
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@given(
    n=st.integers(min_value=1, max_value=99),
    unit=st.sampled_from(sorted(UNITS)),
    full_width=st.booleans(),
    pad=st.sampled_from(["", " ", "\u3000", "\t "]),
)
def test_any_number_and_unit_round_trips(n: int, unit: str, full_width: bool, pad: str) -> None:
    number = str(n).translate(FULL_WIDTH) if full_width else str(n)
    limit = parse_time_limit(f"{pad}{number}{unit}{pad}")
    kind, factor = UNITS[unit]
    assert limit.kind == kind
    assert limit.amount == n * factor


# Text that cannot form a limit: no unit character (时/日/天/钟) and no 即/立 of 即时, even after NFKC
# (which turns ㏠ into 1日).
_UNIT_CHARS = set("时日天钟即立")
_NO_UNIT = st.text(max_size=20).filter(lambda s: not _UNIT_CHARS & set(unicodedata.normalize("NFKC", s)))


@given(text=_NO_UNIT)
def test_text_without_a_unit_raises(text: str) -> None:
    with pytest.raises(TimeLimitError):
        parse_time_limit(text)


@given(prefix=st.text(alphabet="abcxyz!?#/-+*工作紧急", min_size=1, max_size=5), unit=st.sampled_from(sorted(UNITS)))
def test_junk_before_a_unit_raises(prefix: str, unit: str) -> None:
    text = f"{prefix}3{unit}"
    with pytest.raises(TimeLimitError):
        parse_time_limit(text)


@pytest.mark.parametrize(("text", "amount"), [("3个工作日内", 3), ("2小时以内", 2), ("15天之内", 15)])
def test_within_suffix_is_accepted(text: str, amount: float) -> None:
    assert parse_time_limit(text).amount == amount
