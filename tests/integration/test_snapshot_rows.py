"""A rebuilt snapshot part re-encodes only the cases that changed, and is exactly what a fresh build would be."""

from __future__ import annotations

import json

from sqlalchemy import update

from dashboard.live.gateway import NAMESPACE, PatrolStreets
from dashboard.live.snapshots import SnapshotCache
from dashboard.store.models import CatalogItem


def _report(client, point: tuple[float, float], text: str) -> dict:  # noqa: ANN001
    lon, lat = point
    resp = client.post("/api/v1/cases", json={"description": text, "lat": lat, "lon": lon, "source": "wechat"})
    assert resp.status_code == 201, resp.get_data(as_text=True)
    return resp.get_json()


def _cache(grid_app) -> SnapshotCache:  # noqa: ANN001
    rt = grid_app.runtime
    return SnapshotCache(rt, namespace=NAMESPACE, patrols_of=PatrolStreets(rt).of_street)


def test_a_rebuild_reuses_unchanged_rows_and_matches_a_fresh_build(grid_app, client, inside_point) -> None:  # noqa: ANN001
    cases = [_report(client, inside_point, f"复用行 {i}") for i in range(4)]
    cache = _cache(grid_app)
    first = cache._build_cases(None)
    cache._parts[None] = first
    # One case changes (filed: a new version, state and category), one closes (self-handled), two stay as they were.
    filed = client.post(
        f"/api/v1/cases/{cases[0]['id']}/file",
        json={
            "expected_version": cases[0]["version"],
            "condition": client.get("/api/v1/catalog").get_json()["conditions"][0]["code"],
        },
    )
    assert filed.status_code == 200, filed.get_data(as_text=True)
    closed = client.post(
        f"/api/v1/cases/{cases[1]['id']}/self-handle",
        json={"expected_version": cases[1]["version"], "note": "当场处置"},
    )
    assert closed.status_code == 200, closed.get_data(as_text=True)

    rebuilt = cache._build_cases(None)
    fresh = _cache(grid_app)._build_cases(None)
    assert rebuilt.rows == fresh.rows  # the same cases, versions and encoded rows as a build from scratch
    assert cases[1]["id"] not in rebuilt.rows
    assert json.loads(rebuilt.rows[cases[0]["id"]][1])["state"] == "filed"
    for unchanged in cases[2:]:
        assert rebuilt.rows[unchanged["id"]][1] is first.rows[unchanged["id"]][1]  # reused, not encoded again


def test_a_renamed_catalog_item_re_encodes_every_row(grid_app, client, inside_point) -> None:  # noqa: ANN001
    case = _report(client, inside_point, "改名前")
    code = client.get("/api/v1/catalog").get_json()["conditions"][0]["code"]
    filed = client.post(
        f"/api/v1/cases/{case['id']}/file", json={"expected_version": case["version"], "condition": code}
    )
    assert filed.status_code == 200, filed.get_data(as_text=True)
    cache = _cache(grid_app)
    cache._parts[None] = cache._build_cases(None)
    with grid_app.runtime.session() as session:
        session.execute(update(CatalogItem).where(CatalogItem.code == code).values(minor_name="改名后的小类"))
    rebuilt = cache._build_cases(None)
    assert json.loads(rebuilt.rows[case["id"]][1])["category"] == "改名后的小类"
    assert rebuilt.rows == _cache(grid_app)._build_cases(None).rows
