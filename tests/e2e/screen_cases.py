"""Cases with chosen deadlines for the big-screen tests and benches, written through the real command services.

A browser test cannot wait out a 30-minute dispatch clock, and the API has no `now`: so the test process opens
the running app's database (the same DATABASE_URL, a temporary SQLite file) and runs the real services with
`Ctx(now=…)` set in the past. The services write the case, its audit rows and its outbox rows in one
transaction as always; the app's outbox relay then publishes them like any other change. Only the stage clock
starts in the past: the case itself is reported now (reported_at = the real time).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from dashboard.config import Settings
from dashboard.domain.actors import Actor, Role
from dashboard.domain.grid_index import GridIndex
from dashboard.services.clock import utcnow
from dashboard.services.commands import (
    Ctx,
    acknowledge_case,
    dispatch_case,
    file_case,
    report_handled,
    self_handle,
    verify_case,
)
from dashboard.services.intake import ReportCase, report_case
from dashboard.services.jurisdiction import load_grid_index
from dashboard.store.db import get_sessionmaker, transaction
from dashboard.store.models import Case, CatalogItem, Grid

# Dispatch-stage limits (DESIGN.md section 6): continuous minutes, so a start in the past gives an exact share.
DISPATCH_MIN = {"A": 10, "B": 30, "C": 30}


@dataclass
class CaseWriter:
    """Runs case commands against the database in `env` (an app subprocess's environment)."""

    env: dict[str, str]
    settings: Settings = field(init=False)
    index: GridIndex = field(init=False)
    catalog: list[CatalogItem] = field(init=False)
    grids: list[str] = field(init=False)

    def __post_init__(self) -> None:
        self.settings = Settings(
            database_url=self.env["DATABASE_URL"],
            redis_url=self.env.get("REDIS_URL", ""),
            redis_prefix=self.env["REDIS_PREFIX"],
        )
        self.sessions = get_sessionmaker(self.settings.database_url)
        self.calendar = self.settings.work_calendar()
        with transaction(self.sessions) as session:
            self.index = load_grid_index(session)
            self.catalog = list(session.scalars(select(CatalogItem).order_by(CatalogItem.code)))
            self.grids = list(session.scalars(select(Grid.code).order_by(Grid.code)))
        self.actor = Actor(name="e2e:desk", role=Role.SYSTEM, scope=self.settings.county_code)

    def condition(self, level: str) -> CatalogItem:
        """The first catalog condition of `level` that names a handling department."""
        return next(c for c in self.catalog if c.level == level and c.department_code)

    def _ctx(self, session: Any, at: datetime | None) -> Ctx:
        return Ctx(session=session, actor=self.actor, cal=self.calendar, tz=self.settings.timezone, now=at or utcnow())

    def report(self, lon: float, lat: float, description: str, source: str = "grid_worker") -> Case:
        """Intake, as the API does it."""
        cmd = ReportCase(description=description, lat=lat, lon=lon, source=source, actor="e2e:intake")
        with transaction(self.sessions) as session:
            return report_case(
                cmd,
                session=session,
                grids=self.index,
                county_code=self.settings.county_code,
                tz=self.settings.timezone,
            ).case

    def file(self, case: Case, level: str, *, at: datetime | None = None) -> Case:
        """立案 with a condition of `level`; the dispatch clock starts at `at` (default now)."""
        with transaction(self.sessions) as session:
            ctx = self._ctx(session, at)
            return file_case(ctx, case.id, expected_version=case.version, condition=self.condition(level).code)

    def dispatch(self, case: Case, *, at: datetime | None = None) -> Case:
        """派遣 to the condition's department; the handling clock starts at `at`."""
        with transaction(self.sessions) as session:
            ctx = self._ctx(session, at)
            return dispatch_case(ctx, case.id, expected_version=case.version, department=self._department(case))

    def filed_with_share_left(self, lon: float, lat: float, description: str, level: str, share: float) -> Case:
        """A case filed so that `share` of its dispatch clock is left now (negative: overdue by that share)."""
        minutes = DISPATCH_MIN[level]
        started = utcnow() - timedelta(minutes=minutes * (1 - share))
        return self.file(self.report(lon, lat, description), level, at=started)

    def filed_due_in(self, lon: float, lat: float, description: str, level: str, seconds: float) -> Case:
        """A case whose dispatch deadline is `seconds` from now."""
        started = utcnow() - timedelta(minutes=DISPATCH_MIN[level]) + timedelta(seconds=seconds)
        return self.file(self.report(lon, lat, description), level, at=started)

    def close_out(self, case: Case) -> Case:
        """Take a case off the open views: self-handled when just reported, else round the loop to closed."""
        steps = {
            "filed": lambda ctx, c: dispatch_case(
                ctx, c.id, expected_version=c.version, department=self._department(c)
            ),
            "returned": lambda ctx, c: dispatch_case(
                ctx, c.id, expected_version=c.version, department=self._department(c)
            ),
            "dispatched": lambda ctx, c: acknowledge_case(ctx, c.id, expected_version=c.version),
            "handling": lambda ctx, c: report_handled(ctx, c.id, expected_version=c.version),
            "handled": lambda ctx, c: verify_case(ctx, c.id, expected_version=c.version, result="pass"),
        }
        with transaction(self.sessions) as session:
            ctx = self._ctx(session, None)
            fresh = session.get(Case, case.id)
            assert fresh is not None
            if fresh.state == "reported":
                return self_handle(ctx, fresh.id, expected_version=fresh.version)
            while fresh.state in steps:
                fresh = steps[fresh.state](ctx, fresh)
            return fresh

    def _department(self, case: Case) -> str:
        item = next(c for c in self.catalog if c.code == case.category_code)
        assert item.department_code
        return item.department_code

    def random_point(self, rng: random.Random) -> tuple[float, float]:
        """A point inside a random grid."""
        return self.index.random_point_in(rng.choice(self.grids), rng)
