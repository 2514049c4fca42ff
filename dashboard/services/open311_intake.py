"""Open311 GeoReport v2, write side: a POSTed service request becomes a case (source `open311`).

The form is read under the spec's own names, so every 400 names the field the client sent (`long`, not our
`lon`); the case is then reported through services.intake like any channel's, and an Open311Request row keeps what
the case row has no place for (service, attributes, address, e-mail, device and account ids), in the same
transaction: the case, its audit row, its outbox row and this row commit together or not at all.

Repeats answer the first request:
- with an `Idempotency-Key` header, through intake's key (namespaced by the api_key, so two keys never meet);
  a concurrent retry is caught by the unique index;
- without one, a POST from the same api_key and `device_id` with the same service, condition, description and
  place within REPEAT_WINDOW is taken as the app resending after a lost answer (best effort: two such posts
  racing each other may both land).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard.domain.cases import Source
from dashboard.services import validate
from dashboard.services.errors import FieldError, NotFound
from dashboard.services.intake import (
    MAX_DESCRIPTION,
    GridLocator,
    Intaken,
    ReportCase,
    existing_for_key,
    parse_report,
    report_case,
)
from dashboard.services.open311 import CONDITION_ATTRIBUTE, Service, address_suffix
from dashboard.services.placing import UNLOCATED_NOTE, place_by_address
from dashboard.store.open311_models import Open311Request

REPEAT_WINDOW = timedelta(minutes=10)
MAX_KEY = 100  # the Idempotency-Key as sent; namespaced by the token it still fits intake's 128
# Our intake's field names → the spec's, for the errors intake itself raises.
SPEC_NAMES = {
    "lon": "long",
    "lat/lon": "lat/long",
    "reporter": "first_name",
    "photos": "media_url",
    "photos[0]": "media_url",
    "category_code": f"attribute[{CONDITION_ATTRIBUTE}]",
}
_ATTRIBUTE = re.compile(r"attribute\[(?P<code>[^\[\]]*)\](?P<many>\[\])?")
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+")
_CJK = re.compile("[\u3400-\u9fff]")


@dataclass(frozen=True)
class Posted:
    """A POST's fields, each checked; lat/lon are None when only an address was given."""

    service: Service
    condition: str
    attributes: dict[str, str]
    lat: float | None
    lon: float | None
    address_string: str | None
    address_id: str | None
    description: str
    media_url: str | None
    reporter: str | None
    phone: str | None
    email: str | None
    device_id: str | None
    account_id: str | None


@dataclass(frozen=True)
class Submitted:
    """What POST answers: the request id, the notice of what will be done, the requester's account id."""

    case_id: int
    created: bool
    service_notice: str | None
    account_id: str | None


def one(form: Mapping[str, list[str]], name: str) -> str | None:
    """A single-valued form field; empty means absent (the spec's optional arguments)."""
    values = form.get(name) or []
    if len(values) > 1:
        raise FieldError(name, "is given more than once")
    return values[0] if values and values[0] != "" else None


def _line(form: Mapping[str, list[str]], name: str, max_len: int) -> str | None:
    value = validate.text(one(form, name), name, max_len=max_len, multiline=False)
    return (value.strip() or None) if value else None


def _attributes(form: Mapping[str, list[str]], service: Service) -> dict[str, str]:
    """attribute[code]=value pairs: only the service's own codes, one value each (no multivaluelist served)."""
    found: dict[str, str] = {}
    for key in form:
        if not key.startswith("attribute"):
            continue
        match = _ATTRIBUTE.fullmatch(key)
        if match is None:
            raise FieldError(key[:60], "must be written attribute[code]")
        if match.group("code") != CONDITION_ATTRIBUTE or match.group("many"):
            raise FieldError(key[:60], f"service {service.code} has no such attribute (its attributes: condition)")
        value = one(form, key)
        if value is not None:
            found[CONDITION_ATTRIBUTE] = value
    return found


def _condition(attributes: dict[str, str], service: Service) -> str:
    name = f"attribute[{CONDITION_ATTRIBUTE}]"
    chosen = attributes.get(CONDITION_ATTRIBUTE)
    codes = [code for code, _ in service.conditions]
    if chosen is None:
        if service.metadata:
            raise FieldError(name, f"is required for service {service.code}: one of {', '.join(codes)}")
        return codes[0]  # the service's only condition
    if chosen not in codes:
        raise FieldError(name, f"must be one of {', '.join(codes)} (the conditions of service {service.code})")
    return chosen


def _position(form: Mapping[str, list[str]]) -> tuple[float | None, float | None]:
    raw_lat, raw_lon = one(form, "lat"), one(form, "long")
    if raw_lat is None and raw_lon is None:
        return None, None
    if raw_lat is None or raw_lon is None:
        missing = "lat" if raw_lat is None else "long"
        raise FieldError(missing, "lat and long are sent together (WGS-84 degrees)")
    lat = validate.number_arg(raw_lat, "lat", low=-90.0, high=90.0)
    lon = validate.number_arg(raw_lon, "long", low=-180.0, high=180.0)
    return lat, lon


def _reporter(first: str | None, last: str | None) -> str | None:
    """The requester's name as people here write it: 姓名 without a space for Chinese names, else first last."""
    if first and last:
        return f"{last}{first}" if _CJK.search(first + last) else f"{first} {last}"
    return first or last


def parse_post(form: Mapping[str, list[str]], *, services: dict[str, Service]) -> Posted:
    """Check a POST's fields; FieldError (400) naming the first bad one, NotFound (404) for an unknown service."""
    code = validate.text(one(form, "service_code"), "service_code", max_len=16, required=True, multiline=False)
    service = services.get(code or "")
    if service is None:
        raise NotFound(f"service_code {code!r} is not a service here (GET services lists them)")
    lat, lon = _position(form)
    address_string = validate.text(one(form, "address_string"), "address_string", max_len=256)
    address_id = _line(form, "address_id", 64)
    if lat is None and not (address_string or "").strip():
        if address_id:
            raise FieldError("address_id", "is not known to this server (no address repository); send lat and long")
        raise FieldError("lat", "a location is required: lat and long (WGS-84), or address_string")
    attributes = _attributes(form, service)
    condition = _condition(attributes, service)
    description = (validate.text(one(form, "description"), "description", max_len=MAX_DESCRIPTION) or "").strip()
    if not description:
        # Our cases always carry a description; the requester chose a service and a condition, so that is it.
        description = f"{service.name}：{dict(service.conditions)[condition]}"
    media_url = _line(form, "media_url", 2048)
    first, last = _line(form, "first_name", 32), _line(form, "last_name", 32)
    email = _line(form, "email", 254)
    if email is not None and not _EMAIL.fullmatch(email):
        raise FieldError("email", "must be an e-mail address")
    return Posted(
        service=service,
        condition=condition,
        attributes=attributes,
        lat=lat,
        lon=lon,
        address_string=(address_string or "").strip() or None,
        address_id=address_id,
        description=description,
        media_url=media_url,
        reporter=_reporter(first, last),
        phone=_line(form, "phone", 20),
        email=email,
        device_id=_line(form, "device_id", 128),
        account_id=_line(form, "account_id", 128),
    )


def idempotency_key(header: str | None, token_id: int) -> str | None:
    """The Idempotency-Key as intake stores it: per api_key, so one key's requests never answer another's."""
    if header is None:
        return None
    validate.text(header, "Idempotency-Key", max_len=MAX_KEY, required=True, multiline=False)
    return f"open311:{token_id}:{header}"


def _fingerprint(posted: Posted, token_id: int) -> str | None:
    if posted.device_id is None:
        return None
    lat = None if posted.lat is None else round(posted.lat, 6)
    lon = None if posted.lon is None else round(posted.lon, 6)
    parts = [token_id, posted.device_id, posted.service.code, posted.condition, posted.description, lat, lon]
    parts.append(posted.address_string)
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode("utf-8")).hexdigest()


def _as_spec(exc: FieldError) -> FieldError:
    return FieldError(SPEC_NAMES.get(exc.field, exc.field), exc.message)


def _placed(posted: Posted, session: Session) -> tuple[float | None, float | None, str, str]:
    """(lat, lon, the report's timeline note, its description): the point sent, or where the address places it.

    An address alone goes through services/placing.py: the grid, community or street it names gives the point
    (the note says so); an address naming none of them leaves the case unlocated for the dispatcher (待定位). Then,
    as placing asks, the address joins the description, the one text the desk shows.
    """
    if posted.lat is not None and posted.lon is not None:
        return posted.lat, posted.lon, "", posted.description
    described = f"{posted.description}{address_suffix(posted.address_string or '')}"
    placement = place_by_address(session, posted.address_string)
    if placement is None:
        return None, None, UNLOCATED_NOTE, described
    return placement.lat, placement.lon, placement.note, described


def _command(posted: Posted, session: Session, *, key: str | None, channel: str) -> ReportCase:
    """The intake command, its shared fields checked by intake's own parse_report."""
    lat, lon, note, description = _placed(posted, session)
    body = {
        "description": description,
        # parse_report wants a point: an unlocated report passes a stand-in and gets its None back after the check.
        "lat": 0.0 if lat is None else lat,
        "lon": 0.0 if lon is None else lon,
        "source": Source.OPEN311.value,
        "category_code": posted.condition,
        "reporter": posted.reporter,
        "phone": posted.phone,
        "photos": [posted.media_url] if posted.media_url else [],
    }
    try:
        cmd = parse_report(body, idempotency_key=key, actor=channel)
    except FieldError as exc:
        raise _as_spec(exc) from exc
    return replace(cmd, lat=lat, lon=lon, note=note)


def submit(
    posted: Posted,
    *,
    session: Session,
    grids: GridLocator,
    county_code: str,
    tz: str,
    channel: str,
    token_id: int,
    key: str | None,
    now: datetime,
) -> Submitted:
    """Report the request as a case with its Open311 row (the caller commits), or answer the earlier one."""
    notice = posted.service.closing.get(posted.condition) or None
    fingerprint = None if key else _fingerprint(posted, token_id)
    if fingerprint is not None:
        earlier = session.scalar(
            select(Open311Request.case_id)
            .where(Open311Request.fingerprint == fingerprint, Open311Request.created_at >= now - REPEAT_WINDOW)
            .order_by(Open311Request.created_at.desc())
            .limit(1)
        )
        if earlier is not None:
            return Submitted(earlier, False, notice, posted.account_id)
    cmd = _command(posted, session, key=key, channel=channel)
    try:
        result = report_case(cmd, session=session, grids=grids, county_code=county_code, tz=tz)
    except FieldError as exc:
        raise _as_spec(exc) from exc
    if result.created:
        _keep(session, result, posted, channel=channel, token_id=token_id, fingerprint=fingerprint, now=now)
    return Submitted(result.case.id, result.created, notice, posted.account_id)


def _keep(
    session: Session,
    result: Intaken,
    posted: Posted,
    *,
    channel: str,
    token_id: int,
    fingerprint: str | None,
    now: datetime,
) -> None:
    session.add(
        Open311Request(
            case_id=result.case.id,
            channel=channel,
            token_id=token_id,
            service_code=posted.service.code,
            attributes=posted.attributes,
            address_string=posted.address_string,
            address_id=posted.address_id,
            media_url=posted.media_url,
            email=posted.email,
            device_id=posted.device_id,
            account_id=posted.account_id,
            fingerprint=fingerprint,
            created_at=now,
        )
    )
    session.flush()


def existing_answer(*, session: Session, key: str, channel: str, posted: Posted, tz: str) -> Submitted | None:
    """After a lost race on the Idempotency-Key: the request the winner created (FieldError if it differs)."""
    cmd = _command(posted, session, key=key, channel=channel)
    try:
        found = existing_for_key(session=session, cmd=cmd, tz=tz)
    except FieldError as exc:
        raise _as_spec(exc) from exc
    if found is None:
        return None
    return Submitted(found.case.id, False, posted.service.closing.get(posted.condition) or None, posted.account_id)
