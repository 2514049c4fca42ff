"""The validation layer on its own: each checker returns a clean value or raises FieldError, nothing else."""

from __future__ import annotations

import contextlib
import json
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.services import validate
from dashboard.services.errors import FieldError

TZ = "Asia/Shanghai"


@pytest.mark.parametrize("raw", ["²", "１０", "٣", "1.0", "+1", " 1", "1 ", "0x1", "1e3", "9" * 20, "--1"])
def test_int_arg_takes_ascii_digits_only(raw: str) -> None:
    with pytest.raises(FieldError) as err:
        validate.int_arg(raw, "limit", low=0, high=validate.INT64_MAX)
    assert err.value.field == "limit"


def test_int_arg_bounds_and_default() -> None:
    assert validate.int_arg(None, "k", default=5, low=1, high=100) == 5
    assert validate.int_arg("", "k", default=5, low=1, high=100) == 5
    assert validate.int_arg("-3", "k", low=-5, high=5) == -3
    with pytest.raises(FieldError):
        validate.int_arg("101", "k", low=1, high=100)


@pytest.mark.parametrize("value", [True, 1.0, "1", None, 0, -1, 2**63, 2**70])
def test_ident_refuses_what_is_not_a_64_bit_id(value: object) -> None:
    with pytest.raises(FieldError):
        validate.ident(value, "into")


@pytest.mark.parametrize("value", [10**400, -(10**400), float("nan"), float("inf"), True, "39.9", None, [], 91, -90.5])
def test_latitude_refuses_without_overflowing(value: object) -> None:
    with pytest.raises(FieldError):
        validate.latitude(value, "lat")


def test_geo_latitude_stops_where_redis_stops() -> None:
    assert validate.latitude(85.05, "lat", geo=True) == 85.05
    for lat in (-85.1, 85.06, 89.9):
        assert validate.latitude(lat, "lat") == lat
        with pytest.raises(FieldError):
            validate.latitude(lat, "lat", geo=True)


@pytest.mark.parametrize("raw", ["nan", "inf", "-inf", "1e400", "٣٩", "9" * 400, "", "1,5"])
def test_number_arg_refuses_odd_notations(raw: str) -> None:
    with pytest.raises(FieldError):
        validate.number_arg(raw, "lat", low=-90, high=90)


@pytest.mark.parametrize("value", ["\ud800", "a\udfffb", "a\x00b", "\x1b[31m", 5, [], {}])
def test_text_refuses_surrogates_nul_controls_and_non_text(value: object) -> None:
    with pytest.raises(FieldError):
        validate.text(value, "note", max_len=100)


def test_text_keeps_newlines_unless_one_line() -> None:
    assert validate.text("一\n二\t三", "note", max_len=10) == "一\n二\t三"
    with pytest.raises(FieldError):
        validate.text("a\nb", "name", max_len=10, multiline=False)
    with pytest.raises(FieldError):
        validate.text("x" * 11, "note", max_len=10)


@pytest.mark.parametrize("pid", ["110112001001001-01", "110112001-X01", "W1", "car_7.a:b"])
def test_patrol_ids_of_the_staff_table_pass(pid: str) -> None:
    assert validate.patrol_id(pid, "id") == pid


@pytest.mark.parametrize("pid", ["<b>", "a b", "a,b", "x" * 25, "", "é", 7, None])
def test_patrol_ids_outside_the_alphabet_fail(pid: object) -> None:
    with pytest.raises(FieldError):
        validate.patrol_id(pid, "id")


@pytest.mark.parametrize("value", [[], {}, ["wechat"], None, 1])
def test_choice_refuses_unhashable_and_other_types(value: object) -> None:
    with pytest.raises(FieldError):
        validate.choice(value, "source", ("wechat", "video"))


@pytest.mark.parametrize(
    "raw",
    [
        "0001-01-01T00:00+08:00",
        "9999-12-31T00:00",
        "9999-12-31",
        "1969-12-31T23:59+00:00",
        "2026-13-01",
        "２０２６-01-01",
    ],
)
def test_instants_outside_the_range_or_odd_are_refused(raw: str) -> None:
    with pytest.raises(FieldError):
        validate.instant(raw, "start", tz=TZ)


def test_instants_local_dates_and_offsets() -> None:
    assert validate.instant("2026-03-02", "from", tz=TZ) == datetime(2026, 3, 1, 16, tzinfo=UTC)
    assert validate.instant("2026-03-02", "to", tz=TZ, end_of_day=True) == datetime(2026, 3, 2, 16, tzinfo=UTC)
    assert validate.instant("2026-03-02T09:00 08:00", "from", tz=TZ) == datetime(2026, 3, 2, 1, tzinfo=UTC)
    with pytest.raises(FieldError):
        validate.instant("2026-03-02T09:00", "occurred_at")  # no tz: an offset is required
    with pytest.raises(FieldError):
        validate.instant("2026-03-02T09:00", "to", tz=TZ, offset_required=True)


def test_future_timestamps() -> None:
    now = datetime(2026, 3, 2, tzinfo=UTC)
    assert validate.not_future(now + timedelta(seconds=30), "occurred_at", now=now)
    with pytest.raises(FieldError):
        validate.not_future(now + timedelta(days=1), "occurred_at", now=now)
    now_ms = 1_800_000_000_000
    assert validate.epoch_ms(now_ms + 5_000, "ts", now_ms=now_ms) == now_ms + 5_000
    assert validate.epoch_ms(now_ms + 10 * 365 * 86_400_000, "ts", now_ms=now_ms) == now_ms  # clamped
    assert validate.epoch_ms(2**70, "ts", now_ms=now_ms) == now_ms
    with pytest.raises(FieldError):
        validate.epoch_ms(0, "ts", now_ms=now_ms)


def test_json_document_names_the_field_with_a_lone_surrogate() -> None:
    with pytest.raises(FieldError) as err:
        validate.json_document(b'{"positions": [{"id": "ok"}, {"id": "\\ud800"}]}')
    assert err.value.field == "positions[1].id"
    assert validate.json_document(b'{"d": "\\ud83d\\ude00"}') == {"d": "😀"}  # a pair is an emoji


@pytest.mark.parametrize("raw", [b"[" * 1000 + b"]" * 1000, b'{"a": NaN}', b'{"a": Infinity}', b"\xed\xa0\x80", b""])
def test_json_document_refuses_deep_non_json_and_non_utf8(raw: bytes) -> None:
    with pytest.raises(FieldError) as err:
        validate.json_document(raw)
    assert err.value.field == "body"


def _depth(value: object) -> int:
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    return 0


documents = st.recursive(
    st.none() | st.integers() | st.text(alphabet='[]{}"\\ab,:'),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(alphabet='[]{}"\\a'), children, max_size=3)
    ),
    max_leaves=40,
)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(doc=documents, limit=st.integers(min_value=1, max_value=8))
def test_the_depth_pre_scan_agrees_with_the_real_depth(doc: object, limit: int) -> None:
    raw = json.dumps(doc).encode()
    assert validate.nesting_depth_exceeds(raw, limit) == (_depth(doc) > limit)


@settings(max_examples=400, deadline=None, derandomize=True)
@given(raw=st.binary(max_size=200) | st.text(max_size=200).map(lambda s: s.encode("utf-8", "surrogatepass")))
def test_json_document_raises_only_field_errors(raw: bytes) -> None:
    with contextlib.suppress(FieldError):
        validate.json_document(raw)


@settings(max_examples=400, deadline=None, derandomize=True)
@given(raw=st.text(max_size=40))
def test_query_checkers_raise_only_field_errors(raw: str) -> None:
    for check in (
        lambda: validate.int_arg(raw, "x", low=0, high=validate.INT64_MAX),
        lambda: validate.number_arg(raw, "x", low=-90, high=90),
        lambda: validate.instant(raw, "x", tz=TZ),
        lambda: validate.instant(raw, "x"),
        lambda: validate.code(raw, "x"),
        lambda: validate.text(raw, "x", max_len=10),
    ):
        with contextlib.suppress(FieldError):
            check()
