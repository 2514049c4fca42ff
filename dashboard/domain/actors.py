"""Who may run which case command, and on which cases (roles and scopes, pure)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    """User roles (issue 4's role table); `system` is the scheduler and the simulator."""

    SCREEN = "screen"
    DISPATCHER = "dispatcher"
    HANDLER = "handler"
    LEADER = "leader"
    ADMIN = "admin"
    # 网格员: a grid worker's phone (社管通) reports what they find and may fix it on the spot (自处置).
    WORKER = "worker"
    # 接入渠道: a machine account of one intake channel (the 12345 hotline, an Open311 client): it reports cases
    # and reads back only the cases it reported.
    CHANNEL = "channel"
    SYSTEM = "system"


@dataclass(frozen=True)
class Actor:
    """The caller of a command: a name for the audit trail, a role, and a scope."""

    name: str
    role: Role
    scope: str  # county code (whole district) or a 9-digit street code
    department_code: str | None = None  # handlers act for one department

    @property
    def district_wide(self) -> bool:
        """True for district-level users (scope is the 6-digit county code)."""
        return len(self.scope) == 6


D, H, L, A, S, W = Role.DISPATCHER, Role.HANDLER, Role.LEADER, Role.ADMIN, Role.SYSTEM, Role.WORKER

COMMAND_ROLES: dict[str, frozenset[Role]] = {
    "file": frozenset({D, A, S}),
    "reject": frozenset({D, A, S}),
    "merge": frozenset({D, A, S}),
    # A grid worker self-handles what they reported themselves (services.commands checks the reporter).
    "self-handle": frozenset({D, A, S, W}),
    "dispatch": frozenset({D, A, S}),
    "acknowledge": frozenset({H, A, S}),
    "return": frozenset({H, A, S}),
    "report-handled": frozenset({H, A, S}),
    "verify": frozenset({D, A, S}),
    "escalate": frozenset({D, A, S}),
    "supervise": frozenset({D, L, A, S}),
    # 回复督办: the handling department (or the desk) acknowledges the open supervision; the state stays.
    "ack-supervision": frozenset({D, H, A}),
    # 批示: a leader's written instruction on a case (admins stand in for a leader); it never moves the state.
    "instruct": frozenset({L, A}),
    "suspend": frozenset({D, A, S}),
    "resume": frozenset({D, A, S}),
    "extend": frozenset({D, A, S}),
    "visit-back": frozenset({D, A, S}),
    # 标注位置: a person at the desk sets the point of a report (an unlocated one waits for this).
    "locate": frozenset({D, A}),
    # The overdue rule (超时督办), run by the scheduler: no person runs it, the API refuses it to every user role.
    "flag-overdue": frozenset({S}),
}
COMMANDS: tuple[str, ...] = tuple(COMMAND_ROLES)


def may_run(actor: Actor, command: str) -> bool:
    """True when the actor's role allows the command at all."""
    return actor.role in COMMAND_ROLES.get(command, frozenset())


def in_scope(actor: Actor, *, street_code: str | None, tier: str, department_code: str | None) -> bool:
    """True when the case is within the actor's reach.

    District users reach every case; a street center reaches its own street's cases while they stay at street
    tier (an escalated case belongs to the district center); handlers reach the cases sent to their department.
    A case without a location (street None) is the district's until it is located.
    """
    if actor.role in (Role.SYSTEM, Role.ADMIN) and actor.district_wide:
        return True
    if actor.role is Role.HANDLER:
        return department_code is not None and department_code == actor.department_code
    if actor.district_wide:
        return True
    if actor.role is Role.LEADER:
        return street_code == actor.scope
    return street_code == actor.scope and tier == "street"
