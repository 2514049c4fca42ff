"""Socket.IO gateway, namespace /live: snapshot then deltas tagged with stream ids; exact replay on reconnect."""

from __future__ import annotations

import json
import logging
import re
import socket
import threading
import time
from typing import Any

import redis
from flask import request
from flask_socketio import SocketIO, join_room
from sqlalchemy import select

from dashboard.live.fanout import StreamFanout
from dashboard.live.leader import Lease
from dashboard.live.memory import trim, tune_malloc
from dashboard.live.patrols import PatrolRow
from dashboard.live.relay import OutboxRelay
from dashboard.live.relay_wake import RelayWake
from dashboard.live.snapshots import EncodedEvent, SnapshotCache, encode_json, id_tuple
from dashboard.runtime import Runtime
from dashboard.store.models import Staff

log = logging.getLogger(__name__)

NAMESPACE = "/live"
ALL_ROOM = "live:all"
VIEWS = ("screen", "dispatch", "leader")
# Views that draw patrols: only they get the 1 Hz patrol frames (a leader's phone would receive tens of KB a
# second at 10,000 patrols and draw none of them).
PATROL_VIEWS = frozenset({"screen", "dispatch"})
# ASCII digits only: `\d` also matches "١" or "²", which int() or Redis then refuse (a 500 in the connect handler).
_STREAM_ID = re.compile(r"([0-9]{1,20})-([0-9]{1,20})", re.ASCII)
_U64 = 2**64 - 1
REPLAY_MAX_ENTRIES = 2000  # a client further behind gets a snapshot: cheaper than the replay
REPLAY_MAX_BYTES = 4_000_000  # about two full snapshots of rows


def parse_stream_id(value: object) -> tuple[int, int] | None:
    """(ms, seq) of a well-formed Redis stream id, else None (any type, any string: never raises)."""
    if not isinstance(value, str) or len(value) > 41:
        return None
    match = _STREAM_ID.fullmatch(value)
    if match is None:
        return None
    ms, seq = int(match[1]), int(match[2])
    return (ms, seq) if ms <= _U64 and seq <= _U64 else None


def room_for(street: str | None) -> str:
    """The Socket.IO room of a scope: the whole district, or one street's cases."""
    return ALL_ROOM if street is None else f"live:street:{street}"


def patrol_room_for(street: str | None) -> str:
    """The room of a scope's patrol frames, joined only by the views of PATROL_VIEWS."""
    return "patrols:all" if street is None else f"patrols:street:{street}"


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


def missed_deltas(
    runtime: Runtime, since: object, street: str | None = None
) -> tuple[list[dict[str, Any]], str] | None:
    """Every delta after `since` in stream order, and the last stream id read (the client resumes from it).

    None (the client gets a snapshot) unless the stream provably still holds everything after `since`: the id
    must be well formed, no older than the stream's first entry (entries before it may have been trimmed) and no
    newer than its last (an id from a stream Redis has since lost, or a forged one); a client more than
    REPLAY_MAX_ENTRIES or REPLAY_MAX_BYTES behind gets a snapshot too. "0-0" (a snapshot taken of an empty
    stream) is older than any first entry, so it always gets a snapshot: the stream it came from may be gone.
    Rows outside `street` are left out; the returned id still covers them, so a street client does not ask for
    them again. Raises redis.RedisError when Redis is down.
    """
    after = parse_stream_id(since)
    if after is None:
        return None
    key = runtime.keys.case_stream
    after_id = f"{after[0]}-{after[1]}"
    # One MULTI: the bounds and the range are read from the same state of the stream (no trim in between).
    pipe = runtime.redis.pipeline(transaction=True)
    pipe.xrange(key, count=1)
    pipe.xrevrange(key, count=1)
    pipe.xrange(key, min=f"({after_id}", max="+", count=REPLAY_MAX_ENTRIES + 1)
    first, last, entries = pipe.execute()
    if not first or not last:
        return None  # no stream: never written, or lost with Redis; the client's id means nothing here
    if not id_tuple(first[0][0]) <= after <= id_tuple(last[0][0]):
        return None
    if len(entries) > REPLAY_MAX_ENTRIES or sum(len(fields["cases"]) for _, fields in entries) > REPLAY_MAX_BYTES:
        return None
    deltas = [{"id": sid, "cases": _in_street(json.loads(fields["cases"]), street)} for sid, fields in entries]
    return [d for d in deltas if d["cases"]], (entries[-1][0] if entries else after_id)


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


# TCP keepalive and a send timeout on each live socket: a client that vanished (no FIN: a laptop lid, a dropped
# Wi-Fi) would otherwise hold its reader thread in recv() and its writer in send() until the kernel gives up,
# which is forever for recv and about 15 minutes for send. Engine.IO's own ping only closes the Engine.IO socket.
KEEPALIVE_IDLE_S = 15
KEEPALIVE_INTERVAL_S = 5
KEEPALIVE_PROBES = 3
SEND_TIMEOUT_MS = 30_000


def bound_dead_peers(environ: dict[str, Any]) -> None:
    """Make the kernel notice a vanished peer of this WSGI request's socket within about 30 s."""
    sock = environ.get("werkzeug.socket") or environ.get("gunicorn.socket")
    if not isinstance(sock, socket.socket):
        return
    options = [
        (socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1),
        (socket.IPPROTO_TCP, getattr(socket, "TCP_KEEPIDLE", None), KEEPALIVE_IDLE_S),
        (socket.IPPROTO_TCP, getattr(socket, "TCP_KEEPINTVL", None), KEEPALIVE_INTERVAL_S),
        (socket.IPPROTO_TCP, getattr(socket, "TCP_KEEPCNT", None), KEEPALIVE_PROBES),
        (socket.IPPROTO_TCP, getattr(socket, "TCP_USER_TIMEOUT", None), SEND_TIMEOUT_MS),
    ]
    for level, option, value in options:
        if option is not None:
            try:
                sock.setsockopt(level, option, value)
            except OSError:  # not TCP (a unix socket behind a proxy): nothing to bound
                return


TRIM_QUIET_S = 3.0  # seconds without disconnects before freed memory is given back


class LiveGateway:
    """The /live namespace of this process: who is connected to which scope, and what a client is sent."""

    def __init__(self, socketio: SocketIO, runtime: Runtime, patrols: PatrolStreets) -> None:
        tune_malloc()  # before the server's threads exist: see dashboard/live/memory.py
        self._churned = threading.Event()
        threading.Thread(target=self._trim_after_churn, name="live-trim", daemon=True).start()
        self._sio = socketio
        self._rt = runtime
        self.scopes: dict[str, str | None] = {}  # sid → street (None = district), for resync
        self.no_patrols: set[str] = set()  # sids of views that draw no patrols (their snapshots carry none)
        self.snapshots = SnapshotCache(runtime, namespace=NAMESPACE, patrols_of=patrols.of_street)

    def on_connect(self, auth: Any = None) -> bool:
        """Admit a client and answer with a snapshot or the exact replay; never raises (a refusal instead)."""
        sid = request.sid
        try:
            return self._admit(auth if isinstance(auth, dict) else {}, sid)
        except Exception:  # a refusal, so python-socketio tidies up and the client retries with back-off
            log.exception("live connect failed; refusing %s", sid)
            self.scopes.pop(sid, None)
            self.no_patrols.discard(sid)
            return False

    def _admit(self, auth: dict[str, Any], sid: str) -> bool:
        view = auth.get("view")
        if not isinstance(view, str) or view not in VIEWS:
            return False  # refuse: unknown view
        allowed, street = live_scope(auth)
        if not allowed:
            return False  # refuse: not signed in, or this role may not watch this view
        bound_dead_peers(request.environ)
        self.scopes[sid] = street
        # Join first, then read: a delta emitted in between is seen twice at worst, never missed.
        join_room(room_for(street))
        if view in PATROL_VIEWS:
            join_room(patrol_room_for(street))
        else:
            self.no_patrols.add(sid)
        since = auth.get("since")
        replay = None
        if parse_stream_id(since) is not None:
            try:
                replay = missed_deltas(self._rt, since, street)
            except redis.RedisError:
                replay = None  # Redis down: no stream to replay from; a snapshot from the database instead
        # The answer goes to this one client, whose connection this process holds: straight to its socket, not
        # through the Redis message queue (which cost 0.5–0.9 s of the wall's first paint under load). The
        # client orders and de-duplicates by stream id, so a queued delta overtaking it does no harm.
        if replay is None:
            sent = self._send_snapshot(sid, street)
        else:
            deltas, last_id = replay
            packets = [EncodedEvent("delta", encode_json(d), NAMESPACE) for d in deltas]
            packets.append(EncodedEvent("synced", encode_json({"id": last_id, "replayed": len(deltas)}), NAMESPACE))
            sent = all(self._send(sid, p) for p in packets)
        if not sent:  # gone while we waited for its snapshot: free its place now
            self.scopes.pop(sid, None)
            self.no_patrols.discard(sid)
            return False
        log.debug("live client %s view=%s since=%r", sid, view, since)
        return True

    def on_resync(self, _data: Any = None) -> None:
        """A client that lost track asks for a fresh snapshot."""
        sid = request.sid
        if sid in self.scopes:
            try:
                self._send_snapshot(sid, self.scopes[sid])
            except Exception:  # the client asks again after its back-off
                log.exception("live resync failed for %s", sid)

    def on_disconnect(self, *_args: Any) -> None:
        """Forget the client."""
        self.scopes.pop(request.sid, None)
        self.no_patrols.discard(request.sid)
        self._churned.set()

    def _trim_after_churn(self) -> None:
        """Once connections stop coming and going, give the freed heap back (a storm's buffers, threads' stacks)."""
        while True:
            self._churned.wait()
            while self._churned.is_set():  # still churning: wait until a quiet period has passed
                self._churned.clear()
                time.sleep(TRIM_QUIET_S)
            trim()

    def _send_snapshot(self, sid: str, street: str | None) -> bool:
        if self._gone(sid):
            return False  # it left while waiting for a thread: build nothing for it
        packet = self.snapshots.packet(street, self.snapshots.head(), patrols=sid not in self.no_patrols)
        return self._send(sid, packet)

    def _gone(self, sid: str) -> bool:
        """True when the client's connection has closed (also while its connect handler is still running)."""
        server = self._sio.server
        eio_sid = server.manager.eio_sid_from_sid(sid, NAMESPACE)
        if eio_sid is None or eio_sid not in server.environ:  # python-socketio has processed its disconnect
            return True
        eio_socket = server.eio.sockets.get(eio_sid)
        return eio_socket is not None and eio_socket.closed

    def _send(self, sid: str, pkt: EncodedEvent) -> bool:
        """Queue an encoded packet for one client of this process; False when it is gone."""
        if self._gone(sid):
            return False
        server = self._sio.server
        try:
            # What emit(..., to=sid, ignore_queue=True) does, minus encoding the payload again for this client.
            server._send_packet(server.manager.eio_sid_from_sid(sid, NAMESPACE), pkt)
        except Exception:  # noqa: BLE001 - the socket closed between the check and the put
            return False
        return True


HANDLERS = (("connect", "on_connect"), ("resync", "on_resync"), ("disconnect", "on_disconnect"))


def register_live_handlers(socketio: SocketIO, runtime: Runtime, patrols: PatrolStreets | None = None) -> LiveGateway:
    """Attach the /live handlers; a function so tests can attach them to a queue-less SocketIO."""
    gateway = LiveGateway(socketio, runtime, patrols or PatrolStreets(runtime))
    for event, method in HANDLERS:
        socketio.on_event(event, getattr(gateway, method), namespace=NAMESPACE)
    return gateway


class LiveLoops:
    """Background loops of the live spine: the outbox relay and the 1 Hz patrol frames (leader-elected), and this
    process's fan-out of the case stream to its own clients (every process: dashboard/live/fanout.py).

    They only publish what was committed; timed business rules (the overdue rule) are the scheduler's
    (dashboard/services/scheduler.py), which the app starts beside these loops and wakes `wake` after a change.
    """

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
            # The relay only appends to the stream; each process's fan-out reads it and pushes to its clients.
            emit=None,
        )
        self.fanout = StreamFanout(socketio, runtime, namespace=NAMESPACE, all_room=ALL_ROOM, street_room=room_for)
        self.relay_wake = RelayWake(runtime.redis, runtime.keys.relay_wake, self.wake)

    def start(self) -> None:
        """Start the loops as daemon threads."""
        threading.Thread(target=self._relay_loop, name="outbox-relay", daemon=True).start()
        threading.Thread(target=self._frame_loop, name="patrol-frames", daemon=True).start()
        threading.Thread(target=self.fanout.run, args=(self.stop,), name="case-fanout", daemon=True).start()
        threading.Thread(target=self.relay_wake.listen, args=(self.stop,), name="relay-wake", daemon=True).start()

    def _relay_loop(self) -> None:
        lease = Lease(self._rt.redis, self._rt.keys.lock("relay"))
        idle = self._rt.settings.relay_interval_s
        while not self.stop.is_set():
            try:
                self.relay_wake.leading = lease.hold()
                if self.relay_wake.leading and self.relay.run_once() > 0:
                    continue  # more may be waiting: go again at once
            except Exception:  # Redis or DB down: keep the rows, retry; a failing step never kills the loop
                log.exception("outbox relay step failed; retrying")
                lease.forget()
                self.stop.wait(1.0)
            # Intake in this process sets `wake` after commit; the leader's is set by its own commits and by the
            # other processes' forwarded wake-ups (live/relay_wake.py); `idle` is the floor when one is lost.
            woken = self.wake.wait(idle)
            self.wake.clear()
            if woken and not self.relay_wake.leading:
                self.relay_wake.forward()

    def _emit_frame(self, frame: dict[str, Any], street: str | None) -> None:
        """One room's frame as JSON text, encoded here once (the live client parses it).

        Handed a dict, python-socketio walks every row for binary data (~63 ms for 10,000 patrols), the Redis
        manager pickles it for every process (~40 ms) and each process encodes it again (~25 ms): a quarter of a
        core at 1 Hz. A str is checked, pickled and framed in ~2 ms (BENCHMARKS.md, patrol fixes per second).
        """
        text = json.dumps(frame, separators=(",", ":"), ensure_ascii=False)
        self._sio.emit("patrols", text, to=patrol_room_for(street), namespace=NAMESPACE)

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
                        self._emit_frame({"t": t, "rows": rows}, None)
                        for street, own in self.patrol_streets.split(rows).items():
                            self._emit_frame({"t": t, "rows": own}, street)
            except Exception:
                log.exception("patrol frame failed")
                lease.forget()
            delay = next_at - time.monotonic()
            if delay < 0:  # fell behind: skip ahead rather than burst
                next_at = time.monotonic()
                delay = 0
            self.stop.wait(delay)
