"""The process's wired-up parts: settings, database sessions, Redis, keys, grid index."""

from __future__ import annotations

import logging
import threading
import time
from contextlib import AbstractContextManager
from dataclasses import dataclass, field

import redis
from sqlalchemy.orm import Session, sessionmaker

from dashboard.config import Settings
from dashboard.domain.grid_index import GridIndex
from dashboard.domain.sla import WorkCalendar
from dashboard.live.keys import Keys
from dashboard.live.patrols import PatrolRules, PatrolStore
from dashboard.live.redis_conn import connect, redis_url
from dashboard.store.db import get_sessionmaker, transaction

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    """Everything a request handler, background loop or CLI command needs, built once per process."""

    settings: Settings
    redis: redis.Redis
    redis_url: str
    keys: Keys
    sessions: sessionmaker[Session]
    patrols: PatrolStore
    base_calendar: WorkCalendar  # the center's periods and overrides, from settings
    _grid_index: GridIndex | None = field(default=None, repr=False)
    _grids_version: str | None = field(default=None, repr=False)
    _grids_checked: float = field(default=float("-inf"), repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _calendar: WorkCalendar | None = field(default=None, repr=False)
    _calendar_version: tuple[int, str] | None = field(default=None, repr=False)
    _calendar_checked: float = field(default=float("-inf"), repr=False)
    _calendar_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def build(cls, settings: Settings) -> Runtime:
        """Connect to the configured (or embedded) Redis and database."""
        client = connect(settings)
        keys = Keys(settings.redis_prefix)
        sessions = get_sessionmaker(settings.database_url)
        return cls(
            settings=_with_district(settings, sessions),
            redis=client,
            redis_url=redis_url(settings),
            keys=keys,
            sessions=sessions,
            patrols=PatrolStore(
                client,
                keys,
                PatrolRules(
                    offline_after_ms=settings.patrol_offline_s * 1000,
                    trail_ms=settings.patrol_trail_minutes * 60_000,
                    max_speed_mps=settings.patrol_max_speed_mps,
                ),
            ),
            base_calendar=settings.work_calendar(),
        )

    def session(self) -> AbstractContextManager[Session]:
        """A transaction: commit on success, roll back on error."""
        return transaction(self.sessions)

    @property
    def calendar(self) -> WorkCalendar:
        """The SLA calendar with the entered holiday schedules, re-read when another process changed them."""
        if self._calendar is None or self._stale():
            self.refresh_calendar(only_if_stale=True)
        assert self._calendar is not None
        return self._calendar

    def _stale(self) -> bool:
        return time.monotonic() - self._calendar_checked >= self.settings.calendar_refresh_s

    def refresh_calendar(self, *, force: bool = False, only_if_stale: bool = False) -> WorkCalendar:
        """Rebuild the calendar if the entered schedules changed (or `force`); keeps the last one on a DB error."""
        from sqlalchemy.exc import SQLAlchemyError

        from dashboard.services.holidays import entered_schedule, schedule_version, with_schedule

        with self._calendar_lock:
            if only_if_stale and self._calendar is not None and not self._stale():
                return self._calendar  # another thread checked while this one waited for the lock
            try:
                with self.session() as session:
                    version = schedule_version(session=session)
                    if force or version != self._calendar_version or self._calendar is None:
                        self._calendar = with_schedule(self.base_calendar, entered_schedule(session=session))
                        self._calendar_version = version
            except SQLAlchemyError as exc:
                # Not migrated yet, or the database is away: count on what we had (or the package alone).
                log.warning("holiday schedules not re-read: %s", type(exc).__name__)
                if self._calendar is None:
                    self._calendar = self.base_calendar
            self._calendar_checked = time.monotonic()
            return self._calendar

    def grid_index(self) -> GridIndex:
        """The point-in-polygon index of the grids, reloaded when another process rebuilt or imported them."""
        index = self._grid_index
        if index is not None and time.monotonic() - self._grids_checked < self.settings.grids_refresh_s:
            return index
        from sqlalchemy.exc import SQLAlchemyError

        from dashboard.services.jurisdiction import grids_version, load_grid_index

        with self._lock:
            try:
                with self.session() as session:
                    version = grids_version(session=session)
                    if self._grid_index is None or version != self._grids_version:
                        self._grid_index = load_grid_index(session)
                        self._grids_version = version
            except SQLAlchemyError:
                if self._grid_index is None:
                    raise
                log.warning("grid version not re-read; keeping the loaded grid index")
            self._grids_checked = time.monotonic()
            return self._grid_index

    def reset_grid_index(self) -> None:
        """Forget the cached index (after the jurisdiction is rebuilt or grids are imported)."""
        with self._lock:
            self._grid_index = None
            self._grids_checked = float("-inf")


def _with_district(settings: Settings, sessions: sessionmaker[Session]) -> Settings:
    """`settings` with `county_code` set to the district in the database, once one has been built or imported.

    Read once per process: case codes, KPI scope and the system actors then name the county that is really there.
    """
    from sqlalchemy.exc import SQLAlchemyError

    from dashboard.services.jurisdiction import district_code

    try:
        with transaction(sessions) as session:
            code = district_code(session=session)
    except SQLAlchemyError:
        return settings  # not migrated yet: the setting stands until the next start
    if code is None or code == settings.county_code:
        return settings
    log.info("jurisdiction %s from the database overrides COUNTY_CODE %s", code, settings.county_code)
    return settings.model_copy(update={"county_code": code})
