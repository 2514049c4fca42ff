"""Case commands: one function per command; each checks the transition, writes the case, audit and outbox."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.orm import Session

from dashboard.domain.cases import State, can_transition
from dashboard.services.clock import utcnow
from dashboard.services.errors import Conflict, FieldError, NotFound
from dashboard.services.outbox import enqueue
from dashboard.services.rows import case_row_in
from dashboard.store.models import Case, CaseEvent


def _transition(
    *, session: Session, case_id: int, expected_version: int, target: State, command: str, actor: str, note: str
) -> Case:
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound(f"case {case_id} not found")
    if not can_transition(case.state, target):
        raise FieldError("state", f"cannot {command} a case in state {case.state}")
    now = utcnow()
    # Compare-and-set on the version: of two racing commands exactly one updates a row.
    result = session.execute(
        update(Case)
        .where(Case.id == case_id, Case.version == expected_version)
        .values(state=target.value, version=Case.version + 1, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        session.refresh(case)
        raise Conflict(
            f"case {case.code} was changed by someone else (now {case.state}, version {case.version})",
            current={"state": case.state, "version": case.version},
        )
    from_state = case.state
    session.refresh(case)
    session.add(
        CaseEvent(
            case_id=case.id,
            at=now,
            actor=actor,
            command=command,
            from_state=from_state,
            to_state=target.value,
            note=note,
            payload={},
        )
    )
    return case


def self_handle(*, session: Session, case_id: int, expected_version: int, actor: str, note: str, tz: str) -> Case:
    """The grid worker fixed it on the spot: reported → self_handled (terminal)."""
    case = _transition(
        session=session,
        case_id=case_id,
        expected_version=expected_version,
        target=State.SELF_HANDLED,
        command="self-handle",
        actor=actor,
        note=note,
    )
    case.closed_at = case.updated_at
    enqueue(session=session, topic="case", payload=case_row_in(case, session=session, tz=tz))
    return case
