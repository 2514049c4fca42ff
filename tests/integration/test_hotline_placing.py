"""Orders without coordinates: placed by the grid, community or street their address names (services/placing.py),
or left unlocated (待定位) for the dispatcher's `locate` command — and everything that reads cases holds with a
case that has no grid: the case list and detail, KPIs, the leader pass, the wall's feed, suggestions, scopes."""

from __future__ import annotations

import random

import pytest
import shapely
from sqlalchemy import select

from dashboard.services.placing import place_by_address
from dashboard.store.models import Case, CaseEvent, Community, Grid, Street
from tests.integration.conftest import make_token
from tests.integration.hotline_helpers import area_names, channel_client, order


@pytest.fixture
def channel(grid_app):  # noqa: ANN001, ANN201
    return channel_client(grid_app)


@pytest.fixture
def dispatcher(grid_app):  # noqa: ANN001, ANN201
    client, _ = channel_client(grid_app, "dispatcher")
    return client


def _post(client, **fields) -> dict:  # noqa: ANN001, ANN003
    resp = client.post("/api/v1/hotline/orders", json=order(**fields))
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


@pytest.mark.parametrize("level", ["grid", "community", "street"])
def test_an_address_naming_an_area_places_the_case_inside_it(grid_app, channel, level) -> None:  # noqa: ANN001
    client, _ = channel
    code, name = area_names(grid_app)[level]
    got = _post(client, address=f"北京市通州区{name}西侧约50米")
    assert got["located"] is True and got["placement"] == f"address:{level}"
    with grid_app.runtime.session() as session:
        case = session.get(Case, got["case_id"])
        column = {"grid": case.grid_code, "community": case.community_code, "street": case.street_code}[level]
        assert column == code and case.tier == "street"
        table = {"grid": Grid, "community": Community, "street": Street}[level]
        outline = shapely.from_geojson(session.scalar(select(table.geometry).where(table.code == code)))
        assert outline.contains(shapely.Point(case.lon, case.lat))  # a point inside the area, never outside it
        note = session.scalar(select(CaseEvent.note).where(CaseEvent.case_id == case.id, CaseEvent.command == "report"))
        assert f"按地址定位到 {name}" in note


def test_the_longest_name_wins(grid_app) -> None:  # noqa: ANN001
    names = area_names(grid_app)
    with grid_app.runtime.session() as session:
        grid_row = session.get(Grid, names["grid"][0])
        community = session.get(Community, grid_row.community_code)
        street = session.get(Street, grid_row.street_code)
        placed = place_by_address(session, f"{street.name}{community.name}{grid_row.name}3号楼")
    assert placed is not None and (placed.area_code, placed.level) == (grid_row.code, "grid")


def test_coordinates_outside_the_jurisdiction_fall_back_to_the_address(grid_app, channel) -> None:  # noqa: ANN001
    client, _ = channel
    code, name = area_names(grid_app)["community"]
    got = _post(client, lat=31.23, lon=121.47, address=f"{name}北门")  # Shanghai: a caller's phone cell, not the site
    assert got["placement"] == "address:community" and got["located"] is True
    with grid_app.runtime.session() as session:
        case = session.get(Case, got["case_id"])
        assert case.community_code == code
        assert "坐标不在辖区内" in session.scalar(select(CaseEvent.note).where(CaseEvent.case_id == case.id))


def test_an_unplaced_order_waits_unlocated_and_the_dispatcher_locates_it(grid_app, channel, dispatcher) -> None:  # noqa: ANN001
    client, _ = channel
    got = _post(client, address="朝阳区建国路88号（非本区）", category="路灯不亮", content="路灯不亮三天了")
    assert got["located"] is False and got["placement"] == "unlocated"
    case_id = got["case_id"]
    with grid_app.runtime.session() as session:
        case = session.get(Case, case_id)
        assert (case.lat, case.lon, case.grid_code, case.community_code, case.street_code) == (None,) * 5
        assert case.tier == "district" and case.state == "reported"
        assert "待调度员标注位置" in session.scalar(select(CaseEvent.note).where(CaseEvent.case_id == case_id))

    # The desk reads it like any case: its row says grid_code None (待定位) and no point.
    row = dispatcher.get(f"/api/v1/cases/{case_id}").get_json()
    assert (row["grid_code"], row["lat"], row["lon"], row["street_code"]) == (None, None, None, None)
    assert any(
        r["id"] == case_id for r in dispatcher.get("/api/v1/cases?state=reported&limit=5000").get_json()["cases"]
    )
    sugg = dispatcher.get(f"/api/v1/cases/{case_id}/suggestions")
    assert sugg.status_code == 200 and sugg.get_json()["patrols"] == [] and sugg.get_json()["duplicates"] == []

    # It cannot go round the loop before it has a place.
    filed = dispatcher.post(f"/api/v1/cases/{case_id}/file", json={"expected_version": 1, "condition": "030601"})
    assert filed.status_code == 422 and filed.get_json()["field"] == "location"

    # A street's desk does not see it (no street yet); the district's does.
    index = grid_app.runtime.grid_index()
    target = index.codes()[20]
    street_token = make_token(grid_app, "dispatcher", scope=index.ref(target).street_code)
    street = grid_app.server.test_client()
    street.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {street_token}"
    assert street.get(f"/api/v1/cases/{case_id}").status_code == 404

    lon, lat = index.random_point_in(target, random.Random(7))
    bad = dispatcher.post(f"/api/v1/cases/{case_id}/locate", json={"expected_version": 1, "lat": 31.23, "lon": 121.47})
    assert bad.status_code == 422 and bad.get_json()["field"] == "lat/lon"
    stale = dispatcher.post(f"/api/v1/cases/{case_id}/locate", json={"expected_version": 9, "lat": lat, "lon": lon})
    assert stale.status_code == 409
    located = dispatcher.post(
        f"/api/v1/cases/{case_id}/locate", json={"expected_version": 1, "lat": lat, "lon": lon, "note": "电话核实"}
    )
    assert located.status_code == 200, located.get_json()
    row = located.get_json()
    assert row["grid_code"] == target and row["version"] == 2 and row["tier"] == "street"
    assert (row["lat"], row["lon"]) == (round(lat, 6), round(lon, 6))
    timeline = dispatcher.get(f"/api/v1/cases/{case_id}").get_json()["timeline"]
    assert (
        timeline[-1]["command"] == "locate"
        and "标注位置" in timeline[-1]["note"]
        and "电话核实" in timeline[-1]["note"]
    )
    assert street.get(f"/api/v1/cases/{case_id}").status_code == 200  # now its street's

    filed = dispatcher.post(f"/api/v1/cases/{case_id}/file", json={"expected_version": 2, "condition": "030601"})
    assert filed.status_code == 200 and filed.get_json()["state"] == "filed"
    # Only a reported case is located; a filed one is not moved by this command.
    again = dispatcher.post(f"/api/v1/cases/{case_id}/locate", json={"expected_version": 3, "lat": lat, "lon": lon})
    assert again.status_code == 422 and again.get_json()["field"] == "state"


def test_only_the_desk_locates(grid_app, channel) -> None:  # noqa: ANN001
    client, _ = channel
    case_id = _post(client, address="无法识别的地址")["case_id"]
    for role, department in (("leader", None), ("handler", "CGW"), ("worker", None), ("channel", None)):
        other = grid_app.server.test_client()
        other.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {make_token(grid_app, role, department=department)}"
        resp = other.post(f"/api/v1/cases/{case_id}/locate", json={"expected_version": 1, "lat": 39.9, "lon": 116.7})
        assert resp.status_code == 403, role


def test_an_unlocated_case_can_be_rejected_as_not_ours(grid_app, channel, dispatcher) -> None:  # noqa: ANN001
    client, _ = channel
    case_id = _post(client, address="河北省廊坊市某村")["case_id"]
    resp = dispatcher.post(f"/api/v1/cases/{case_id}/reject", json={"expected_version": 1, "note": "不属本区"})
    assert resp.status_code == 200 and resp.get_json()["state"] == "rejected"


def test_what_reads_cases_holds_with_an_unlocated_one(grid_app, channel, client) -> None:  # noqa: ANN001
    """KPIs count it district-wide; the leader pass, the wall's feed and the grid layer answer 200 around it."""
    channel_c, _ = channel
    needs_before = client.get("/api/v1/leader/summary?scope=110112").get_json()["needs"]["total"]
    case_id = _post(channel_c, address="地址不详", category="占道经营")["case_id"]
    kpis = client.get("/api/v1/kpis?scope=110112")
    assert kpis.status_code == 200 and kpis.get_json()["counts"]["reported"] >= 1
    for path in (
        "/api/v1/leader/summary?scope=110112",
        "/api/v1/screen/summary",
        "/api/v1/screen/alerts",
        "/api/v1/grids",
        f"/api/v1/cases?street={area_names(grid_app)['street'][0]}",
        "/api/v1/cases?open=1&limit=5000",
    ):
        resp = client.get(path)
        assert resp.status_code == 200, (path, resp.get_data(as_text=True)[:300])
    listed = client.get("/api/v1/cases?open=1&limit=5000").get_json()["cases"]
    assert any(r["id"] == case_id and r["grid_code"] is None for r in listed)
    # Not "escalated" for the leader: it is at district tier only for want of a street (and it is C-level).
    needs = client.get("/api/v1/leader/summary?scope=110112").get_json()["needs"]
    assert all(c["id"] != case_id for c in needs["cases"]) and needs["total"] == needs_before


def test_the_live_feed_carries_an_unlocated_case_and_its_locating(grid_app, live_server, admin_token) -> None:  # noqa: ANN001
    """Over the real server: a delta with the unlocated row (no grid, no point), a snapshot holding it, then the
    `locate` delta with its grid — what the wall counts and the desk marks 待定位."""
    import requests

    from tests.integration.test_live import LiveClient

    channel_token = make_token(grid_app, "channel")
    watcher = LiveClient(live_server, admin_token)
    watcher.connect(None)
    watcher.wait_for(lambda ev: any(n == "snapshot" for n, _ in ev))
    resp = requests.post(
        f"{live_server}/api/v1/hotline/orders",
        json=order(address="外区某地"),
        headers={"Authorization": f"Bearer {channel_token}"},
        timeout=10,
    )
    assert resp.status_code == 201 and resp.json()["located"] is False
    case_id = resp.json()["case_id"]
    watcher.wait_for(lambda ev: case_id in watcher.case_ids())
    (row,) = [r for n, d in watcher.events if n == "delta" for r in d["cases"] if r["id"] == case_id]
    assert (row["grid_code"], row["street_code"], row["lat"], row["lon"], row["tier"]) == (
        None,
        None,
        None,
        None,
        "district",
    )

    late = LiveClient(live_server, admin_token)
    late.connect(None)
    late.wait_for(lambda ev: any(n == "snapshot" for n, _ in ev))
    snap = next(d for n, d in late.events if n == "snapshot")
    assert any(r["id"] == case_id and r["grid_code"] is None for r in snap["cases"])
    late.sio.disconnect()

    index = grid_app.runtime.grid_index()
    lon, lat = index.random_point_in(index.codes()[2], random.Random(3))
    moved = requests.post(
        f"{live_server}/api/v1/cases/{case_id}/locate",
        json={"expected_version": 1, "lat": lat, "lon": lon},
        headers={"Authorization": f"Bearer {admin_token}"},
        timeout=10,
    )
    assert moved.status_code == 200
    watcher.wait_for(
        lambda ev: any(r["id"] == case_id and r["version"] == 2 for n, d in ev if n == "delta" for r in d["cases"])
    )
    (located,) = [
        r for n, d in watcher.events if n == "delta" for r in d["cases"] if r["id"] == case_id and r["version"] == 2
    ]
    assert located["grid_code"] == index.codes()[2] and located["tier"] == "street" and located["lat"] == round(lat, 6)
    watcher.sio.disconnect()
