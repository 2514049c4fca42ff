"""Intake: validate a report, locate its grid, create the case with its audit and outbox rows."""

from __future__ import annotations

import hashlib
import math
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard.domain.cases import Source, State, case_code
from dashboard.domain.clock import local_date_code, utcnow
from dashboard.domain.rows import case_row
from dashboard.services import validate
from dashboard.services.audit import record
from dashboard.services.errors import FieldError
from dashboard.services.outbox import enqueue
from dashboard.services.rows import case_row_in
from dashboard.store.models import Case, CaseEvent, CatalogItem

MAX_DESCRIPTION = 2000
MAX_PHOTOS = 9
MAX_PHOTO_URL = 2048


class GridRefLike(Protocol):
    code: str
    community_code: str
    street_code: str


class GridLocator(Protocol):
    def locate(self, lon: float, lat: float) -> GridRefLike | None: ...


@dataclass(frozen=True)
class ReportCase:
    """Command: a new report arrives from a grid worker, the hotline, WeChat, video, Open311 or a leader."""

    description: str
    # Both None: the report has no point yet (an address nothing placed, services/placing.py); it waits, unlocated,
    # at district tier for the dispatcher's `locate` command.
    lat: float | None
    lon: float | None
    source: str
    category_code: str | None = None
    reporter: str | None = None
    phone: str | None = None
    occurred_at: datetime | None = None
    photos: tuple[str, ...] = field(default_factory=tuple)
    idempotency_key: str | None = None
    actor: str = "intake"
    note: str = ""  # the report event's note in the timeline (e.g. how an address placed the case)


def parse_report(body: Any, *, idempotency_key: str | None = None, actor: str = "intake") -> ReportCase:
    """Turn a JSON body into a ReportCase, raising FieldError naming the first bad field."""
    if not isinstance(body, dict):
        raise FieldError("body", "must be a JSON object")
    description = validate.text(body.get("description"), "description", max_len=MAX_DESCRIPTION, required=True)
    if not description or not description.strip():
        raise FieldError("description", "is required and must be non-empty text")
    lat = validate.latitude(body.get("lat"), "lat")
    lon = validate.longitude(body.get("lon"), "lon")
    source = validate.choice(body.get("source"), "source", [s.value for s in Source])
    category = validate.code(body.get("category_code"), "category_code", max_len=16, required=False)
    reporter = validate.text(body.get("reporter"), "reporter", max_len=64, multiline=False)
    phone = validate.text(body.get("phone"), "phone", max_len=20, multiline=False)
    occurred_at = validate.instant(body.get("occurred_at"), "occurred_at")  # an offset is required
    if occurred_at is not None:
        validate.not_future(occurred_at, "occurred_at", now=utcnow())
    photos = parse_photo_urls(body.get("photos"))
    if idempotency_key is not None:
        validate.text(idempotency_key, "Idempotency-Key", max_len=128, required=True, multiline=False)
    return ReportCase(
        description=description.strip(),
        lat=lat,
        lon=lon,
        source=source,
        category_code=category,
        reporter=reporter,
        phone=phone,
        occurred_at=occurred_at,
        photos=tuple(photos),
        idempotency_key=idempotency_key,
        actor=actor,
    )


def parse_photo_urls(value: Any, *, name: str = "photos") -> list[str]:
    """At most MAX_PHOTOS photo URLs, each http(s) or a path of ours and at most MAX_PHOTO_URL long.

    A `javascript:` or `data:` URL would be a live link in the desk's case panel, and nine 1 MB URLs made one
    case's detail 9 MB: both are refused here, before anything is stored.
    """
    if value is None or value == []:
        return []
    if not isinstance(value, list) or len(value) > MAX_PHOTOS:
        raise FieldError(name, f"must be a list of at most {MAX_PHOTOS} URLs")
    for i, url in enumerate(value):
        if not isinstance(url, str) or not 0 < len(url) <= MAX_PHOTO_URL:
            raise FieldError(f"{name}[{i}]", f"must be a URL of at most {MAX_PHOTO_URL} characters")
        lowered = url.lower()
        local = url.startswith("/") and not url.startswith(("//", "/\\"))
        if not (local or lowered.startswith(("http://", "https://"))) or not url.isprintable() or " " in url:
            raise FieldError(f"{name}[{i}]", "must be an http(s) URL or a path on this server")
    return list(value)


@dataclass(frozen=True)
class Intaken:
    """Result of intake: the case row and whether this call created it (False on an idempotent retry)."""

    case: Case
    created: bool
    row: dict[str, Any]


def report_case(
    cmd: ReportCase, *, session: Session, grids: GridLocator, county_code: str, tz: str, look_up_key: bool = True
) -> Intaken:
    """Create a case in state `reported`; the caller commits (case, audit and outbox in one transaction).

    With `lat` and `lon` None the case is created unlocated: no grid, community or street, at district tier (only
    the district center sees it), shown on the desk as 待定位 and on no map until a dispatcher runs `locate`. An
    intake channel with only an address calls services/placing.py `place_by_address` first and passes its point
    and note when it found one; the address itself belongs in the description (the desk shows no other field).

    `look_up_key=False` skips the query for an earlier case with the same Idempotency-Key: a caller that handles
    the unique index's IntegrityError (services/races.py) learns of a retry at commit instead, and a first try,
    by far the common one, saves a round trip.
    """
    if look_up_key and cmd.idempotency_key and (earlier := existing_for_key(session=session, cmd=cmd, tz=tz)):
        return earlier
    grid = locate(cmd, grids)
    level = None
    category_name = None
    if cmd.category_code:
        item = session.get(CatalogItem, cmd.category_code)
        if item is None:
            raise FieldError("category_code", f"unknown catalog condition {cmd.category_code!r}")
        level, category_name = item.level, item.minor_name
    now = utcnow()
    case = new_case(cmd, grid, level=level, now=now)
    session.add(case)
    # IntegrityError here means a concurrent retry with the same Idempotency-Key won: the caller rolls back
    # and answers with that case (see `existing_for_key`). No savepoint: pysqlite would commit it early.
    session.flush()
    row = after_insert(session, case, cmd, county_code=county_code, tz=tz, category_name=category_name)
    return Intaken(case, True, row)


def locate(cmd: ReportCase, grids: GridLocator) -> GridRefLike | None:
    """The report's grid (None: no point given); FieldError naming `lat/lon` for half a point or one outside."""
    if (cmd.lat is None) != (cmd.lon is None):
        raise FieldError("lat/lon", "give both lat and lon, or neither (the case then waits to be located)")
    grid = None if cmd.lat is None or cmd.lon is None else grids.locate(cmd.lon, cmd.lat)
    if grid is None and cmd.lat is not None:
        raise FieldError("lat/lon", "the point is outside every grid of the jurisdiction")
    return grid


def new_case(cmd: ReportCase, grid: GridRefLike | None, *, level: str | None, now: datetime) -> Case:
    """The case row of a report, not yet added; its id-based code follows in `after_insert`."""
    return Case(
        code=f"~{uuid.uuid4().hex[:20]}",  # unique until the id-based code replaces it in this transaction
        state=State.REPORTED.value,
        version=1,
        tier="street" if grid else "district",
        source=cmd.source,
        description=cmd.description,
        lat=cmd.lat,
        lon=cmd.lon,
        grid_code=grid.code if grid else None,
        community_code=grid.community_code if grid else None,
        street_code=grid.street_code if grid else None,
        category_code=cmd.category_code,
        level=level,
        reporter=cmd.reporter,
        phone=cmd.phone,
        photos=list(cmd.photos),
        occurred_at=cmd.occurred_at,
        reported_at=now,
        updated_at=now,
        idempotency_key=stored_key(cmd),
    )


def after_insert(
    session: Session, case: Case, cmd: ReportCase, *, county_code: str, tz: str, category_name: str | None
) -> dict[str, Any]:
    """Once the case has its id: its code, the `report` timeline entry, the audit row and the outbox row (all
    added to the session, written by the next flush); returns the case row."""
    now = case.reported_at
    case.code = case_code(county_code, local_date_code(now, tz), case.id)
    session.add(
        CaseEvent(
            case_id=case.id,
            at=now,
            actor=cmd.actor,
            command="report",
            from_state=None,
            to_state=case.state,
            note=cmd.note,
            # The level at intake (the wall's alert history tells "filed as A" from "raised to A" by it).
            payload={"source": cmd.source, "level": case.level, **({} if case.grid_code else {"located": False})},
        )
    )
    record(session=session, actor=cmd.actor, action="case:report", target=case.code, detail={"source": cmd.source})
    row = case_row(case, tz=tz, category_name=category_name)
    enqueue(session=session, topic="case", payload=row)
    return row


def stored_key(cmd: ReportCase) -> str | None:
    """The Idempotency-Key as stored: one client's keys never match another's (nor reveal its cases)."""
    if not cmd.idempotency_key:
        return None
    return hashlib.sha256(f"{cmd.actor}\n{cmd.idempotency_key}".encode()).hexdigest()


def existing_for_key(*, session: Session, cmd: ReportCase, tz: str) -> Intaken | None:
    """The case an earlier request of the same client with this Idempotency-Key created, if any."""
    existing = session.scalar(select(Case).where(Case.idempotency_key == stored_key(cmd)))
    if existing is None:
        return None
    if not same_report(existing, cmd):
        # A retry repeats its request exactly; a different body under a used key is a client bug, and answering
        # with the first case would silently drop this report (IETF idempotency-key draft: 422).
        raise FieldError("Idempotency-Key", "was already used for a different report; use a new key per report")
    return Intaken(existing, False, case_row_in(existing, session=session, tz=tz))


def same_report(case: Case, cmd: ReportCase) -> bool:
    """True when `cmd` repeats the report that created `case` (the fields a retry must send unchanged)."""
    return (
        case.description == cmd.description
        and case.source == cmd.source
        and _same_point(case.lat, cmd.lat)
        and _same_point(case.lon, cmd.lon)
        and (case.category_code or None) == (cmd.category_code or None)
        and (case.reporter or None) == (cmd.reporter or None)
        and (case.phone or None) == (cmd.phone or None)
    )


def _same_point(stored: float | None, sent: float | None) -> bool:
    if stored is None or sent is None:
        return stored is sent
    return math.isclose(stored, sent, abs_tol=1e-9)
