"""Socket.IO gateway, namespace /live: snapshot then deltas tagged with stream ids; exact replay on reconnect."""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from typing import Any

from flask import request
from flask_socketio import SocketIO, emit, join_room
from sqlalchemy import func, select

from dashboard.domain.cases import TERMINAL
from dashboard.live.leader import Lease
from dashboard.live.patrols import PatrolRow
from dashboard.live.relay import OutboxRelay
from dashboard.runtime import Runtime
from dashboard.services.clock import local_day_start, utcnow
from dashboard.services.commands import Ctx
from dashboard.services.errors import Conflict
from dashboard.services.rows import case_row
from dashboard.services.rules import flag_overdue, overdue_actor, overdue_case_ids
from dashboard.store.models import Case, CatalogItem, Staff

log = logging.getLogger(__name__)

NAMESPACE = "/live"
ALL_ROOM = "live:all"
VIEWS = ("screen", "dispatch", "leader")
SNAPSHOT_CASES = 5000  # newest open cases sent in a snapshot; the wall never shows more at once
_STREAM_ID = re.compile(r"^\d{1,20}-\d{1,20}$")


def _id_tuple(stream_id: str) -> tuple[int, int]:
    ms, seq = stream_id.split("-")
    return int(ms), int(seq)


def room_for(street: str | None) -> str:
    """The Socket.IO room of a scope: the whole district, or one street's cases."""
    return ALL_ROOM if street is None else f"live:street:{street}"


class PatrolStreets:
    """The street of each patrol (a staff code), so a street's views get only that street's patrols.

    Patrol positions are people's whereabouts: a street's wall or desk has no business following another
    street's grid workers. The staff table changes rarely; it is re-read at most every REFRESH_S. A patrol id
    that is not on the staff (a center inspector, a vehicle) has no street and goes to district views only.
    """

    REFRESH_S = 60.0

    def __init__(self, runtime: Runtime) -> None:
        self._rt = runtime
        self._lock = threading.Lock()
        self._streets: dict[str, str] = {}
        self._read_at = float("-inf")

    def _current(self) -> dict[str, str]:
        with self._lock:
            if time.monotonic() - self._read_at >= self.REFRESH_S:
                with self._rt.session() as session:
                    rows = session.execute(select(Staff.code, Staff.street_code).where(Staff.street_code.is_not(None)))
                    self._streets = {code: street for code, street in rows}
                self._read_at = time.monotonic()
            return self._streets

    def split(self, rows: list[PatrolRow]) -> dict[str, list[PatrolRow]]:
        """Rows grouped by street; rows of patrols without a street are left out."""
        streets = self._current()
        out: dict[str, list[PatrolRow]] = {}
        for row in rows:
            street = streets.get(str(row[0]))
            if street is not None:
                out.setdefault(street, []).append(row)
        return out

    def of_street(self, rows: list[PatrolRow], street: str | None) -> list[PatrolRow]:
        """All rows for a district view (street None), else that street's rows only."""
        return rows if street is None else self.split(rows).get(street, [])


def build_snapshot(runtime: Runtime, street: str | None, patrols: PatrolStreets) -> dict[str, Any]:
    """The full live picture: open cases, patrols and today's counters, tagged with the stream id it covers.

    The stream id is read before the database, so every change up to it is already in the rows we read;
    changes after it arrive as deltas (a client may see a row twice, never miss one).
    """
    last = runtime.redis.xrevrange(runtime.keys.case_stream, count=1)
    stream_id = last[0][0] if last else "0-0"
    tz = runtime.settings.timezone
    now = utcnow()
    day_start = local_day_start(now, tz)
    with runtime.session() as session:
        names = dict(session.execute(select(CatalogItem.code, CatalogItem.minor_name)).all())
        in_scope = [Case.street_code == street] if street else []
        open_now = Case.state.not_in([s.value for s in TERMINAL])
        open_cases = session.scalars(
            select(Case).where(open_now, *in_scope).order_by(Case.id.desc()).limit(SNAPSHOT_CASES)
        ).all()
        today = session.scalar(select(func.count(Case.id)).where(Case.reported_at >= day_start, *in_scope)) or 0
        max_id = session.scalar(select(func.max(Case.id))) or 0
        open_total = session.scalar(select(func.count(Case.id)).where(open_now, *in_scope)) or 0
    rows = [case_row(c, tz=tz, category_name=names.get(c.category_code or "")) for c in reversed(open_cases)]
    return {
        "id": stream_id,
        "cases": rows,
        "patrols": patrols.of_street(runtime.patrols.all_rows(), street),
        "kpis": {
            "today_reported": today,
            "open": open_total,
            "max_case_id": max_id,
            "day_start_ms": int(day_start.timestamp() * 1000),
            "server_ms": int(now.timestamp() * 1000),
        },
    }


def missed_deltas(runtime: Runtime, since: str, street: str | None = None) -> tuple[list[dict[str, Any]], str] | None:
    """Every delta after `since` in order, and the last stream id read (the client resumes from it).

    None when `since` is unknown or older than the retained stream. Rows outside `street` are left out; the
    returned id still covers them, so a street client does not ask for them again.
    """
    if not _STREAM_ID.match(since):
        return None
    first = runtime.redis.xrange(runtime.keys.case_stream, count=1)
    if first and _id_tuple(first[0][0]) > _id_tuple(since) and since != "0-0":
        return None
    entries = runtime.redis.xrange(runtime.keys.case_stream, min=f"({since}", max="+")
    deltas = [{"id": sid, "cases": _in_street(json.loads(fields["cases"]), street)} for sid, fields in entries]
    return [d for d in deltas if d["cases"]], (entries[-1][0] if entries else since)


def _in_street(rows: list[dict[str, Any]], street: str | None) -> list[dict[str, Any]]:
    return rows if street is None else [r for r in rows if r.get("street_code") == street]


def live_scope(auth: dict[str, Any]) -> tuple[bool, str | None]:
    """(allowed, street) for a connecting client: district-wide callers get street None."""
    from dashboard.api.auth import PAGE_ROLES, current_principal, principal_for_token

    token = auth.get("token")
    principal = principal_for_token(token) if isinstance(token, str) and token else current_principal()
    view = auth.get("view")
    if principal is None or view not in PAGE_ROLES or principal.role not in PAGE_ROLES[view]:
        return False, None
    if principal.via == "kiosk" and view != "screen":
        return False, None
    return True, (None if principal.actor().district_wide else principal.scope)


def register_live_handlers(socketio: SocketIO, runtime: Runtime, patrols: PatrolStreets | None = None) -> None:
    """Attach the /live handlers; a function so tests can attach them to a queue-less SocketIO."""
    session_scope: dict[str, str | None] = {}  # sid → street (None = district), for resync
    patrols = patrols or PatrolStreets(runtime)

    @socketio.on("connect", namespace=NAMESPACE)
    def _connect(auth: dict[str, Any] | None = None) -> bool:
        auth = auth if isinstance(auth, dict) else {}
        view = auth.get("view")
        if view not in VIEWS:
            return False  # refuse: unknown view
        allowed, street = live_scope(auth)
        if not allowed:
            return False  # refuse: not signed in, or this role may not watch this view
        session_scope[request.sid] = street
        # Join first, then read: a delta emitted in between is seen twice at worst, never missed.
        join_room(room_for(street))
        since = auth.get("since")
        replay = missed_deltas(runtime, since, street) if isinstance(since, str) else None
        # The answer goes to this one client, whose connection this process holds: straight to its socket, not
        # through the Redis message queue (which cost 0.5–0.9 s of the wall's first paint under load). The
        # client orders and de-duplicates by stream id, so a queued delta overtaking it does no harm.
        if replay is None:
            emit("snapshot", build_snapshot(runtime, street, patrols), ignore_queue=True)
        else:
            deltas, last_id = replay
            for delta in deltas:
                emit("delta", delta, ignore_queue=True)
            emit("synced", {"id": last_id, "replayed": len(deltas)}, ignore_queue=True)
        log.debug("live client %s view=%s since=%s", request.sid, view, since)
        return True

    @socketio.on("resync", namespace=NAMESPACE)
    def _resync(_data: Any = None) -> None:
        emit("snapshot", build_snapshot(runtime, session_scope.get(request.sid), patrols), ignore_queue=True)

    @socketio.on("disconnect", namespace=NAMESPACE)
    def _disconnect(*_args: Any) -> None:
        session_scope.pop(request.sid, None)


RULES_PERIOD_S = 15.0


def run_overdue_pass(runtime: Runtime) -> int:
    """One pass of the overdue rule, one transaction per case; returns how many cases it changed."""
    actor = overdue_actor(runtime.settings.county_code)
    with runtime.session() as session:
        ids = overdue_case_ids(session=session, now=utcnow())
    changed = 0
    for case_id in ids:
        try:
            with runtime.session() as session:
                ctx = Ctx(session=session, actor=actor, cal=runtime.calendar, tz=runtime.settings.timezone)
                changed += flag_overdue(ctx, case_id) is not None
        except Conflict:
            continue  # changed by someone meanwhile: looked at again next pass
    return changed


class LiveLoops:
    """Background loops of the live spine: the outbox relay and the 1 Hz patrol frames (leader-elected)."""

    def __init__(self, socketio: SocketIO, runtime: Runtime) -> None:
        self._sio = socketio
        self._rt = runtime
        self.stop = threading.Event()
        self.wake = threading.Event()
        self.patrol_streets = PatrolStreets(runtime)
        self.relay = OutboxRelay(
            sessions=runtime.sessions,
            client=runtime.redis,
            keys=runtime.keys,
            maxlen=runtime.settings.stream_maxlen,
            emit=self._emit_delta,
        )

    def _emit_delta(self, stream_id: str, delta: dict[str, Any]) -> None:
        self._sio.emit("delta", delta, to=ALL_ROOM, namespace=NAMESPACE)
        by_street: dict[str, list[dict[str, Any]]] = {}
        for row in delta["cases"]:
            by_street.setdefault(row.get("street_code") or "", []).append(row)
        # Street rooms get only their own rows: a street desk never receives another street's cases.
        for street, rows in by_street.items():
            self._sio.emit("delta", {"id": stream_id, "cases": rows}, to=room_for(street), namespace=NAMESPACE)

    def start(self) -> None:
        """Start both loops as daemon threads."""
        threading.Thread(target=self._relay_loop, name="outbox-relay", daemon=True).start()
        threading.Thread(target=self._frame_loop, name="patrol-frames", daemon=True).start()
        threading.Thread(target=self._rules_loop, name="overdue-rules", daemon=True).start()

    def _rules_loop(self) -> None:
        lease = Lease(self._rt.redis, self._rt.keys.lock("rules"), ttl_ms=60_000)
        while not self.stop.wait(RULES_PERIOD_S):
            try:
                if lease.hold() and run_overdue_pass(self._rt):
                    self.wake.set()
            except Exception:  # logged and retried next period; never kills the loop
                log.exception("overdue rule pass failed")

    def _relay_loop(self) -> None:
        lease = Lease(self._rt.redis, self._rt.keys.lock("relay"))
        idle = self._rt.settings.relay_interval_s
        while not self.stop.is_set():
            try:
                if lease.hold() and self.relay.run_once() > 0:
                    continue  # more may be waiting: go again at once
            except Exception:  # Redis or DB down: keep the rows, retry; a failing step never kills the loop
                log.exception("outbox relay step failed; retrying")
                self.stop.wait(1.0)
            # Intake in this process sets `wake` after commit; other processes' rows wait at most `idle`.
            self.wake.wait(idle)
            self.wake.clear()

    def _frame_loop(self) -> None:
        lease = Lease(self._rt.redis, self._rt.keys.lock("frames"))
        period = self._rt.settings.frame_interval_s
        next_at = time.monotonic()
        while not self.stop.is_set():
            next_at += period
            try:
                if lease.hold():
                    rows = self._rt.patrols.take_frame()
                    if rows:
                        t = int(time.time() * 1000)
                        self._sio.emit("patrols", {"t": t, "rows": rows}, to=ALL_ROOM, namespace=NAMESPACE)
                        for street, own in self.patrol_streets.split(rows).items():
                            frame = {"t": t, "rows": own}
                            self._sio.emit("patrols", frame, to=room_for(street), namespace=NAMESPACE)
            except Exception:
                log.exception("patrol frame failed")
            delay = next_at - time.monotonic()
            if delay < 0:  # fell behind: skip ahead rather than burst
                next_at = time.monotonic()
                delay = 0
            self.stop.wait(delay)
