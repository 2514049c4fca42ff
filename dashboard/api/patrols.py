"""Patrols under /api/v1 (DESIGN.md section 10): a batch of position fixes in, the nearest patrols out."""

from __future__ import annotations

import time
from typing import Any

from flask import Response, jsonify, request

from dashboard.api.args import float_arg, int_arg
from dashboard.api.auth import require
from dashboard.api.inputs import json_body
from dashboard.api.registry import Route, runtime
from dashboard.live.patrols import STATUSES, Fix
from dashboard.services import validate
from dashboard.services.errors import FieldError

MAX_POSITIONS = 20_000


def patrol_positions() -> tuple[Response, int]:
    """POST /patrols/positions: store a batch of fixes (a list, or {"positions": [...]}); 202 with counts."""
    require("dispatcher", "admin")
    body = json_body()
    items = body.get("positions") if isinstance(body, dict) else body
    if not isinstance(items, list):
        raise FieldError("positions", "must be a list of {id, lat, lon, status, ts}")
    validate.items(items, "positions", max_len=MAX_POSITIONS)
    now_ms = int(time.time() * 1000)
    # The whole batch is checked before any of it is stored: a bad fix refuses the batch, never half of it.
    fixes = [_parse_fix(item, i, now_ms) for i, item in enumerate(items)]
    accepted = runtime().patrols.ingest(fixes)
    return jsonify({"received": len(fixes), "accepted": accepted}), 202


def patrols_nearest() -> Response:
    """GET /patrols/nearest?lat=&lon=&k=&available=1: the k patrols nearest a point (within 20 km)."""
    require("dispatcher", "admin")
    lat = float_arg("lat", -validate.GEO_MAX_LAT, validate.GEO_MAX_LAT)  # what GEOSEARCH accepts
    lon = float_arg("lon", -180, 180)
    k = int_arg("k", 5, 1, 100)
    available = request.args.get("available", "1") in ("1", "true")
    rows = runtime().patrols.nearest(lon, lat, k=k, radius_m=20_000, available_only=available)
    return jsonify({"patrols": rows})


def _parse_fix(item: Any, index: int, now_ms: int) -> Fix:
    where = f"positions[{index}]"
    if not isinstance(item, dict):
        raise FieldError(where, "must be an object")
    pid = validate.patrol_id(item.get("id"), f"{where}.id")
    lat = validate.latitude(item.get("lat"), f"{where}.lat", geo=True)  # Redis GEO refuses |lat| > 85.05112878
    lon = validate.longitude(item.get("lon"), f"{where}.lon")
    status = validate.choice(item.get("status", "available"), f"{where}.status", STATUSES)
    # A fix dated ahead of our clock is kept at now: dated next year it would make every real fix look stale.
    ts = validate.epoch_ms(item.get("ts", now_ms), f"{where}.ts", now_ms=now_ms)
    return Fix(pid, lon, lat, status, ts)


ROUTES: tuple[Route, ...] = (
    Route("/patrols/positions", ("POST",), patrol_positions),
    Route("/patrols/nearest", ("GET",), patrols_nearest),
)
