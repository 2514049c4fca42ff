"""Intake through the REST API on SQLite and PostgreSQL: 201 with grid, 422 naming the field, idempotency."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from dashboard.store.models import Case, CaseEvent, Outbox


def _body(lon: float, lat: float, **extra: object) -> dict[str, object]:
    return {"description": "井盖缺失，行人易绊倒", "lat": lat, "lon": lon, "source": "grid_worker", **extra}


def test_post_case_inside_returns_201_with_grid(client, grid_app, inside_point) -> None:
    lon, lat = inside_point
    resp = client.post("/api/v1/cases", json=_body(lon, lat))
    assert resp.status_code == 201, resp.get_json()
    body = resp.get_json()
    assert body["state"] == "reported"
    assert len(body["grid_code"]) == 15 and body["grid_code"].startswith("110112")
    assert body["grid_code"] == grid_app.runtime.grid_index().locate(lon, lat).code
    with grid_app.runtime.session() as session:
        case = session.get(Case, body["id"])
        assert case is not None and case.code == body["code"]
        # The case, its audit row and its outbox row were committed together.
        assert session.scalar(select(func.count()).where(CaseEvent.case_id == case.id)) == 1
        payloads = session.scalars(select(Outbox.payload)).all()
        assert any(p["id"] == case.id for p in payloads)


def test_point_outside_is_422_naming_the_field(client) -> None:
    resp = client.post("/api/v1/cases", json=_body(121.47, 31.23))  # Shanghai, far outside Tongzhou
    assert resp.status_code == 422
    assert resp.get_json()["field"] == "lat/lon"


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"lat": "39.9"}, "lat"),
        ({"lat": 91}, "lat"),
        ({"lon": None}, "lon"),
        ({"description": ""}, "description"),
        ({"source": "fax"}, "source"),
        ({"category_code": "999999"}, "category_code"),
        ({"occurred_at": "yesterday"}, "occurred_at"),
        ({"photos": "x.jpg"}, "photos"),
    ],
)
def test_bad_fields_are_422_and_nothing_is_written(client, grid_app, inside_point, patch, field) -> None:
    lon, lat = inside_point
    with grid_app.runtime.session() as session:
        before = session.scalar(select(func.count(Case.id)))
    resp = client.post("/api/v1/cases", json={**_body(lon, lat), **patch})
    assert resp.status_code == 422, resp.get_json()
    assert resp.get_json()["field"] == field
    with grid_app.runtime.session() as session:
        assert session.scalar(select(func.count(Case.id))) == before


def test_non_json_body_is_4xx_not_500(client) -> None:
    resp = client.post("/api/v1/cases", data="not json", content_type="text/plain")
    assert resp.status_code == 422
    assert resp.get_json()["field"] == "body"


def test_repeated_idempotency_key_returns_the_same_case(client, grid_app, inside_point) -> None:
    lon, lat = inside_point
    key = f"k-{uuid.uuid4()}"
    with grid_app.runtime.session() as session:
        before = session.scalar(select(func.count(Case.id)))
    first = client.post("/api/v1/cases", json=_body(lon, lat), headers={"Idempotency-Key": key})
    second = client.post("/api/v1/cases", json=_body(lon, lat), headers={"Idempotency-Key": key})
    assert first.status_code == 201 and second.status_code == 200
    assert first.get_json()["id"] == second.get_json()["id"]
    with grid_app.runtime.session() as session:
        assert session.scalar(select(func.count(Case.id))) == before + 1


def test_concurrent_reports_are_all_kept(live_server, admin_token, inside_point) -> None:
    """Eight clients posting at once: every report stored once, none answered with another's case."""
    import threading

    import requests

    lon, lat = inside_point
    ids: list[int] = []
    lock = threading.Lock()

    def post_many(n: int) -> None:
        for i in range(25):
            resp = requests.post(
                f"{live_server}/api/v1/cases",
                json=_body(lon, lat, description=f"并发上报 {n}-{i}"),
                headers={"Authorization": f"Bearer {admin_token}"},
                timeout=30,
            )
            assert resp.status_code == 201, resp.text
            with lock:
                ids.append(resp.json()["id"])

    threads = [threading.Thread(target=post_many, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert len(ids) == 200 and len(set(ids)) == 200


def test_get_grids_is_geojson_with_codes_and_load(client) -> None:
    resp = client.get("/api/v1/grids")
    assert resp.status_code == 200
    fc = resp.get_json(force=True)
    assert fc["type"] == "FeatureCollection"
    assert len(fc["features"]) == 60
    props = fc["features"][0]["properties"]
    assert {"code", "name", "level", "load"} <= props.keys()
    assert fc["features"][0]["geometry"]["type"] in ("Polygon", "MultiPolygon")


def test_get_case_has_timeline_and_unknown_is_404(client, inside_point) -> None:
    lon, lat = inside_point
    created = client.post("/api/v1/cases", json=_body(lon, lat)).get_json()
    body = client.get(f"/api/v1/cases/{created['id']}").get_json()
    assert body["timeline"][0]["command"] == "report"
    assert client.get("/api/v1/cases/999999999").status_code == 404


def test_health_and_readiness(client) -> None:
    assert client.get("/healthz").status_code == 200
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.get_json()["database"] == "ok"
