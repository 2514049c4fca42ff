"""The one table of which command a case row offers from which state, the overdue rule and the SLA thresholds."""

from __future__ import annotations

import json

import pytest

from dashboard.domain.actions import (
    ACTIONS,
    CLOCK_RUNNING,
    OVERDUE_COMMAND,
    command_sources,
    escalates_when_overdue,
    offered_from,
    role_commands,
)
from dashboard.domain.actors import COMMAND_ROLES, Role
from dashboard.domain.cases import TERMINAL, State, can_transition
from dashboard.domain.sla import SLA_THRESHOLDS, ClockStatus, sla_thresholds, status_for_share

# What the desk has been handed in `sources` since it was built (assets/dispatch JS reads exactly this shape).
DESK_SOURCES = {
    "file": ["reported"],
    "reject": ["reported"],
    "merge": ["reported"],
    "self-handle": ["reported"],
    "dispatch": ["filed", "returned"],
    "acknowledge": ["dispatched"],
    "return": ["dispatched"],
    "report-handled": ["handling"],
    "verify": ["handled"],
    "escalate": ["dispatched", "filed", "handled", "handling", "reported", "returned", "suspended"],
    "supervise": ["dispatched", "filed", "handled", "handling", "reported", "returned", "suspended"],
    "ack-supervision": ["dispatched", "filed", "handled", "handling", "reported", "returned", "suspended"],
    "instruct": sorted(s.value for s in State),  # 批示: on any case, closed ones too
    "suspend": ["dispatched", "filed", "handling", "returned"],
    "resume": ["suspended"],
    "extend": ["dispatched", "handling"],
    "visit-back": ["closed"],
    "locate": ["reported"],  # 标注位置: a report's point (the desk offers it where a report has none)
}


def test_the_desk_gets_the_same_sources_in_the_same_order() -> None:
    sources = command_sources()
    assert json.dumps(sources) == json.dumps(DESK_SOURCES)


def test_every_row_command_has_roles_and_only_the_system_command_has_no_row() -> None:
    assert list(ACTIONS) == [c for c in COMMAND_ROLES if c != OVERDUE_COMMAND]
    assert COMMAND_ROLES[OVERDUE_COMMAND] == frozenset({Role.SYSTEM})


@pytest.mark.parametrize("command", [c for c, a in ACTIONS.items() if a.target is not None])
def test_a_state_changing_command_starts_only_where_the_state_machine_allows(command: str) -> None:
    action = ACTIONS[command]
    assert action.sources, command
    assert all(can_transition(s, action.target) for s in action.sources)  # type: ignore[arg-type]


def test_no_command_starts_from_a_terminal_state_except_the_visit_back_and_an_instruction() -> None:
    for command, action in ACTIONS.items():
        assert not (action.sources & TERMINAL) or command in ("visit-back", "instruct"), command
    assert ACTIONS["instruct"].target is None  # 批示 never moves the state


def test_offered_from_reads_the_table() -> None:
    assert offered_from("dispatch", "returned") and not offered_from("dispatch", "handled")  # rework is verify's
    assert offered_from("verify", "handled") and not offered_from("verify", "filed")
    assert not offered_from("flag-overdue", "handling")  # never a row's button
    assert not offered_from("no-such-command", "reported")


def test_flag_conditions_are_in_the_table() -> None:
    assert ACTIONS["escalate"].tier == "street"
    assert ACTIONS["extend"].at_most == 2
    assert ACTIONS["visit-back"].at_most == 1


def test_role_commands_are_the_row_commands_a_role_may_run() -> None:
    assert "acknowledge" not in role_commands("dispatcher") and "acknowledge" in role_commands("admin")
    assert role_commands("handler") == ["acknowledge", "return", "report-handled", "ack-supervision"]
    assert OVERDUE_COMMAND not in role_commands("system")  # a system command, not a button
    assert role_commands("nobody") == []


def test_the_overdue_rule_looks_at_running_clocks_and_escalates_by_the_rule() -> None:
    assert {State.FILED, State.DISPATCHED, State.RETURNED, State.HANDLING, State.HANDLED} == CLOCK_RUNNING
    assert escalates_when_overdue(tier="street", level="A", supervision_count=1)
    assert not escalates_when_overdue(tier="street", level="C", supervision_count=1)
    assert escalates_when_overdue(tier="street", level="C", supervision_count=2)
    assert not escalates_when_overdue(tier="district", level="A", supervision_count=5)  # nowhere higher to go


def test_sla_thresholds_are_defined_once_and_drive_the_status() -> None:
    assert sla_thresholds() == {"amber": 0.5, "red": 0.1}
    with pytest.raises(TypeError):
        SLA_THRESHOLDS["red"] = 0.2  # type: ignore[index]
    assert status_for_share(0.51) is ClockStatus.GREEN
    assert status_for_share(0.5) is ClockStatus.AMBER
    assert status_for_share(0.11) is ClockStatus.AMBER
    assert status_for_share(0.1) is ClockStatus.RED
    assert status_for_share(0.0) is ClockStatus.RED
