"""Simulated desks and departments: they move open cases round the loop through the real commands.

Durations are drawn in simulated time and compressed by the speed-up, so on-time cases close in minutes of
real time; a few percent of cases (LATE_SHARE) are handled only after their real deadline has passed, so the
overdue rule, supervision and escalation happen live as they would in a center.

It only ever moves the cases the simulator reported itself (their report event's actor is `sim:…`): a case a
person reported through the desk, the API or any other channel waits for a person. One of its own cases that
someone else changed (a real dispatcher at the desk) is simply re-planned from its new state. With `desk=False`
the simulated dispatchers stand aside (nothing is filed, rejected, dispatched or visited back by the simulator),
so a person at the desk gets every new report; departments and inspectors still work the cases sent to them.
"""

from __future__ import annotations

import heapq
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from dashboard.domain.actors import Actor, Role
from dashboard.domain.cases import TERMINAL, State
from dashboard.domain.clock import as_utc, utcnow
from dashboard.runtime import Runtime
from dashboard.services.commands import (
    Ctx,
    acknowledge_case,
    dispatch_case,
    file_case,
    reject_case,
    report_handled,
    return_case,
    verify_case,
    visit_back,
)
from dashboard.services.errors import Conflict, FieldError, NotFound
from dashboard.services.lookups import Case, catalog_items, get_case, open_cases_to_advance
from dashboard.services.rules import suggested_department

log = logging.getLogger(__name__)

REJECT_SHARE = 0.02
RETURN_SHARE = 0.02
REWORK_SHARE = 0.01
LATE_SHARE = 0.03
SIM_ACTOR = "sim:"  # every actor the simulator acts or reports as starts with this
# The states whose next step is a dispatcher's (立案/不予受理, 派遣, 回访): left to people when desk=False.
DESK_STATES = frozenset({State.REPORTED, State.FILED, State.RETURNED, State.CLOSED})
VISIT_SHARE = 0.6
SATISFACTION_MIX = (("satisfied", 0.85), ("basically_satisfied", 0.11), ("dissatisfied", 0.04))


@dataclass(order=True)
class Planned:
    """A step due at a monotonic time for one case, valid only while the case is still at that version."""

    due: float
    case_id: int = field(compare=False)
    version: int = field(compare=False)


class LifecycleSim:
    """Plans the next step for each open case and runs it when due."""

    def __init__(self, runtime: Runtime, *, speed: float, rng: random.Random, desk: bool = True) -> None:
        self.rt = runtime
        self.speed = max(speed, 1.0)
        self.rng = rng
        self.desk = desk
        self.queue: list[Planned] = []
        self.planned: dict[int, int] = {}  # case id → version a step is planned for
        self.steps = 0
        with runtime.session() as session:
            self.catalog = catalog_items(session=session)

    def actor(self, name: str) -> Actor:
        """A district-wide system actor, named for the audit trail."""
        return Actor(name=name, role=Role.SYSTEM, scope=self.rt.settings.county_code)

    def _sim(self, low_min: float, high_min: float) -> float:
        """Real seconds for a duration drawn in simulated minutes."""
        return self.rng.uniform(low_min, high_min) * 60 / self.speed

    def delay_for(self, case: Case) -> float:
        """How long until the next step of a case in its current state (real seconds)."""
        match case.state:
            case State.REPORTED:
                return self._sim(2, 15)
            case State.FILED | State.RETURNED:
                return self._sim(1, 20)
            case State.DISPATCHED:
                return self._sim(5, 60)
            case State.HANDLING:
                remaining = (as_utc(case.deadline) - utcnow()).total_seconds() if case.deadline else 3600
                if self.rng.random() < LATE_SHARE:
                    return max(0.0, remaining) + self.rng.uniform(60, 1800)  # really late, in real time
                return max(0.0, remaining * self.rng.uniform(0.05, 0.8) / self.speed)
            case State.HANDLED:
                return self._sim(10, 90)
            case State.CLOSED:
                return self._sim(60, 240)
        return self._sim(30, 120)

    def plan(self, case: Case) -> None:
        """Queue the next step for a case unless one is already queued for this version."""
        if State(case.state) in TERMINAL and not (case.state == State.CLOSED and case.satisfaction is None):
            self.planned.pop(case.id, None)
            return
        if case.state == State.SUSPENDED or self.planned.get(case.id) == case.version:
            return
        if not self.desk and State(case.state) in DESK_STATES:
            self.planned.pop(case.id, None)  # the human dispatcher's step: not ours to take
            return
        if case.state == State.CLOSED and self.rng.random() > VISIT_SHARE:
            return  # not every reporter is called back
        self.planned[case.id] = case.version
        heapq.heappush(self.queue, Planned(time.monotonic() + self.delay_for(case), case.id, case.version))

    def adopt_open_cases(self, limit: int = 20_000) -> None:
        """Plan the simulator's own open cases after a restart (and any it reported that fell out of the queue)."""
        with self.rt.session() as session:
            rows = open_cases_to_advance(session=session, limit=limit, reported_by=SIM_ACTOR)
        for case in rows:
            self.plan(case)

    def run_due(self) -> int:
        """Run every step that is due; returns how many ran."""
        ran = 0
        now = time.monotonic()
        while self.queue and self.queue[0].due <= now:
            step = heapq.heappop(self.queue)
            if self.planned.get(step.case_id) != step.version:
                continue
            self.planned.pop(step.case_id, None)
            try:
                case = self._advance(step.case_id, step.version)
            except (Conflict, FieldError, NotFound) as exc:
                log.debug("case %s moved on without us: %s", step.case_id, exc)
                case = self._reload(step.case_id)
            except Exception:
                log.exception("lifecycle step failed for case %s", step.case_id)
                continue
            if case is not None:
                self.plan(case)
            ran += 1
        self.steps += ran
        return ran

    def _reload(self, case_id: int) -> Case | None:
        with self.rt.session() as session:
            return get_case(session=session, case_id=case_id)

    def _advance(self, case_id: int, version: int) -> Case | None:
        with self.rt.session() as session:
            case = get_case(session=session, case_id=case_id)
            if case is None or case.version != version:
                return case
            action = self._choose(case)
            if action is None:
                return None
            name, run = action
            ctx = Ctx(session=session, actor=self.actor(name), cal=self.rt.calendar, tz=self.rt.settings.timezone)
            return run(ctx, case)

    def _choose(self, case: Case) -> tuple[str, Callable[[Ctx, Case], Case]] | None:
        rng = self.rng
        v = case.version
        match case.state:
            case State.REPORTED:
                if rng.random() < REJECT_SHARE:
                    return "sim:dispatcher", lambda c, k: reject_case(
                        c, k.id, expected_version=v, note="不属于受理范围"
                    )
                code = case.category_code or rng.choice(self.catalog).code
                return "sim:dispatcher", lambda c, k: file_case(c, k.id, expected_version=v, condition=code)
            case State.FILED | State.RETURNED:
                return "sim:dispatcher", self._dispatch
            case State.DISPATCHED:
                dept = case.department_code or "?"
                if rng.random() < RETURN_SHARE and case.return_count == 0:
                    return f"sim:{dept}", lambda c, k: return_case(c, k.id, expected_version=v, note="非本单位职责")
                return f"sim:{dept}", lambda c, k: acknowledge_case(c, k.id, expected_version=v)
            case State.HANDLING:
                return f"sim:{case.department_code}", lambda c, k: report_handled(
                    c, k.id, expected_version=v, note="已按结案标准处置完毕"
                )
            case State.HANDLED:
                result = "fail" if rng.random() < REWORK_SHARE else "pass"
                note = "现场核查未达结案标准" if result == "fail" else "现场核查通过"
                return "sim:inspector", lambda c, k: verify_case(c, k.id, expected_version=v, result=result, note=note)
            case State.CLOSED if case.satisfaction is None:
                choice = rng.choices([s for s, _ in SATISFACTION_MIX], [w for _, w in SATISFACTION_MIX])[0]
                return "sim:visit-back", lambda c, k: visit_back(c, k.id, expected_version=v, satisfaction=choice)
        return None

    def _dispatch(self, ctx: Ctx, case: Case) -> Case:
        dept = suggested_department(session=ctx.session, case=case)
        code = dept["code"] if dept else f"{case.street_code}ZF"
        if case.state == State.RETURNED:  # the first department said no: send it to the street unit instead
            code = f"{case.street_code}ZF" if case.department_code != f"{case.street_code}ZF" else "CGW"
        return dispatch_case(ctx, case.id, expected_version=case.version, department=code)
