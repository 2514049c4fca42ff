"""The process's wired-up parts: settings, database sessions, Redis, keys, grid index."""

from __future__ import annotations

import threading
from contextlib import AbstractContextManager
from dataclasses import dataclass, field

import redis
from sqlalchemy.orm import Session, sessionmaker

from dashboard.config import Settings
from dashboard.domain.grid_index import GridIndex
from dashboard.domain.sla import WorkCalendar
from dashboard.live.keys import Keys
from dashboard.live.patrols import PatrolStore
from dashboard.live.redis_conn import connect, redis_url
from dashboard.store.db import get_sessionmaker, transaction


@dataclass
class Runtime:
    """Everything a request handler, background loop or CLI command needs, built once per process."""

    settings: Settings
    redis: redis.Redis
    redis_url: str
    keys: Keys
    sessions: sessionmaker[Session]
    patrols: PatrolStore
    calendar: WorkCalendar
    _grid_index: GridIndex | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def build(cls, settings: Settings) -> Runtime:
        """Connect to the configured (or embedded) Redis and database."""
        client = connect(settings)
        keys = Keys(settings.redis_prefix)
        return cls(
            settings=settings,
            redis=client,
            redis_url=redis_url(settings),
            keys=keys,
            sessions=get_sessionmaker(settings.database_url),
            patrols=PatrolStore(client, keys),
            calendar=settings.work_calendar(),
        )

    def session(self) -> AbstractContextManager[Session]:
        """A transaction: commit on success, roll back on error."""
        return transaction(self.sessions)

    def grid_index(self) -> GridIndex:
        """The point-in-polygon index of the grids, loaded on first use."""
        with self._lock:
            if self._grid_index is None:
                from dashboard.services.jurisdiction import load_grid_index

                with self.session() as session:
                    self._grid_index = load_grid_index(session)
            return self._grid_index

    def reset_grid_index(self) -> None:
        """Forget the cached index (after the jurisdiction is rebuilt or grids are imported)."""
        with self._lock:
            self._grid_index = None
