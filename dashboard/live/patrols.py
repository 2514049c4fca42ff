"""Patrol positions in Redis: latest fix per patrol (GEO + hash), today's track counters, trails, coalesced frames.

Two ways in: `track` (the feed's full path, dashboard/live/patrol_feed.py: order, jump filter, distance, grid, time
outside, trail; script TRACK) and `ingest` (the latest fix only, today's store: script LATEST). Both mark moved
patrols for the frame loop, and every reader judges online/offline from the last fix's time, so the 1 Hz frame
format ([patrol_id, lon, lat, status]) and the snapshot's rows stay what clients know.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import cast

import numpy as np
import redis

from dashboard.domain import geo, patrol_track
from dashboard.domain.patrol_track import Own, TrackState
from dashboard.live import patrol_scripts
from dashboard.live.keys import Keys

STATUSES = ("available", "busy", "offline")
PatrolRow = list[str | float]  # [patrol_id, lon, lat, status]
CHUNK = 1000  # fixes per script call: Redis serves other clients between chunks (~10 ms each)
MAX_CHUNK = 2000  # the script unpacks up to 3 values a fix into one call; Redis's Lua unpacks at most ~8000


@dataclass(frozen=True)
class Fix:
    """One GPS fix from a patrol (WGS-84)."""

    patrol_id: str
    lon: float
    lat: float
    status: str
    ts_ms: int


@dataclass(frozen=True)
class PatrolRules:
    """The settings the store applies (config.py: PATROL_*)."""

    offline_after_ms: int = patrol_track.OFFLINE_AFTER_MS
    trail_ms: int = patrol_track.TRAIL_MS
    max_speed_mps: float = patrol_track.MAX_SPEED_MPS


@dataclass(frozen=True)
class TrackCounts:
    """What happened to a batch: accepted, dropped as not newer than the last fix, dropped as an impossible jump."""

    accepted: int = 0
    stale: int = 0
    too_fast: int = 0

    def __add__(self, other: TrackCounts) -> TrackCounts:
        return TrackCounts(self.accepted + other.accepted, self.stale + other.stale, self.too_fast + other.too_fast)


@dataclass(frozen=True)
class TrackInput:
    """A batch ready for the TRACK script, in time order: per fix its id, text `lon,lat,status,ts_ms` (state and
    trail entry), grid + own + clamped tag, and a row of `numbers` (lon, lat, ts_ms as little-endian doubles)."""

    ids: Sequence[str]
    texts: Sequence[str]
    tags: Sequence[str]
    numbers: np.ndarray

    def __len__(self) -> int:
        return len(self.ids)


def _now_ms() -> int:
    return int(time.time() * 1000)


class PatrolStore:
    """Reads and writes the patrol keys; shared by the API, the simulator and the frame loop."""

    def __init__(self, client: redis.Redis, keys: Keys, rules: PatrolRules | None = None) -> None:
        self._r = client
        self._keys = keys
        self.rules = rules or PatrolRules()
        self._latest = client.register_script(patrol_scripts.LATEST)
        self._track = client.register_script(patrol_scripts.TRACK)
        self._take = client.register_script(patrol_scripts.TAKE_FRAME)
        self._read = client.register_script(patrol_scripts.READ)

    # ---- writing -------------------------------------------------------------------------------------------

    def ingest(self, fixes: Iterable[Fix], *, chunk: int = 2000) -> int:
        """Store fixes, latest fix only; returns how many were newer than what was stored."""
        args: list[str | int] = []
        for fix in fixes:
            args.extend((fix.patrol_id, f"{fix.lon:.6f}", f"{fix.lat:.6f}", fix.status, fix.ts_ms))
        return self.ingest_args(args, chunk=chunk)

    def ingest_args(self, args: Sequence[str | int], *, chunk: int = 2000) -> int:
        """The latest-fix store from flat (id, lon, lat, status, ts) arguments; how many were newer."""
        keys = [self._keys.patrol_geo, self._keys.patrol_state, self._keys.patrol_dirty]
        pipe = self._r.pipeline(transaction=False)
        for start in range(0, len(args), chunk * 5):
            self._latest(keys=keys, args=list(args[start : start + chunk * 5]), client=pipe)
        return sum(int(n) for n in pipe.execute()) if args else 0

    def track(self, fixes: TrackInput, *, today_ms: int, utc_offset_ms: int, chunk: int = CHUNK) -> TrackCounts:
        """Apply a prepared batch in order (script TRACK).

        One round trip for the whole batch (a pipeline of chunk scripts, not a transaction, so Redis serves others
        between chunks). Should Redis fail half way, a retry of the batch is safe: what was applied is stale now.
        """
        if not len(fixes):
            return TrackCounts()
        chunk = max(1, min(chunk, MAX_CHUNK))
        keys = [self._keys.patrol_geo, self._keys.patrol_state, self._keys.patrol_dirty, self._keys.patrol_track]
        head = [
            self._keys.patrol_trail_prefix,
            today_ms,
            utc_offset_ms,
            self.rules.max_speed_mps,
            self.rules.offline_after_ms,
            self.rules.trail_ms,
        ]
        pipe = self._r.pipeline(transaction=False)
        for start in range(0, len(fixes), chunk):
            end = min(start + chunk, len(fixes))
            columns = ["\n".join(column[start:end]) for column in (fixes.ids, fixes.texts, fixes.tags)]
            numbers = fixes.numbers[start:end].tobytes()
            self._track(keys=keys, args=[*head, numbers, *columns], client=pipe)
        total = TrackCounts()
        for accepted, stale, jumps in pipe.execute():
            total += TrackCounts(int(accepted), int(stale), int(jumps))
        return total

    # ---- frames and snapshots ------------------------------------------------------------------------------

    def take_frame(self, now_ms: int | None = None) -> list[PatrolRow]:
        """Rows of every patrol that moved since the last call, and of those that have just gone silent (each at
        most once); a patrol whose last fix is older than the offline gap reads `offline`."""
        now = _now_ms() if now_ms is None else now_ms
        cutoff = now - self.rules.offline_after_ms
        raw = self._take(keys=[self._keys.patrol_dirty, self._keys.patrol_state, self._keys.patrol_seen], args=[cutoff])
        rows: dict[str, PatrolRow] = {}
        heard: dict[str, int] = {}
        for item in raw:
            pid, state = item.split(",", 1)
            rows[pid] = _row(pid, state, cutoff)
            ts = int(state.rsplit(",", 1)[1])
            if ts >= cutoff:
                heard[pid] = ts
        if heard:
            # Who is still heard of, by fix time: the next frames take out those that fall silent.
            self._r.zadd(self._keys.patrol_seen, heard)
        return list(rows.values())

    def all_rows(self, now_ms: int | None = None) -> list[PatrolRow]:
        """Latest row of every patrol, for snapshots (offline when silent for the offline gap)."""
        cutoff = (_now_ms() if now_ms is None else now_ms) - self.rules.offline_after_ms
        return [_row(pid, state, cutoff) for pid, state in self._r.hgetall(self._keys.patrol_state).items()]

    # ---- reads for the API ---------------------------------------------------------------------------------

    def nearest(self, lon: float, lat: float, *, k: int, radius_m: float, available_only: bool) -> list[dict]:
        """Up to k patrols nearest a point, with distance in metres; silent ones read offline.

        GEOSEARCH finds the candidates; their distance is then taken from the last fix itself, because the
        tracking script moves a patrol's GEO entry only every GEO_STEP_M (patrol_scripts.py).
        """
        slack = patrol_scripts.GEO_STEP_M
        found: Sequence = self._r.geosearch(
            self._keys.patrol_geo,
            longitude=lon,
            latitude=lat,
            radius=radius_m + slack,
            unit="m",
            sort="ASC",
            count=k * 4 + 8,
        )
        ids = list(found)
        states = self._r.hmget(self._keys.patrol_state, ids) if ids else []
        cutoff = _now_ms() - self.rules.offline_after_ms
        out: list[dict] = []
        for pid, state in zip(ids, states, strict=True):
            if not state:
                continue
            _, plon, plat, status = _row(pid, state, cutoff)
            if available_only and status != "available":
                continue
            metres = geo.haversine_m(lon, lat, float(plon), float(plat))
            if metres <= radius_m:
                out.append({"id": pid, "lon": plon, "lat": plat, "status": status, "distance_m": round(metres, 1)})
        out.sort(key=lambda row: row["distance_m"])
        return out[:k]

    def state(self, patrol_id: str) -> TrackState | None:
        """The stored state of one patrol (None: never heard of); without a track record (only the latest-fix
        store has seen it) no grid and no counters."""
        text, record = self._read(keys=[self._keys.patrol_state, self._keys.patrol_track], args=[patrol_id])
        if not text:
            return None
        lon, lat, status, ts = text.split(",")
        if not record:
            return TrackState(float(lon), float(lat), status, "", "-", False, 0, 0.0, 0, int(ts))
        day, dist, out, _record_ts, own, clamped, grid = record
        mark = cast(Own, own)
        return TrackState(
            float(lon), float(lat), status, grid, mark, clamped == "1", int(day), float(dist), int(out), int(ts)
        )

    def known(self, patrol_id: str) -> bool:
        """True once the patrol has had a fix stored."""
        return bool(self._r.hexists(self._keys.patrol_state, patrol_id))

    def trail(self, patrol_id: str, since_ms: int) -> list[tuple[int, float, float]]:
        """(ts_ms, lon, lat) of the patrol's accepted fixes from `since_ms` on, oldest first."""
        out = []
        for entry in self._r.lrange(self._keys.patrol_trail(patrol_id), 0, -1):
            lon, lat, _status, ts = entry.split(",")
            if int(ts) >= since_ms:
                out.append((int(ts), float(lon), float(lat)))
        return out


def _row(pid: str, state: str, cutoff_ms: int) -> PatrolRow:
    parts = state.split(",")
    status = parts[2] if int(parts[-1]) >= cutoff_ms else "offline"
    return [pid, float(parts[0]), float(parts[1]), status]
