"""Patrols under /api/v1 (DESIGN.md section 10): batches of GPS fixes in; the nearest patrols, one patrol's day and
its trail out.

Who: the desk (dispatcher, admin), an intake channel's machine account (a GPS gateway relaying phones) and a grid
worker's phone, which posts and reads only its own patrol (its account name is its staff code). A street's
dispatcher reads the patrols of its street only; another street's patrol answers 404, like a missing one.
Positions come in WGS-84; `crs=gcj02` on the reads gives them in the datum Chinese base maps draw in.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from flask import Response, jsonify, request

from dashboard.api.args import float_arg, int_arg
from dashboard.api.auth import Principal, require
from dashboard.api.patrol_input import read_batch
from dashboard.api.patrol_roster import roster
from dashboard.api.rate_limit import rate_limit
from dashboard.api.registry import Route, runtime
from dashboard.domain import geo
from dashboard.domain.clock import local_iso
from dashboard.domain.patrol_track import is_online, local_midnight_ms, today_counters
from dashboard.live.patrol_feed import latest_batch, track_batch
from dashboard.services import validate
from dashboard.services.errors import FieldError, Forbidden, NotFound

POSTERS = ("dispatcher", "admin", "channel", "worker")
READERS = ("dispatcher", "admin", "worker")


def _now_ms() -> int:
    """The server's clock in epoch ms (tests pin it, so a day or an hour of fixes needs no waiting)."""
    return int(time.time() * 1000)


def patrol_positions() -> tuple[Response, int]:
    """POST /patrols/positions: store a batch (JSON or CSV lines, maybe gzip); 202 with what was kept and dropped."""
    principal = require(*POSTERS)
    rate_limit("patrols", principal)
    now_ms = _now_ms()
    # The whole batch is checked before any of it is stored: a bad fix refuses the batch, never half of it.
    batch = read_batch(now_ms)
    if principal.role == "worker":
        _only_own(principal, batch.ids)
    rt = runtime()
    if rt.settings.patrol_tracking:
        counts = track_batch(
            rt.patrols, rt.grid_index(), roster().homes(), batch, now_ms=now_ms, tz=rt.settings.timezone
        )
    else:
        counts = latest_batch(rt.patrols, batch)
    body = {
        "received": len(batch),
        "accepted": counts.accepted,
        "dropped": {"stale": counts.stale, "too_fast": counts.too_fast},
    }
    return jsonify(body), 202


def _only_own(principal: Principal, ids: list[str]) -> None:
    for i, pid in enumerate(ids):
        if pid != principal.name:
            raise Forbidden(f"positions[{i}].id: a grid worker's phone posts only its own fixes (id {principal.name})")


def patrols_nearest() -> Response:
    """GET /patrols/nearest?lat=&lon=&k=&available=1: the k patrols nearest a point (within 20 km)."""
    require("dispatcher", "admin")
    lat = float_arg("lat", -validate.GEO_MAX_LAT, validate.GEO_MAX_LAT)  # what GEOSEARCH accepts
    lon = float_arg("lon", -180, 180)
    k = int_arg("k", 5, 1, 100)
    available = request.args.get("available", "1") in ("1", "true")
    rows = runtime().patrols.nearest(lon, lat, k=k, radius_m=20_000, available_only=available)
    return jsonify({"patrols": rows})


def patrol_detail(pid: str) -> Response:
    """GET /patrols/{id}?crs=wgs84|gcj02: status, last fix, grid, distance and time outside its own grid today."""
    pid = _reachable(pid)
    crs = _crs_arg()
    rt = runtime()
    state = rt.patrols.state(pid)
    if state is None:
        raise NotFound(f"no fix of patrol {pid}")
    now_ms = _now_ms()
    today_ms, _ = local_midnight_ms(now_ms, rt.settings.timezone)
    distance_m, outside_ms = today_counters(state, today_ms)
    online = is_online(state.ts_ms, now_ms, rt.patrols.rules.offline_after_ms)
    grid = state.grid
    if not grid and state.own == "-":  # stored by the latest-fix store: no grid kept, find it now
        found = rt.grid_index().locate(state.lon, state.lat)
        grid = found.code if found else ""
    home = roster().home(pid)
    lon, lat = geo.to_map_crs(state.lon, state.lat, crs)
    fixed_at = datetime.fromtimestamp(state.ts_ms / 1000, UTC)
    return jsonify(
        {
            "id": pid,
            "status": state.status if online else "offline",
            "online": online,
            "crs": crs,
            "lon": round(lon, 6),
            "lat": round(lat, 6),
            "ts": local_iso(fixed_at, rt.settings.timezone),
            "ts_ms": state.ts_ms,
            "grid_code": grid or None,
            "own_grid": home,
            "in_own_grid": None if home is None else grid == home,
            "distance_today_m": round(distance_m, 1),
            "outside_today_s": outside_ms // 1000,
        }
    )


def patrol_trail(pid: str) -> Response:
    """GET /patrols/{id}/trail?minutes=60&crs=: the accepted fixes of the last minutes, oldest first."""
    pid = _reachable(pid)
    crs = _crs_arg()
    rt = runtime()
    if not rt.patrols.known(pid):
        raise NotFound(f"no fix of patrol {pid}")
    longest = max(1, rt.patrols.rules.trail_ms // 60_000)
    minutes = int_arg("minutes", min(60, longest), 1, longest)
    since_ms = _now_ms() - minutes * 60_000
    points = []
    for ts_ms, plon, plat in rt.patrols.trail(pid, since_ms):
        lon, lat = geo.to_map_crs(plon, plat, crs)
        points.append([ts_ms, round(lon, 6), round(lat, 6)])
    return jsonify({"id": pid, "crs": crs, "minutes": minutes, "points": points})


def _reachable(pid: str) -> str:
    """The patrol id of the path if the caller may read that patrol; 404 otherwise (out of scope reads as missing)."""
    principal = require(*READERS)
    pid = validate.patrol_id(pid, "id")
    if principal.role == "worker":
        if pid != principal.name:
            raise NotFound(f"no fix of patrol {pid}")
    elif len(principal.scope) == 9 and roster().street(pid) != principal.scope:
        raise NotFound(f"no fix of patrol {pid}")
    return pid


def _crs_arg() -> str:
    crs = request.args.get("crs") or "wgs84"
    if crs not in geo.MAP_CRS:
        raise FieldError("crs", f"must be one of {', '.join(geo.MAP_CRS)}")
    return crs


ROUTES: tuple[Route, ...] = (
    Route("/patrols/positions", ("POST",), patrol_positions),
    Route("/patrols/nearest", ("GET",), patrols_nearest),
    Route("/patrols/<pid>", ("GET",), patrol_detail),
    Route("/patrols/<pid>/trail", ("GET",), patrol_trail),
)
