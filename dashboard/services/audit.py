"""Append-only security audit log: one row per login, failure, token use, admin action or case command."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session, sessionmaker

from dashboard.domain.clock import utcnow
from dashboard.store.models import AuditEntry

log = logging.getLogger(__name__)

# Actors that are not people: the overdue rule (services/scheduler.py acts as `system:overdue-rule`) and the demo
# simulator (feeds/simulator.py, feeds/lifecycle_sim.py: `sim:<source|role|department>`, `grid_worker:<grid>`).
# They write case commands only, thousands an hour; the admin page hides those rows unless asked. A person's
# name cannot contain ':' (accounts._NAME), and only case commands are hidden, so a failed login typed as
# `sim:x` still shows.
SYSTEM_ACTOR_PREFIXES = ("system:", "sim:", "grid_worker:")
SYSTEM_ACTION_PREFIX = "case:"


def is_system_row(actor: str, action: str) -> bool:
    """True for a case command run by the overdue rule or the simulator (what "hide system rows" hides)."""
    return action.startswith(SYSTEM_ACTION_PREFIX) and actor.startswith(SYSTEM_ACTOR_PREFIXES)


def record(
    *, session: Session, actor: str, action: str, target: str = "", ip: str = "", detail: dict[str, Any] | None = None
) -> None:
    """Add an audit row in the caller's transaction (so it commits or rolls back with the action)."""
    session.add(
        AuditEntry(
            at=utcnow(), actor=actor[:64], action=action[:32], target=target[:64], ip=ip[:45], detail=detail or {}
        )
    )


def record_many(*, session: Session, entries: list[dict[str, Any]]) -> None:
    """`record` for many rows at once (keys: actor, action, target, detail), as one multi-row statement in the
    caller's transaction: a batch intake audits hundreds of cases, and an ORM object each cost a flush apiece."""
    if not entries:
        return
    now = utcnow()
    rows = [
        {
            "at": now,
            "actor": e["actor"][:64],
            "action": e["action"][:32],
            "target": e.get("target", "")[:64],
            "ip": e.get("ip", "")[:45],
            "detail": e.get("detail") or {},
        }
        for e in entries
    ]
    session.execute(insert(AuditEntry.__table__), rows)  # Core: no per-row ORM bookkeeping


def record_now(sessions: sessionmaker[Session], **fields: Any) -> None:
    """Write an audit row in its own transaction (events that must be kept even when the request fails)."""
    session = sessions()
    try:
        record(session=session, **fields)
        session.commit()
    except Exception:  # auditing must never break a login page; the failure itself is logged
        session.rollback()
        log.exception("audit write failed for %s", fields.get("action"))
    finally:
        session.close()
