"""The leader pass's scan level (issue 14): each KPI's trend (one grouped query per window, ending on the figure
shown, every period equal to GET /kpis for its bounds), the departments ranked beside the areas, and the small map
of a drilled area (its open cases in the summary, its simplified outline from GET /api/v1/leader/outline)."""

from __future__ import annotations

import json
import random
import uuid
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

import pytest
from shapely.geometry import Point, shape
from sqlalchemy import select, update

from dashboard.domain.leader import TREND_KEYS, TREND_POINTS, WINDOWS, composite_index
from dashboard.store.models import Case, CatalogItem, Community, Street
from tests.integration.conftest import make_token

COUNTY = "110112"
S1 = "110112001"
S2 = "110112002"
COMPARED = ("filed", "closed", "due", "handle_rate", "on_time_close_rate", "first_time_rate", "satisfaction_rate")


def _as(grid_app: Any, role: str = "leader", scope: str = COUNTY) -> Any:
    client = grid_app.server.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {make_token(grid_app, role, scope)}"
    return client


def _post(client: Any, case: dict[str, Any], command: str, **body: Any) -> dict[str, Any]:
    resp = client.post(f"/api/v1/cases/{case['id']}/{command}", json={"expected_version": case["version"], **body})
    assert resp.status_code == 200, resp.get_json()
    return resp.get_json()


def _dispatched(grid_app: Any, client: Any, street: str, department: str | None = None) -> dict[str, Any]:
    """A case in `street` filed and dispatched to its catalog department (or to `department`)."""
    index = grid_app.runtime.grid_index()
    code = next(c for c in index.codes() if c.startswith(street))
    lon, lat = index.random_point_in(code, random.Random(uuid.uuid4().int))
    body = {"description": "领导通扫描测试", "lat": lat, "lon": lon, "source": "wechat"}
    resp = client.post("/api/v1/cases", json=body)
    assert resp.status_code == 201, resp.get_json()
    with grid_app.runtime.session() as session:
        item = session.scalars(
            select(CatalogItem).where(CatalogItem.department_code == "CGW").order_by(CatalogItem.code)
        ).first()
    filed = _post(client, resp.get_json(), "file", condition=item.code)
    return _post(client, filed, "dispatch", department=department or item.department_code)


def _kpis(client: Any, scope: str, start: str, end: str) -> dict[str, Any]:
    resp = client.get(f"/api/v1/kpis?scope={scope}&from={quote(start)}&to={quote(end)}")
    assert resp.status_code == 200, resp.get_json()
    return resp.get_json()["kpis"]


@pytest.fixture
def backdated(grid_app, client) -> dict[str, Any]:  # noqa: ANN001
    """A dispatched case of street 1 moved two days back (reported and filed then), so a past period holds it."""
    case = _dispatched(grid_app, client, S1)
    with grid_app.runtime.session() as session:
        row = session.get(Case, case["id"])
        back = timedelta(days=2)
        reported, filed = row.reported_at - back, row.filed_at - back
        session.execute(update(Case).where(Case.id == case["id"]).values(reported_at=reported, filed_at=filed))
        session.commit()
        case["reported_at_utc"] = reported
    return case


@pytest.mark.parametrize("scope", [COUNTY, S1])
def test_trends_end_on_the_figure_shown_and_each_period_is_the_kpis(grid_app, client, backdated, scope: str) -> None:  # noqa: ANN001
    summary = _as(grid_app).get(f"/api/v1/leader/summary?scope={scope}").get_json()
    for name in WINDOWS:
        w = summary["windows"][name]
        trend = w["trend"]
        assert len(trend["starts"]) == TREND_POINTS[name] and set(trend["kpis"]) == set(TREND_KEYS)
        assert trend["starts"][-1] == w["from"], name  # the last period is the window itself
        for key in TREND_KEYS:
            assert len(trend["kpis"][key]) == TREND_POINTS[name]
            assert trend["kpis"][key][-1] == w["kpis"][key], (name, key)
        assert trend["index"][-1] == w["index"] == composite_index(w["kpis"])
        ends = [*trend["starts"][1:], w["to"]]
        for i, (start, end) in enumerate(zip(trend["starts"], ends, strict=True)):
            api = _kpis(client, scope, start, end)
            assert {k: trend["kpis"][k][i] for k in ("filed", "closed")} == {k: api[k] for k in ("filed", "closed")}
            for key in TREND_KEYS:
                assert trend["kpis"][key][i] == api[key], (name, i, key)
    # The backdated case lies in a past day of the 7-day trend: that day counts it as filed.
    days = summary["windows"]["today"]["trend"]
    when = backdated["reported_at_utc"]
    index = max(i for i, s in enumerate(days["starts"]) if datetime.fromisoformat(s) <= when.astimezone())
    assert index < TREND_POINTS["today"] - 1 and days["kpis"]["filed"][index] >= 1


def test_departments_are_ranked_with_the_kpi_endpoints_figures_district_wide(grid_app, client) -> None:  # noqa: ANN001
    _dispatched(grid_app, client, S1)
    _dispatched(grid_app, client, S2)
    summary = _as(grid_app).get("/api/v1/leader/summary").get_json()
    depts = summary["rankings"]["departments"]
    assert depts["level"] == "department" and depts["count"] == len(depts["all"]) >= 1
    today = summary["windows"]["today"]
    row = next(d for d in depts["all"] if d["code"] == "CGW")
    assert row["name"] == "区城市管理委员会" and row["open"] >= 2
    api = _kpis(client, "CGW", today["from"], today["to"])
    assert {k: row[k] for k in ("filed", "due", "on_time_close_rate")} == {
        k: api[k] for k in ("filed", "due", "on_time_close_rate")
    }
    listed = depts["overdue"]["best"] + depts["overdue"]["worst"]
    assert {d["code"] for d in listed} <= {d["code"] for d in depts["all"]}
    overdue = [d["overdue"] for d in depts["overdue"]["best"]]
    assert overdue == sorted(overdue)


def test_a_streets_departments_count_only_that_streets_cases(grid_app, client) -> None:  # noqa: ANN001
    _dispatched(grid_app, client, S1)
    _dispatched(grid_app, client, S2)
    leader = _as(grid_app, scope=S1)
    summary = leader.get("/api/v1/leader/summary").get_json()
    row = next(d for d in summary["rankings"]["departments"]["all"] if d["code"] == "CGW")
    with grid_app.runtime.session() as session:
        open_here = session.scalar(
            select(Case.id)
            .where(Case.street_code == S1, Case.department_code == "CGW", Case.state.in_(("dispatched", "handling")))
            .order_by(Case.id.desc())
        )
        counted = len(
            session.scalars(
                select(Case.id).where(
                    Case.street_code == S1,
                    Case.department_code == "CGW",
                    Case.state.not_in(("closed", "self_handled", "rejected", "merged")),
                )
            ).all()
        )
    assert open_here is not None and row["open"] == counted


def test_a_drilled_area_carries_its_open_cases_as_dots_and_the_district_none(grid_app, client) -> None:  # noqa: ANN001
    case = _dispatched(grid_app, client, S1)
    leader = _as(grid_app)
    assert leader.get("/api/v1/leader/summary").get_json()["map_cases"] is None
    for scope in (S1, case["grid_code"][:12], case["grid_code"]):
        body = leader.get(f"/api/v1/leader/summary?scope={scope}").get_json()["map_cases"]
        dots = {row[0]: row for row in body["cases"]}
        assert case["id"] in dots and body["total"] >= len(body["cases"]), scope
        _id, lon, lat, deadline, start, level = dots[case["id"]]
        assert (lon, lat) == (round(case["lon"], 6), round(case["lat"], 6))
        assert deadline == int(datetime.fromisoformat(case["deadline"]).timestamp() * 1000)
        assert start is not None and start < deadline and level == case["level"]
        with grid_app.runtime.session() as session:
            column = {9: Case.street_code, 12: Case.community_code, 15: Case.grid_code}[len(scope)]
            inside = set(session.scalars(select(Case.id).where(column == scope)).all())
        assert set(dots) <= inside, scope


def test_the_outline_is_small_simplified_and_holds_the_areas_children(grid_app) -> None:  # noqa: ANN001
    leader = _as(grid_app)
    resp = leader.get(f"/api/v1/leader/outline?scope={S1}")
    assert resp.status_code == 200 and resp.headers["Cache-Control"].startswith("private")
    body = resp.get_json()
    assert len(resp.data) < 40_000, len(resp.data)
    with grid_app.runtime.session() as session:
        street = shape(json.loads(session.scalar(select(Street.geometry).where(Street.code == S1))))
        communities = session.scalars(select(Community.code).where(Community.street_code == S1)).all()
    assert [c["code"] for c in body["children"]] == sorted(communities)
    min_lon, min_lat, max_lon, max_lat = body["bbox"]
    for ring in body["rings"] + [r for c in body["children"] for r in c["rings"]]:
        assert ring[0] == ring[-1] and len(ring) >= 4
        assert all(min_lon - 1e-4 <= x <= max_lon + 1e-4 and min_lat - 1e-4 <= y <= max_lat + 1e-4 for x, y in ring)
    simplified = shape({"type": "Polygon", "coordinates": [body["rings"][0]]})
    assert abs(simplified.area - street.area) / street.area < 0.02  # the same shape, fewer vertices
    assert simplified.buffer(1e-3).contains(Point(street.representative_point()))
    again = leader.get(f"/api/v1/leader/outline?scope={S1}", headers={"If-None-Match": resp.headers["ETag"]})
    assert again.status_code == 304


def test_the_outline_is_scoped_like_the_summary(grid_app, anonymous) -> None:  # noqa: ANN001
    assert anonymous.get(f"/api/v1/leader/outline?scope={S1}").status_code == 401
    assert _as(grid_app, "dispatcher").get(f"/api/v1/leader/outline?scope={S1}").status_code == 403
    street_leader = _as(grid_app, scope=S1)
    assert street_leader.get(f"/api/v1/leader/outline?scope={S2}").status_code == 403
    assert street_leader.get(f"/api/v1/leader/outline?scope={S1}").status_code == 200
    leader = _as(grid_app)
    assert leader.get(f"/api/v1/leader/outline?scope={COUNTY}").status_code == 422  # the district has no map
    assert leader.get("/api/v1/leader/outline?scope=110112999").status_code == 404
    assert leader.get("/api/v1/leader/outline?scope=abc").status_code == 422
