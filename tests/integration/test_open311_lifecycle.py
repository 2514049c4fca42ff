"""An Open311 request's status across the real closed loop (services.commands on SQLite and PostgreSQL): open from
report to handled, closed once verified, rejected, merged or self-handled, with the public note of why, the
handling department, the SLA deadline as expected_datetime, and never an internal note.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from dashboard.domain.actors import Actor, Role
from dashboard.domain.clock import local_iso
from dashboard.services import commands
from dashboard.store.models import Case, Department
from tests.integration.conftest import make_token
from tests.integration.test_open311_api import OFFSET, post, spec_form, xml_of

ADMIN = Actor(name="admin-open311", role=Role.ADMIN, scope="110112")


@pytest.fixture
def channel_key(grid_app) -> str:  # noqa: ANN001
    return make_token(grid_app, "channel")


def _new(anonymous, key: str, point: tuple[float, float], condition: str = "010101") -> int:  # noqa: ANN001
    lon, lat = point
    form = spec_form(key, lon, lat, **{"attribute[condition]": condition}, device_id=f"life-{condition}")
    form["description"] += f" {id(form)}"  # each request its own (no repeat window)
    resp = post(anonymous, "json", form)
    assert resp.status_code == 200, resp.get_data(as_text=True)
    return int(resp.get_json()[0]["service_request_id"])


def _run(grid_app, case_id: int, command: Callable[..., Case], **kwargs: Any) -> None:  # noqa: ANN001
    rt = grid_app.runtime
    with rt.session() as session:
        case = session.get(Case, case_id)
        ctx = commands.Ctx(session=session, actor=ADMIN, cal=rt.calendar, tz=rt.settings.timezone)
        command(ctx, case_id, expected_version=case.version, **kwargs)


def _read(anonymous, case_id: int) -> dict[str, Any]:  # noqa: ANN001
    (row,) = anonymous.get(f"/open311/v2/requests/{case_id}.json").get_json()
    item = xml_of(anonymous.get(f"/open311/v2/requests/{case_id}.xml")).find("request")
    assert item.findtext("status") == row["status"] and item.findtext("status_notes") == (row["status_notes"] or "")
    return row


def test_status_follows_the_closed_loop(anonymous, grid_app, channel_key, inside_point) -> None:
    case_id = _new(anonymous, channel_key, inside_point)
    seen = [_read(anonymous, case_id)]
    assert seen[0]["agency_responsible"] is None and seen[0]["expected_datetime"] is None
    _run(grid_app, case_id, commands.file_case, condition="010102", note="内部：升级为A级")
    _run(grid_app, case_id, commands.dispatch_case, department="GA", note="内部：请公安处置")
    dispatched = _read(anonymous, case_id)
    _run(grid_app, case_id, commands.return_case, note="内部：不属我单位")
    _run(grid_app, case_id, commands.dispatch_case, department="GA")
    _run(grid_app, case_id, commands.acknowledge_case)
    _run(grid_app, case_id, commands.supervise_case, note="内部督办意见")
    _run(grid_app, case_id, commands.report_handled, note="内部：已处置")
    seen += [dispatched, _read(anonymous, case_id)]
    assert [row["status"] for row in seen] == ["open", "open", "open"]
    assert all(row["status_notes"] is None for row in seen)
    with grid_app.runtime.session() as session:
        case = session.get(Case, case_id)
        ga = session.get(Department, "GA").name
        expected = local_iso(case.handling_deadline, grid_app.runtime.settings.timezone)
    # Reclassified by the dispatcher: the request now reads as the condition filed, with its department and SLA.
    assert (dispatched["agency_responsible"], dispatched["expected_datetime"]) == (ga, expected)
    assert OFFSET.fullmatch(expected) and dispatched["service_code"] == "0101"
    assert dispatched["service_notice"] == "现场稳控，纠纷化解或移交公安、司法机关处理"
    _run(grid_app, case_id, commands.verify_case, result="pass", note="已调解，双方签字")
    closed = _read(anonymous, case_id)
    assert (closed["status"], closed["status_notes"]) == ("closed", "已调解，双方签字")
    with grid_app.runtime.session() as session:
        closed_at = session.get(Case, case_id).closed_at
    assert closed["updated_datetime"] == local_iso(closed_at, grid_app.runtime.settings.timezone)
    body = anonymous.get(f"/open311/v2/requests.json?service_request_id={case_id}").get_data(as_text=True)
    assert "内部" not in body
    closed_ids = {r["service_request_id"] for r in anonymous.get("/open311/v2/requests.json?status=closed").get_json()}
    open_ids = {r["service_request_id"] for r in anonymous.get("/open311/v2/requests.json?status=open").get_json()}
    assert str(case_id) in closed_ids and str(case_id) not in open_ids


@pytest.mark.parametrize(
    ("command", "kwargs", "notes"),
    [
        (commands.reject_case, {"note": "不属于受理范围"}, "不属于受理范围"),
        (commands.self_handle, {"note": "网格员已现场处理"}, "网格员已现场处理"),
        (commands.self_handle, {}, None),
    ],
)
def test_terminal_states_read_closed_with_their_reason(
    anonymous, grid_app, channel_key, inside_point, command, kwargs, notes
) -> None:
    case_id = _new(anonymous, channel_key, inside_point)
    _run(grid_app, case_id, command, **kwargs)
    row = _read(anonymous, case_id)
    assert (row["status"], row["status_notes"]) == ("closed", notes)


def test_a_merged_request_is_closed_as_a_duplicate(anonymous, grid_app, channel_key, inside_point) -> None:
    keep = _new(anonymous, channel_key, inside_point)
    duplicate = _new(anonymous, channel_key, inside_point, condition="010102")
    _run(grid_app, duplicate, commands.merge_case, into=keep, note="重复上报")
    assert (_read(anonymous, duplicate)["status"], _read(anonymous, keep)["status"]) == ("closed", "open")
    assert _read(anonymous, duplicate)["status_notes"] == "重复上报"
    with grid_app.runtime.session() as session:
        assert session.scalar(select(Case.merged_into).where(Case.id == duplicate)) == keep
