"""Per-process fan-out of the case stream: each process reads the stream itself and pushes every entry to its own
/live clients, once and in stream order (DESIGN.md section 8).

Why not Socket.IO's Redis message queue (pub/sub), which the relay used to emit through: pub/sub keeps nothing.
A process whose subscriber is reconnecting misses what is published meanwhile, and python-socketio's listener
backs off up to a minute after an outage (1, 2, 4 … s), so after Redis returns the backlog the relay publishes
would reach some processes' screens and not others', with nothing telling those screens they have a gap. The
stream is durable and ordered: a reader that knows the last id it delivered resumes exactly after it, and can
prove whether it missed anything (its last id is still in the stream) or must tell its clients to resync.

What clients see of a Redis outage: every local client is disconnected when this reader loses Redis, so each view
says "reconnecting" and comes back with a snapshot from the database (the gateway serves those while Redis is
down). When Redis returns the reader goes on from its last id; if the stream lost entries (Redis restarted empty,
or trimmed past us) every local client is sent `gap` and takes a fresh snapshot.
"""

from __future__ import annotations

import json
import logging
import threading
from typing import Any

import redis
from flask_socketio import SocketIO
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from dashboard.live.snapshots import EncodedEvent, encode_json
from dashboard.runtime import Runtime
from dashboard.store.models import Outbox

log = logging.getLogger(__name__)


def _behind(published: str | None, tail: str) -> bool:
    """True when the relay recorded publishing a stream id newer than the stream's tail: entries were lost."""
    if published is None:
        return False
    return _id(published) > _id(tail)


def _id(stream_id: str) -> tuple[int, int]:
    ms, _, seq = stream_id.partition("-")
    return int(ms), int(seq or 0)


BLOCK_MS = 2000  # below redis-py's socket timeout (DESIGN.md section 11)
READ_COUNT = 200  # entries per XREAD; each is a relayed batch of up to relay.BATCH (500) rows
RETRY_S = 1.0  # between two attempts while Redis is away


class StreamFanout:
    """Reads the case stream after the last id it delivered and sends each entry to this process's rooms."""

    def __init__(
        self, socketio: SocketIO, runtime: Runtime, *, namespace: str, all_room: str, street_room: Any
    ) -> None:
        self._sio = socketio
        self._rt = runtime
        self._ns = namespace
        self._all = all_room
        self._street_room = street_room  # street code → room name
        self.cursor: str | None = None  # last stream id delivered; None until Redis first answered
        self.down = False  # Redis lost: clients were dropped, continuity is checked on return
        self.delivered = 0  # entries delivered (tests and benches read it)
        self.gaps = 0  # times the clients were told to resync

    def run(self, stop: threading.Event) -> None:
        """Deliver until `stop` is set; Redis errors are waited out, never fatal."""
        while not stop.is_set():
            try:
                if self.cursor is None or self.down:
                    self._resume()
                self._read_once()
            except redis.RedisError as exc:
                self._lost(exc)
                stop.wait(RETRY_S)
            except Exception:  # a malformed entry or a send that failed: logged, the loop goes on
                log.exception("case stream fan-out step failed")
                stop.wait(RETRY_S)

    def _read_once(self) -> None:
        assert self.cursor is not None
        key = self._rt.keys.case_stream
        # The blocking read holds one pooled connection for up to BLOCK_MS; other commands take others.
        answer = self._rt.redis.xread({key: self.cursor}, count=READ_COUNT, block=BLOCK_MS)
        for _stream, entries in answer or []:
            for stream_id, fields in entries:
                self._deliver(stream_id, fields)
                self.cursor = stream_id
                self.delivered += 1

    def _resume(self) -> None:
        """After a start or an outage: go on from the cursor if the stream still holds it, else resync clients."""
        key = self._rt.keys.case_stream
        r = self._rt.redis
        # Read before the stream's tail: an entry relayed in between then only makes the tail newer.
        published = self._last_published() if self.down else None
        last = r.xrevrange(key, count=1)
        tail = last[0][0] if last else "0-0"
        if self.cursor is None:
            self.cursor = tail  # first contact: clients connected so far took snapshots from the database
            if self.down:
                self._send_all("gap", {"id": tail})
                self.gaps += 1
        elif self.cursor != "0-0" and (
            not r.xrange(key, min=self.cursor, max=self.cursor, count=1) or _behind(published, tail)
        ):
            # The entry we delivered last is gone (the stream was lost with Redis or trimmed past us), or entries
            # the relay published are missing after it (a Sentinel failover promoted a replica that had not yet
            # received them: replication is asynchronous). What is missing cannot be replayed from the stream,
            # so every client takes a fresh snapshot from the database.
            log.warning("case stream lost entries after %s; local live clients resync", self.cursor)
            self.cursor = tail
            self._send_all("gap", {"id": tail})
            self.gaps += 1
        if self.down:
            log.info("case stream fan-out resumed after %s", self.cursor)
        self.down = False

    def _last_published(self) -> str | None:
        """The stream id the relay last recorded for an outbox row (None: none yet, or the database is away)."""
        try:
            with self._rt.session() as session:
                return session.scalars(
                    select(Outbox.stream_id).where(Outbox.stream_id.is_not(None)).order_by(Outbox.id.desc()).limit(1)
                ).first()
        except SQLAlchemyError:
            return None  # only the stream's own check then; the database's outage is the intake's to report

    def _lost(self, exc: redis.RedisError) -> None:
        if self.down:
            return
        self.down = True
        log.warning("case stream fan-out lost Redis (%s); local live clients reconnect", type(exc).__name__)
        self._drop_clients()

    def _deliver(self, stream_id: str, fields: dict[str, str]) -> None:
        cases_json = fields.get("cases", "[]")
        # The district room gets the entry as relayed, encoded once for all its clients.
        body = f'{{"id":{encode_json(stream_id)},"cases":{cases_json}}}'
        self._send_room(self._all, EncodedEvent("delta", body, self._ns))
        by_street: dict[str, list[dict[str, Any]]] = {}
        for row in json.loads(cases_json):
            by_street.setdefault(row.get("street_code") or "", []).append(row)
        # Street rooms get only their own rows: a street desk never receives another street's cases.
        for street, rows in by_street.items():
            body = encode_json({"id": stream_id, "cases": rows})
            self._send_room(self._street_room(street), EncodedEvent("delta", body, self._ns))

    def _participants(self, room: str | None) -> list[tuple[str, str]]:
        """(sid, eio sid) of this process's clients in `room`; room None: every client of the namespace."""
        return list(self._sio.server.manager.get_participants(self._ns, room))

    def _send_room(self, room: str | None, pkt: EncodedEvent) -> None:
        server = self._sio.server
        for _sid, eio_sid in self._participants(room):
            try:
                server._send_packet(eio_sid, pkt)
            except Exception:  # noqa: BLE001 - the client left between the listing and the put
                continue

    def _send_all(self, event: str, data: dict[str, Any]) -> None:
        self._send_room(None, EncodedEvent(event, encode_json(data), self._ns))

    def _drop_clients(self) -> None:
        server = self._sio.server
        for sid, _eio_sid in self._participants(None):
            try:
                server.disconnect(sid, namespace=self._ns, ignore_queue=True)
            except Exception:  # noqa: BLE001 - gone meanwhile
                continue
