"""Pure parts of the live spine: stream-id parsing, outbox id ranges, encoded packets, applying entries to a part."""

from __future__ import annotations

import json

import pytest
from socketio import packet as sio_packet

from dashboard.live.gateway import parse_stream_id
from dashboard.live.relay import decode_ids, encode_ids
from dashboard.live.snapshots import SNAPSHOT_CASES, CasePart, EncodedEvent, apply_entries, encode_json

TZ = "Asia/Shanghai"


@pytest.mark.parametrize(
    "value",
    [
        None,
        0,
        1.5,
        True,
        [],
        {},
        ["1-0"],
        {"id": "1-0"},
        "",
        "-",
        "1",
        "1-",
        "-1",
        "1-0-0",
        " 1-0",
        "1-0\n",
        "١-٠",  # Arabic-Indic digits pass str.isdigit() and \d
        "²-0",
        "1-0x",
        "18446744073709551616-0",  # 2**64: Redis refuses it
        "0-18446744073709551616",
        "9" * 21 + "-0",
        "1-0" * 1000,
        "\ud800",
        "$",
        "+",
        "(1-0",
    ],
)
def test_bad_since_values_are_not_stream_ids(value: object) -> None:
    assert parse_stream_id(value) is None


def test_good_stream_ids_parse() -> None:
    assert parse_stream_id("0-0") == (0, 0)
    assert parse_stream_id("1700000000000-12") == (1700000000000, 12)
    assert parse_stream_id("18446744073709551615-18446744073709551615") == (2**64 - 1, 2**64 - 1)


@pytest.mark.parametrize(
    "ids", [[], [7], [1, 2, 3], [3, 1, 2], [1, 2, 4, 5, 9], list(range(100, 300)) + [302, 305, 306]]
)
def test_outbox_id_ranges_round_trip(ids: list[int]) -> None:
    text = encode_ids(ids)
    assert decode_ids(text) == set(ids)
    assert len(text) <= 40 or len(ids) > 10


def test_contiguous_batch_is_one_range() -> None:
    assert encode_ids(list(range(1, 201))) == "1-200"
    assert encode_ids([1, 2, 4]) == "1-2,4"


def test_encoded_event_decodes_like_an_emitted_one() -> None:
    body = encode_json({"id": "5-0", "cases": [{"id": 1, "description": "路灯不亮 <b>"}]})
    pkt = EncodedEvent("snapshot", body, "/live")
    decoded = sio_packet.Packet(encoded_packet=pkt.encode())
    assert decoded.packet_type == sio_packet.EVENT
    assert decoded.namespace == "/live"
    assert decoded.data == ["snapshot", json.loads(body)]
    assert pkt.encode() is pkt.encode()  # the same string for every client


def _row(case_id: int, version: int, state: str = "filed", street: str = "110112001") -> dict:
    return {
        "id": case_id,
        "version": version,
        "state": state,
        "street_code": street,
        "reported_at": "2026-11-22T09:00:00+08:00",
    }


def _part(rows: list[dict], *, complete: bool = True, stream_id: str = "10-0") -> CasePart:
    return CasePart(
        stream_id=stream_id,
        built_at=0.0,
        redis_down=False,
        rows={r["id"]: (r["version"], encode_json(r)) for r in rows},
        complete=complete,
        kpis={
            "today_reported": 0,
            "open": len(rows),
            "max_case_id": max((r["id"] for r in rows), default=0),
            "day_start_ms": 0,
        },
    )


def _entry(stream_id: str, rows: list[dict]) -> tuple[str, dict[str, str]]:
    return stream_id, {"cases": json.dumps(rows)}


def _held(part: CasePart) -> dict[int, int]:
    return {case_id: version for case_id, (version, _text) in part.rows.items()}


def test_applying_entries_adds_updates_and_drops_like_a_client() -> None:
    part = _part([_row(1, 1), _row(2, 3), _row(3, 1)])
    entries = [
        _entry("11-0", [_row(2, 2), _row(1, 2)]),  # 2@2 is older than the 2@3 the database read gave
        _entry("12-0", [_row(3, 2, "closed"), _row(4, 1)]),
        _entry("13-0", [_row(4, 1), _row(5, 1, street="110112002")]),  # a duplicate; another street's case
    ]
    advanced = apply_entries(part, entries, "110112001", tz=TZ)
    assert advanced is not None
    assert advanced.stream_id == "13-0"
    assert _held(advanced) == {1: 2, 2: 3, 4: 1}
    assert list(advanced.rows) == [1, 2, 4]
    assert advanced.kpis["open"] == 3
    assert advanced.kpis["max_case_id"] == 5  # the district-wide newest id, like a database read
    assert advanced.kpis["today_reported"] == 1  # case 4 (case 5 is another street's)
    assert json.loads(advanced.cases_json) == [_row(1, 2), _row(2, 3), _row(4, 1)]
    assert _held(part) == {1: 1, 2: 3, 3: 1}  # the shared part itself is never changed


def test_a_part_cut_at_the_limit_needs_the_database_when_a_case_leaves() -> None:
    part = _part([_row(i, 1) for i in range(10, 20)], complete=False)
    assert apply_entries(part, [_entry("11-0", [_row(15, 2, "closed")])], None, tz=TZ) is None
    grown = apply_entries(part, [_entry("11-0", [_row(5, 2), _row(30, 1)])], None, tz=TZ)
    assert grown is not None
    assert 5 not in grown.rows and 30 in grown.rows  # older than the window stays out; a new case comes in


def test_a_full_part_drops_its_oldest_case_and_is_then_cut() -> None:
    part = _part([_row(i, 1) for i in range(1, SNAPSHOT_CASES + 1)])
    advanced = apply_entries(part, [_entry("11-0", [_row(SNAPSHOT_CASES + 1, 1)])], None, tz=TZ)
    assert advanced is not None
    assert len(advanced.rows) == SNAPSHOT_CASES
    assert 1 not in advanced.rows
    assert not advanced.complete
