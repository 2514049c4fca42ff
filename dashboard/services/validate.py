"""The one validation layer: every value a client sends passes one of these before anything uses it.

Each checker takes the raw value and the name of the field it came in, and returns the clean value or raises
`FieldError(name, …)`, which the API answers as a 4xx naming that field. The bounds here are what the rest of
the code relies on: integers fit a signed 64-bit column, instants leave room for ten years of SLA arithmetic,
coordinates are finite and inside what Redis GEO stores, text encodes as UTF-8 and fits its column, ids use an
alphabet that is safe in HTML, CSV and Redis, and JSON is parsed with a nesting limit so nothing recurses
without bound. Pure: the standard library only, so services, the API and the feeds share it.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Collection, Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from dashboard.services.errors import FieldError

__all__ = ["FieldError"]  # re-exported: callers catch what this module raises without a second import

INT64_MAX = 2**63 - 1
# Instants a client may name. Ten years of SLA limit added to the latest one stays far inside datetime's range,
# and no case, fix or audit row predates the Unix epoch.
MIN_INSTANT = datetime(1970, 1, 1, tzinfo=UTC)
MAX_INSTANT = datetime(9000, 1, 1, tzinfo=UTC)
MAX_EPOCH_MS = int((MAX_INSTANT - MIN_INSTANT).total_seconds() * 1000)
# How far ahead of our clock a client's timestamp may be (clocks differ a little; a fix dated next year would
# make every real fix after it look stale).
FUTURE_SKEW = timedelta(seconds=60)
# Redis GEO stores latitudes within ±85.05112878 only (Web Mercator); GEOADD refuses anything beyond.
GEO_MAX_LAT = 85.05112878
MAX_JSON_DEPTH = 32
# Request bodies: a full batch of 20,000 patrol fixes is about 2 MB. Photo uploads (multipart) raise the limit
# for their own requests only (dashboard/api/photo_forms.py, Settings.media_request_bytes).
MAX_BODY_BYTES = 8 * 1024 * 1024
MAX_QUERY_TEXT = 256

SAFE_ID = re.compile(r"[A-Za-z0-9_.:-]+")
PATROL_ID_MAX = 24
_ASCII_INT = re.compile(r"-?[0-9]{1,19}")
_ASCII_NUMBER = re.compile(r"[-+]?(?:[0-9]{1,20}(?:\.[0-9]{0,20})?|\.[0-9]{1,20})(?:[eE][-+]?[0-9]{1,3})?")
_ISO = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[T ][0-9:.,]{2,26}(?:Z|[+-][0-9]{2}(?::?[0-9]{2}){0,2})?)?")
_SURROGATE = re.compile("[\ud800-\udfff]")
# Characters no text field stores: NUL (PostgreSQL refuses it), other C0/C1 controls except tab and newlines.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_CONTROL_ONE_LINE = re.compile("[\x00-\x1f\x7f-\x9f]")


# ---- numbers ---------------------------------------------------------------------------------------------


def integer(value: Any, name: str, *, low: int = -INT64_MAX - 1, high: int = INT64_MAX) -> int:
    """A JSON integer (not a bool, not a float) within [low, high]."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise FieldError(name, f"must be an integer from {low} to {high}")
    return value


def ident(value: Any, name: str) -> int:
    """A database id: a positive integer that fits a signed 64-bit column."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= INT64_MAX:
        raise FieldError(name, "must be an id (an integer from 1 to 2^63-1)")
    return value


def int_arg(raw: str | None, name: str, *, default: int | None = None, low: int, high: int) -> int | None:
    """A query-string integer written in ASCII digits (str.isdigit() also passes '²' and '１'), within bounds."""
    if raw is None or raw == "":
        return default
    if not _ASCII_INT.fullmatch(raw) or not low <= int(raw) <= high:
        raise FieldError(name, f"must be an integer from {low} to {high} (ASCII digits)")
    return int(raw)


def number(value: Any, name: str, *, low: float, high: float) -> float:
    """A finite JSON number within [low, high]; huge integers are refused before float() could overflow."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise FieldError(name, f"is required and must be a number between {low} and {high}")
    if isinstance(value, int) and not -INT64_MAX <= value <= INT64_MAX:
        raise FieldError(name, f"must be between {low} and {high}")  # float() of 400 digits overflows
    value = float(value)
    if not math.isfinite(value) or not low <= value <= high:
        raise FieldError(name, f"must be between {low} and {high}")
    return value


def number_arg(raw: str | None, name: str, *, low: float, high: float) -> float:
    """A required query-string number in plain ASCII notation (no nan, inf, '٣' or 400 digits)."""
    if raw is None or not _ASCII_NUMBER.fullmatch(raw):
        raise FieldError(name, f"is required and must be a number between {low} and {high}")
    return number(float(raw), name, low=low, high=high)


def latitude(value: Any, name: str, *, geo: bool = False) -> float:
    """WGS-84 latitude; with `geo`, within what Redis GEO stores (±85.05112878)."""
    limit = GEO_MAX_LAT if geo else 90.0
    return number(value, name, low=-limit, high=limit)


def longitude(value: Any, name: str) -> float:
    """WGS-84 longitude."""
    return number(value, name, low=-180.0, high=180.0)


# ---- text and ids ----------------------------------------------------------------------------------------


def text(
    value: Any,
    name: str,
    *,
    max_len: int,
    required: bool = False,
    multiline: bool = True,
) -> str | None:
    """Text that stores and encodes anywhere: no lone surrogates, no NUL or control characters, bounded.

    None or "" gives None (or FieldError when `required`); the value is returned as sent (callers strip).
    Tabs and newlines are allowed when `multiline`.
    """
    if value is None or value == "":
        if required:
            raise FieldError(name, "is required")
        return None
    if not isinstance(value, str):
        raise FieldError(name, "must be text")
    if len(value) > max_len:
        raise FieldError(name, f"must be at most {max_len} characters")
    if _SURROGATE.search(value):
        raise FieldError(name, "contains a lone surrogate (invalid Unicode)")
    if (_CONTROL if multiline else _CONTROL_ONE_LINE).search(value):
        raise FieldError(name, "contains NUL or control characters")
    return value


def code(value: Any, name: str, *, max_len: int = 32, required: bool = True) -> str | None:
    """A code or key (grid, street, department, catalog condition): letters, digits and _ . : - only."""
    if value is None or value == "":
        if required:
            raise FieldError(name, "is required")
        return None
    if not isinstance(value, str) or not 0 < len(value) <= max_len or not SAFE_ID.fullmatch(value):
        raise FieldError(name, f"must be a code of 1–{max_len} letters, digits, '_', '.', ':' or '-'")
    return value


def patrol_id(value: Any, name: str) -> str:
    """A patrol id as the feeds and staff table write them (e.g. 110112001001001-01, 110112001-X01).

    Safe in HTML and CSV, and free of the comma that separates the fields of a stored fix.
    """
    if not isinstance(value, str) or not 0 < len(value) <= PATROL_ID_MAX or not SAFE_ID.fullmatch(value):
        raise FieldError(name, f"must be a patrol id of 1–{PATROL_ID_MAX} letters, digits, '_', '.', ':' or '-'")
    return value


def choice(value: Any, name: str, options: Collection[str]) -> str:
    """One of `options`; lists and objects are refused before any hashing."""
    if not isinstance(value, str) or value not in options:
        raise FieldError(name, f"must be one of {', '.join(options)}")
    return value


def items(value: Any, name: str, *, max_len: int) -> list[Any]:
    """A JSON list of at most `max_len` items."""
    if not isinstance(value, list):
        raise FieldError(name, "must be a list")
    if len(value) > max_len:
        raise FieldError(name, f"must hold at most {max_len} items")
    return value


# ---- time ------------------------------------------------------------------------------------------------


def instant_in_range(value: datetime, name: str) -> datetime:
    """An aware instant between 1970 and 9000 (so deadlines and calendars never overflow), as UTC."""
    try:
        utc = value.astimezone(UTC)
    except (OverflowError, ValueError) as exc:
        raise FieldError(name, "must lie between 1970-01-01 and 8999-12-31") from exc
    if not MIN_INSTANT <= utc < MAX_INSTANT:
        raise FieldError(name, "must lie between 1970-01-01 and 8999-12-31")
    return utc


def instant(
    raw: Any, name: str, *, tz: str | None = None, end_of_day: bool = False, offset_required: bool = False
) -> datetime | None:
    """An ISO date or date-time as an aware UTC instant between 1970 and 9000; None when empty.

    With `tz`, a date means its local start (with `end_of_day` the next day's start) and a date-time without
    offset is local time, unless `offset_required` (machine clients must say which instant they mean). Without
    `tz` only date-times with an offset pass.
    """
    if isinstance(raw, str):
        raw = raw.strip()
    if raw is None or raw == "":
        return None
    example = "e.g. 2026-11-22 or 2026-11-22T08:00+08:00" if tz else "e.g. 2026-11-22T09:30:00+08:00"
    if not isinstance(raw, str) or len(raw) > 40:
        raise FieldError(name, f"must be an ISO 8601 time, {example}")
    if "T" in raw and " " in raw:
        raw = raw.replace(" ", "+")  # an unencoded "+08:00" in a query arrives as " 08:00"
    if not _ISO.fullmatch(raw):
        raise FieldError(name, f"must be an ISO 8601 time, {example}")
    is_date = len(raw) == 10
    if is_date and tz is None:
        raise FieldError(name, f"must be a date-time with a UTC offset, {example}")
    try:
        if is_date:
            day = date.fromisoformat(raw) + timedelta(days=1 if end_of_day else 0)
            value = datetime.combine(day, time(0), tzinfo=ZoneInfo(tz))  # type: ignore[arg-type]
        else:
            value = datetime.fromisoformat(raw)
    except (ValueError, OverflowError) as exc:
        raise FieldError(name, f"must be an ISO 8601 time, {example}") from exc
    if value.tzinfo is None:
        if tz is None or offset_required:
            hint = " (or give a date)" if tz else ""
            raise FieldError(name, f"needs a UTC offset, e.g. 2026-11-22T09:30:00+08:00{hint}")
        value = value.replace(tzinfo=ZoneInfo(tz))
    return instant_in_range(value, name)


def not_future(value: datetime, name: str, *, now: datetime, skew: timedelta = FUTURE_SKEW) -> datetime:
    """`value` unless it lies further ahead of `now` than clocks plausibly differ."""
    if value > now + skew:
        raise FieldError(name, "lies in the future")
    return value


def epoch_ms(value: Any, name: str, *, now_ms: int, skew: timedelta = FUTURE_SKEW) -> int:
    """Epoch milliseconds of a device fix; a time further ahead than `skew` is clamped to `now_ms`.

    Clamped, not refused: the position is real, only the device's clock is wrong, and a fix kept at next year
    would make every later fix of that patrol look stale.
    """
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise FieldError(name, "must be epoch milliseconds (a positive integer)")
    return now_ms if value > now_ms + skew / timedelta(milliseconds=1) else value


# ---- JSON documents --------------------------------------------------------------------------------------

_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_INNERMOST = re.compile(rb"\[\]|\{\}")


def nesting_depth_exceeds(raw: bytes, max_depth: int) -> bool:
    """True when the JSON text nests arrays and objects deeper than `max_depth` (or its brackets do not pair).

    Strings are removed first (brackets inside them do not count), then each round deletes every innermost
    pair: after `max_depth` rounds a document no deeper than that is gone. C-speed regex passes, no recursion.
    """
    brackets = _JSON_STRING.sub(b"", raw).translate(None, _NOT_BRACKETS)
    for _ in range(max_depth):
        if not brackets:
            return False
        brackets = _INNERMOST.sub(b"", brackets)
    return bool(brackets)


def _reject_constant(token: str) -> Any:
    raise ValueError(f"{token} is not JSON")


def json_document(raw: bytes | str, *, name: str = "body", max_depth: int = MAX_JSON_DEPTH) -> Any:
    """Parse a JSON body with a nesting limit, no NaN/Infinity and no lone surrogates; FieldError naming `name`."""
    if isinstance(raw, str):
        doc_text = raw
    else:
        try:
            # Strictly UTF-8 (RFC 8259): json.loads(bytes) would decode with surrogatepass and let them in.
            doc_text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise FieldError(name, "must be UTF-8 encoded JSON") from exc
    if nesting_depth_exceeds(doc_text.encode("utf-8", "surrogatepass"), max_depth):
        raise FieldError(name, f"is nested deeper than {max_depth} levels (or its brackets do not pair)")
    try:
        doc = json.loads(doc_text, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:  # RecursionError cannot happen after the depth check
        raise FieldError(name, f"must be a JSON document ({type(exc).__name__})") from exc
    if ("\\ud" in doc_text or "\\uD" in doc_text) or _SURROGATE.search(doc_text):
        # A \ud800 escape becomes a lone surrogate that no database or encoder takes; pairs (emoji) are fine.
        where = _lone_surrogate_at(doc, name)
        if where is not None:
            raise FieldError(where, "contains a lone surrogate (invalid Unicode)")
    return doc


def _lone_surrogate_at(doc: Any, name: str) -> str | None:
    for path, value in _strings(doc, name):
        if _SURROGATE.search(value):
            return path
    return None


def _strings(doc: Any, name: str) -> Iterator[tuple[str, str]]:
    """(path, string) of every key and string value, iteratively (the depth is bounded but keep no recursion)."""
    stack: list[tuple[str, Any]] = [(name, doc)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            yield path, value
        elif isinstance(value, dict):
            for key, item in value.items():
                # Top-level fields are named as the client wrote them ("note"), deeper ones with their path.
                child = key if path == name else f"{path}.{key}"
                yield child, key
                stack.append((child, item))
        elif isinstance(value, list):
            stack.extend((f"{path}[{i}]", item) for i, item in enumerate(value))


# ---- Dash callback requests ------------------------------------------------------------------------------


DashShape = tuple[tuple[bool, ...], tuple[bool, ...]]  # per input and per state: does it take a list (ALL)?


def dash_callback(body: Any, shapes: dict[str, DashShape]) -> None:
    """The shape of a Dash `_dash-update-component` body, checked before Dash indexes into it.

    `shapes` maps each registered output id to its inputs and states, each True when a wildcard (ALL) makes it
    a list. Dash itself answers a malformed body with a KeyError or TypeError (a 500); the values inside stay for
    the callbacks to judge.
    """
    if not isinstance(body, dict):
        raise FieldError("body", "must be a JSON object")
    output = body.get("output")
    if not isinstance(output, str) or output not in shapes:
        raise FieldError("output", "is not a callback of this page")
    for key, wants_lists in zip(("inputs", "state"), shapes[output], strict=True):
        values = body.get(key, [])
        if not isinstance(values, list) or len(values) != len(wants_lists):
            raise FieldError(key, f"must be a list of {len(wants_lists)} items")
        for i, (item, wants_list) in enumerate(zip(values, wants_lists, strict=True)):
            if isinstance(item, list) != wants_list:
                raise FieldError(f"{key}[{i}]", "must be a list" if wants_list else "must be an object")
            for prop in item if isinstance(item, list) else [item]:
                if not (isinstance(prop, dict) and isinstance(prop.get("property"), str)) or not isinstance(
                    prop.get("id"), str | dict
                ):
                    raise FieldError(f"{key}[{i}]", "must be {id, property, value} (or a list of them)")
    outputs = body.get("outputs", [])
    if output.startswith("..") != isinstance(outputs, list):
        # "..a.children...b.children.." names several outputs (a list); a single one is an object.
        raise FieldError("outputs", "must be a list for a multi-output callback, else an object")
    for prop in outputs if isinstance(outputs, list) else [outputs]:
        for one in prop if isinstance(prop, list) else [prop]:
            if not (isinstance(one, dict) and isinstance(one.get("property"), str)) or not isinstance(
                one.get("id"), str | dict
            ):
                raise FieldError("outputs", "must be {id, property} (or a list of them)")
    changed = body.get("changedPropIds", [])
    if not isinstance(changed, list) or not all(isinstance(x, str) for x in changed):
        raise FieldError("changedPropIds", "must be a list of text")
