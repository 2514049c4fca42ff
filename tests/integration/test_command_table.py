"""The commands check their preconditions against the table the desk is handed (dashboard/domain/actions.py)."""

from __future__ import annotations

import random
import uuid
from typing import Any

from sqlalchemy import select

from dashboard.domain.actions import ACTIONS
from dashboard.store.models import CatalogItem

# Body fields each command needs to get past its field checks to the state check.
BODIES: dict[str, dict[str, Any]] = {
    "file": {"condition": "x"},
    "dispatch": {"department": "CGW"},
    "verify": {"result": "fail", "note": "未修复到位"},
    "merge": {"into": 1},
    "extend": {"limit": "1天", "note": "需协调"},
    "visit-back": {"satisfaction": "satisfied"},
    "return": {"note": "非本单位职责"},
    "reject": {"note": "不属于受理范围"},
    "suspend": {"note": "等待审批"},
    "locate": {"lat": 39.9, "lon": 116.7},
}


def _filed_case(client, grid_app) -> dict[str, Any]:  # noqa: ANN001
    index = grid_app.runtime.grid_index()
    lon, lat = index.random_point_in(index.codes()[7], random.Random(uuid.uuid4().int))
    case = client.post("/api/v1/cases", json={"description": "占道经营", "lat": lat, "lon": lon, "source": "wechat"})
    assert case.status_code == 201
    with grid_app.runtime.session() as session:
        condition = session.scalars(select(CatalogItem.code).where(CatalogItem.department_code != "JD")).first()
    resp = client.post(
        f"/api/v1/cases/{case.get_json()['id']}/file",
        json={"expected_version": case.get_json()["version"], "condition": condition},
    )
    assert resp.status_code == 200
    return resp.get_json()


def test_every_command_the_table_does_not_offer_from_filed_is_refused_with_422(client, grid_app) -> None:  # noqa: ANN001
    case = _filed_case(client, grid_app)
    refused = [c for c, action in ACTIONS.items() if "filed" not in action.sources]
    assert "verify" in refused  # a failed check (rework) needs a handled case, as the desk shows
    for command in refused:
        body = {"expected_version": case["version"], **BODIES.get(command, {})}
        resp = client.post(f"/api/v1/cases/{case['id']}/{command}", json=body)
        assert resp.status_code == 422, (command, resp.get_json())
        assert resp.get_json()["field"] == "state", (command, resp.get_json())
    still = client.get(f"/api/v1/cases/{case['id']}").get_json()
    assert (still["state"], still["version"]) == ("filed", case["version"])  # nothing changed
