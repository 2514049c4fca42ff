"""Automatic rules on real storage: duplicate suggestions, routing, nearest patrol, the overdue rule."""

from __future__ import annotations

import random
import time
from datetime import timedelta

from sqlalchemy import select

from dashboard.domain.actors import Actor, Role
from dashboard.live.patrols import Fix
from dashboard.services.clock import utcnow
from dashboard.services.commands import Ctx, dispatch_case, file_case
from dashboard.services.intake import ReportCase, report_case
from dashboard.services.scheduler import run_overdue_pass
from dashboard.store.models import Case, CaseEvent, CatalogItem, Staff

SYSTEM = Actor("test", Role.SYSTEM, "110112")


def _report(rt, lon: float, lat: float, category: str | None = None) -> Case:  # noqa: ANN001
    with rt.session() as session:
        made = report_case(
            ReportCase(description="井盖破损", lat=lat, lon=lon, source="grid_worker", category_code=category),
            session=session,
            grids=rt.grid_index(),
            county_code="110112",
            tz="Asia/Shanghai",
        )
        return made.case


def _item(rt, level: str) -> CatalogItem:  # noqa: ANN001
    with rt.session() as session:
        return session.scalars(
            select(CatalogItem).where(CatalogItem.level == level, CatalogItem.department_code != "JD")
        ).first()


def test_duplicates_within_50_m_of_the_same_minor_class(client, grid_app, inside_point) -> None:
    rt = grid_app.runtime
    item = _item(rt, "C")
    lon, lat = inside_point
    first = _report(rt, lon, lat, item.code)
    near = _report(rt, lon + 0.0002, lat, item.code)  # ~17 m east
    far = _report(rt, lon + 0.0012, lat, item.code)  # ~100 m east
    body = client.get(f"/api/v1/cases/{near.id}/suggestions").get_json()
    ids = {d["id"] for d in body["duplicates"]}
    assert first.id in ids and far.id not in ids
    assert all(d["distance_m"] <= 50 for d in body["duplicates"])
    assert body["department"]["code"] == item.department_code


def test_nearest_available_patrol_is_suggested(client, grid_app, inside_point) -> None:
    rt = grid_app.runtime
    lon, lat = inside_point
    case = _report(rt, lon, lat)
    now = int(time.time() * 1000)  # a patrol silent for five minutes is offline, never suggested
    rt.patrols.ingest([Fix("NEAR", lon + 0.001, lat, "available", now), Fix("BUSY", lon, lat, "busy", now)])
    body = client.get(f"/api/v1/cases/{case.id}/suggestions").get_json()
    assert body["patrols"][0]["id"] == "NEAR" and "BUSY" not in {p["id"] for p in body["patrols"]}


def _overdue_case(rt, level: str) -> int:  # noqa: ANN001
    """A case dispatched ten days ago, so its handling deadline has long passed."""
    item = _item(rt, level)
    index = rt.grid_index()
    lon, lat = index.random_point_in(index.codes()[3], random.Random(level))
    case = _report(rt, lon, lat)
    past = utcnow() - timedelta(days=10)
    with rt.session() as session:
        ctx = Ctx(session=session, actor=SYSTEM, cal=rt.calendar, tz="Asia/Shanghai", now=past)
        filed = file_case(ctx, case.id, expected_version=case.version, condition=item.code)
        dispatch_case(ctx, filed.id, expected_version=filed.version, department=item.department_code)
    return case.id


def test_overdue_case_is_supervised_once_per_stage_and_a_level_escalates(grid_app) -> None:
    rt = grid_app.runtime
    routine = _overdue_case(rt, "C")
    urgent = _overdue_case(rt, "A")
    assert run_overdue_pass(rt) >= 2
    with rt.session() as session:
        r, u = session.get(Case, routine), session.get(Case, urgent)
        assert (r.supervision_count, r.overdue_stage, r.tier) == (1, "handling", "street")
        assert (u.supervision_count, u.tier) == (1, "district")
        notes = session.scalars(select(CaseEvent.note).where(CaseEvent.case_id == routine)).all()
        assert "处置超时，自动督办" in notes
    run_overdue_pass(rt)  # a second pass does not supervise the same stage again
    with rt.session() as session:
        assert session.get(Case, routine).supervision_count == 1


def test_nearest_patrols_carry_their_name_and_phone_from_the_roster(client, grid_app, inside_point) -> None:  # noqa: ANN001
    rt = grid_app.runtime
    lon, lat = inside_point
    case = _report(rt, lon, lat)
    with rt.session() as session:
        staff = session.scalars(select(Staff).where(Staff.role == "full_time").order_by(Staff.code)).first()
        code, name, phone = staff.code, staff.name, staff.phone
    now = int(time.time() * 1000)
    rt.patrols.ingest(
        [Fix(code, lon + 0.0005, lat, "available", now), Fix("NOBODY", lon + 0.001, lat, "available", now)]
    )
    body = client.get(f"/api/v1/cases/{case.id}/suggestions").get_json()
    by_id = {p["id"]: p for p in body["patrols"]}
    assert (by_id[code]["name"], by_id[code]["phone"]) == (name, phone)
    assert (by_id["NOBODY"]["name"], by_id["NOBODY"]["phone"]) == (None, None)  # off the roster: code only


def test_the_suggested_condition_is_the_reported_one_else_a_filed_duplicates(client, grid_app, inside_point) -> None:  # noqa: ANN001
    rt = grid_app.runtime
    item = _item(rt, "B")
    lon, lat = inside_point
    reported = _report(rt, lon, lat, item.code)
    body = client.get(f"/api/v1/cases/{reported.id}/suggestions").get_json()
    assert body["category"]["code"] == item.code and "›" in body["category"]["name"]
    index = rt.grid_index()
    alone = _report(rt, *index.random_point_in(index.codes()[7], random.Random(13)))  # another grid: no duplicate
    assert client.get(f"/api/v1/cases/{alone.id}/suggestions").get_json()["category"] is None
    beside = _report(rt, lon + 0.0001, lat)  # ~9 m from the categorised report, itself unfiled
    assert client.get(f"/api/v1/cases/{beside.id}/suggestions").get_json()["category"]["code"] == item.code
