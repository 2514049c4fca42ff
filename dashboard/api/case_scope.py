"""Which cases a caller may read: the one rule the case list, a case's detail and its photos all apply."""

from __future__ import annotations

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from dashboard.api.auth import Principal
from dashboard.services.errors import NotFound
from dashboard.store.models import Case, CaseEvent


def scoped(query: Select, principal: Principal) -> Select:
    """Limit a case query to what the caller may see (street or department)."""
    actor = principal.actor()
    if principal.role == "handler":
        return query.where(Case.department_code == principal.department_code)
    if principal.role == "channel":
        # A channel reads back what it reported, nothing else (its reports carry its name as the intake actor).
        reported = select(CaseEvent.case_id).where(CaseEvent.command == "report", CaseEvent.actor == principal.name)
        return query.where(Case.id.in_(reported))
    if actor.district_wide:
        return query
    # A street's people read every case of their street, escalated ones included (they follow what they sent
    # up, as their live feed shows); commanding an escalated case is the district's (`in_scope` in actors).
    return query.where(Case.street_code == principal.scope)


def case_in_scope(session: Session, case_id: int, principal: Principal) -> Case:
    """The case if the caller may read it; NotFound otherwise."""
    # Out of scope answers exactly like missing, so ids cannot be probed across streets.
    case = session.scalar(scoped(select(Case).where(Case.id == case_id), principal))
    if case is None:
        raise NotFound(f"case {case_id} not found")
    return case
