"""GET /api/v1/leader/summary (领导通, issue 14): the figures equal GET /api/v1/kpis for the same scope and window,
a street's leader sees their street only, other roles are refused, and a leader's sign-in lands on /leader/."""

from __future__ import annotations

import random
import re
import uuid
from typing import Any
from urllib.parse import quote

import pytest

from dashboard.domain.leader import TARGETS, composite_index
from dashboard.services.accounts import create_user
from tests.integration.conftest import make_token

COUNTY = "110112"
S1 = "110112001"
S2 = "110112002"
PASSWORD = "leader-pass-9"
COMPARED = ("filed", "closed", "due", "handle_rate", "on_time_close_rate", "first_time_rate", "satisfaction_rate")


def _as(grid_app: Any, role: str, scope: str = COUNTY) -> Any:
    client = grid_app.server.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {make_token(grid_app, role, scope)}"
    return client


def _point(grid_app: Any, street: str) -> tuple[float, float]:
    index = grid_app.runtime.grid_index()
    code = next(c for c in index.codes() if c.startswith(street))
    return index.random_point_in(code, random.Random(11))


def _case(client: Any, point: tuple[float, float], text: str) -> dict[str, Any]:
    lon, lat = point
    resp = client.post("/api/v1/cases", json={"description": text, "lat": lat, "lon": lon, "source": "wechat"})
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


def _supervise_twice(client: Any, case: dict[str, Any]) -> dict[str, Any]:
    version = case["version"]
    for _ in range(2):
        resp = client.post(f"/api/v1/cases/{case['id']}/supervise", json={"expected_version": version})
        assert resp.status_code == 200, resp.get_json()
        version = resp.get_json()["version"]
    return resp.get_json()


@pytest.fixture
def cases(grid_app, client) -> dict[str, dict[str, Any]]:  # noqa: ANN001
    """A case in each of two streets, both supervised twice (so both need a leader)."""
    tag = uuid.uuid4().hex[:6]
    return {
        street: _supervise_twice(client, _case(client, _point(grid_app, street), f"领导通测试 {tag} {street}"))
        for street in (S1, S2)
    }


def _kpis(client: Any, scope: str, start: str, end: str) -> dict[str, Any]:
    resp = client.get(f"/api/v1/kpis?scope={scope}&from={quote(start)}&to={quote(end)}")
    assert resp.status_code == 200, resp.get_json()
    return resp.get_json()["kpis"]


@pytest.mark.parametrize("scope", [COUNTY, S1])
def test_figures_agree_with_the_kpi_endpoint_for_every_window(grid_app, client, cases, scope: str) -> None:  # noqa: ANN001
    summary = _as(grid_app, "leader").get(f"/api/v1/leader/summary?scope={scope}").get_json()
    assert summary["scope"] == scope and summary["targets"] == TARGETS
    assert set(summary["windows"]) == {"today", "week", "month"}
    for name, w in summary["windows"].items():
        now = _kpis(client, scope, w["from"], w["to"])
        before = _kpis(client, scope, w["prev_from"], w["prev_to"])
        assert {k: w["kpis"][k] for k in COMPARED} == {k: now[k] for k in COMPARED}, name
        assert {k: w["previous"][k] for k in COMPARED} == {k: before[k] for k in COMPARED}, name
        assert w["index"] == composite_index(w["kpis"])
    assert summary["windows"]["today"]["kpis"]["filed"] >= 0


def test_rankings_list_the_scopes_children_and_drill_down(grid_app, cases) -> None:  # noqa: ANN001
    leader = _as(grid_app, "leader")
    district = leader.get("/api/v1/leader/summary").get_json()
    assert district["level"] == "district" and district["rankings"]["level"] == "street"
    streets = {c["code"] for c in district["rankings"]["overdue"]["best"] + district["rankings"]["overdue"]["worst"]}
    assert streets and all(len(code) == 9 for code in streets)
    street = leader.get(f"/api/v1/leader/summary?scope={S1}").get_json()
    assert street["rankings"]["level"] == "community"
    assert [c["code"] for c in street["path"]] == [COUNTY, S1]
    community = street["rankings"]["overdue"]["best"][0]["code"]
    assert len(community) == 12 and community.startswith(S1)
    grids = leader.get(f"/api/v1/leader/summary?scope={community}").get_json()
    assert grids["rankings"]["level"] == "grid"
    grid = grids["rankings"]["overdue"]["best"][0]["code"]
    assert len(grid) == 15
    bottom = leader.get(f"/api/v1/leader/summary?scope={grid}").get_json()
    assert bottom["rankings"] == {**bottom["rankings"], "level": None, "count": 0}
    assert [c["code"] for c in bottom["path"]] == [COUNTY, S1, community, grid]


def test_needs_me_lists_cases_supervised_more_than_once_newest_first(grid_app, cases) -> None:  # noqa: ANN001
    needs = _as(grid_app, "leader").get("/api/v1/leader/summary").get_json()["needs"]
    by_id = {c["id"]: c for c in needs["cases"]}
    for street, case in cases.items():
        row = by_id[case["id"]]
        assert row["street_code"] == street and "supervised" in row["reasons"]
        assert row["supervision_count"] == 2 and row["instruction_count"] == 0
        assert row["grid_name"] and row["state"] == case["state"] and "deadline" in row
    reported = [c["reported_at"] for c in needs["cases"]]
    assert reported == sorted(reported, reverse=True) and needs["total"] >= len(needs["cases"])


def test_a_street_leader_sees_only_their_street(grid_app, cases) -> None:  # noqa: ANN001
    leader = _as(grid_app, "leader", S1)
    own = leader.get("/api/v1/leader/summary")
    assert own.status_code == 200
    body = own.get_json()
    assert body["scope"] == S1 and [c["code"] for c in body["path"]] == [S1]
    assert body["needs"]["cases"] and {c["street_code"] for c in body["needs"]["cases"]} == {S1}
    assert cases[S2]["id"] not in {c["id"] for c in body["needs"]["cases"]}
    for outside in (S2, COUNTY, S2 + "001"):
        assert leader.get(f"/api/v1/leader/summary?scope={outside}").status_code == 403, outside
    inside = body["rankings"]["overdue"]["best"][0]["code"]
    assert leader.get(f"/api/v1/leader/summary?scope={inside}").status_code == 200


def test_other_roles_and_bad_scopes_are_refused(grid_app, anonymous) -> None:  # noqa: ANN001
    assert anonymous.get("/api/v1/leader/summary").status_code == 401
    for role in ("dispatcher", "screen"):
        assert _as(grid_app, role).get("/api/v1/leader/summary").status_code == 403, role
    assert _as(grid_app, "admin").get("/api/v1/leader/summary").status_code == 200
    leader = _as(grid_app, "leader")
    for bad in ("CGW", "1101", "x" * 40, "110112999"):
        assert leader.get(f"/api/v1/leader/summary?scope={bad}").status_code in (404, 422), bad
    assert leader.get("/api/v1/leader/summary?window=year").status_code == 422


def test_a_leaders_sign_in_lands_on_the_leader_pass(grid_app, anonymous) -> None:  # noqa: ANN001
    name = f"leader-{uuid.uuid4().hex[:8]}"
    with grid_app.runtime.session() as session:
        create_user(session=session, name=name, role="leader", scope=COUNTY, password=PASSWORD)
    page = anonymous.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page)
    assert csrf
    resp = anonymous.post("/login", data={"csrf": csrf.group(1), "name": name, "password": PASSWORD})
    assert resp.status_code == 302 and resp.headers["Location"] == "/leader/"
    assert anonymous.get("/leader/").status_code == 200
    assert anonymous.get("/dispatch/").status_code == 403  # no desk: a leader cannot file, dispatch or close there
