"""A leader's 督办 and 批示 on the wall's ticker as a reloaded wall rebuilds it (GET /api/v1/screen/alerts, issue 14):
the supervision with its reply deadline, the instruction, and the department's answer (回复督办), each keyed as
assets/screen/11-alerts.js keys the live ones."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tests.integration.conftest import make_token


def _post(client: Any, case: dict[str, Any], command: str, headers: dict[str, str], **body: Any) -> dict[str, Any]:
    resp = client.post(
        f"/api/v1/cases/{case['id']}/{command}", json={"expected_version": case["version"], **body}, headers=headers
    )
    assert resp.status_code == 200, resp.get_json()
    return resp.get_json()


def test_a_supervision_an_instruction_and_the_answer_reach_the_ticker(grid_app, client, inside_point) -> None:  # noqa: ANN001
    lon, lat = inside_point
    case = client.post("/api/v1/cases", json={"description": "井盖缺失", "lat": lat, "lon": lon, "source": "wechat"})
    assert case.status_code == 201
    leader = {"Authorization": f"Bearer {make_token(grid_app, 'leader')}"}
    dispatcher = {"Authorization": f"Bearer {make_token(grid_app, 'dispatcher')}"}
    reply_by = (datetime.now(ZoneInfo("Asia/Shanghai")) + timedelta(hours=2)).replace(microsecond=0).isoformat()
    row = _post(client, case.get_json(), "supervise", leader, note="请今日反馈", reply_by=reply_by)
    row = _post(client, row, "instruct", leader, note="请区城管委牵头")
    row = _post(client, row, "ack-supervision", dispatcher, note="已安排")
    assert (row["supervision_count"], row["instruction_count"]) == (1, 1) and row["supervision_acked_at"]

    screen = grid_app.server.test_client()
    screen.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {make_token(grid_app, 'screen')}"
    alerts = [a for a in screen.get("/api/v1/screen/alerts").get_json()["alerts"] if a["id"] == row["id"]]
    cid = row["id"]
    assert [a["key"] for a in alerts] == [f"acked:{cid}:1", f"instructed:{cid}:1", f"supervised:{cid}:1"]
    by_kind = {a["kind"]: a for a in alerts}
    assert by_kind["supervised"]["reply_by"] == reply_by  # the ticker says by when the answer is due
    assert "reply_by" not in by_kind["instructed"] and "reply_by" not in by_kind["acked"]
    assert all(a["at"].endswith("+08:00") and a["grid"] == row["grid_code"] for a in alerts)

    # A second 批示 is news of its own; a second 督办 and its answer too, numbered by the supervision.
    row = _post(client, row, "instruct", leader, note="再次批示")
    row = _post(client, row, "supervise", leader)
    row = _post(client, row, "ack-supervision", dispatcher)
    # (read by the street's wall: the district's answer is cached for a few seconds, as walls restarting together
    # share one scan)
    street_wall = grid_app.server.test_client()
    street_wall.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {make_token(grid_app, 'screen', row['street_code'])}"
    keys = [a["key"] for a in street_wall.get("/api/v1/screen/alerts").get_json()["alerts"] if a["id"] == cid]
    assert keys[:3] == [f"acked:{cid}:2", f"supervised:{cid}:2", f"instructed:{cid}:2"]
    assert len(keys) == len(set(keys)) == 6
