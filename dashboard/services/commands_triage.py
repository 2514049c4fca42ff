"""The desk's first decision on a report (待受理): file, reject, merge, self-handle, or give it its point (locate)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard.domain.actors import Role, in_scope
from dashboard.domain.cases import TERMINAL, State
from dashboard.domain.photos import PhotoKind
from dashboard.domain.sla import dispatch_limit
from dashboard.services import validate
from dashboard.services.commands_write import (
    Ctx,
    check_photo_room,
    command_note,
    load_case,
    require_located,
    require_offered,
    start_clock,
    write_case,
)
from dashboard.services.errors import FieldError, Forbidden
from dashboard.services.intake import parse_photo_urls
from dashboard.services.photos import attach, merged_urls, our_photos
from dashboard.store.models import Case, CaseEvent, CatalogItem, Grid


def file_case(ctx: Ctx, case_id: int, *, expected_version: int, condition: str, note: str = "") -> Case:
    """立案: reported → filed with a catalog condition; level and dispatch clock follow from it."""
    case = load_case(ctx, case_id, expected_version, "file")
    require_offered(case, "file")
    require_located(case, "file")
    validate.code(condition, "condition", max_len=16)
    item = ctx.session.get(CatalogItem, condition)
    if item is None:
        raise FieldError("condition", f"unknown catalog condition {condition!r}")
    limit = dispatch_limit(item.level)
    clock, deadline = start_clock(ctx, "dispatch", limit)
    return write_case(
        ctx,
        case,
        "file",
        {
            "state": State.FILED.value,
            "category_code": item.code,
            "level": item.level,
            "filed_at": ctx.now,
            "clock": clock,
            "deadline": deadline,
            "dispatch_deadline": deadline,
            "overdue_stage": None,
        },
        note=command_note(note, required=False),
        payload={"condition": item.code},
    )


def reject_case(ctx: Ctx, case_id: int, *, expected_version: int, note: str = "") -> Case:
    """不予立案: reported → rejected, reason required."""
    case = load_case(ctx, case_id, expected_version, "reject")
    require_offered(case, "reject")
    return write_case(
        ctx,
        case,
        "reject",
        {"state": State.REJECTED.value, "closed_at": ctx.now, "deadline": None, "clock": {}},
        note=command_note(note, required=True),
    )


def merge_case(ctx: Ctx, case_id: int, *, expected_version: int, into: int, note: str = "") -> Case:
    """合并: a duplicate report joins an open case (reported → merged)."""
    case = load_case(ctx, case_id, expected_version, "merge")
    require_offered(case, "merge")
    if isinstance(into, bool) or not isinstance(into, int) or into == case_id:
        raise FieldError("into", "must be the id of another case")
    target = ctx.session.get(Case, into) if 0 < into <= validate.INT64_MAX else None
    # One answer for missing, closed and out of reach: a street user must not learn other streets' case ids.
    if (
        target is None
        or State(target.state) in TERMINAL
        or not in_scope(
            ctx.actor, street_code=target.street_code, tier=target.tier, department_code=target.department_code
        )
    ):
        raise FieldError("into", f"case {into} not found among the open cases you may command")
    return write_case(
        ctx,
        case,
        "merge",
        {"state": State.MERGED.value, "merged_into": into, "closed_at": ctx.now, "deadline": None, "clock": {}},
        note=command_note(note, required=False),
        payload={"into": into},
    )


def self_handle(
    ctx: Ctx,
    case_id: int,
    *,
    expected_version: int,
    note: str = "",
    photos_before: list[str] | None = None,
    photos_after: list[str] | None = None,
) -> Case:
    """自处置: fixed on the spot (reported → self_handled), with photos of ours before and after (optional).

    A grid worker self-handles only what they reported themselves (the report's intake actor is their account):
    a case another worker or a channel reported is the desk's to decide.
    """
    case = load_case(ctx, case_id, expected_version, "self-handle")
    require_offered(case, "self-handle")
    require_located(case, "self-handle")
    if ctx.actor.role is Role.WORKER and reported_by(ctx.session, case.id) != ctx.actor.name:
        raise Forbidden(f"a grid worker may self-handle only the cases they reported; {case.code} was not theirs")
    before_urls = parse_photo_urls(photos_before, name="photos_before")
    after_urls = parse_photo_urls(photos_after, name="photos_after")
    before = our_photos(before_urls, name="photos_before", store=ctx.media, session=ctx.session, only_ours=True)
    after = our_photos(after_urls, name="photos_after", store=ctx.media, session=ctx.session, only_ours=True)
    check_photo_room(case, [*before_urls, *after_urls])
    changes: dict[str, Any] = {"state": State.SELF_HANDLED.value, "closed_at": ctx.now}
    if before_urls or after_urls:
        changes["photos"] = merged_urls(case.photos, [*before_urls, *after_urls])
    case = write_case(
        ctx,
        case,
        "self-handle",
        changes,
        note=command_note(note, required=False),
        payload={"photos_before": before_urls, "photos_after": after_urls} if before_urls or after_urls else None,
    )
    for kind, photos in ((PhotoKind.BEFORE, before), (PhotoKind.AFTER, after)):
        attach(ctx.session, case_id=case.id, photos=photos, kind=kind, uploaded_by=ctx.actor.name, now=ctx.now)
    return case


def reported_by(session: Session, case_id: int) -> str | None:
    """The account that reported the case (its intake event's actor)."""
    return session.scalar(
        select(CaseEvent.actor).where(CaseEvent.case_id == case_id, CaseEvent.command == "report").limit(1)
    )


def locate_case(ctx: Ctx, case_id: int, *, expected_version: int, lat: Any, lon: Any, note: str = "") -> Case:
    """标注位置: give a reported case its point (WGS-84) and with it its grid, community and street.

    An unlocated report (no coordinates, an address naming none of our areas) waits at district tier; once
    located it belongs to its street like any report (unless it was escalated). A placed report may be moved too.
    """
    case = load_case(ctx, case_id, expected_version, "locate")
    require_offered(case, "locate")
    point_lat = validate.latitude(lat, "lat")
    point_lon = validate.longitude(lon, "lon")
    if ctx.grids is None:
        raise RuntimeError("locate needs the grid index (Ctx.grids)")
    grid = ctx.grids.locate(point_lon, point_lat)
    if grid is None:
        raise FieldError("lat/lon", "the point is outside every grid of the jurisdiction")
    was = case.grid_code
    unplaced_tier = was is None and case.escalated_at is None
    name = ctx.session.scalar(select(Grid.name).where(Grid.code == grid.code)) or grid.code
    told = command_note(note, required=False)
    return write_case(
        ctx,
        case,
        "locate",
        {
            "lat": point_lat,
            "lon": point_lon,
            "grid_code": grid.code,
            "community_code": grid.community_code,
            "street_code": grid.street_code,
            **({"tier": "street"} if unplaced_tier else {}),
        },
        note=f"标注位置：{name}" + (f"；{told}" if told else ""),
        payload={"lat": point_lat, "lon": point_lon, "grid": grid.code, "from_grid": was},
    )
