"""The 12345 hotline adapter: read and check a work order, and fetch new orders from a configured URL.

An order (JSON object), as 12345 platforms send them:

| field | | |
|---|---|---|
| `order_id` | required | the hotline's id, 1–64 of letters, digits, `_ . : -` (one case per id, however often sent) |
| `received_at` | required | when the hotline took the call: ISO 8601 with its UTC offset, not in the future |
| `caller`, `phone` | optional | the caller's name (≤ 64) and number (≤ 20); shown to dispatchers only |
| `address` | required | where (≤ 200); placed by the jurisdiction's names when there are no coordinates |
| `lat`, `lon` | optional | WGS-84, both or neither |
| `category` | required | the hotline's own category text (≤ 100), mapped to the catalog with a confidence |
| `content` | required | what the caller said (≤ 1500) |
| `urgency` | optional | 一般 (default) / 紧急 / 特急, or normal / urgent / very_urgent |

A bad order is refused with a FieldError naming the field (`orders[3].received_at` in a batch). Pushed orders
arrive at `POST /api/v1/hotline/orders` (dashboard/api/hotline.py); the polling client below fetches them from
HOTLINE_POLL_URL where the hotline only offers a pull interface. Both hand every order to the same service,
dashboard/services/hotline.py `take_order`.
"""

from __future__ import annotations

import logging
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from dashboard.domain.clock import local_iso, utcnow
from dashboard.domain.hotline import URGENCY, Order, urgency_of
from dashboard.live.leader import Lease
from dashboard.runtime import Runtime
from dashboard.services import validate
from dashboard.services.errors import FieldError
from dashboard.services.hotline import POLL_ACTOR, poll_cursor, refused, set_poll_cursor, take_order

log = logging.getLogger(__name__)

MAX_BATCH = 100
MAX_ADDRESS = 200
MAX_CATEGORY = 100
MAX_CONTENT = 1500
ORDER_FIELDS = frozenset(
    {"order_id", "received_at", "caller", "phone", "address", "lat", "lon", "category", "content", "urgency"}
)
POLL_LEASE = "hotline-poll"
POLL_LEASE_TTL_MS = 120_000
BACKOFF_CAP_S = 600.0
MAX_POLL_BYTES = 4 * 1024 * 1024


def _required_text(body: dict[str, Any], name: str, prefix: str, *, max_len: int, multiline: bool) -> str:
    value = validate.text(body.get(name), f"{prefix}{name}", max_len=max_len, required=True, multiline=multiline)
    text = (value or "").strip()
    if not text:
        raise FieldError(f"{prefix}{name}", "is required and must be non-empty text")
    return text


def _optional_text(body: dict[str, Any], name: str, prefix: str, *, max_len: int) -> str | None:
    value = validate.text(body.get(name), f"{prefix}{name}", max_len=max_len, multiline=False)
    return value.strip() or None if value else None


def parse_order(body: Any, *, prefix: str = "") -> Order:
    """A checked Order from one JSON object; FieldError naming the first bad field (with `prefix`, e.g. orders[2].)."""
    if not isinstance(body, dict):
        raise FieldError(prefix.rstrip(".") or "body", "must be a JSON object (one 12345 order)")
    unknown = sorted(str(k) for k in body if k not in ORDER_FIELDS)
    if unknown:
        raise FieldError(
            f"{prefix}{unknown[0][:40]}", f"is not a field of an order ({', '.join(sorted(ORDER_FIELDS))})"
        )
    order_id = validate.code(body.get("order_id"), f"{prefix}order_id", max_len=64)
    received_at = validate.instant(body.get("received_at"), f"{prefix}received_at")
    if received_at is None:
        raise FieldError(f"{prefix}received_at", "is required: an ISO 8601 time with its UTC offset")
    validate.not_future(received_at, f"{prefix}received_at", now=utcnow())
    lat, lon = body.get("lat"), body.get("lon")
    if (lat is None) != (lon is None):
        raise FieldError(f"{prefix}{'lon' if lon is None else 'lat'}", "give both lat and lon, or neither")
    if lat is not None:
        lat = validate.latitude(lat, f"{prefix}lat")
        lon = validate.longitude(lon, f"{prefix}lon")
    raw_urgency = body.get("urgency")
    urgency_text = "一般" if raw_urgency is None or raw_urgency == "" else raw_urgency
    urgency = urgency_of(urgency_text) if isinstance(urgency_text, str) and len(urgency_text) <= 16 else None
    if urgency is None:
        raise FieldError(f"{prefix}urgency", f"must be one of {', '.join(URGENCY)}")
    return Order(
        order_id=order_id or "",
        received_at=received_at,
        caller=_optional_text(body, "caller", prefix, max_len=64),
        phone=_optional_text(body, "phone", prefix, max_len=20),
        address=_required_text(body, "address", prefix, max_len=MAX_ADDRESS, multiline=False),
        lat=lat,
        lon=lon,
        category=_required_text(body, "category", prefix, max_len=MAX_CATEGORY, multiline=False),
        content=_required_text(body, "content", prefix, max_len=MAX_CONTENT, multiline=True),
        urgency=urgency,
        urgency_text=urgency_text.strip(),
    )


def parse_orders(body: Any) -> tuple[list[Order], bool]:
    """(orders, batch): one order object, or {"orders": [...]} of at most MAX_BATCH; FieldError naming the field."""
    if isinstance(body, dict) and "orders" in body:
        if len(body) != 1:
            raise FieldError("body", 'a batch is {"orders": [...]} and nothing else')
        items = validate.items(body["orders"], "orders", max_len=MAX_BATCH)
        if not items:
            raise FieldError("orders", "must hold at least one order")
        return [parse_order(item, prefix=f"orders[{i}].") for i, item in enumerate(items)], True
    return [parse_order(body)], False


# ---- the polling client -------------------------------------------------------------------------------------


class PollError(RuntimeError):
    """The poll URL did not answer with a JSON list of orders (the client backs off and tries again)."""


@dataclass(frozen=True)
class PollResult:
    """What one poll fetched and what became of it."""

    fetched: int
    created: int
    repeated: int
    refused: int
    cursor: str | None


def _fetch(url: str, *, since: str | None, token: str, timeout_s: float) -> Any:
    if since:
        url = f"{url}{'&' if '?' in url else '?'}{urllib.parse.urlencode({'since': since})}"
    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as answer:  # noqa: S310 - the configured URL
            raw = answer.read(MAX_POLL_BYTES + 1)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        raise PollError(f"{type(exc).__name__}: {getattr(exc, 'reason', exc)}") from exc
    if len(raw) > MAX_POLL_BYTES:
        raise PollError(f"the answer is larger than {MAX_POLL_BYTES} bytes")
    try:
        return validate.json_document(raw, name="poll")
    except FieldError as exc:
        raise PollError(f"the answer is not JSON: {exc.message}") from exc


def _orders_and_cursor(doc: Any) -> tuple[list[Any], str | None]:
    """A bare list of orders, or {"orders": [...], "cursor": "..."} (the server's own cursor wins)."""
    if isinstance(doc, list):
        return doc, None
    if isinstance(doc, dict) and isinstance(doc.get("orders"), list):
        cursor = doc.get("cursor", doc.get("next"))
        return doc["orders"], cursor if isinstance(cursor, str) and 0 < len(cursor) <= 200 else None
    raise PollError('the answer is neither a list of orders nor {"orders": [...]}')


class HotlinePoller:
    """GET the poll URL every `interval_s` for new orders (`?since=<cursor>`), each taken like a pushed one.

    The cursor is the server's `cursor` when it sends one, else the latest `received_at` seen; it is kept in the
    database, so a restart does not fetch everything again (and a repeat would only answer `repeated` anyway).
    A failed poll doubles the wait up to BACKOFF_CAP_S; a good one goes back to `interval_s`. Under a Redis lease,
    one process of an install polls. An order that cannot be read is audited (hotline:order_refused) and passed.
    """

    def __init__(
        self,
        runtime: Runtime,
        *,
        url: str,
        token: str = "",
        interval_s: float = 30.0,
        timeout_s: float = 10.0,
        stop: threading.Event | None = None,
        on_change: Callable[[], None] | None = None,
    ) -> None:
        self._rt = runtime
        self.url = url
        self.token = token
        self.interval_s = interval_s
        self.timeout_s = timeout_s
        self.stop = stop or threading.Event()
        self._on_change = on_change
        self.delay_s = interval_s  # the wait before the next poll (grows while polls fail)
        self.failures = 0

    def poll_once(self) -> PollResult:
        """One poll: fetch, take every order, move the cursor. PollError when the URL gave no list of orders."""
        since = poll_cursor(self._rt)
        orders, server_cursor = _orders_and_cursor(
            _fetch(self.url, since=since, token=self.token, timeout_s=self.timeout_s)
        )
        created = repeated = bad = 0
        latest: datetime | None = None
        for i, raw in enumerate(orders[: MAX_BATCH * 10]):
            try:
                order = parse_order(raw, prefix=f"orders[{i}].")
            except FieldError as exc:
                bad += 1
                order_id = raw.get("order_id") if isinstance(raw, dict) else None
                refused(
                    self._rt,
                    actor=POLL_ACTOR,
                    order_id=order_id if isinstance(order_id, str) else None,
                    field_name=exc.field,
                    message=exc.message,
                )
                continue
            taken = take_order(self._rt, order, actor=POLL_ACTOR)
            created += taken.status == "created"
            repeated += taken.status != "created"
            latest = order.received_at if latest is None or order.received_at > latest else latest
        cursor = server_cursor or (local_iso(latest, self._rt.settings.timezone) if latest else None)
        if cursor and cursor != since:
            set_poll_cursor(self._rt, cursor)
        if created and self._on_change is not None:
            self._on_change()
        return PollResult(len(orders), created, repeated, bad, cursor or since)

    def _after(self, ok: bool) -> None:
        self.failures = 0 if ok else self.failures + 1
        self.delay_s = self.interval_s if ok else min(BACKOFF_CAP_S, self.interval_s * 2**self.failures)

    def run_once(self) -> PollResult | None:
        """A poll whose failure is logged and backs off (what the loop runs); None when it failed."""
        try:
            result = self.poll_once()
        except Exception as exc:  # logged and retried later; never kills the loop
            self._after(False)
            log.warning("12345 poll of %s failed (%s); next try in %.0f s", self.url, exc, self.delay_s)
            return None
        self._after(True)
        return result

    def start(self) -> None:
        """Poll in a daemon thread until `stop` is set, in the one process holding the lease."""
        threading.Thread(target=self._loop, name="hotline-poll", daemon=True).start()

    def _loop(self) -> None:
        lease = Lease(self._rt.redis, self._rt.keys.lock(POLL_LEASE), ttl_ms=POLL_LEASE_TTL_MS)
        while not self.stop.wait(self.delay_s):
            try:
                held = lease.hold()
            except Exception:  # Redis away: try again after the usual wait
                log.warning("12345 poll lease not reachable")
                continue
            if held:
                self.run_once()
