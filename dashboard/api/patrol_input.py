"""The body of POST /patrols/positions: a JSON batch or compact CSV lines, optionally gzip-compressed.

Forms (the same checks and limits for both; a bad fix refuses the whole batch, naming it):

- `application/json`: `{"positions": [{"id", "lon", "lat", "status"?, "ts"?}, …]}` or the bare list; `status`
  defaults to available, `ts` (epoch ms) to the server's clock. Errors name `positions[i].field` (i from 0).
- `text/csv`, for phones on weak links: one fix a line, `id,lon,lat,ts[,status]` (ASCII, plain decimals, `\\n` or
  `\\r\\n`, blank lines skipped, an optional header line `id,lon,lat,ts,status`). About 64 bytes a fix against 110
  in JSON; with `Content-Encoding: gzip` a 2,000-fix batch shrinks to about a third of that again. Errors name
  `line[n].field` (n from 1, as an editor counts lines).

WGS-84 coordinates; latitude within what Redis GEO stores (±85.05112878); ids of 1–24 letters, digits or `_.:-`;
at most MAX_POSITIONS fixes; a time more than a minute ahead of the server's is replaced by the server's (and the
fix marked `clamped`). Checks run on a fast path per fix; anything unusual falls to the validation layer's own
functions (services/validate.py), whose messages every other endpoint gives too.
"""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Callable
from typing import Any

from flask import request

from dashboard.live.patrol_feed import FixBatch
from dashboard.live.patrols import STATUSES
from dashboard.services import validate
from dashboard.services.errors import FieldError, TooLarge

MAX_POSITIONS = 20_000
SKEW_MS = int(validate.FUTURE_SKEW.total_seconds() * 1000)
_STATUS_SET = frozenset(STATUSES)
_ID_CHARS = f"[A-Za-z0-9_.:-]{{1,{validate.PATROL_ID_MAX}}}"
_ID = re.compile(_ID_CHARS)
_LINE = re.compile(
    f"({_ID_CHARS}),"
    r"(-?[0-9]{1,3}(?:\.[0-9]{1,15})?),(-?[0-9]{1,2}(?:\.[0-9]{1,15})?),([0-9]{1,16})(?:,(available|busy|offline))?"
)
_CSV_HEADER = ("id,lon,lat,ts,status", "id,lon,lat,ts")
# Ids seen valid lately: a fleet's ids repeat batch after batch, a set lookup is cheaper than the regex.
_known_ids: set[str] = set()
_KNOWN_MAX = 200_000


def read_batch(now_ms: int) -> FixBatch:
    """The request's fixes, validated whole; FieldError (422) or TooLarge (413) naming what is wrong."""
    raw = _decoded_body()
    if request.mimetype == "text/csv":
        return parse_csv(raw, now_ms)
    if request.is_json:
        return parse_json(raw, now_ms)
    raise FieldError("body", "must be JSON (Content-Type: application/json) or CSV lines (Content-Type: text/csv)")


def _decoded_body() -> bytes:
    raw = request.get_data(cache=False)
    encoding = (request.headers.get("Content-Encoding") or "identity").strip().lower()
    if encoding == "identity":
        return raw
    if encoding != "gzip":
        raise FieldError("Content-Encoding", "must be gzip, or absent for an uncompressed body")
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        # Bounded: a few kilobytes of gzip can inflate to gigabytes.
        out = inflater.decompress(raw, validate.MAX_BODY_BYTES + 1)
    except zlib.error as exc:
        raise FieldError("body", "is not a valid gzip stream") from exc
    if len(out) > validate.MAX_BODY_BYTES or inflater.unconsumed_tail:
        raise TooLarge("body", f"inflates to more than {validate.MAX_BODY_BYTES} bytes")
    if not inflater.eof or inflater.unused_data:
        raise FieldError("body", "must be exactly one complete gzip stream")
    return out


# ---- JSON -------------------------------------------------------------------------------------------------


def _reject_constant(token: str) -> Any:
    raise ValueError(f"{token} is not JSON")


def parse_json(raw: bytes, now_ms: int) -> FixBatch:
    """A JSON batch. Parsed with json.loads and no pre-scan: the depth pre-scan of validate.json_document costs
    more than the parse on a 2,000-fix body, and nothing here needs it. Nesting too deep for the parser is its
    RecursionError, a 422; the only strings kept (ids, statuses) must match an ASCII alphabet, so no lone
    surrogate gets through."""
    try:
        doc = json.loads(raw.decode("utf-8-sig"), parse_constant=_reject_constant)
    except UnicodeDecodeError as exc:
        raise FieldError("body", "must be UTF-8 encoded JSON") from exc
    except (ValueError, RecursionError) as exc:
        raise FieldError("body", f"must be a JSON document ({type(exc).__name__})") from exc
    items = doc.get("positions") if isinstance(doc, dict) else doc
    if not isinstance(items, list):
        raise FieldError("positions", "must be a list of {id, lon, lat, status, ts}")
    validate.items(items, "positions", max_len=MAX_POSITIONS)
    batch = FixBatch()
    ids, lons, lats, statuses, tss = batch.ids, batch.lons, batch.lats, batch.statuses, batch.ts
    limit = now_ms + SKEW_MS
    for i, item in enumerate(items):
        if type(item) is not dict:
            raise FieldError(f"positions[{i}]", "must be an object")
        pid, lon, lat = item.get("id"), item.get("lon"), item.get("lat")
        status, ts = item.get("status", "available"), item.get("ts", now_ms)
        if not (
            type(pid) is str
            and (pid in _known_ids or _remember(pid))
            and type(lat) is float
            and -validate.GEO_MAX_LAT <= lat <= validate.GEO_MAX_LAT
            and type(lon) is float
            and -180.0 <= lon <= 180.0
            and type(status) is str
            and status in _STATUS_SET
            and type(ts) is int
            and 0 < ts <= limit
        ):
            pid, lon, lat, status, ts = _checked(f"positions[{i}]", pid, lon, lat, status, ts, now_ms)
            if ts == now_ms and item.get("ts", now_ms) != now_ms:
                batch.clamped.add(i)
        ids.append(pid)
        lons.append(lon)
        lats.append(lat)
        statuses.append(status)
        tss.append(ts)
    return batch


def _remember(pid: str) -> bool:
    if not _ID.fullmatch(pid):
        return False
    if len(_known_ids) >= _KNOWN_MAX:
        _known_ids.clear()
    _known_ids.add(pid)
    return True


def _checked(where: str, pid: Any, lon: Any, lat: Any, status: Any, ts: Any, now_ms: int) -> tuple:
    """The slow path: the validation layer's checks, in the order the fields have always been named."""
    pid = validate.patrol_id(pid, f"{where}.id")
    lat = validate.latitude(lat, f"{where}.lat", geo=True)  # Redis GEO refuses |lat| > 85.05112878
    lon = validate.longitude(lon, f"{where}.lon")
    status = validate.choice(status, f"{where}.status", STATUSES)
    # A fix dated ahead of our clock is kept at now: dated next year it would make every real fix look stale.
    ts = validate.epoch_ms(ts, f"{where}.ts", now_ms=now_ms)
    return pid, lon, lat, status, ts


# ---- CSV --------------------------------------------------------------------------------------------------


def parse_csv(raw: bytes, now_ms: int) -> FixBatch:
    """Compact lines `id,lon,lat,ts[,status]`."""
    try:
        text = raw.decode("ascii")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise FieldError(f"line[{line}]", "must be ASCII (ids, plain decimal numbers, statuses)") from exc
    lines = text.split("\n")
    first = 1
    if lines and lines[0].rstrip("\r").replace(" ", "").lower() in _CSV_HEADER:
        lines, first = lines[1:], 2
    if sum(1 for line in lines if line and line != "\r") > MAX_POSITIONS:
        raise FieldError("positions", f"must hold at most {MAX_POSITIONS} lines")
    batch = FixBatch()
    ids, lons, lats, statuses, tss = batch.ids, batch.lons, batch.lats, batch.statuses, batch.ts
    limit = now_ms + SKEW_MS
    match = _LINE.fullmatch
    for n, line in enumerate(lines, start=first):
        if line.endswith("\r"):
            line = line[:-1]
        if not line:
            continue
        m = match(line)
        if m is None:
            raise _line_error(n, line, now_ms)
        pid, lon_s, lat_s, ts_s, status = m.groups()
        lon, lat, ts = float(lon_s), float(lat_s), int(ts_s)
        if not (-180.0 <= lon <= 180.0 and -validate.GEO_MAX_LAT <= lat <= validate.GEO_MAX_LAT and ts > 0):
            raise _line_error(n, line, now_ms)
        if ts > limit:
            batch.clamped.add(len(ids))
            ts = now_ms
        ids.append(pid)
        lons.append(lon)
        lats.append(lat)
        statuses.append(status or "available")
        tss.append(ts)
    return batch


_NUMBER = re.compile(r"-?[0-9]{1,3}(?:\.[0-9]{1,15})?")


def _plain(text: str, name: str, check: Callable[[float, str], float]) -> float:
    if not _NUMBER.fullmatch(text):
        raise FieldError(name, "must be a plain decimal number (digits, one '.', an optional '-')")
    return check(float(text), name)


def _line_error(n: int, line: str, now_ms: int) -> FieldError:
    """The first thing wrong with line `n`, named as `line[n].field`."""
    where = f"line[{n}]"
    parts = line.split(",")
    if len(parts) not in (4, 5):
        return FieldError(where, f"must be id,lon,lat,ts or id,lon,lat,ts,status ({len(parts)} fields)")
    try:
        validate.patrol_id(parts[0], f"{where}.id")
        _plain(parts[1], f"{where}.lon", lambda v, name: validate.longitude(v, name))
        _plain(parts[2], f"{where}.lat", lambda v, name: validate.latitude(v, name, geo=True))
        if not re.fullmatch(r"[0-9]{1,16}", parts[3]) or int(parts[3]) < 1:
            raise FieldError(f"{where}.ts", "must be epoch milliseconds (a positive integer)")
        if len(parts) == 5:
            validate.choice(parts[4], f"{where}.status", STATUSES)
    except FieldError as exc:
        return exc
    return FieldError(where, "is not a fix")  # unreachable while _LINE and the checks above agree
