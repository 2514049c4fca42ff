"""POST /api/v1/cases/batch on SQLite and PostgreSQL (real Redis): a result per report in order, bad reports never
block good ones, keys repeated inside and across batches, concurrent identical batches, a batch case going live."""

from __future__ import annotations

import threading
import uuid
from typing import Any

import requests
from sqlalchemy import func, select

from dashboard.store.models import AuditEntry, Case, CaseEvent, Outbox
from tests.integration.test_live import LiveClient

URL = "/api/v1/cases/batch"


def _report(point: tuple[float, float], text: str, key: str | None = None, **extra: Any) -> dict[str, Any]:
    lon, lat = point
    body: dict[str, Any] = {"description": text, "lat": lat, "lon": lon, "source": "hotline_12345", **extra}
    body["idempotency_key"] = key if key is not None else uuid.uuid4().hex
    return body


def _count(grid_app, model: Any, *where: Any) -> int:  # noqa: ANN001
    with grid_app.runtime.session() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def test_mixed_batch_creates_the_good_and_names_each_bad_field(client, grid_app, inside_point) -> None:
    label = f"批量 {uuid.uuid4().hex[:8]}"
    reports = [
        _report(inside_point, f"{label} 0"),
        _report(inside_point, f"{label} 1", lat=91),
        _report(inside_point, f"{label} 2"),
        _report((121.47, 31.23), f"{label} 3"),  # Shanghai: outside every grid
        {k: v for k, v in _report(inside_point, f"{label} 4").items() if k != "idempotency_key"},
        "not an object",
        _report(inside_point, f"{label} 6", category_code="999999"),
        _report(inside_point, f"{label} 7", photos=["javascript:alert(1)"]),
        _report(inside_point, f"{label} 8", source="fax"),
        _report(inside_point, f"{label} 9"),
    ]
    resp = client.post(URL, json={"reports": reports})
    assert resp.status_code == 207, resp.get_json()
    results = resp.get_json()["results"]
    assert [r["index"] for r in results] == list(range(len(reports)))
    assert [r["status"] for r in results] == [201, 422, 201, 422, 422, 422, 422, 422, 422, 201]
    fields = {r["index"]: r["field"] for r in results if r["status"] == 422}
    assert fields == {
        1: "reports[1].lat",
        3: "reports[3].lat/lon",
        4: "reports[4].idempotency_key",
        5: "reports[5]",
        6: "reports[6].category_code",
        7: "reports[7].photos[0]",
        8: "reports[8].source",
    }
    created = [r["case"] for r in results if r["status"] == 201]
    assert [c["state"] for c in created] == ["reported"] * 3
    assert all(c["grid_code"] and c["code"].startswith("110112") for c in created)
    ids = [c["id"] for c in created]
    with grid_app.runtime.session() as session:
        stored = {c.id: c for c in session.scalars(select(Case).where(Case.description.like(f"{label}%")))}
        assert sorted(stored) == sorted(ids)  # nothing of a refused report was written
        assert [stored[i].description for i in ids] == [f"{label} 0", f"{label} 2", f"{label} 9"]
        for case in stored.values():  # each whole: code, timeline entry, audit row, outbox row
            assert not case.code.startswith("~")
            assert session.scalar(select(func.count()).where(CaseEvent.case_id == case.id)) == 1
            audit = select(func.count()).where(AuditEntry.action == "case:report", AuditEntry.target == case.code)
            assert session.scalar(audit) == 1
        outboxed = [p["id"] for p in session.scalars(select(Outbox.payload).where(Outbox.topic == "case"))]
        assert sorted(set(outboxed) & set(ids)) == sorted(ids)


def test_keys_repeated_inside_a_batch_and_across_batches(client, grid_app, inside_point) -> None:
    label = f"重复 {uuid.uuid4().hex[:8]}"
    same, other = uuid.uuid4().hex, uuid.uuid4().hex
    first = client.post(
        URL,
        json={
            "reports": [
                _report(inside_point, f"{label} a", same),
                _report(inside_point, f"{label} b", other),
                _report(inside_point, f"{label} a", same),  # the same report again: the same case
                _report(inside_point, f"{label} changed", same),  # the key reused for another report
            ]
        },
    ).get_json()["results"]
    assert [r["status"] for r in first] == [201, 201, 200, 422]
    assert first[2]["case"]["id"] == first[0]["case"]["id"]
    assert first[3]["field"] == "reports[3].idempotency_key"
    again = client.post(
        URL,
        json={
            "reports": [
                _report(inside_point, f"{label} b", other),  # retried delivery: answered with the earlier case
                _report(inside_point, f"{label} c"),
                _report(inside_point, f"{label} other text", other),
            ]
        },
    ).get_json()["results"]
    assert [r["status"] for r in again] == [200, 201, 422]
    assert again[0]["case"]["id"] == first[1]["case"]["id"]
    # A single POST with a batch's key and body is the same report too.
    lon, lat = inside_point
    single = client.post(
        "/api/v1/cases",
        json={"description": f"{label} a", "lat": lat, "lon": lon, "source": "hotline_12345"},
        headers={"Idempotency-Key": same},
    )
    assert single.status_code == 200 and single.get_json()["id"] == first[0]["case"]["id"]
    assert single.get_json() == first[0]["case"]  # the row the batch answered is the row as stored
    assert _count(grid_app, Case, Case.description.like(f"{label}%")) == 3


def test_a_key_refused_first_is_taken_by_its_next_valid_report(client, grid_app, inside_point) -> None:
    key = uuid.uuid4().hex
    label = f"先错后对 {uuid.uuid4().hex[:8]}"
    results = client.post(
        URL, json={"reports": [_report(inside_point, label, key, lat=95), _report(inside_point, label, key)]}
    ).get_json()["results"]
    assert [r["status"] for r in results] == [422, 201]


def test_bad_envelopes_are_422_naming_the_field(client, grid_app, inside_point) -> None:
    before = _count(grid_app, Case)
    for body, field in (
        ([], "body"),
        ({}, "reports"),
        ({"reports": []}, "reports"),
        ({"reports": {"a": 1}}, "reports"),
        ({"reports": [_report(inside_point, "x")] * 501}, "reports"),
    ):
        resp = client.post(URL, json=body)
        assert resp.status_code == 422, (body, resp.get_json())
        assert resp.get_json()["field"] == field
    resp = client.post(URL, data="nope", content_type="text/plain")
    assert resp.status_code == 422 and resp.get_json()["field"] == "body"
    assert _count(grid_app, Case) == before


def test_a_batch_spends_one_unit_of_the_budget_per_report(settings, monkeypatch) -> None:  # noqa: ANN001
    import random

    import app
    import dashboard.api.rate_limit as rl
    from tests.integration.conftest import make_token

    limited = app.create_app(settings.model_copy(update={"rate_limits": "intake=5"}), start_loops=False)
    monkeypatch.setattr(rl, "_now", lambda: 1_800_000_020.0)  # one window for every request
    index = limited.runtime.grid_index()
    point = index.random_point_in(index.codes()[0], random.Random(2))
    client = limited.server.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {make_token(limited, 'channel')}"
    assert client.post(URL, json={"reports": [_report(point, f"限流 {i}") for i in range(4)]}).status_code == 207
    resp = client.post(URL, json={"reports": [_report(point, "限流 4"), _report(point, "限流 5")]})
    assert resp.status_code == 429 and resp.get_json()["field"] == "Authorization"
    assert resp.headers["Retry-After"] == "40"


def test_concurrent_identical_batches_create_each_case_once(grid_app, live_server, admin_token, inside_point) -> None:
    label = f"并发 {uuid.uuid4().hex[:8]}"
    reports = [_report(inside_point, f"{label} {i}") for i in range(40)]
    answers: list[list[dict[str, Any]]] = []
    lock = threading.Lock()
    start = threading.Barrier(6)

    def send() -> None:
        start.wait()
        resp = requests.post(
            f"{live_server}{URL}",
            json={"reports": reports},
            headers={"Authorization": f"Bearer {admin_token}"},
            timeout=60,
        )
        assert resp.status_code == 207, resp.text
        with lock:
            answers.append(resp.json()["results"])

    threads = [threading.Thread(target=send) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(answers) == 6
    ids = [[r["case"]["id"] for r in results] for results in answers]
    assert all(row == ids[0] for row in ids)  # every sender got the same 40 cases, in order
    assert sorted(r["status"] for results in answers for r in results).count(201) == 40
    assert _count(grid_app, Case, Case.description.like(f"{label}%")) == 40


def test_a_case_from_a_batch_reaches_a_live_screen(live_server, admin_token, inside_point) -> None:
    screen = LiveClient(live_server, admin_token)
    screen.connect(None)
    try:
        screen.wait_for(lambda events: any(name == "snapshot" for name, _ in events))
        label = f"上墙 {uuid.uuid4().hex[:8]}"
        resp = requests.post(
            f"{live_server}{URL}",
            json={"reports": [_report(inside_point, f"{label} {i}") for i in range(120)]},
            headers={"Authorization": f"Bearer {admin_token}"},
            timeout=60,
        )
        ids = {r["case"]["id"] for r in resp.json()["results"]}
        assert len(ids) == 120
        screen.wait_for(lambda _events: ids <= set(screen.case_ids()))
        deltas = [data for name, data in screen.events if name == "delta" and ids & {r["id"] for r in data["cases"]}]
        assert len(deltas) == 1  # relayed as one stream entry, one message to the screen
    finally:
        screen.sio.disconnect()
