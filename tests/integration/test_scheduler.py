"""The overdue rule as a named system command (`flag-overdue`), run by the scheduler under a lease."""

from __future__ import annotations

import random
import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from dashboard.domain.actors import Actor, Role
from dashboard.domain.clock import utcnow
from dashboard.services.commands import Ctx, dispatch_case, file_case, flag_overdue
from dashboard.services.errors import FieldError, Forbidden
from dashboard.services.intake import ReportCase, report_case
from dashboard.services.scheduler import OVERDUE_ACTOR_NAME, Scheduler, overdue_actor
from dashboard.store.models import AuditEntry, Case, CaseEvent, CatalogItem

SYSTEM = Actor("test", Role.SYSTEM, "110112")


def _dispatched_case(rt, *, days_ago: float, level: str = "C") -> Case:  # noqa: ANN001
    """A case dispatched `days_ago` days ago (its handling deadline long passed when that is several days)."""
    index = rt.grid_index()
    lon, lat = index.random_point_in(index.codes()[5], random.Random())
    with rt.session() as session:
        item = session.scalars(
            select(CatalogItem).where(CatalogItem.level == level, CatalogItem.department_code != "JD")
        ).first()
        made = report_case(
            ReportCase(description="路灯不亮", lat=lat, lon=lon, source="grid_worker"),
            session=session,
            grids=index,
            county_code="110112",
            tz="Asia/Shanghai",
        )
        ctx = Ctx(
            session=session, actor=SYSTEM, cal=rt.calendar, tz="Asia/Shanghai", now=utcnow() - timedelta(days_ago)
        )
        filed = file_case(ctx, made.case.id, expected_version=made.case.version, condition=item.code)
        return dispatch_case(ctx, filed.id, expected_version=filed.version, department=item.department_code)


def _ctx(rt, session, actor: Actor) -> Ctx:  # noqa: ANN001
    return Ctx(session=session, actor=actor, cal=rt.calendar, tz="Asia/Shanghai")


def test_only_the_system_role_may_run_the_overdue_command(grid_app, client) -> None:  # noqa: ANN001
    rt = grid_app.runtime
    case = _dispatched_case(rt, days_ago=10)
    resp = client.post(f"/api/v1/cases/{case.id}/flag-overdue", json={"expected_version": case.version})
    assert resp.status_code == 403  # an admin is no scheduler
    with rt.session() as session, pytest.raises(Forbidden):
        flag_overdue(_ctx(rt, session, Actor("d", Role.DISPATCHER, "110112")), case.id, expected_version=case.version)


def test_a_case_that_is_not_overdue_is_refused(grid_app) -> None:  # noqa: ANN001
    rt = grid_app.runtime
    case = _dispatched_case(rt, days_ago=0)
    with rt.session() as session, pytest.raises(FieldError) as refused:
        flag_overdue(_ctx(rt, session, overdue_actor("110112")), case.id, expected_version=case.version)
    assert refused.value.field == "deadline"


def test_the_scheduler_supervises_as_the_system_actor_and_wakes_the_relay(grid_app) -> None:  # noqa: ANN001
    rt = grid_app.runtime
    case = _dispatched_case(rt, days_ago=10)
    woken = threading.Event()
    stop = threading.Event()
    Scheduler(rt, stop=stop, on_change=woken.set, period_s=0.05).start()
    try:
        assert woken.wait(20), "the scheduler never ran the overdue rule"
    finally:
        stop.set()
    with rt.session() as session:
        stored = session.get(Case, case.id)
        assert (stored.supervision_count, stored.overdue_stage) == (1, "handling")
        event = session.scalars(
            select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id.desc())
        ).first()
        assert (event.command, event.actor, event.payload["rule"]) == ("supervise", OVERDUE_ACTOR_NAME, "overdue")
        audited = session.scalars(
            select(AuditEntry.actor).where(AuditEntry.target == stored.code, AuditEntry.action == "case:supervise")
        ).all()
        assert audited == [OVERDUE_ACTOR_NAME]


def test_two_schedulers_share_one_lease(grid_app) -> None:  # noqa: ANN001
    """Of two processes' schedulers only the lease holder runs the rule: a case is supervised once, not twice."""
    rt = grid_app.runtime
    stop = threading.Event()
    runs: list[str] = []
    for name in ("a", "b"):
        Scheduler(rt, stop=stop, on_change=lambda n=name: runs.append(n), period_s=0.05).start()
    try:
        cases = [_dispatched_case(rt, days_ago=10) for _ in range(3)]
        deadline = utcnow() + timedelta(seconds=20)
        while utcnow() < deadline:
            with rt.session() as session:
                if all(session.get(Case, c.id).overdue_stage for c in cases):
                    break
            stop.wait(0.05)
    finally:
        stop.set()
    with rt.session() as session:
        assert [session.get(Case, c.id).supervision_count for c in cases] == [1, 1, 1]
    assert len(set(runs)) == 1  # the same scheduler did every pass that changed something
