"""The scheduler: system commands that run on a timer, in one process of an install (DESIGN.md section 8).

Its jobs: the overdue rule — every OVERDUE_PERIOD_S the `flag-overdue` command (services/commands.py) is run, as the
system actor, on each case whose stage deadline has passed — and the 12345 callback sender, which every
HOTLINE_SEND_PERIOD_S posts the verbs owed to the hotline (services/hotline_callbacks.py send_pass). A Redis lease
per job elects the process that runs it, so N app processes supervise a case once and send a callback once, in
order. The live layer only publishes what it commits.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard.domain.actions import CLOCK_RUNNING
from dashboard.domain.actors import Actor, Role
from dashboard.domain.clock import utcnow
from dashboard.live.leader import Lease
from dashboard.runtime import Runtime
from dashboard.services.commands import Ctx, flag_overdue
from dashboard.services.errors import Conflict, FieldError
from dashboard.services.hotline_callbacks import send_pass
from dashboard.store.models import Case

log = logging.getLogger(__name__)

OVERDUE_PERIOD_S = 15.0
# The leader renews every LEASE_RENEW_S, between passes and between the cases of a pass, so a stand-by takes over
# within TTL + one renew period (7 s) of the leader's death, never while the leader is still working.
OVERDUE_LEASE_TTL_MS = 6_000
LEASE_RENEW_S = 1.0
OVERDUE_LEASE = "rules"  # the lease's name, unchanged since the rule ran in the live loops (one leader across a mix)
OVERDUE_BATCH = 500
OVERDUE_ACTOR_NAME = "system:overdue-rule"
HOTLINE_LEASE = "hotline-callbacks"  # one sender per install keeps each order's callbacks in order
HOTLINE_LEASE_TTL_MS = 120_000  # longer than a pass of slow answers; a crashed sender's lapses in two minutes


def overdue_actor(county_code: str) -> Actor:
    """The system actor the overdue rule acts as (named in every audit row and timeline entry it writes)."""
    return Actor(name=OVERDUE_ACTOR_NAME, role=Role.SYSTEM, scope=county_code)


def overdue_case_ids(*, session: Session, now: datetime, limit: int = OVERDUE_BATCH) -> list[int]:
    """Open, running cases past their stage deadline, most overdue first (suspended clocks are paused)."""
    return list(
        session.scalars(
            select(Case.id)
            .where(
                Case.deadline.is_not(None),
                Case.deadline < now,
                Case.state.in_([s.value for s in CLOCK_RUNNING]),
            )
            .order_by(Case.deadline)
            .limit(limit)
        )
    )


def run_overdue_pass(runtime: Runtime, still_leader: Callable[[], bool] | None = None) -> int:
    """One pass of the overdue rule, one transaction per case; returns how many cases it changed.

    `still_leader` renews the scheduler's lease between cases (at most every LEASE_RENEW_S); the pass stops when
    it answers False, so a process that lost the lease never acts beside the new leader.
    """
    actor = overdue_actor(runtime.settings.county_code)
    with runtime.session() as session:
        ids = overdue_case_ids(session=session, now=utcnow())
    changed = 0
    renewed = time.monotonic()
    for case_id in ids:
        if still_leader is not None and time.monotonic() - renewed >= LEASE_RENEW_S:
            if not still_leader():
                log.warning("overdue rule: lease lost mid-pass; the new leader goes on")
                break
            renewed = time.monotonic()
        try:
            with runtime.session() as session:
                # The version as it is now, read in the command's own transaction (the identity map hands the
                # command this very row): a case changed since the list was read is judged on its current state.
                case = session.get(Case, case_id)
                if case is None:
                    continue
                ctx = Ctx(session=session, actor=actor, cal=runtime.calendar, tz=runtime.settings.timezone)
                flag_overdue(ctx, case_id, expected_version=case.version)
                changed += 1
        except FieldError:
            continue  # not (or no longer) overdue, or already supervised for this stage: nothing to do
        except Conflict:
            continue  # changed by someone meanwhile: looked at again next pass
    return changed


class Scheduler:
    """Runs the timed system commands in a daemon thread while this process holds their lease."""

    def __init__(
        self,
        runtime: Runtime,
        *,
        stop: threading.Event | None = None,
        on_change: Callable[[], None] | None = None,
        period_s: float = OVERDUE_PERIOD_S,
    ) -> None:
        self._rt = runtime
        # Shared with the live loops by the app, so stopping them stops the scheduler too.
        self.stop = stop or threading.Event()
        # Called after a pass changed cases: the app wakes its outbox relay so the changes go out at once.
        self._on_change = on_change
        self._period_s = period_s

    def start(self) -> None:
        """Start the overdue rule's loop and the 12345 callback sender as daemon threads."""
        threading.Thread(target=self._overdue_loop, name="overdue-rules", daemon=True).start()
        threading.Thread(target=self._hotline_loop, name="hotline-callbacks", daemon=True).start()

    def _hotline_loop(self) -> None:
        lease = Lease(self._rt.redis, self._rt.keys.lock(HOTLINE_LEASE), ttl_ms=HOTLINE_LEASE_TTL_MS)
        while not self.stop.wait(self._rt.settings.hotline_send_period_s):
            if not self._rt.settings.hotline_callback_url:
                continue  # nowhere to send: the callbacks wait, pending, until a URL is configured
            try:
                if lease.hold():
                    send_pass(self._rt)
            except Exception:  # logged and retried next period; never kills the loop
                log.exception("12345 callback pass failed")

    def _overdue_loop(self) -> None:
        lease = Lease(self._rt.redis, self._rt.keys.lock(OVERDUE_LEASE), ttl_ms=OVERDUE_LEASE_TTL_MS)
        due = time.monotonic() + self._period_s
        # Wakes every LEASE_RENEW_S to renew (leader) or to try to take over (stand-by); passes run every period.
        while not self.stop.wait(min(LEASE_RENEW_S, self._period_s)):
            try:
                if not lease.hold() or time.monotonic() < due:
                    continue
                due = time.monotonic() + self._period_s
                if run_overdue_pass(self._rt, lease.hold) and self._on_change is not None:
                    self._on_change()
            except Exception:  # logged and retried next period; never kills the loop
                log.exception("overdue rule pass failed")
