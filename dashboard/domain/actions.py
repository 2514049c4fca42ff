"""Which lifecycle command a case row offers from which state, and on which flag conditions (pure).

One table, read twice: the command functions (dashboard/services/commands.py) check their preconditions against
it, and the dispatch desk is handed it (layouts/dispatch.py, `sources`) so it offers exactly the buttons the
server would accept. Commands that move the state name their target and take their source states from the state
machine (TRANSITIONS); commands that change flags only list the states they accept.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from dashboard.domain.actors import COMMAND_ROLES, Role
from dashboard.domain.cases import TERMINAL, TRANSITIONS, State
from dashboard.domain.sla import MAX_EXTENSIONS

OPEN_STATES: Final[frozenset[State]] = frozenset(State) - TERMINAL


@dataclass(frozen=True)
class Action:
    """When a case may take one command.

    `sources`: the states it may start from. `target`: the state it leads to (None: it changes flags only, or, for
    resume, goes back to the state the case left). `tier`: the tier the case must be at (escalate: street; the
    district has nowhere higher). `at_most`: how many times per case (extend: twice; visit-back: once).
    """

    sources: frozenset[State]
    target: State | None = None
    tier: str | None = None
    at_most: int | None = None


def _reaching(target: State, *, excluding: frozenset[State] = frozenset()) -> frozenset[State]:
    """The states from which the state machine may go to `target`."""
    return frozenset(s for s, nexts in TRANSITIONS.items() if target in nexts) - excluding


def _moves(target: State, *, excluding: frozenset[State] = frozenset()) -> Action:
    return Action(sources=_reaching(target, excluding=excluding), target=target)


# Keyed and ordered like COMMAND_ROLES (a desk lists its buttons in this order).
ACTIONS: Final[Mapping[str, Action]] = MappingProxyType(
    {
        "file": _moves(State.FILED),
        "reject": _moves(State.REJECTED),
        "merge": _moves(State.MERGED),
        "self-handle": _moves(State.SELF_HANDLED),
        # handled → dispatched exists in the state machine, but that is rework through `verify`, not a new dispatch.
        "dispatch": _moves(State.DISPATCHED, excluding=frozenset({State.HANDLED})),
        "acknowledge": _moves(State.HANDLING),
        "return": _moves(State.RETURNED),
        "report-handled": _moves(State.HANDLED),
        # Pass closes; a failed check (rework) sends the case back to dispatched from the same state.
        "verify": _moves(State.CLOSED),
        "escalate": Action(sources=OPEN_STATES, tier="street"),
        "supervise": Action(sources=OPEN_STATES),
        # Only while a supervision waits for its reply (checked by the command: a flag, not a state).
        "ack-supervision": Action(sources=OPEN_STATES),
        # Any case, closed ones too: a leader may comment on how a case was handled after the fact.
        "instruct": Action(sources=frozenset(State)),
        "suspend": _moves(State.SUSPENDED),
        "resume": Action(sources=frozenset({State.SUSPENDED})),
        "extend": Action(sources=frozenset({State.DISPATCHED, State.HANDLING}), at_most=MAX_EXTENSIONS),
        "visit-back": Action(sources=frozenset({State.CLOSED}), at_most=1),
        # 标注位置: a report the intake could not place (no coordinates, an address naming no area of ours) gets its
        # point from the dispatcher; a placed report may be moved too (an address placed it at an area's centre).
        "locate": Action(sources=frozenset({State.REPORTED})),
    }
)


# The overdue rule (超时督办) is not offered on a row: the scheduler runs it as this system command (COMMAND_ROLES).
OVERDUE_COMMAND: Final = "flag-overdue"
# States whose stage clock runs (suspension pauses it; a reported case has none yet): the rule looks at these.
CLOCK_RUNNING: Final[frozenset[State]] = OPEN_STATES - {State.SUSPENDED, State.REPORTED}


def escalates_when_overdue(*, tier: str, level: str | None, supervision_count: int) -> bool:
    """The escalation rule: A-level cases go to the district at once; others after a second overdue stage.

    `supervision_count` counts the supervision just recorded for this overdue stage.
    """
    return tier == "street" and (level == "A" or supervision_count >= 2)


def offered_from(command: str, state: str) -> bool:
    """True when a case in `state` may take `command` as far as its state goes (flags are checked apart)."""
    action = ACTIONS.get(command)
    return action is not None and state in action.sources


def command_sources() -> dict[str, list[str]]:
    """For every case-row command, the states it may start from (sorted values: the desk's `sources`)."""
    return {command: sorted(s.value for s in action.sources) for command, action in ACTIONS.items()}


def role_commands(role: str) -> list[str]:
    """The case-row commands `role` may run at all (COMMAND_ROLES), in the table's order."""
    try:
        who = Role(role)
    except ValueError:
        return []
    return [c for c in ACTIONS if who in COMMAND_ROLES[c]]
