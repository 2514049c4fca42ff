"""12345 work orders through POST /api/v1/hotline/orders, on SQLite and PostgreSQL: one case per order_id under
repeats, concurrent repeats and batches; a changed repeat is a 409 that changes nothing; the category maps to the
catalog with a confidence; bad orders are 4xx naming the field with nothing written; hostile orders never 5xx."""

from __future__ import annotations

import random
import threading
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from dashboard.domain.clock import local_iso, utcnow
from dashboard.services.hotline import take_order
from dashboard.store.hotline_models import HotlineOrder
from dashboard.store.models import AuditEntry, Case, CaseEvent
from feeds.hotline import parse_order
from tests.integration.hotline_helpers import TZ, channel_client, counts, order


@pytest.fixture
def channel(grid_app):  # noqa: ANN001, ANN201
    return channel_client(grid_app)


def _located(grid_app, **fields):  # noqa: ANN001, ANN003, ANN202
    """An order with coordinates inside the jurisdiction."""
    index = grid_app.runtime.grid_index()
    lon, lat = index.random_point_in(index.codes()[11], random.Random())
    return order(lat=lat, lon=lon, **fields)


def test_an_order_becomes_one_case_with_its_category_and_the_hotlines_text(grid_app, channel) -> None:  # noqa: ANN001
    client, name = channel
    body = _located(grid_app)
    resp = client.post("/api/v1/hotline/orders", json=body)
    assert resp.status_code == 201, resp.get_json()
    got = resp.get_json()
    assert got["status"] == "created" and got["located"] is True and got["placement"] == "coordinates"
    assert got["category_code"] == got["matched_code"] and got["confidence"] >= 0.6
    with grid_app.runtime.session() as session:
        case = session.get(Case, got["case_id"])
        assert case.code == got["case_code"] and case.source == "hotline_12345"
        assert case.category_code == got["category_code"] and case.level is not None
        assert case.description.startswith("【12345】占道经营：路口有流动摊贩")
        assert "地址：通州区某路口东侧" in case.description
        assert (case.reporter, case.phone) == ("王女士", "13800001234")
        report = session.scalar(select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.command == "report"))
        assert report.actor == name and f"12345工单 {body['order_id']}" in report.note and "街面秩序" in report.note
        stored = session.scalar(select(HotlineOrder).where(HotlineOrder.order_id == body["order_id"]))
        assert stored.case_id == case.id and stored.category_text == "占道经营" and stored.urgency == "normal"
    # The channel reads back what it reported (and only that: api/cases.py scoped).
    mine = client.get(f"/api/v1/cases/{got['case_id']}")
    assert mine.status_code == 200 and mine.get_json()["code"] == got["case_code"]


def test_urgency_is_shown_to_the_dispatcher(grid_app, channel) -> None:  # noqa: ANN001
    client, _ = channel
    got = client.post("/api/v1/hotline/orders", json=_located(grid_app, urgency="特急")).get_json()
    with grid_app.runtime.session() as session:
        assert session.get(Case, got["case_id"]).description.startswith("【12345·特急】")


def test_repeats_answer_with_the_same_case(grid_app, channel) -> None:  # noqa: ANN001
    client, _ = channel
    body = _located(grid_app)
    before = counts(grid_app)
    answers = [client.post("/api/v1/hotline/orders", json=body) for _ in range(3)]
    assert [a.status_code for a in answers] == [201, 200, 200]
    assert [a.get_json()["status"] for a in answers] == ["created", "repeated", "repeated"]
    assert len({a.get_json()["case_id"] for a in answers}) == 1
    assert counts(grid_app)[:2] == (before[0] + 1, before[1] + 1)


def test_a_changed_repeat_is_a_409_naming_order_id_and_changes_nothing(grid_app, channel) -> None:  # noqa: ANN001
    client, name = channel
    body = _located(grid_app)
    first = client.post("/api/v1/hotline/orders", json=body).get_json()
    before = counts(grid_app)
    changed = client.post(
        "/api/v1/hotline/orders", json={**body, "content": "摊贩已离开，但垃圾未清理", "urgency": "紧急"}
    )
    assert changed.status_code == 409
    got = changed.get_json()
    assert got["field"] == "order_id" and got["differs"] == ["content", "urgency"] and "order_id" not in got["differs"]
    assert got["case_id"] == first["case_id"] and got["status"] == "changed"
    assert counts(grid_app) == before
    with grid_app.runtime.session() as session:
        case = session.get(Case, first["case_id"])
        assert "摊贩已离开" not in case.description and case.version == 1
        audit = session.scalar(
            select(AuditEntry).where(
                AuditEntry.action == "hotline:order_changed", AuditEntry.target == body["order_id"]
            )
        )
        assert audit is not None and audit.actor == name and audit.detail["differs"] == ["content", "urgency"]


def test_concurrent_repeats_make_one_case(grid_app) -> None:  # noqa: ANN001
    """Eight senders of one order at the same instant: the unique order_id lets exactly one create the case."""
    rt = grid_app.runtime
    parsed = parse_order(_located(grid_app))
    before = counts(grid_app)
    barrier = threading.Barrier(8)
    results: list[object] = []
    lock = threading.Lock()

    def send() -> None:
        barrier.wait()
        try:
            taken = take_order(rt, parsed, actor="channel-race")
        except Exception as exc:  # noqa: BLE001 - recorded and failed on below
            taken = exc
        with lock:
            results.append(taken)

    threads = [threading.Thread(target=send) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert all(not isinstance(r, Exception) for r in results), results
    statuses = sorted(r.status for r in results)  # type: ignore[attr-defined]
    assert statuses == ["created"] + ["repeated"] * 7
    assert len({r.case_id for r in results}) == 1  # type: ignore[attr-defined]
    assert counts(grid_app)[:2] == (before[0] + 1, before[1] + 1)


def test_a_batch_answers_per_order(grid_app, channel) -> None:  # noqa: ANN001
    client, _ = channel
    a, b = _located(grid_app), order(category="噪音扰民", content="楼下商铺喇叭扰民")
    resp = client.post("/api/v1/hotline/orders", json={"orders": [a, b, a]})
    assert resp.status_code == 200, resp.get_json()
    got = resp.get_json()
    assert [r["status"] for r in got["results"]] == ["created", "created", "repeated"]
    assert (got["created"], got["repeated"], got["changed"]) == (2, 1, 0)
    assert got["results"][0]["case_id"] == got["results"][2]["case_id"] != got["results"][1]["case_id"]
    assert got["results"][1]["order_id"] == b["order_id"]


def test_a_bad_order_refuses_the_whole_batch_naming_it(grid_app, channel) -> None:  # noqa: ANN001
    client, _ = channel
    before = counts(grid_app)
    resp = client.post("/api/v1/hotline/orders", json={"orders": [order(), order(received_at="2026-12-01 09:00")]})
    assert resp.status_code == 422
    assert resp.get_json()["field"] == "orders[1].received_at"
    assert counts(grid_app) == before


def test_a_low_confidence_category_is_left_for_the_dispatcher(grid_app, channel) -> None:  # noqa: ANN001
    client, _ = channel
    got = client.post("/api/v1/hotline/orders", json=_located(grid_app, category="安全")).get_json()
    assert got["category_code"] is None and got["matched_code"] is not None and got["confidence"] < 0.6
    with grid_app.runtime.session() as session:
        case = session.get(Case, got["case_id"])
        assert case.category_code is None and case.level is None
        assert case.description.startswith("【12345】安全：")  # the hotline's own words stay in view
        note = session.scalar(select(CaseEvent.note).where(CaseEvent.case_id == case.id))
        assert "低于阈值" in note


def _future() -> str:
    return local_iso(utcnow() + timedelta(hours=2), TZ)


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"order_id": None}, "order_id"),
        ({"order_id": "GD 1"}, "order_id"),
        ({"order_id": "x" * 65}, "order_id"),
        ({"received_at": "2026-12-01T09:00:00"}, "received_at"),
        ({"received_at": None}, "received_at"),
        ({"received_at": "__future__"}, "received_at"),
        ({"lat": 39.9}, "lon"),
        ({"lat": 91.0, "lon": 116.7}, "lat"),
        ({"lat": 39.9, "lon": "116.7"}, "lon"),
        ({"address": ""}, "address"),
        ({"address": "a" * 201}, "address"),
        ({"category": "   "}, "category"),
        ({"content": "x" * 1501}, "content"),
        ({"content": "a\x00b"}, "content"),
        ({"urgency": "很急"}, "urgency"),
        ({"phone": "1" * 21}, "phone"),
        ({"caller": ["王"]}, "caller"),
        ({"priority": 1}, "priority"),
    ],
)
def test_bad_orders_are_4xx_naming_the_field_and_write_nothing(grid_app, channel, patch, field) -> None:  # noqa: ANN001
    client, _ = channel
    patch = {k: (_future() if v == "__future__" else v) for k, v in patch.items()}
    body = {k: v for k, v in {**order(), **patch}.items() if v is not None}
    before = counts(grid_app)
    resp = client.post("/api/v1/hotline/orders", json=body)
    assert resp.status_code == 422, resp.get_json()
    assert resp.get_json()["field"] == field
    assert counts(grid_app) == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ([order()], "body"),
        ({"orders": "x"}, "orders"),
        ({"orders": []}, "orders"),
        ({"orders": [order()] * 101}, "orders"),
        ({"orders": [order()], "extra": 1}, "body"),
        ({"orders": [1]}, "orders[0]"),
    ],
)
def test_bad_batches_are_422_naming_the_field(grid_app, channel, body, field) -> None:  # noqa: ANN001
    client, _ = channel
    resp = client.post("/api/v1/hotline/orders", json=body)
    assert resp.status_code == 422 and resp.get_json()["field"] == field


def test_who_may_post(grid_app, anonymous) -> None:  # noqa: ANN001
    assert anonymous.post("/api/v1/hotline/orders", json=order()).status_code == 401
    dispatcher, _ = channel_client(grid_app, "dispatcher")
    assert dispatcher.post("/api/v1/hotline/orders", json=order()).status_code == 403
    worker, _ = channel_client(grid_app, "worker")
    assert worker.post("/api/v1/hotline/orders", json=order()).status_code == 403


def test_not_json_is_422_naming_the_body(channel) -> None:  # noqa: ANN001
    client, _ = channel
    resp = client.post("/api/v1/hotline/orders", data="<order/>", content_type="application/xml")
    assert resp.status_code == 422 and resp.get_json()["field"] == "body"


# ---- hostile orders: no 5xx, nothing half-written ---------------------------------------------------------

HOSTILE_TEXT = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "<script>alert(1)</script>",
            "'; DROP TABLE cases; --",
            "\ud800",
            "\x00",
            "𠮷" * 300,
            "a" * 5000,
            "${jndi:ldap://x}",
            "占道经营",
            "第01街道",
            " ",
        ]
    ),
)
HOSTILE_VALUE = st.one_of(
    HOSTILE_TEXT,
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)
FIELDS = ("order_id", "received_at", "caller", "phone", "address", "lat", "lon", "category", "content", "urgency")


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture], derandomize=True
)
@given(data=st.data())
def test_hostile_orders_never_5xx_and_never_half_write(grid_app, channel, data) -> None:  # noqa: ANN001
    client, _ = channel
    base = order()
    for name in data.draw(st.lists(st.sampled_from(FIELDS), max_size=4, unique=True)):
        base[name] = data.draw(HOSTILE_VALUE)
    if data.draw(st.booleans()):
        base[data.draw(st.text(max_size=8))] = data.draw(HOSTILE_VALUE)
    body = {"orders": [base, order()]} if data.draw(st.booleans()) else base
    before = counts(grid_app)
    resp = client.post("/api/v1/hotline/orders", json=body)
    assert resp.status_code < 500, resp.get_data(as_text=True)[:300]
    after = counts(grid_app)
    if resp.status_code >= 400:
        assert after == before  # refused whole: no case, no order row
    else:
        made = resp.get_json()
        created = made["created"] if "results" in made else int(made["status"] == "created")
        # Every created order is one case and one order row, written together.
        assert after[:2] == (before[0] + created, before[1] + created)
