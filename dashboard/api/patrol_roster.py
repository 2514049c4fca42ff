"""Which grid and street each patrol belongs to, from the staff roster, cached per app for the patrol feed.

A patrol's id is its staff code (the simulator's patrols are the grid teams' full-time workers 专职网格员); the
roster's grid of that member is the patrol's own grid, the one its time outside is counted against. Ids not on
the roster (a vehicle, a unit of another system) have no own grid and no street: district users see them, street
users do not. The roster changes rarely (a rebuild or a grid import); it is re-read at most every REFRESH_S.
"""

from __future__ import annotations

import threading
import time

from dashboard.api.registry import per_app, runtime
from dashboard.services.lookups import patrol_roster

ROSTER_KEY = "gridcmd_patrol_roster"


class PatrolRoster:
    """Staff code → own grid and street, re-read from the database at most every REFRESH_S seconds."""

    REFRESH_S = 60.0

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._homes: dict[str, str] = {}
        self._streets: dict[str, str] = {}
        self._read_at = float("-inf")

    def _fresh(self) -> None:
        if time.monotonic() - self._read_at < self.REFRESH_S:
            return
        with self._lock:
            if time.monotonic() - self._read_at < self.REFRESH_S:
                return  # another request re-read it while this one waited
            with runtime().session() as session:
                roster = patrol_roster(session=session)
            self._homes = {code: grid for code, (grid, _street) in roster.items() if grid}
            self._streets = {code: street for code, (_grid, street) in roster.items() if street}
            self._read_at = time.monotonic()

    def homes(self) -> dict[str, str]:
        """Patrol id → own grid code, for every patrol that has one."""
        self._fresh()
        return self._homes

    def street(self, patrol_id: str) -> str | None:
        """The street a patrol belongs to (None: not on the roster, or a district-wide member)."""
        self._fresh()
        return self._streets.get(patrol_id)

    def home(self, patrol_id: str) -> str | None:
        """The patrol's own grid, or None."""
        return self.homes().get(patrol_id)


def roster() -> PatrolRoster:
    """The current app's roster cache."""
    return per_app(ROSTER_KEY, PatrolRoster)
