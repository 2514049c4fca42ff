"""The 12345 vocabulary (dashboard/domain/hotline.py): urgency words, which command owes which verb, retry delays."""

from __future__ import annotations

import pytest

from dashboard.domain.hotline import VERBS, follower_verb, retry_delay_s, urgency_of, verb_for


@pytest.mark.parametrize(
    ("text", "urgency"),
    [("一般", "normal"), ("紧急", "urgent"), ("特急", "very_urgent"), (" Urgent ", "urgent"), ("normal", "normal")],
)
def test_urgency_words(text: str, urgency: str) -> None:
    assert urgency_of(text) == urgency


@pytest.mark.parametrize("text", ["", "很急", "URGENT!!", None, 3])
def test_unknown_urgency_is_none(text: object) -> None:
    assert urgency_of(text) is None  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("command", "payload", "to_state", "verb"),
    [
        ("file", {"condition": "030201"}, "filed", "accepted"),
        ("merge", {"into": 7, "into_code": "X"}, "merged", "accepted"),
        ("reject", {}, "rejected", "returned"),
        ("extend", {"limit": "2工作日", "deadline": "2026-12-09T10:00:00+08:00"}, "dispatched", "extend_requested"),
        ("verify", {"result": "pass"}, "closed", "closed"),
        ("self-handle", {}, "self_handled", "closed"),
        ("visit-back", {"satisfaction": "satisfied"}, "closed", "visit_back"),
    ],
)
def test_what_each_command_owes(command: str, payload: dict, to_state: str, verb: str) -> None:
    owed = verb_for(command, note="说明", payload=payload, to_state=to_state)
    assert owed is not None and owed.verb == verb and verb in VERBS


def test_the_fields_each_verb_carries() -> None:
    assert verb_for("reject", note="不属本辖区", payload={}, to_state="rejected").fields == {"reason": "不属本辖区"}
    closed = verb_for("verify", note="核查通过", payload={"handled_notes": "已修复"}, to_state="closed")
    assert closed is not None and closed.fields == {"notes": "核查通过", "handled_notes": "已修复"}
    extend = verb_for("extend", note="需协调", payload={"limit": "2工作日", "deadline": "D"}, to_state="handling")
    assert extend is not None and extend.fields == {"limit": "2工作日", "deadline": "D", "reason": "需协调"}


@pytest.mark.parametrize("command", ["dispatch", "acknowledge", "supervise", "instruct", "locate", "escalate"])
def test_commands_that_owe_nothing(command: str) -> None:
    assert verb_for(command, note="", payload={}, to_state="dispatched") is None


def test_a_failed_verification_owes_nothing() -> None:
    assert verb_for("verify", note="未修复", payload={"result": "fail"}, to_state="dispatched") is None


def test_retry_delays_double_with_equal_jitter_and_a_cap() -> None:
    steps = [retry_delay_s(n, base_s=5, cap_s=60, rand=0.0) for n in range(1, 7)]
    assert steps == [2.5, 5.0, 10.0, 20.0, 30.0, 30.0]  # half of 5, 10, 20, 40, then the 60 s cap
    assert retry_delay_s(3, base_s=5, cap_s=60, rand=0.999999) == pytest.approx(20.0, abs=1e-4)
    assert retry_delay_s(10_000, base_s=5, cap_s=3600, rand=0.5) == 2700.0  # no overflow on a huge count


def test_a_survivors_outcome_is_owed_to_its_merged_orders_with_its_code() -> None:
    closed = follower_verb(
        "verify", note="核查通过", payload={"handled_notes": "已修复"}, to_state="closed", survivor_code="C1"
    )
    assert closed is not None and closed.verb == "closed"
    assert closed.fields == {"notes": "并入 C1：核查通过", "handled_notes": "已修复", "merged_into": "C1"}
    returned = follower_verb("reject", note="不属本区", payload={}, to_state="rejected", survivor_code="C2")
    assert returned is not None and returned.fields == {"reason": "并入 C2：不属本区", "merged_into": "C2"}
    bare = follower_verb("self-handle", note="", payload={}, to_state="self_handled", survivor_code="C3")
    assert bare is not None and bare.fields["notes"] == "并入 C3"


@pytest.mark.parametrize(
    ("command", "to_state"),
    [
        ("file", "filed"),
        ("extend", "handling"),
        ("visit-back", "closed"),
        ("merge", "merged"),
        ("verify", "dispatched"),
    ],
)
def test_only_an_outcome_is_owed_to_merged_orders(command: str, to_state: str) -> None:
    assert follower_verb(command, note="x", payload={}, to_state=to_state, survivor_code="C") is None
