"""Patrol positions: latest fix per patrol in Redis GEO, stale fixes dropped, changes coalesced into frames."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import redis

from dashboard.live.keys import Keys

STATUSES = ("available", "busy", "offline")

# One round trip per batch; a fix older than the stored one for the same patrol is dropped (out-of-order GPS).
_INGEST = """
local accepted = 0
for i = 1, #ARGV, 5 do
  local id = ARGV[i]
  local ts = tonumber(ARGV[i + 4])
  local prev = redis.call('HGET', KEYS[2], id)
  local fresh = true
  if prev then
    local pts = tonumber(string.match(prev, '([^,]+)$'))
    if pts and pts >= ts then fresh = false end
  end
  if fresh then
    redis.call('GEOADD', KEYS[1], ARGV[i + 1], ARGV[i + 2], id)
    redis.call('HSET', KEYS[2], id, ARGV[i + 1] .. ',' .. ARGV[i + 2] .. ',' .. ARGV[i + 3] .. ',' .. ARGV[i + 4])
    redis.call('SADD', KEYS[3], id)
    accepted = accepted + 1
  end
end
return accepted
"""

# Take the moved set and clear it atomically, so no fix is lost between two frames.
_TAKE_DIRTY = """
local ids = redis.call('SMEMBERS', KEYS[1])
redis.call('DEL', KEYS[1])
if #ids == 0 then return {} end
local states = redis.call('HMGET', KEYS[2], unpack(ids))
local out = {}
for i = 1, #ids do
  if states[i] then out[#out + 1] = ids[i] .. ',' .. states[i] end
end
return out
"""


@dataclass(frozen=True)
class Fix:
    """One GPS fix from a patrol (WGS-84)."""

    patrol_id: str
    lon: float
    lat: float
    status: str
    ts_ms: int


PatrolRow = list[str | float]  # [patrol_id, lon, lat, status]


class PatrolStore:
    """Reads and writes the patrol keys; shared by the API, the simulator and the frame loop."""

    def __init__(self, client: redis.Redis, keys: Keys) -> None:
        self._r = client
        self._keys = keys
        self._ingest = client.register_script(_INGEST)
        self._take = client.register_script(_TAKE_DIRTY)

    def ingest(self, fixes: Iterable[Fix], *, chunk: int = 2000) -> int:
        """Store fixes; returns how many were newer than what was stored."""
        accepted = 0
        keys = [self._keys.patrol_geo, self._keys.patrol_state, self._keys.patrol_dirty]
        args: list[str | float | int] = []
        for fix in fixes:
            args.extend((fix.patrol_id, f"{fix.lon:.6f}", f"{fix.lat:.6f}", fix.status, fix.ts_ms))
            if len(args) >= chunk * 5:
                accepted += int(self._ingest(keys=keys, args=args))
                args = []
        if args:
            accepted += int(self._ingest(keys=keys, args=args))
        return accepted

    def take_frame(self) -> list[PatrolRow]:
        """Rows of every patrol that moved since the last call (each at most once)."""
        raw = self._take(keys=[self._keys.patrol_dirty, self._keys.patrol_state])
        return [_row(item) for item in raw]

    def all_rows(self) -> list[PatrolRow]:
        """Latest row of every patrol, for snapshots."""
        return [_row(f"{pid},{state}") for pid, state in self._r.hgetall(self._keys.patrol_state).items()]

    def nearest(self, lon: float, lat: float, *, k: int, radius_m: float, available_only: bool) -> list[dict]:
        """Up to k patrols nearest a point (GEOSEARCH), with distance in metres."""
        found: Sequence = self._r.geosearch(
            self._keys.patrol_geo,
            longitude=lon,
            latitude=lat,
            radius=radius_m,
            unit="m",
            sort="ASC",
            count=max(k * 4, k) if available_only else k,
            withdist=True,
            withcoord=True,
        )
        ids = [item[0] for item in found]
        states = self._r.hmget(self._keys.patrol_state, ids) if ids else []
        out: list[dict] = []
        for (pid, dist, (plon, plat)), state in zip(found, states, strict=True):
            status = state.split(",")[2] if state else "offline"
            if available_only and status != "available":
                continue
            out.append({"id": pid, "lon": plon, "lat": plat, "status": status, "distance_m": round(float(dist), 1)})
            if len(out) >= k:
                break
        return out


def _row(item: str) -> PatrolRow:
    pid, lon, lat, status, _ts = item.split(",")
    return [pid, float(lon), float(lat), status]
