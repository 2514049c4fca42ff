"""Snapshots of the live picture, built and JSON-encoded once per scope and stream id, shared by every client.

A reconnect storm used to build one 5,000-row snapshot per connecting client (each 2.5 MB, each its own DB read,
ORM objects and JSON encoding), so 200 clients reconnecting starved the process: snapshots took 10+ s, clients
gave up and came back, and every abandoned build still ran to the end. Here:

- the case part (open cases and counters) of a scope is read and encoded once per stream id; a client whose
  required id is covered by the cached part gets it without touching the database;
- one build per scope at a time (single flight): others wait for it instead of starting their own, and builds
  across scopes are bounded by a semaphore;
- the patrol part is read from Redis at most once per `PATROL_MAX_AGE_S` (the frame period: a client misses at
  most one frame's movement, and frames after its join bring it up to date);
- the assembled Socket.IO packet is cached too, so a client costs one queue put; nothing is encoded per client.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import redis
from socketio import packet as sio_packet
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dashboard.domain.cases import TERMINAL
from dashboard.domain.clock import local_day_start, utcnow
from dashboard.domain.rows import case_row
from dashboard.live.patrols import PatrolRow
from dashboard.runtime import Runtime
from dashboard.store.models import Case, CatalogItem, Outbox

log = logging.getLogger(__name__)

SNAPSHOT_CASES = 5000  # newest open cases sent in a snapshot; the wall never shows more at once
MAX_BUILDS = 2  # case parts built at once across scopes (two cores)
WAIT_S = 30.0  # longest a connecting client waits for a build before it is refused (and retries)
PART_MAX_AGE_S = 30.0  # a case part is rebuilt at least this often (today's counters, the day boundary)
DOWN_MAX_AGE_S = 2.0  # with Redis down no stream id moves, so a part is reused only this long
REDIS_RETRY_S = 2.0  # after a failed Redis call, skip Redis this long (no connect timeout per client)
PATROL_MAX_AGE_S = 1.0  # patrol rows are re-read at most once per frame period
ADVANCE_MAX_ENTRIES = 500  # a part further behind the stream is read again from the database
TERMINAL_STATES = frozenset(s.value for s in TERMINAL)

Scope = str | None  # a street code, or None for the district


def id_tuple(stream_id: str) -> tuple[int, int]:
    """A valid stream id as (ms, seq), for ordering."""
    ms, _, seq = stream_id.partition("-")
    return int(ms), int(seq or 0)


def encode_json(data: Any) -> str:
    """Compact JSON as the live protocol sends it (UTF-8 text, not \\u escapes: a third smaller on the wire)."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


class EncodedEvent(sio_packet.Packet):
    """A Socket.IO EVENT whose JSON was encoded once: `encode()` hands every client the same string.

    Built with `data=None` so python-socketio does not walk the payload looking for binary parts; the packet
    text is the protocol's `2<namespace>,["<event>",<json>]`.
    """

    def __init__(self, event: str, body_json: str, namespace: str) -> None:
        super().__init__(sio_packet.EVENT, data=None, namespace=namespace)
        self._encoded = f'{sio_packet.EVENT}{namespace},["{event}",{body_json}]'

    def encode(self) -> str:  # type: ignore[override]
        return self._encoded

    @property
    def size(self) -> int:
        """Length of the packet text."""
        return len(self._encoded)


RowCache = dict[int, tuple[int, str]]  # case id → (version, CASE_ROW as JSON), ascending by id


@dataclass(frozen=True)
class CasePart:
    """Open cases and counters of one scope, encoded, covering every change up to `stream_id`."""

    stream_id: str
    built_at: float  # monotonic time of the database read it descends from
    redis_down: bool  # built while Redis was unreachable: `stream_id` is only the last one this process knew
    rows: RowCache
    complete: bool  # `rows` holds every open case of the scope (not cut at SNAPSHOT_CASES)
    kpis: dict[str, Any]
    cases_json: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "cases_json", "[" + ",".join(text for _v, text in self.rows.values()) + "]")

    def serves(self, at_least: str, now: float) -> bool:
        """True if a client that needs every change up to `at_least` may be given this part."""
        age = now - self.built_at
        if age >= (DOWN_MAX_AGE_S if self.redis_down else PART_MAX_AGE_S):
            return False
        return id_tuple(self.stream_id) >= id_tuple(at_least)


@dataclass
class _Flight:
    """A build in progress that others wait for."""

    done: bool = False
    error: BaseException | None = None


@dataclass
class _Assembled:
    part: CasePart
    patrols_at: float
    packet: EncodedEvent


@dataclass
class _Patrols:
    taken_at: float = float("-inf")
    rows: list[PatrolRow] = field(default_factory=list)
    by_scope: dict[Scope, str] = field(default_factory=dict)  # encoded lazily per scope


class SnapshotCache:
    """The shared snapshots of one process; `packet(scope, at_least)` is what a connecting client is sent."""

    def __init__(
        self,
        runtime: Runtime,
        *,
        namespace: str,
        patrols_of: Callable[[list[PatrolRow], Scope], list[PatrolRow]],
        max_builds: int = MAX_BUILDS,
    ) -> None:
        self._rt = runtime
        self._namespace = namespace
        self._patrols_of = patrols_of
        self._cond = threading.Condition()
        self._parts: dict[Scope, CasePart] = {}
        self._flights: dict[Scope, _Flight] = {}
        self._builds = threading.BoundedSemaphore(max_builds)
        self._assembled: dict[tuple[Scope, bool], _Assembled] = {}  # (scope, with patrols)
        self._patrols = _Patrols()
        self._patrol_lock = threading.Lock()
        self._last_seen = "0-0"
        self._down_until = float("-inf")
        self.reads = 0  # case parts read from the database (tests read it)

    # ------------------------------------------------------------ stream head

    def head(self) -> str | None:
        """The case stream's last id now, or None when Redis cannot be reached."""
        if time.monotonic() < self._down_until:
            return None
        try:
            last = self._rt.redis.xrevrange(self._rt.keys.case_stream, count=1)
        except redis.RedisError:
            self._down_until = time.monotonic() + REDIS_RETRY_S
            log.warning("Redis unreachable: snapshots come from the database alone for now")
            return None
        stream_id = last[0][0] if last else "0-0"
        self.saw(stream_id)
        return stream_id

    def saw(self, stream_id: str) -> None:
        """Remember the newest stream id this process has seen (the snapshot id while Redis is down)."""
        with self._cond:
            if id_tuple(stream_id) > id_tuple(self._last_seen):
                self._last_seen = stream_id

    @property
    def last_seen(self) -> str:
        """The newest stream id this process has seen ("0-0" if none)."""
        return self._last_seen

    # ------------------------------------------------------------ snapshots

    def packet(self, scope: Scope, at_least: str | None, *, patrols: bool = True) -> EncodedEvent:
        """The `snapshot` packet for `scope`, covering every change up to `at_least` (None: Redis is down).

        `patrols=False` for a view that draws no patrols (the leader's phone): its snapshot carries none, rather
        than every patrol's row (~440 KB at 10,000 patrols) on a weak link.

        The caller has joined the scope's room *before* reading `at_least`, so every delta after it reaches the
        client live; the part only has to cover up to it. Raises if the build fails or takes longer than WAIT_S.
        """
        down = at_least is None
        if down:
            # No stream head to compare with: the newest id a relay recorded in the outbox stands in for it. Read
            # after the caller joined its room like the head, it makes a part built before a publish (Redis came
            # back meanwhile) unfit, as the head would.
            at_least = self.published_head()
        part = self._case_part(scope, at_least, down=down)
        patrols_at, patrols_json = self._patrol_part(scope) if patrols else (0.0, "[]")
        key = (scope, patrols)
        with self._cond:
            done = self._assembled.get(key)
            if done is not None and done.part is part and done.patrols_at == patrols_at:
                return done.packet
        kpis = {**part.kpis, "server_ms": int(time.time() * 1000)}  # the client's clock skew: set when assembled
        body = (
            f'{{"id":{encode_json(part.stream_id)},"cases":{part.cases_json},'
            f'"patrols":{patrols_json},"kpis":{encode_json(kpis)}}}'
        )
        built = EncodedEvent("snapshot", body, self._namespace)
        with self._cond:
            self._assembled[key] = _Assembled(part, patrols_at, built)
            self._evict_idle()
        return built

    def _evict_idle(self) -> None:
        """Drop the parts of scopes nobody asked for lately (a street's desk closed for the night)."""
        now = time.monotonic()
        for scope in [s for s, p in self._parts.items() if now - p.built_at >= 2 * PART_MAX_AGE_S]:
            self._parts.pop(scope, None)
            self._assembled.pop((scope, True), None)
            self._assembled.pop((scope, False), None)

    def published_head(self) -> str:
        """The newest stream id in the outbox (or seen by this process): the stream's head as the database knows it."""
        with self._rt.session() as session:
            published = _last_published(session)
        self.saw(published)
        return self._last_seen

    def _case_part(self, scope: Scope, at_least: str, *, down: bool) -> CasePart:
        deadline = time.monotonic() + WAIT_S
        with self._cond:
            while True:
                part = self._parts.get(scope)
                # With Redis down only a part read from the database during the outage will do (fresh rows).
                if part is not None and part.redis_down >= down and part.serves(at_least, time.monotonic()):
                    return part
                flight = self._flights.get(scope)
                if flight is None:
                    flight = self._flights[scope] = _Flight()
                    break  # ours to build
                # Someone is building this scope: wait for it, then look again (it may not cover us).
                left = deadline - time.monotonic()
                if left <= 0 or not self._cond.wait(left):
                    raise TimeoutError(f"snapshot of {scope or 'district'} not ready within {WAIT_S} s")
                if flight.error is not None:
                    raise flight.error
        try:
            with self._builds:
                part = None if down else self._advance(self._parts.get(scope), scope, at_least)
                if part is None:
                    part = self._build_cases(scope)
                    self.reads += 1
        except BaseException as exc:
            with self._cond:
                flight.error = exc
                self._flights.pop(scope, None)
                self._cond.notify_all()
            raise
        with self._cond:
            self._parts[scope] = part
            flight.done = True
            self._flights.pop(scope, None)
            self._cond.notify_all()
        return part

    def _build_cases(self, scope: Scope) -> CasePart:
        """Read the scope's open cases and counters and encode them once.

        The stream id is read before the database, so every change up to it is already in the rows we read;
        changes after it arrive as deltas (a client may see a row twice, never miss one).

        With Redis down the id is the newest one a relay recorded in the outbox (or this process saw): every
        change after it is either in these rows or still in the outbox, and the outbox is published under newer
        ids once Redis is back. The client therefore misses nothing; it may receive a change again whose newer
        version the rows already hold, which the (case id, version) rule of the live client ignores. On its next
        reconnect it sends that id and gets a replay, or a snapshot if the stream no longer holds it (Redis came
        back without its data).
        """
        head = self.head()
        stream_id = head if head is not None else self._last_seen
        tz = self._rt.settings.timezone
        now = utcnow()
        day_start = local_day_start(now, tz)
        with self._rt.session() as session:
            if head is None:  # the newest id any relay marked in the outbox: read first, so the rows cover it
                published = _last_published(session)
                if id_tuple(published) > id_tuple(stream_id):
                    stream_id = published
            names = dict(session.execute(select(CatalogItem.code, CatalogItem.minor_name)).all())
            in_scope = [Case.street_code == scope] if scope else []
            open_now = Case.state.not_in([s.value for s in TERMINAL])
            open_cases = session.scalars(
                select(Case).where(open_now, *in_scope).order_by(Case.id.desc()).limit(SNAPSHOT_CASES)
            ).all()
            today = session.scalar(select(func.count(Case.id)).where(Case.reported_at >= day_start, *in_scope)) or 0
            max_id = session.scalar(select(func.max(Case.id))) or 0
            open_total = session.scalar(select(func.count(Case.id)).where(open_now, *in_scope)) or 0
            rows = {
                c.id: (c.version, encode_json(case_row(c, tz=tz, category_name=names.get(c.category_code or ""))))
                for c in reversed(open_cases)
            }
        return CasePart(
            stream_id=stream_id,
            built_at=time.monotonic(),
            redis_down=head is None,
            rows=rows,
            complete=open_total <= len(rows),
            kpis={
                "today_reported": today,
                "open": open_total,
                "max_case_id": max_id,
                "day_start_ms": int(day_start.timestamp() * 1000),
            },
        )

    def _advance(self, part: CasePart | None, scope: Scope, at_least: str) -> CasePart | None:
        """`part` brought up to the stream's end by applying the entries after it; None if a database read is due.

        Under steady change (a case every few hundred ms) the stream id moves faster than a 5,000-row read takes,
        so re-reading the database per stream id would still mean one build per client. Applying the few new
        entries costs only the changed rows' encoding. A read is due when there is no part, it was built with
        Redis down, it is older than PART_MAX_AGE_S, the stream no longer holds its id (trimmed or lost), it is
        far behind, or a case left a part that was cut at SNAPSHOT_CASES (the next-newest open case is not known
        without the database).
        """
        if part is None or part.redis_down:
            return None
        if time.monotonic() - part.built_at >= PART_MAX_AGE_S:
            return None
        key = self._rt.keys.case_stream
        try:
            pipe = self._rt.redis.pipeline(transaction=True)
            pipe.xrange(key, count=1)
            pipe.xrange(key, min=f"({part.stream_id}", max="+", count=ADVANCE_MAX_ENTRIES + 1)
            first, entries = pipe.execute()
        except redis.RedisError:
            return None
        if not first or id_tuple(first[0][0]) > id_tuple(part.stream_id) or len(entries) > ADVANCE_MAX_ENTRIES:
            return None
        if not entries:
            return part if id_tuple(part.stream_id) >= id_tuple(at_least) else None
        advanced = apply_entries(part, entries, scope, tz=self._rt.settings.timezone)
        if advanced is not None:
            self.saw(advanced.stream_id)
        return advanced

    def _patrol_part(self, scope: Scope) -> tuple[float, str]:
        """(taken_at, encoded rows) of the scope's patrols, re-read from Redis at most every PATROL_MAX_AGE_S."""
        with self._patrol_lock:
            current = self._patrols
            if time.monotonic() - current.taken_at >= PATROL_MAX_AGE_S and time.monotonic() >= self._down_until:
                try:
                    rows = self._rt.patrols.all_rows()
                    current = self._patrols = _Patrols(taken_at=time.monotonic(), rows=rows)
                except redis.RedisError:
                    # Positions live in Redis only: keep the last ones read (stale, not wrong) until it is back.
                    self._down_until = time.monotonic() + REDIS_RETRY_S
            encoded = current.by_scope.get(scope)
            if encoded is None:
                encoded = current.by_scope[scope] = encode_json(self._patrols_of(current.rows, scope))
            return current.taken_at, encoded


def apply_entries(
    part: CasePart, entries: list[tuple[str, dict[str, str]]], scope: Scope, *, tz: str
) -> CasePart | None:
    """A new part: `part` with the stream `entries` after it applied, as a live client applies deltas.

    A row replaces the held one only if its version is newer; a terminal row drops the case. None when a case
    leaves a part cut at SNAPSHOT_CASES (the database must say which open case comes next).
    """
    rows = dict(part.rows)
    kpis = dict(part.kpis)
    complete = part.complete
    day_start_ms = kpis["day_start_ms"]
    in_order = True
    last_id = next(reversed(rows), 0) if rows else 0
    for _sid, fields in entries:
        for row in json.loads(fields["cases"]):
            case_id = row["id"]
            in_scope = scope is None or row.get("street_code") == scope
            if case_id > kpis["max_case_id"]:  # a case reported after the part was read
                kpis["max_case_id"] = case_id
                if in_scope and _epoch_ms(row.get("reported_at"), tz) >= day_start_ms:
                    kpis["today_reported"] += 1
            if not in_scope:
                continue
            held = rows.get(case_id)
            if held is not None and row["version"] <= held[0]:
                continue  # a version the part already holds (read from the database after this entry)
            if row["state"] in TERMINAL_STATES:
                if held is not None:
                    if not complete:
                        return None
                    del rows[case_id]
                continue
            if held is None:
                if not complete and rows and case_id < next(iter(rows)):
                    continue  # older than the newest SNAPSHOT_CASES: outside the part, and stays so
                kpis["open"] += 0 if complete else 1
                in_order = in_order and case_id > last_id
                last_id = max(last_id, case_id)
            rows[case_id] = (row["version"], encode_json(row))
    if not in_order:
        rows = dict(sorted(rows.items()))
    if len(rows) > SNAPSHOT_CASES:
        for case_id in list(rows)[: len(rows) - SNAPSHOT_CASES]:
            del rows[case_id]
        complete = False
    if complete:
        kpis["open"] = len(rows)
    return CasePart(
        stream_id=entries[-1][0],
        built_at=part.built_at,
        redis_down=False,
        rows=rows,
        complete=complete,
        kpis=kpis,
    )


def _last_published(session: Session) -> str:
    """The stream id of the newest outbox row a relay marked sent ("0-0" if none)."""
    found = session.scalar(
        select(Outbox.stream_id).where(Outbox.stream_id.is_not(None)).order_by(Outbox.id.desc()).limit(1)
    )
    return found if isinstance(found, str) and found else "0-0"


def _epoch_ms(local_iso: object, tz: str) -> int:
    """Epoch ms of a CASE_ROW time (ISO with offset); 0 when absent or unreadable."""
    if not isinstance(local_iso, str):
        return 0
    try:
        moment = datetime.fromisoformat(local_iso)
    except ValueError:
        return 0
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(tz))
    return int(moment.timestamp() * 1000)
