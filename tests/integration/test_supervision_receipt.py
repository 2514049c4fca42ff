"""督办回复 (issue 14): a 督办 may carry a reply deadline (`reply_by`); the handling department acknowledges it with
`ack-supervision` (audited, in the timeline, the state untouched), the leader sees who answered when, and an
unanswered one past its deadline is flagged in GET /api/v1/leader/summary."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from dashboard.services.accounts import create_user, issue_token
from dashboard.store.models import AuditEntry, Case, CaseEvent, CatalogItem, Department
from tests.integration.conftest import make_token

CST = "+08:00"


def _headers(grid_app: Any, role: str, department: str | None = None) -> tuple[str, dict[str, str]]:
    """A fresh user's name and bearer header."""
    with grid_app.runtime.session() as session:
        user = create_user(
            session=session,
            name=f"{role}-{uuid.uuid4().hex[:8]}",
            role=role,
            scope="110112",
            department_code=department,
        )
        return user.name, {"Authorization": f"Bearer {issue_token(session=session, user=user)}"}


def _post(client: Any, case: dict[str, Any], command: str, headers: dict[str, str] | None = None, **body: Any) -> Any:
    return client.post(
        f"/api/v1/cases/{case['id']}/{command}",
        json={"expected_version": case["version"], **body},
        headers=headers or {},
    )


@pytest.fixture
def dispatched(grid_app, client) -> dict[str, Any]:  # noqa: ANN001
    """A case filed and dispatched to its catalog department (the row, plus `department`)."""
    index = grid_app.runtime.grid_index()
    lon, lat = index.random_point_in(index.codes()[3], random.Random(uuid.uuid4().int))
    case = client.post("/api/v1/cases", json={"description": "路灯不亮", "lat": lat, "lon": lon, "source": "wechat"})
    assert case.status_code == 201
    with grid_app.runtime.session() as session:
        item = session.scalars(
            select(CatalogItem)
            .where(CatalogItem.department_code != "JD", CatalogItem.level != "A")
            .order_by(CatalogItem.code)
        ).first()
        condition, department = item.code, item.department_code
    filed = _post(client, case.get_json(), "file", condition=condition)
    assert filed.status_code == 200, filed.get_json()
    sent = _post(client, filed.get_json(), "dispatch", department=department)
    assert sent.status_code == 200, sent.get_json()
    return {**sent.get_json(), "department": department}


def _in(hours: float) -> str:
    return (datetime.now(UTC) + timedelta(hours=hours)).astimezone().isoformat(timespec="seconds")


def test_a_supervision_carries_its_reply_deadline_on_the_row(grid_app, client, dispatched) -> None:  # noqa: ANN001
    leader = {"Authorization": f"Bearer {make_token(grid_app, 'leader')}"}
    reply_by = (datetime.now(UTC) + timedelta(hours=2)).replace(microsecond=0)
    resp = _post(client, dispatched, "supervise", leader, reply_by=reply_by.isoformat(), note="两小时内回复")
    assert resp.status_code == 200, resp.get_json()
    row = resp.get_json()
    assert datetime.fromisoformat(row["supervision_reply_by"]) == reply_by
    assert row["supervision_reply_by"].endswith(CST)  # in the center's time zone, as every row time
    assert (row["supervision_acked_at"], row["supervision_acked_by"]) == (None, None)
    assert (row["state"], row["supervision_count"]) == ("dispatched", 1)
    plain = _post(client, row, "supervise", leader).get_json()  # no deadline: none asked
    assert plain["supervision_reply_by"] is None and plain["supervision_count"] == 2


@pytest.mark.parametrize(
    "bad",
    ["tomorrow", "2026-12-31", "2026-12-31T09:00:00", 12, "x" * 60, "PAST", "FAR"],
)
def test_a_bad_reply_deadline_is_refused_naming_the_field(client, dispatched, bad) -> None:  # noqa: ANN001
    value = {"PAST": _in(-1), "FAR": _in(24 * 31)}.get(bad, bad) if isinstance(bad, str) else bad
    resp = _post(client, dispatched, "supervise", reply_by=value)
    assert resp.status_code == 422, resp.get_json()
    assert resp.get_json()["field"] == "reply_by"
    assert client.get(f"/api/v1/cases/{dispatched['id']}").get_json()["version"] == dispatched["version"]


def test_the_department_acknowledges_and_the_leader_sees_who_when(grid_app, client, dispatched) -> None:  # noqa: ANN001
    name, handler = _headers(grid_app, "handler", dispatched["department"])
    nothing = _post(client, dispatched, "ack-supervision", handler)
    assert nothing.status_code == 422 and nothing.get_json()["field"] == "supervision"  # none pending
    supervised = _post(client, dispatched, "supervise", reply_by=_in(3)).get_json()
    with grid_app.runtime.session() as session:
        other = session.scalars(select(Department.code).where(Department.code != dispatched["department"])).first()
    _, stranger = _headers(grid_app, "handler", other)
    assert _post(client, supervised, "ack-supervision", stranger).status_code == 404  # not theirs: looks missing
    _, screen = _headers(grid_app, "screen")
    assert _post(client, supervised, "ack-supervision", screen).status_code == 403
    resp = _post(client, supervised, "ack-supervision", handler, note="已安排今日修复")
    assert resp.status_code == 200, resp.get_json()
    row = resp.get_json()
    assert row["supervision_acked_by"] == name and row["supervision_acked_at"]
    assert (row["state"], row["version"]) == ("dispatched", supervised["version"] + 1)
    assert row["supervision_reply_by"] == supervised["supervision_reply_by"]
    again = _post(client, row, "ack-supervision", handler)
    assert again.status_code == 422 and again.get_json()["field"] == "supervision"  # answered once
    with grid_app.runtime.session() as session:
        audited = session.scalars(select(AuditEntry.action).where(AuditEntry.target == row["code"])).all()
        last = session.scalars(
            select(CaseEvent).where(CaseEvent.case_id == row["id"]).order_by(CaseEvent.id.desc())
        ).first()
        assert (last.command, last.actor, last.from_state, last.to_state) == (
            "ack-supervision",
            name,
            "dispatched",
            "dispatched",
        )
    assert "case:ack-supervision" in audited
    timeline = client.get(f"/api/v1/cases/{row['id']}").get_json()["timeline"]
    assert timeline[-1]["command"] == "ack-supervision" and timeline[-1]["note"] == "已安排今日修复"
    reopened = _post(client, row, "supervise").get_json()  # a new 督办 waits for its own reply
    assert (reopened["supervision_acked_at"], reopened["supervision_acked_by"], reopened["supervision_reply_by"]) == (
        None,
        None,
        None,
    )


def _needs_row(grid_app: Any, case_id: int) -> dict[str, Any] | None:
    leader = grid_app.server.test_client()
    leader.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {make_token(grid_app, 'leader')}"
    summary = leader.get("/api/v1/leader/summary")
    assert summary.status_code == 200, summary.get_json()
    return next((c for c in summary.get_json()["needs"]["cases"] if c["id"] == case_id), None)


def test_an_unanswered_supervision_past_its_deadline_needs_the_leader(grid_app, client, dispatched) -> None:  # noqa: ANN001
    supervised = _post(client, dispatched, "supervise", reply_by=_in(1)).get_json()
    assert _needs_row(grid_app, supervised["id"]) is None  # once supervised, reply not yet due: nothing to flag
    with grid_app.runtime.session() as session:  # the hour passes
        session.execute(
            update(Case)
            .where(Case.id == supervised["id"])
            .values(supervision_reply_by=datetime.now(UTC) - timedelta(minutes=5))
        )
    row = _needs_row(grid_app, supervised["id"])
    assert row is not None and "reply_overdue" in row["reasons"] and row["supervision_reply"] == "overdue"
    _, handler = _headers(grid_app, "handler", dispatched["department"])
    fresh = client.get(f"/api/v1/cases/{supervised['id']}").get_json()
    answered = _post(client, fresh, "ack-supervision", handler)
    assert answered.status_code == 200, answered.get_json()
    assert _needs_row(grid_app, supervised["id"]) is None  # answered late, but answered: no longer flagged
    twice = _post(client, _post(client, answered.get_json(), "supervise").get_json(), "supervise").get_json()
    row = _needs_row(grid_app, twice["id"])
    assert row is not None and row["supervision_reply"] == "pending" and "reply_overdue" not in row["reasons"]
