"""12345 work orders → cases: one case per `order_id`, however often (or concurrently) an order is sent.

An order claims its `order_id` by inserting its hotline_orders row first, in the same transaction as the case:
the unique constraint, not a check-then-insert, decides which of two concurrent senders creates the case; the
loser's transaction rolls back whole and it answers with the winner's case. A repeat is compared field by field
with what was stored: the same order answers `repeated` (HTTP 200); a changed one answers `changed` (HTTP 409,
naming `order_id` and the fields that differ), changes nothing, and is kept in the audit log for the admin: an
amended order is the hotline's to send under a new id, or the dispatcher's to read in the timeline, never
silently merged into a case someone may already be working on.

Each new case gets:
- its category when the order's category text matches a catalog condition with at least the threshold's
  confidence (domain/category_match.py); below it the case is left unclassified, the hotline's text visible in
  the description ("【12345】噪音扰民：…") and its best guess in the timeline note;
- its point from the order's coordinates when they fall in the jurisdiction, else from the address
  (services/placing.py), else none: it waits unlocated (待定位) for the dispatcher's `locate` command.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard.domain.cases import Source
from dashboard.domain.category_match import CatalogTerm, CategoryMatch, match_category
from dashboard.domain.clock import as_utc, local_iso, utcnow
from dashboard.domain.hotline import COMPARED, URGENCY_ZH, Order
from dashboard.runtime import Runtime
from dashboard.services.audit import record
from dashboard.services.intake import MAX_DESCRIPTION, ReportCase, report_case
from dashboard.services.placing import UNLOCATED_NOTE, Placement, place_by_address
from dashboard.services.races import first_commit_wins
from dashboard.store.hotline_models import HotlineOrder
from dashboard.store.models import Case, CatalogItem, Meta

POLL_ACTOR = "hotline:poll"  # the actor of the orders the polling client fetches (not a person: it has a ':')
CURSOR_KEY = "hotline_poll_cursor"


@dataclass(frozen=True)
class Taken:
    """What became of one order: created, repeated (the same order again) or changed (refused, 409)."""

    order_id: str
    status: str  # created | repeated | changed
    case_id: int
    case_code: str
    confidence: float
    category_code: str | None  # the case's category (None: left for the dispatcher to classify)
    matched_code: str | None  # the best guess, even below the threshold
    located: bool
    placement: str
    differs: tuple[str, ...] = ()
    row: dict[str, Any] = field(default_factory=dict, repr=False)

    def as_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "order_id": self.order_id,
            "status": self.status,
            "case_id": self.case_id,
            "case_code": self.case_code,
            "category_code": self.category_code,
            "matched_code": self.matched_code,
            "confidence": self.confidence,
            "located": self.located,
            "placement": self.placement,
        }
        if self.status == "changed":
            body["field"] = "order_id"
            body["differs"] = list(self.differs)
            body["error"] = (
                f"order {self.order_id} was received before with other {', '.join(self.differs)}; "
                "nothing was changed (send an amended order under a new order_id)"
            )
        return body


def take_order(rt: Runtime, order: Order, *, actor: str) -> Taken:
    """Create the case of `order`, or answer for the one it already has (its own transaction; committed on return)."""

    def attempt(session: Session) -> Taken:
        existing = _stored(session, order.order_id)
        return (
            _create(session, rt, order, actor=actor)
            if existing is None
            else _repeat(session, existing, order, actor=actor)
        )

    def winner(session: Session) -> Taken | None:
        # A concurrent sender of the same order_id committed first (its row's unique key stopped ours).
        existing = _stored(session, order.order_id)
        return None if existing is None else _repeat(session, existing, order, actor=actor)

    return first_commit_wins(rt.session, attempt, winner)


def _stored(session: Session, order_id: str) -> HotlineOrder | None:
    return session.scalar(select(HotlineOrder).where(HotlineOrder.order_id == order_id))


def _terms(session: Session) -> list[CatalogTerm]:
    return [
        CatalogTerm(i.code, i.major_name, i.minor_name, i.condition)
        for i in session.scalars(select(CatalogItem).order_by(CatalogItem.code))
    ]


def _place(session: Session, rt: Runtime, order: Order) -> tuple[float | None, float | None, str, str]:
    """(lat, lon, placement, note): the order's own point when it lies in the jurisdiction, else its address's."""
    if order.lat is not None and order.lon is not None and rt.grid_index().locate(order.lon, order.lat):
        return order.lat, order.lon, "coordinates", ""
    outside = "坐标不在辖区内；" if order.lat is not None else ""
    placed: Placement | None = place_by_address(session, order.address)
    if placed is None:
        return None, None, "unlocated", outside + UNLOCATED_NOTE
    return placed.lat, placed.lon, placed.how, outside + placed.note


def description_of(order: Order) -> str:
    """What the desk shows: the hotline's own category first (a case left unclassified keeps it visible)."""
    urgency = "" if order.urgency == "normal" else f"·{URGENCY_ZH.get(order.urgency, order.urgency_text)}"
    text = f"【12345{urgency}】{order.category}：{order.content}\n地址：{order.address}"
    return text[:MAX_DESCRIPTION]


def _category_note(order: Order, match: CategoryMatch, assigned: str | None) -> str:
    if match.code is None:
        return f"分类「{order.category}」未匹配目录，待调度员分类"
    verdict = "已归类" if assigned else "低于阈值，待调度员确认"
    return f"分类「{order.category}」→ {match.minor_name}（{match.code}，置信度 {match.confidence:.2f}，{verdict}）"


def _create(session: Session, rt: Runtime, order: Order, *, actor: str) -> Taken:
    now = utcnow()
    match = match_category(order.category, _terms(session), context=order.content)
    threshold = rt.settings.hotline_category_threshold
    assigned = match.code if match.code is not None and match.confidence >= threshold else None
    lat, lon, placement, place_note = _place(session, rt, order)
    row = HotlineOrder(
        order_id=order.order_id,
        received_at=order.received_at,
        caller=order.caller,
        phone=order.phone,
        address=order.address,
        lat=order.lat,
        lon=order.lon,
        category_text=order.category,
        content=order.content,
        urgency=order.urgency,
        urgency_text=order.urgency_text,
        matched_code=match.code,
        confidence=match.confidence,
        placement=placement,
        created_at=now,
        created_by=actor,
    )
    session.add(row)
    session.flush()  # claims the order_id: a concurrent sender's flush fails here (or waits, then fails)
    note = "\n".join(
        p for p in (f"12345工单 {order.order_id}", _category_note(order, match, assigned), place_note) if p
    )
    made = report_case(
        ReportCase(
            description=description_of(order),
            lat=lat,
            lon=lon,
            source=Source.HOTLINE_12345.value,
            category_code=assigned,
            reporter=order.caller,
            phone=order.phone,
            occurred_at=order.received_at,
            actor=actor,
            note=note,
        ),
        session=session,
        grids=rt.grid_index(),
        county_code=rt.settings.county_code,
        tz=rt.settings.timezone,
    )
    row.case_id = made.case.id
    record(session=session, actor=actor, action="hotline:order", target=order.order_id, detail={"case": made.case.code})
    return Taken(
        order.order_id,
        "created",
        made.case.id,
        made.case.code,
        match.confidence,
        assigned,
        match.code,
        made.case.grid_code is not None,
        placement,
        row=made.row,
    )


def _stored_values(row: HotlineOrder) -> dict[str, Any]:
    return {
        "received_at": row.received_at,
        "caller": row.caller,
        "phone": row.phone,
        "address": row.address,
        "lat": row.lat,
        "lon": row.lon,
        "category": row.category_text,
        "content": row.content,
        "urgency": row.urgency,
    }


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, datetime) and isinstance(b, datetime):
        return as_utc(a) == as_utc(b)
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, abs_tol=1e-9)
    return a == b


def differences(row: HotlineOrder, order: Order) -> tuple[str, ...]:
    """The fields in which `order` differs from the stored order of the same id."""
    stored = _stored_values(row)
    return tuple(name for name in COMPARED if not _same(stored[name], getattr(order, name)))


def _repeat(session: Session, row: HotlineOrder, order: Order, *, actor: str) -> Taken:
    case = session.get(Case, row.case_id) if row.case_id is not None else None
    if case is None:
        raise RuntimeError(f"order {row.order_id} has no case")  # pragma: no cover - written in one transaction
    differs = differences(row, order)
    if differs:
        # Reported, not merged: the sender gets a 409 naming the fields, the admin sees it in the audit log.
        record(
            session=session,
            actor=actor,
            action="hotline:order_changed",
            target=row.order_id,
            detail={"case": case.code, "differs": list(differs)},
        )
    return Taken(
        row.order_id,
        "changed" if differs else "repeated",
        case.id,
        case.code,
        row.confidence,
        case.category_code,
        row.matched_code,
        case.grid_code is not None,
        row.placement,
        differs,
    )


# ---- the polling client's cursor (kept in the database: it survives restarts and is shared by processes) ----


def poll_cursor(rt: Runtime) -> str | None:
    """The `since` value of the next poll (None: from the beginning)."""
    with rt.session() as session:
        meta = session.get(Meta, CURSOR_KEY)
        return meta.value if meta else None


def set_poll_cursor(rt: Runtime, value: str) -> None:
    """Remember where the next poll starts."""
    with rt.session() as session:
        meta = session.get(Meta, CURSOR_KEY)
        if meta is None:
            session.add(Meta(key=CURSOR_KEY, value=value))
        else:
            meta.value = value


def refused(rt: Runtime, *, actor: str, order_id: str | None, field_name: str, message: str) -> None:
    """Audit an order the polling client could not take (the cursor moves past it; nobody must lose it unseen)."""
    with rt.session() as session:
        record(
            session=session,
            actor=actor,
            action="hotline:order_refused",
            target=(order_id or "?")[:64],
            detail={"field": field_name, "error": message[:300], "at": local_iso(utcnow(), rt.settings.timezone)},
        )
