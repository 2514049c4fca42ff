"""Open311 GeoReport v2, read side: the catalog as services, and Open311 cases as service requests.

Services are the catalog's minor classes (小类): service_code is the minor class code (with the 部件/事件 kind digit
when the catalog names one, as its condition codes do, so an imported 部件 0102 and 事件 0102 stay apart), group
the major class, and a minor class with more than one filing condition serves them as one required
`singlevaluelist` attribute, `condition`, so the caller picks the condition (its level and time limit follow).

Service requests are the cases reported through Open311 (source `open311`): a citizen app posted them to a
public API, while a hotline caller's or a grid worker's report was never published, so only these are read back.
A request row carries no personal data: no reporter, phone, e-mail, device or account id.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import Session

from dashboard.domain.cases import TERMINAL, Source, State
from dashboard.domain.catalog_rows import COLUMNS, KINDS
from dashboard.domain.clock import local_iso
from dashboard.store.models import Case, CaseEvent, CatalogItem, Department, Grid, Street
from dashboard.store.open311_models import Open311Request

CONDITION_ATTRIBUTE = "condition"
MAX_RESULTS = 1000  # the spec's default query limit (and ours at most)
# The commands that end a case and whose note is meant for the requester: why it was closed, rejected or merged.
# Internal notes (returns, supervisions, instructions) are never public.
PUBLIC_NOTE_COMMANDS = ("verify", "reject", "merge", "self-handle")
_CLOSED = [s.value for s in TERMINAL]


@dataclass(frozen=True)
class Service:
    """One Open311 service: a minor class of the catalog and its filing conditions (code, text)."""

    code: str
    name: str
    group: str
    keywords: str
    conditions: tuple[tuple[str, str], ...]
    closing: dict[str, str]  # condition code → closing standard (结案条件): what will be done

    @property
    def metadata(self) -> bool:
        """True when the caller must choose a filing condition (the service definition lists them)."""
        return len(self.conditions) > 1

    def row(self) -> dict[str, Any]:
        """The service as GET services lists it (the spec's element order)."""
        return {
            "service_code": self.code,
            "service_name": self.name,
            "description": "；".join(text for _, text in self.conditions),
            "metadata": self.metadata,
            "type": "realtime",
            "keywords": self.keywords,
            "group": self.group,
        }

    def definition(self) -> dict[str, Any]:
        """GET services/{code}: the condition attribute, or no attributes when there is nothing to choose."""
        attributes = []
        if self.metadata:
            attributes.append(
                {
                    "variable": True,
                    "code": CONDITION_ATTRIBUTE,
                    "datatype": "singlevaluelist",
                    "required": True,
                    "datatype_description": None,
                    "order": 1,
                    "description": COLUMNS["condition"][0],  # 立案条件, the catalog's own heading
                    "values": [{"key": code, "name": text} for code, text in self.conditions],
                }
            )
        return {"service_code": self.code, "attributes": attributes}


def service_code_of(item: CatalogItem) -> str:
    """The service a catalog condition belongs to."""
    return item.minor_code + KINDS.get(item.kind or "", "")


def catalog_services(*, session: Session) -> dict[str, Service]:
    """Every service by code, in code order."""
    grouped: dict[str, list[CatalogItem]] = {}
    for item in session.scalars(select(CatalogItem).order_by(CatalogItem.code)):
        grouped.setdefault(service_code_of(item), []).append(item)
    services = {}
    for code in sorted(grouped):
        items = grouped[code]
        first = items[0]
        words = [first.minor_name, first.major_name, *([first.kind] if first.kind else [])]
        services[code] = Service(
            code=code,
            name=first.minor_name,
            group=first.major_name,
            keywords=", ".join(dict.fromkeys(words)),
            conditions=tuple((i.code, i.condition) for i in items),
            closing={i.code: i.closing_standard for i in items},
        )
    return services


def open311_status(state: str) -> str:
    """open or closed (DESIGN.md section 5: closed, rejected, merged and self-handled cases are closed)."""
    return "closed" if State(state) in TERMINAL else "open"


@dataclass(frozen=True)
class RequestQuery:
    """GET requests' filters, already validated: ids override everything else."""

    ids: tuple[int, ...] = ()
    service_codes: tuple[str, ...] = ()
    start: datetime | None = None
    end: datetime | None = None
    statuses: tuple[str, ...] = ()


def _open311_cases() -> Select:
    return (
        select(Case, Open311Request)
        .outerjoin(Open311Request, Open311Request.case_id == Case.id)
        .where(Case.source == Source.OPEN311.value)
    )


def find_requests(
    query: RequestQuery, *, session: Session, services: dict[str, Service], tz: str
) -> list[dict[str, Any]]:
    """The matching service requests, newest first, at most MAX_RESULTS."""
    stmt = _open311_cases()
    if query.ids:
        stmt = stmt.where(Case.id.in_(query.ids))
    else:
        if query.service_codes:
            conditions = [c for s in query.service_codes if s in services for c, _ in services[s].conditions]
            stmt = stmt.where(
                or_(
                    Case.category_code.in_(conditions),
                    and_(Case.category_code.is_(None), Open311Request.service_code.in_(query.service_codes)),
                )
            )
        if query.start is not None:
            stmt = stmt.where(Case.reported_at >= query.start)
        if query.end is not None:
            stmt = stmt.where(Case.reported_at <= query.end)
        if set(query.statuses) == {"closed"}:
            stmt = stmt.where(Case.state.in_(_CLOSED))
        elif set(query.statuses) == {"open"}:
            stmt = stmt.where(Case.state.not_in(_CLOSED))
    rows = session.execute(stmt.order_by(Case.reported_at.desc(), Case.id.desc()).limit(MAX_RESULTS)).all()
    return request_rows(rows, session=session, services=services, tz=tz)


def find_request(case_id: int, *, session: Session, services: dict[str, Service], tz: str) -> dict[str, Any] | None:
    """One service request by id, or None (a case of another channel reads as missing)."""
    rows = session.execute(_open311_cases().where(Case.id == case_id)).all()
    found = request_rows(rows, session=session, services=services, tz=tz)
    return found[0] if found else None


def _public_notes(session: Session, case_ids: list[int]) -> dict[int, str]:
    """Each closed case's last public note (why it closed), by case id."""
    if not case_ids:
        return {}
    rows = session.execute(
        select(CaseEvent.case_id, CaseEvent.note)
        .where(
            CaseEvent.case_id.in_(case_ids),
            CaseEvent.command.in_(PUBLIC_NOTE_COMMANDS),
            CaseEvent.to_state.in_(_CLOSED),
        )
        .order_by(CaseEvent.id)
    ).all()
    return {case_id: note for case_id, note in rows if note}


def _names(session: Session, model: Any, codes: Iterable[str | None]) -> dict[str, str]:
    wanted = {c for c in codes if c}
    if not wanted:
        return {}
    return dict(session.execute(select(model.code, model.name).where(model.code.in_(wanted))).all())


def address_suffix(address: str) -> str:
    """How an address alone rides in its case's description (services/placing.py: the desk shows no other field);
    the public read side takes it off again, since the request's address has its own element."""
    return f"（地址：{address}）"


def _described(case: Case, sent: Open311Request | None) -> str:
    suffix = address_suffix(sent.address_string) if sent and sent.address_string else None
    return case.description.removesuffix(suffix) if suffix else case.description


def _place(street: str, grid: str) -> str | None:
    """Where a case is, as people here write it: street, then the grid (whose name starts with its community)."""
    return (grid if grid.startswith(street) else street + grid) or None


def request_rows(
    rows: Iterable[Any], *, session: Session, services: dict[str, Service], tz: str
) -> list[dict[str, Any]]:
    """Cases (with their Open311 rows, if any) as the spec's request elements, in the spec's order."""
    pairs: list[tuple[Case, Open311Request | None]] = [(row[0], row[1]) for row in rows]
    cases = [case for case, _ in pairs]
    notes = _public_notes(session, [c.id for c in cases if State(c.state) in TERMINAL])
    agencies = _names(session, Department, (c.department_code for c in cases))
    streets = _names(session, Street, (c.street_code for c in cases))
    grids = _names(session, Grid, (c.grid_code for c in cases))
    out = []
    for case, sent in pairs:
        item = session.get(CatalogItem, case.category_code) if case.category_code else None
        code = service_code_of(item) if item else (sent.service_code if sent else None)
        service = services.get(code) if code else None
        closed = State(case.state) in TERMINAL
        place = _place(streets.get(case.street_code or "", ""), grids.get(case.grid_code or "", ""))
        out.append(
            {
                "service_request_id": str(case.id),
                "status": open311_status(case.state),
                "status_notes": notes.get(case.id) if closed else None,
                "service_name": item.minor_name if item else (service.name if service else None),
                "service_code": code,
                "description": _described(case, sent),
                "agency_responsible": agencies.get(case.department_code or ""),
                "service_notice": (item.closing_standard or None) if item else None,
                "requested_datetime": local_iso(case.reported_at, tz),
                "updated_datetime": local_iso(case.closed_at if closed and case.closed_at else case.updated_at, tz),
                "expected_datetime": local_iso(case.handling_deadline, tz),
                "address": (sent.address_string if sent and sent.address_string else None) or place,
                "address_id": sent.address_id if sent else None,
                "zipcode": None,
                "lat": round(case.lat, 6) if case.lat is not None else None,
                "long": round(case.lon, 6) if case.lon is not None else None,
                "media_url": sent.media_url if sent else ((case.photos or [None])[0]),
            }
        )
    return out
