"""The case state table of DESIGN.md section 5 (pure)."""

from __future__ import annotations

import pytest

from dashboard.domain.cases import TERMINAL, TRANSITIONS, State, can_transition, case_code, is_open


@pytest.mark.parametrize(
    ("current", "target"),
    [
        ("reported", "filed"),
        ("reported", "rejected"),
        ("reported", "merged"),
        ("reported", "self_handled"),
        ("filed", "dispatched"),
        ("dispatched", "handling"),
        ("dispatched", "returned"),
        ("returned", "dispatched"),
        ("handling", "handled"),
        ("handled", "closed"),
        ("handled", "dispatched"),
    ],
)
def test_legal_transitions(current: str, target: str) -> None:
    assert can_transition(current, target)


@pytest.mark.parametrize(
    ("current", "target"),
    [
        ("reported", "closed"),
        ("self_handled", "filed"),
        ("closed", "dispatched"),
        ("filed", "handled"),
        ("rejected", "reported"),
        ("handling", "closed"),
    ],
)
def test_illegal_transitions(current: str, target: str) -> None:
    assert not can_transition(current, target)


def test_terminal_states_lead_nowhere() -> None:
    for state in TERMINAL:
        assert not TRANSITIONS.get(state)
        assert not is_open(state)
    assert is_open(State.REPORTED)


def test_case_code_is_county_date_sequence() -> None:
    assert case_code("110112", "20261122", 42) == "11011220261122000042"
