"""The closed loop through the API: every transition of DESIGN.md section 5, roles, scopes and conflicts."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from dashboard.services.accounts import create_user, issue_token
from dashboard.store.models import CaseEvent, CatalogItem, Street


@dataclass
class Team:
    """Bearer headers of the people in one test."""

    dispatcher: dict[str, str]
    street_dispatcher: dict[str, str]
    other_street_dispatcher: dict[str, str]
    leader: dict[str, str]
    screen: dict[str, str]
    handler_for: dict[str, dict[str, str]]
    street: str
    other_street: str


def _token(session, role: str, scope: str, department: str | None = None) -> dict[str, str]:  # noqa: ANN001
    user = create_user(
        session=session, name=f"{role}-{uuid.uuid4().hex[:8]}", role=role, scope=scope, department_code=department
    )
    return {"Authorization": f"Bearer {issue_token(session=session, user=user)}"}


@pytest.fixture
def team(grid_app) -> Team:  # noqa: ANN001
    with grid_app.runtime.session() as session:
        streets = session.scalars(select(Street.code).order_by(Street.code)).all()
        departments = {c.department_code for c in session.scalars(select(CatalogItem))}
        handlers = {d: _token(session, "handler", "110112", d) for d in departments if d != "JD"}
        for street in streets:
            handlers[f"{street}ZF"] = _token(session, "handler", "110112", f"{street}ZF")
        return Team(
            dispatcher=_token(session, "dispatcher", "110112"),
            street_dispatcher=_token(session, "dispatcher", streets[0]),
            other_street_dispatcher=_token(session, "dispatcher", streets[1]),
            leader=_token(session, "leader", "110112"),
            screen=_token(session, "screen", "110112"),
            handler_for=handlers,
            street=streets[0],
            other_street=streets[1],
        )


def _new_case(client, grid_app, street: str) -> dict:  # noqa: ANN001
    import random

    index = grid_app.runtime.grid_index()
    code = next(c for c in index.codes() if c.startswith(street))
    lon, lat = index.random_point_in(code, random.Random(uuid.uuid4().int))
    resp = client.post("/api/v1/cases", json={"description": "道路积水", "lat": lat, "lon": lon, "source": "wechat"})
    assert resp.status_code == 201
    return resp.get_json()


def _cmd(client, case: dict, command: str, headers: dict, **body) -> tuple[int, dict]:  # noqa: ANN001
    resp = client.post(
        f"/api/v1/cases/{case['id']}/{command}", json={"expected_version": case["version"], **body}, headers=headers
    )
    return resp.status_code, resp.get_json()


def _condition(grid_app, level: str = "B") -> CatalogItem:  # noqa: ANN001
    with grid_app.runtime.session() as session:
        return session.scalars(
            select(CatalogItem)
            .where(CatalogItem.level == level, CatalogItem.department_code != "JD")
            .order_by(CatalogItem.code)
        ).first()


def test_routine_case_round_the_closed_loop(client, grid_app, team) -> None:
    item = _condition(grid_app)
    case = _new_case(client, grid_app, team.street)
    status, case = _cmd(client, case, "file", team.dispatcher, condition=item.code)
    assert status == 200 and case["state"] == "filed" and case["level"] == item.level and case["deadline"]
    status, case = _cmd(client, case, "dispatch", team.dispatcher, department=item.department_code)
    assert status == 200 and case["state"] == "dispatched" and case["department_code"] == item.department_code
    handler = team.handler_for[item.department_code]
    status, case = _cmd(client, case, "acknowledge", handler)
    assert status == 200 and case["state"] == "handling"
    status, case = _cmd(client, case, "report-handled", handler, note="已修复", photos=["/p/1.jpg"])
    assert status == 200 and case["state"] == "handled"
    status, case = _cmd(client, case, "verify", team.dispatcher, result="fail", note="未修复到位")
    assert status == 200 and case["state"] == "dispatched"  # rework
    _, case = _cmd(client, case, "acknowledge", handler)
    _, case = _cmd(client, case, "report-handled", handler)
    status, case = _cmd(client, case, "verify", team.dispatcher, result="pass")
    assert status == 200 and case["state"] == "closed" and case["deadline"] is None
    status, case = _cmd(client, case, "visit-back", team.dispatcher, satisfaction="satisfied")
    assert status == 200
    timeline = client.get(f"/api/v1/cases/{case['id']}").get_json()["timeline"]
    assert [e["command"] for e in timeline] == [
        "report",
        "file",
        "dispatch",
        "acknowledge",
        "report-handled",
        "verify",
        "acknowledge",
        "report-handled",
        "verify",
        "visit-back",
    ]
    assert all(e["actor"] and e["at"] for e in timeline)
    with grid_app.runtime.session() as session:
        from dashboard.store.models import Case

        row = session.get(Case, case["id"])
        assert row.rework_count == 1 and row.satisfaction == "satisfied" and row.handling_work_hours is not None


def test_return_then_redispatch_and_jd_resolves_to_the_street(client, grid_app, team) -> None:
    item = _condition(grid_app)
    case = _new_case(client, grid_app, team.street)
    _, case = _cmd(client, case, "file", team.dispatcher, condition=item.code)
    _, case = _cmd(client, case, "dispatch", team.dispatcher, department=item.department_code)
    status, body = _cmd(client, case, "return", team.handler_for[item.department_code])
    assert status == 422 and body["field"] == "note"  # a return needs a reason
    status, case = _cmd(client, case, "return", team.handler_for[item.department_code], note="不属于本单位职责")
    assert status == 200 and case["state"] == "returned"
    status, case = _cmd(client, case, "dispatch", team.dispatcher, department="JD")
    assert status == 200 and case["department_code"] == f"{team.street}ZF"


@pytest.mark.parametrize(
    ("command", "body", "field"),
    [
        ("reject", {}, "note"),
        ("merge", {"into": 0}, "into"),
        ("file", {"condition": "nope"}, "condition"),
        ("dispatch", {"department": "GA"}, "state"),
        ("verify", {"result": "pass"}, "state"),
        ("acknowledge", {}, "state"),
        ("visit-back", {"satisfaction": "satisfied"}, "state"),
        ("resume", {}, "state"),
        ("extend", {"limit": "2工作日"}, "state"),
        ("suspend", {"note": "x"}, "state"),
    ],
)
def test_illegal_transitions_and_fields_are_422(client, grid_app, team, command, body, field) -> None:
    case = _new_case(client, grid_app, team.street)
    headers = team.handler_for["GA"] if command == "acknowledge" else team.dispatcher
    status, resp = _cmd(client, case, command, headers, **body)
    if command == "acknowledge":
        assert status == 404  # the handler's department does not own this case, so it cannot even see it
        return
    assert status == 422, resp
    assert resp["field"] == field


def test_terminal_paths_reject_merge_self_handle(client, grid_app, team) -> None:
    a = _new_case(client, grid_app, team.street)
    b = _new_case(client, grid_app, team.street)
    status, merged = _cmd(client, b, "merge", team.dispatcher, into=a["id"])
    assert status == 200 and merged["state"] == "merged"
    status, rejected = _cmd(client, a, "reject", team.dispatcher, note="重复来电，无具体地址")
    assert status == 200 and rejected["state"] == "rejected"
    c = _new_case(client, grid_app, team.street)
    status, handled = _cmd(client, c, "self-handle", team.dispatcher)
    assert status == 200 and handled["state"] == "self_handled"
    status, body = _cmd(client, handled, "file", team.dispatcher, condition=_condition(grid_app).code)
    assert status == 422 and body["field"] == "state"


def test_stale_version_is_409_with_who_acted(client, grid_app, team) -> None:
    case = _new_case(client, grid_app, team.street)
    item = _condition(grid_app)
    status, _ = _cmd(client, case, "file", team.dispatcher, condition=item.code)
    assert status == 200
    status, body = _cmd(client, case, "reject", team.dispatcher, note="late click")  # still holds version 1
    assert status == 409
    assert body["current"]["state"] == "filed" and body["current"]["last_command"] == "file"
    assert body["current"]["last_actor"].startswith("dispatcher-")


def test_roles_and_scopes(client, anonymous, grid_app, team) -> None:
    case = _new_case(client, grid_app, team.street)
    assert _cmd(anonymous, case, "file", {})[0] == 401
    assert _cmd(anonymous, case, "file", {"Authorization": "Bearer wrong"})[0] == 401
    assert _cmd(client, case, "file", team.screen, condition="x")[0] == 403
    assert _cmd(client, case, "file", team.leader, condition="x")[0] == 403
    # Another street's dispatcher cannot reach the case by guessing its id.
    assert _cmd(client, case, "supervise", team.other_street_dispatcher)[0] == 404
    status, case = _cmd(client, case, "supervise", team.leader, note="请尽快处置")
    assert status == 200 and case["supervision_count"] == 1
    status, case = _cmd(client, case, "escalate", team.street_dispatcher, note="跨部门协调")
    assert status == 200 and case["tier"] == "district"
    # Escalated: the street center no longer commands it; the district does.
    assert _cmd(client, case, "supervise", team.street_dispatcher)[0] == 404
    assert _cmd(client, case, "escalate", team.dispatcher)[1]["field"] == "tier"


def test_suspend_resume_and_extensions(client, grid_app, team) -> None:
    item = _condition(grid_app)
    case = _new_case(client, grid_app, team.street)
    _, case = _cmd(client, case, "file", team.dispatcher, condition=item.code)
    _, case = _cmd(client, case, "dispatch", team.dispatcher, department=item.department_code)
    status, case = _cmd(client, case, "suspend", team.dispatcher, note="等待产权单位确认")
    assert status == 200 and case["state"] == "suspended"
    status, case = _cmd(client, case, "resume", team.dispatcher)
    assert status == 200 and case["state"] == "dispatched"
    before = case["deadline"]
    status, case = _cmd(client, case, "extend", team.dispatcher, limit="2工作日", note="需协调施工队")
    assert status == 200 and case["deadline"] > before
    _, case = _cmd(client, case, "extend", team.dispatcher, limit="1工作日", note="二次延期")
    status, body = _cmd(client, case, "extend", team.dispatcher, limit="1工作日", note="三次")
    assert status == 422 and body["field"] == "extension_count"
    with grid_app.runtime.session() as session:
        commands = session.scalars(select(CaseEvent.command).where(CaseEvent.case_id == case["id"])).all()
    assert commands.count("extend") == 2


def test_unknown_command_is_404_and_missing_version_422(client, grid_app, team) -> None:
    case = _new_case(client, grid_app, team.street)
    assert client.post(f"/api/v1/cases/{case['id']}/explode", json={}, headers=team.dispatcher).status_code == 404
    resp = client.post(f"/api/v1/cases/{case['id']}/supervise", json={}, headers=team.dispatcher)
    assert resp.status_code == 422 and resp.get_json()["field"] == "expected_version"


def test_deadline_endpoint(client) -> None:
    body = client.get("/api/v1/sla/deadline?limit=4工作时&start=2026-09-30T17:00").get_json()
    assert body["deadline"] == "2026-10-08T11:00:00+08:00" and body["warning"] is None
    later = client.get("/api/v1/sla/deadline?limit=4工作时&start=2027-03-01T09:00").get_json()
    assert later["warning"] and "2027" in later["warning"]
    bad = client.get("/api/v1/sla/deadline?limit=soon&start=2026-09-30T17:00")
    assert bad.status_code == 422 and bad.get_json()["field"] == "limit"
