"""批示 `instruct`: a leader's written instruction on any case, audited, in the timeline, the state untouched."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from dashboard.store.models import AuditEntry, CaseEvent
from tests.integration.conftest import make_token


def _case(client, inside_point) -> dict[str, Any]:  # noqa: ANN001
    lon, lat = inside_point
    resp = client.post("/api/v1/cases", json={"description": "井盖缺失", "lat": lat, "lon": lon, "source": "wechat"})
    assert resp.status_code == 201
    return resp.get_json()


def _as(grid_app, role: str, scope: str = "110112") -> dict[str, str]:  # noqa: ANN001
    department = "CGW" if role == "handler" else None  # a handler acts for one department
    return {"Authorization": f"Bearer {make_token(grid_app, role, scope, department)}"}


def test_a_leader_instructs_a_case_without_moving_it(grid_app, client, inside_point) -> None:  # noqa: ANN001
    case = _case(client, inside_point)
    leader = _as(grid_app, "leader")
    resp = client.post(
        f"/api/v1/cases/{case['id']}/instruct",
        json={"expected_version": case["version"], "note": "请街道当日内处置并反馈"},
        headers=leader,
    )
    assert resp.status_code == 200, resp.get_json()
    row = resp.get_json()
    assert (row["state"], row["version"], row["instruction_count"]) == ("reported", case["version"] + 1, 1)
    with grid_app.runtime.session() as session:
        event = session.scalars(select(CaseEvent).where(CaseEvent.case_id == case["id"]).order_by(CaseEvent.id.desc()))
        last = event.first()
        assert (last.command, last.note, last.from_state, last.to_state) == (
            "instruct",
            "请街道当日内处置并反馈",
            "reported",
            "reported",
        )
        audited = session.scalars(select(AuditEntry.action).where(AuditEntry.target == row["code"])).all()
    assert "case:instruct" in audited
    timeline = client.get(f"/api/v1/cases/{case['id']}").get_json()["timeline"]
    assert timeline[-1]["command"] == "instruct" and timeline[-1]["note"] == "请街道当日内处置并反馈"


def test_an_instruction_needs_its_text_and_a_leader(grid_app, client, inside_point) -> None:  # noqa: ANN001
    case = _case(client, inside_point)
    url = f"/api/v1/cases/{case['id']}/instruct"
    empty = client.post(url, json={"expected_version": case["version"], "note": "  "}, headers=_as(grid_app, "leader"))
    assert empty.status_code == 422 and empty.get_json()["field"] == "note"
    for role in ("dispatcher", "handler", "screen"):
        resp = client.post(url, json={"expected_version": case["version"], "note": "阅"}, headers=_as(grid_app, role))
        assert resp.status_code == 403, role
    leader = _as(grid_app, "leader")
    stale = client.post(url, json={"expected_version": case["version"] - 1, "note": "阅"}, headers=leader)
    assert stale.status_code == 409
    unchanged = client.get(f"/api/v1/cases/{case['id']}").get_json()
    assert (unchanged["version"], unchanged["instruction_count"]) == (case["version"], 0)


def test_a_closed_case_may_still_be_instructed(grid_app, client, inside_point) -> None:  # noqa: ANN001
    case = _case(client, inside_point)
    rejected = client.post(
        f"/api/v1/cases/{case['id']}/reject", json={"expected_version": case["version"], "note": "重复上报"}
    ).get_json()
    resp = client.post(
        f"/api/v1/cases/{case['id']}/instruct",
        json={"expected_version": rejected["version"], "note": "核实是否确属重复"},
        headers=_as(grid_app, "leader"),
    )
    assert resp.status_code == 200 and resp.get_json()["state"] == "rejected"
