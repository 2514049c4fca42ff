"""Case states, sources and the transition table of DESIGN.md section 5 (pure)."""

from __future__ import annotations

from enum import StrEnum


class State(StrEnum):
    """The state a case is in; exactly one at a time."""

    REPORTED = "reported"
    SELF_HANDLED = "self_handled"
    REJECTED = "rejected"
    MERGED = "merged"
    FILED = "filed"
    DISPATCHED = "dispatched"
    RETURNED = "returned"
    HANDLING = "handling"
    HANDLED = "handled"
    CLOSED = "closed"
    SUSPENDED = "suspended"


TERMINAL: frozenset[State] = frozenset({State.SELF_HANDLED, State.REJECTED, State.MERGED, State.CLOSED})

# Legal next states; suspension may return to any non-terminal state it left (checked by the command).
TRANSITIONS: dict[State, frozenset[State]] = {
    State.REPORTED: frozenset({State.FILED, State.REJECTED, State.MERGED, State.SELF_HANDLED}),
    State.FILED: frozenset({State.DISPATCHED, State.SUSPENDED}),
    State.DISPATCHED: frozenset({State.HANDLING, State.RETURNED, State.SUSPENDED}),
    State.RETURNED: frozenset({State.DISPATCHED, State.SUSPENDED}),
    State.HANDLING: frozenset({State.HANDLED, State.SUSPENDED}),
    State.HANDLED: frozenset({State.CLOSED, State.DISPATCHED}),
    State.SUSPENDED: frozenset(),
}


class Source(StrEnum):
    """Where a report came from (DESIGN.md section 10)."""

    GRID_WORKER = "grid_worker"
    HOTLINE_12345 = "hotline_12345"
    WECHAT = "wechat"
    VIDEO = "video"
    OPEN311 = "open311"
    LEADER = "leader"


def is_open(state: str) -> bool:
    """True while a case still needs work (not in a terminal state)."""
    return State(state) not in TERMINAL


def can_transition(current: str, target: str) -> bool:
    """True when the state machine allows `current` → `target`."""
    return State(target) in TRANSITIONS.get(State(current), frozenset())


def case_code(county_code: str, local_date: str, case_id: int) -> str:
    """Human-facing case number: county + local date (YYYYMMDD) + 6-digit sequence."""
    return f"{county_code}{local_date}{case_id % 1_000_000:06d}"
