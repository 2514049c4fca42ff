"""The verbs owed to the 12345 hotline: queued with the command that owes them, sent in order, retried, dead-lettered.

- `owe` is called by the one write path (services/commands_write.py write_case) for every command, in the command's own
  transaction: a case that came from a hotline order gets a pending callback for what the command owes
  (domain/hotline.py verb_for), so the case change and the callback commit or roll back together. When the command
  is a case's outcome (办结, 退单), every order merged into that case, directly or through a chain of merges, gets
  the same outcome with "并入 <code>" (domain/hotline.py follower_verb), once per order, sent like any other.
- `send_pass` (run by the scheduler, services/scheduler.py, in one process of an install) POSTs each due callback as
  JSON to HOTLINE_CALLBACK_URL with `Authorization: Bearer HOTLINE_TOKEN` and `Idempotency-Key: gridcmd-cb-<id>`
  (a callback whose answer was lost is sent again; the key lets the hotline drop the repeat). The callbacks of one
  order go strictly in order: one waits while an earlier one of its order is pending or dead. A failure is
  retried after base·2^(n-1) seconds (capped, with jitter); the HOTLINE_MAX_ATTEMPTS-th failure makes it dead.
- Dead letters are listed for the admin (`dead_letters`) and replayed (`replay`, `replay_all`): a replayed
  callback is pending again with a fresh count, and the ones held behind it follow it once it is sent.
"""

from __future__ import annotations

import json
import logging
import random
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, aliased

from dashboard.domain.cases import State
from dashboard.domain.clock import local_iso, utcnow
from dashboard.domain.hotline import FINAL_VERBS, VERBS, Owed, follower_verb, retry_delay_s, verb_for
from dashboard.runtime import Runtime
from dashboard.services.audit import record
from dashboard.services.errors import NotFound
from dashboard.store.hotline_models import HotlineCallback, HotlineOrder
from dashboard.store.models import Case, CaseEvent

log = logging.getLogger(__name__)

PENDING, SENT, DEAD = "pending", "sent", "dead"
SEND_BATCH = 200
MAX_ROUNDS = 5  # rounds of one pass: each sends the callbacks the previous round's successes freed
MAX_ERROR = 500
MAX_LIST = 500


# ---- owed by a command (called by write_case, in its transaction) -----------------------------------------


def _enriched(session: Session, case: Case, command: str, payload: dict[str, Any]) -> dict[str, Any]:
    """The command's payload plus what the hotline needs that the payload holds only as ids."""
    extra = dict(payload)
    if command == "merge" and isinstance(payload.get("into"), int):
        target = session.get(Case, payload["into"])
        extra["into_code"] = target.code if target else None
    if command == "verify":
        extra["handled_notes"] = (
            session.scalar(
                select(CaseEvent.note)
                .where(CaseEvent.case_id == case.id, CaseEvent.command == "report-handled")
                .order_by(CaseEvent.id.desc())
                .limit(1)
            )
            or ""
        )
    return extra


def _callback(order_id: str, case: Case, owed: Owed, *, now: datetime, tz: str, **extra: Any) -> HotlineCallback:
    body = {
        "order_id": order_id,
        "verb": owed.verb,
        "verb_zh": VERBS[owed.verb],
        "case_id": case.id,
        "case_code": case.code,
        "state": case.state,
        "at": local_iso(now, tz),
        **extra,
        **owed.fields,
    }
    return HotlineCallback(
        order_id=order_id,
        case_id=case.id,
        verb=owed.verb,
        payload=body,
        attempts=0,
        next_attempt_at=now,
        state=PENDING,
        last_error="",
        created_at=now,
    )


def owe(
    *, session: Session, case: Case, command: str, note: str, payload: dict[str, Any], now: datetime, tz: str
) -> list[HotlineCallback]:
    """Queue what `command` owes the hotline: for `case`'s own order, and for the orders merged into `case` when the
    command is its outcome (办结, 退单; domain/hotline.py). Empty when nothing is owed."""
    queued: list[HotlineCallback] = []
    if case.source == "hotline_12345":  # the cheap test first: most cases never came from an order
        order_id = session.scalar(select(HotlineOrder.order_id).where(HotlineOrder.case_id == case.id))
        if order_id is not None:  # else reported as hotline_12345 by hand or by the simulator, not from an order
            enriched = _enriched(session, case, command, payload)
            owed = verb_for(command, note=note, payload=enriched, to_state=case.state)
            if owed is not None:
                queued.append(_callback(order_id, case, owed, now=now, tz=tz))
    queued.extend(_owe_followers(session, case, command, note=note, payload=payload, now=now, tz=tz))
    session.add_all(queued)
    return queued


def _owe_followers(
    session: Session, case: Case, command: str, *, note: str, payload: dict[str, Any], now: datetime, tz: str
) -> list[HotlineCallback]:
    """The outcome owed to every order merged into `case` (a survivor of any source) when `command` is its outcome."""
    code = case.code
    if follower_verb(command, note=note, payload=payload, to_state=case.state, survivor_code=code) is None:
        return []  # not an outcome (the pure test first): no query
    followers = _merged_orders(session, case.id)
    if not followers:
        return []
    payload = _enriched(session, case, command, payload)  # the survivor's handled notes for its 办结
    owed = follower_verb(command, note=note, payload=payload, to_state=case.state, survivor_code=code)
    assert owed is not None  # the same verb as above, now with the notes the payload held only as ids
    return [_callback(o, c, owed, now=now, tz=tz, survivor_case_id=case.id) for o, c in followers]


MAX_MERGE_DEPTH = 50  # merges chain (A into B, B into C) only while the survivor is open: a long chain is a bug


def _merged_orders(session: Session, survivor_id: int) -> list[tuple[str, Case]]:
    """(order_id, case) of every order whose case was merged into `survivor_id`, directly or through a chain, and
    that has no outcome yet (an order is closed or returned once: a repeat would be a second 办结)."""
    found: list[tuple[str, Case]] = []
    seen = {survivor_id}
    frontier = [survivor_id]
    for _ in range(MAX_MERGE_DEPTH):
        if not frontier:
            break
        rows = session.execute(
            select(Case, HotlineOrder.order_id)
            .outerjoin(HotlineOrder, HotlineOrder.case_id == Case.id)
            .where(Case.merged_into.in_(frontier), Case.state == State.MERGED.value)
            .order_by(Case.id)
        ).all()
        fresh = [(c, order_id) for c, order_id in rows if c.id not in seen]
        frontier = [c.id for c, _ in fresh]
        seen.update(frontier)
        found.extend((order_id, c) for c, order_id in fresh if order_id is not None)
    if not found:
        return []
    done = set(
        session.scalars(
            select(HotlineCallback.order_id).where(
                HotlineCallback.order_id.in_([o for o, _ in found]), HotlineCallback.verb.in_(FINAL_VERBS)
            )
        )
    )
    return [(o, c) for o, c in found if o not in done]


# ---- the sender (one pass; the scheduler repeats it) ------------------------------------------------------


@dataclass(frozen=True)
class SendPolicy:
    """Where and how hard to send (from settings; tests shorten the delays)."""

    url: str
    token: str
    timeout_s: float
    max_attempts: int
    base_s: float
    cap_s: float

    @classmethod
    def from_settings(cls, rt: Runtime) -> SendPolicy:
        s = rt.settings
        return cls(
            url=s.hotline_callback_url.strip(),
            token=s.hotline_token,
            timeout_s=s.hotline_timeout_s,
            max_attempts=s.hotline_max_attempts,
            base_s=s.hotline_backoff_base_s,
            cap_s=s.hotline_backoff_cap_s,
        )


@dataclass(frozen=True)
class PassReport:
    """What one pass did."""

    sent: int = 0
    failed: int = 0
    dead: int = 0


def due_callbacks(*, session: Session, now: datetime, limit: int = SEND_BATCH) -> list[HotlineCallback]:
    """Pending callbacks whose time has come and that no earlier callback of the same order holds back."""
    earlier = aliased(HotlineCallback)
    blocked = (
        select(earlier.id)
        .where(
            earlier.order_id == HotlineCallback.order_id,
            earlier.id < HotlineCallback.id,
            earlier.state.in_((PENDING, DEAD)),
        )
        .exists()
    )
    query = (
        select(HotlineCallback)
        .where(HotlineCallback.state == PENDING, HotlineCallback.next_attempt_at <= now, ~blocked)
        .order_by(HotlineCallback.id)
        .limit(limit)
    )
    return list(session.scalars(query))


def post_json(url: str, body: dict[str, Any], *, token: str, key: str, timeout_s: float) -> str | None:
    """POST `body`; None when the hotline answered 2xx, else why not (status and the start of its answer)."""
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    headers = {"Content-Type": "application/json; charset=utf-8", "Idempotency-Key": key}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(url, data=data, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as answer:  # noqa: S310 - the configured URL
            answer.read(4096)
            return None if 200 <= answer.status < 300 else f"HTTP {answer.status}"
    except urllib.error.HTTPError as exc:
        text = exc.read(300).decode("utf-8", "replace") if exc.fp else ""
        return f"HTTP {exc.code}: {' '.join(text.split())}"[:MAX_ERROR]
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        return f"{type(exc).__name__}: {reason}"[:MAX_ERROR]


def _settle(rt: Runtime, cb: HotlineCallback, error: str | None, policy: SendPolicy, rng: random.Random) -> str:
    """Write the outcome of one try (compare-and-set on the attempt count); returns sent | pending | dead."""
    now = utcnow()
    attempts = cb.attempts + 1
    if error is None:
        values: dict[str, Any] = {"state": SENT, "sent_at": now, "last_error": ""}
    elif attempts >= policy.max_attempts:
        values = {"state": DEAD, "last_error": error}
    else:
        delay = retry_delay_s(attempts, base_s=policy.base_s, cap_s=policy.cap_s, rand=rng.random())
        values = {"state": PENDING, "last_error": error, "next_attempt_at": now + timedelta(seconds=delay)}
    with rt.session() as session:
        session.execute(
            update(HotlineCallback)
            .where(
                HotlineCallback.id == cb.id, HotlineCallback.attempts == cb.attempts, HotlineCallback.state == PENDING
            )
            .values(attempts=attempts, last_attempt_at=now, **values)
        )
    return values["state"]


def send_pass(rt: Runtime, *, policy: SendPolicy | None = None, rng: random.Random | None = None) -> PassReport:
    """Try every due callback once, in order per order; nothing to do without a callback URL.

    A callback sent frees the next one of its order, which is tried in the same pass (up to MAX_ROUNDS rounds), so
    an order's 签收 and 办结 queued together go out together.
    """
    policy = policy or SendPolicy.from_settings(rt)
    if not policy.url:
        return PassReport()
    rng = rng or random.Random()
    sent = failed = dead = 0
    stuck: set[str] = set()  # orders whose callback failed in this pass: their later ones wait their turn
    tried: set[int] = set()
    for _ in range(MAX_ROUNDS):
        with rt.session() as session:
            due = [cb for cb in due_callbacks(session=session, now=utcnow()) if cb.id not in tried]
        round_sent = 0
        for cb in due:
            if cb.order_id in stuck:
                continue
            tried.add(cb.id)
            key = f"gridcmd-cb-{cb.id}"
            error = post_json(policy.url, cb.payload, token=policy.token, key=key, timeout_s=policy.timeout_s)
            outcome = _settle(rt, cb, error, policy, rng)
            if outcome == SENT:
                sent += 1
                round_sent += 1
                continue
            stuck.add(cb.order_id)
            failed += 1
            dead += outcome == DEAD
            log.warning("12345 callback %s (%s, order %s) failed: %s", cb.id, cb.verb, cb.order_id, error)
        if not round_sent:
            break
    return PassReport(sent, failed, dead)


# ---- dead letters for the admin -------------------------------------------------------------------------


@dataclass(frozen=True)
class CallbackRow:
    """One callback as the admin view and API list it."""

    id: int
    order_id: str
    case_code: str
    verb: str
    verb_zh: str
    state: str
    attempts: int
    last_error: str
    created_at: str | None
    last_attempt_at: str | None
    held: int  # later callbacks of the same order waiting behind this one

    def as_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


def callbacks(*, session: Session, tz: str, state: str = DEAD, limit: int = MAX_LIST) -> list[CallbackRow]:
    """Callbacks in `state` (dead letters by default), oldest first."""
    later = aliased(HotlineCallback)
    held = (
        select(func.count(later.id))
        .where(later.order_id == HotlineCallback.order_id, later.id > HotlineCallback.id, later.state == PENDING)
        .scalar_subquery()
    )
    rows = session.execute(
        select(HotlineCallback, Case.code, held)
        .join(Case, Case.id == HotlineCallback.case_id)
        .where(HotlineCallback.state == state)
        .order_by(HotlineCallback.id)
        .limit(limit)
    )
    return [
        CallbackRow(
            cb.id,
            cb.order_id,
            code,
            cb.verb,
            VERBS.get(cb.verb, cb.verb),
            cb.state,
            cb.attempts,
            cb.last_error,
            local_iso(cb.created_at, tz),
            local_iso(cb.last_attempt_at, tz),
            int(waiting or 0),
        )
        for cb, code, waiting in rows
    ]


def _revive(session: Session, ids: list[int], now: datetime) -> int:
    result = session.execute(
        update(HotlineCallback)
        .where(HotlineCallback.id.in_(ids), HotlineCallback.state == DEAD)
        .values(state=PENDING, attempts=0, next_attempt_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount or 0)


def replay(*, session: Session, callback_id: int, by: str, ip: str = "") -> int:
    """Send a dead letter again (pending, attempts from 0); NotFound when it is no dead letter. Audited."""
    if not _revive(session, [callback_id], utcnow()):
        raise NotFound(f"callback {callback_id} is not a dead letter")
    record(session=session, actor=by, action="admin:hotline_replay", target=f"callback:{callback_id}", ip=ip)
    return 1


def replay_all(*, session: Session, by: str, ip: str = "") -> int:
    """Send every dead letter again; how many. Audited."""
    ids = list(session.scalars(select(HotlineCallback.id).where(HotlineCallback.state == DEAD)))
    count = _revive(session, ids, utcnow()) if ids else 0
    record(session=session, actor=by, action="admin:hotline_replay", target="callbacks:all", ip=ip, detail={"n": count})
    return count
