"""A 12345 order whose case was merged into another (a duplicate) learns the outcome of the case it joined: when the
survivor is closed (办结) or rejected (退单), each merged order gets that verb with "并入 <survivor's code>" and the
survivor's notes, exactly once, through the same queue, retries, dead letters and replay as every callback.
Real commands through the REST API, on SQLite and PostgreSQL, sent to a local callback_url."""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from dashboard.services.hotline_callbacks import DEAD, PENDING, SENT, send_pass
from dashboard.store.hotline_models import HotlineCallback
from tests.integration.hotline_helpers import channel_client
from tests.integration.test_hotline_callbacks import (  # noqa: F401 - quiet_queue: the callback tests' fixture
    Receiver,
    _callbacks,
    _condition,
    _order_case,
    _policy,
    _run,
    quiet_queue,
)


@pytest.fixture
def hotline(grid_app):  # noqa: ANN001, ANN201
    """The 12345 platform: a channel account's client posting orders."""
    return channel_client(grid_app)[0]


@pytest.fixture
def callback_url() -> Iterator[Receiver]:
    """The hotline's callback receiver (answers 503 while `fail_first` lasts)."""
    r = Receiver()
    yield r
    r.close()


def _plain_case(client, point: tuple[float, float], text: str = "路口占道经营") -> dict[str, Any]:  # noqa: ANN001
    """A case reported by a grid worker (no 12345 order of its own): the survivor the orders are merged into."""
    lon, lat = point
    resp = client.post("/api/v1/cases", json={"description": text, "lat": lat, "lon": lon, "source": "grid_worker"})
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


def _close(client, grid_app, case: dict[str, Any], *, handled: str, verified: str) -> dict[str, Any]:  # noqa: ANN001
    """File, dispatch, acknowledge, report handled and verify: the case is closed (结案)."""
    item = _condition(grid_app)
    case = _run(client, case, "file", condition=item.code)
    case = _run(client, case, "dispatch", department=item.department_code)
    case = _run(client, case, "acknowledge")
    case = _run(client, case, "report-handled", note=handled)
    return _run(client, case, "verify", result="pass", note=verified)


def _merge(client, orders: list[dict[str, Any]], into: dict[str, Any]) -> None:  # noqa: ANN001
    for case in orders:
        _run(client, case, "merge", into=into["id"], note="重复来电")


def _verbs(grid_app, order_id: str) -> list[str]:  # noqa: ANN001
    return [c.verb for c in _callbacks(grid_app, order_id)]


def test_two_merged_orders_each_get_the_survivors_closing_once(grid_app, client, hotline, inside_point) -> None:  # noqa: ANN001
    (first_id, first), (second_id, second) = _order_case(grid_app, hotline), _order_case(grid_app, hotline)
    survivor = _plain_case(client, inside_point)
    _merge(client, [first, second], survivor)
    # The merge owes 签收 (the order is taken, as part of another case), not yet 办结: the work is not done.
    assert _verbs(grid_app, first_id) == _verbs(grid_app, second_id) == ["accepted"]

    closed = _close(client, grid_app, survivor, handled="摊位已清理", verified="现场核查通过")
    for order_id, merged in ((first_id, first), (second_id, second)):
        accepted, done = _callbacks(grid_app, order_id)
        assert accepted.payload["merged_into"] == closed["code"]
        assert (done.verb, done.state, done.attempts, done.case_id) == ("closed", PENDING, 0, merged["id"])
        body = done.payload
        assert (body["verb_zh"], body["order_id"], body["state"]) == ("办结", order_id, "merged")
        assert body["notes"] == f"并入 {closed['code']}：现场核查通过" and body["handled_notes"] == "摊位已清理"
        assert (body["merged_into"], body["survivor_case_id"]) == (closed["code"], survivor["id"])
        assert body["case_code"] != closed["code"] and body["at"].endswith("+08:00")

    # Later commands on the survivor owe the merged orders nothing more: one outcome per order.
    _run(client, closed, "visit-back", satisfaction="satisfied", note="群众满意")
    assert _verbs(grid_app, first_id) == _verbs(grid_app, second_id) == ["accepted", "closed"]
    with grid_app.runtime.session() as session:  # the survivor came from no order: nothing queued under its id
        assert session.scalar(select(HotlineCallback).where(HotlineCallback.case_id == survivor["id"])) is None


def test_a_survivor_from_an_order_closes_its_own_and_the_merged_ones(grid_app, client, hotline) -> None:  # noqa: ANN001
    own_id, own = _order_case(grid_app, hotline)
    dup_id, dup = _order_case(grid_app, hotline)
    _merge(client, [dup], own)
    item = _condition(grid_app)
    case = _run(client, own, "file", condition=item.code)
    case = _run(client, case, "dispatch", department=item.department_code)
    case = _run(client, case, "acknowledge")
    case = _run(client, case, "report-handled", note="已处理")
    case = _run(client, case, "verify", result="pass", note="核查通过")
    assert _verbs(grid_app, own_id) == ["accepted", "closed"]
    assert _callbacks(grid_app, own_id)[-1].payload["notes"] == "核查通过"  # its own 办结 keeps its own words
    assert _verbs(grid_app, dup_id) == ["accepted", "closed"]
    assert _callbacks(grid_app, dup_id)[-1].payload["notes"] == f"并入 {case['code']}：核查通过"


def test_a_chain_of_merges_follows_to_the_last_survivor_and_a_reject_returns_them(
    grid_app,
    client,
    hotline,
    inside_point,
) -> None:  # noqa: ANN001
    """A into B, then B into C: when C is rejected (退单), both orders get 退单 naming C, with C's reason."""
    a_id, a = _order_case(grid_app, hotline)
    b_id, b = _order_case(grid_app, hotline)
    survivor = _plain_case(client, inside_point, "重复上报的占道")
    _merge(client, [a], b)
    b_now = client.get(f"/api/v1/cases/{b['id']}").get_json()
    _merge(client, [b_now], survivor)
    assert _verbs(grid_app, a_id) == _verbs(grid_app, b_id) == ["accepted"]
    code = client.get(f"/api/v1/cases/{survivor['id']}").get_json()["code"]
    _run(client, survivor, "reject", note="不属于本区受理范围")
    for order_id in (a_id, b_id):
        accepted, returned = _callbacks(grid_app, order_id)
        assert (returned.verb, returned.payload["verb_zh"]) == ("returned", "退单")
        assert returned.payload["reason"] == f"并入 {code}：不属于本区受理范围"
        assert returned.payload["merged_into"] == code
    assert _callbacks(grid_app, a_id)[0].payload["merged_into"] != code  # A's 签收 named B, where it first went


def test_self_handling_the_survivor_closes_the_merged_order(grid_app, client, hotline, inside_point) -> None:  # noqa: ANN001
    dup_id, dup = _order_case(grid_app, hotline)
    survivor = _plain_case(client, inside_point)
    _merge(client, [dup], survivor)
    done = _run(client, survivor, "self-handle", note="")  # no note: the 办结 still says where it went
    (_, closed) = _callbacks(grid_app, dup_id)
    assert closed.verb == "closed" and closed.payload["notes"] == f"并入 {done['code']}"


@pytest.mark.usefixtures("quiet_queue")
def test_a_failing_hotline_retries_dead_letters_and_replays_the_merged_closing(
    grid_app, client, hotline, callback_url, inside_point
) -> None:  # noqa: ANN001
    rt = grid_app.runtime
    (first_id, first), (second_id, second) = _order_case(grid_app, hotline), _order_case(grid_app, hotline)
    survivor = _plain_case(client, inside_point)
    _merge(client, [first, second], survivor)
    policy = _policy(callback_url.url)
    rng = random.Random(7)
    assert send_pass(rt, policy=policy, rng=rng).sent == 2  # both 签收 delivered while the hotline is up
    closed = _close(client, grid_app, survivor, handled="已清理", verified="通过")

    callback_url.fail_first = 10**6  # the hotline is down when the survivor closes
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        send_pass(rt, policy=policy, rng=rng)
        if {c.state for c in _callbacks(grid_app, first_id)[1:] + _callbacks(grid_app, second_id)[1:]} == {DEAD}:
            break
        time.sleep(0.1)
    for order_id in (first_id, second_id):
        tries = [b for b in callback_url.bodies(order_id) if b["verb"] == "closed"]
        assert len(tries) == 3 and all(b["notes"] == f"并入 {closed['code']}：通过" for b in tries)
        (dead,) = [c for c in _callbacks(grid_app, order_id) if c.verb == "closed"]
        assert (dead.state, dead.attempts) == (DEAD, 3) and dead.last_error.startswith("HTTP 503")

    listed = {r["id"]: r for r in client.get("/api/v1/admin/hotline/callbacks").get_json()["callbacks"]}
    (first_dead,) = [c for c in _callbacks(grid_app, first_id) if c.verb == "closed"]
    row = listed[first_dead.id]
    assert (row["order_id"], row["verb_zh"], row["case_code"]) == (first_id, "办结", first_dead.payload["case_code"])

    callback_url.fail_first = 0  # back up: the admin replays the first order's 办结, then all the rest
    assert client.post(f"/api/v1/admin/hotline/callbacks/{first_dead.id}/replay").status_code == 200
    assert send_pass(rt, policy=policy, rng=rng).sent == 1
    assert client.post("/api/v1/admin/hotline/callbacks/replay").get_json()["replayed"] == 1
    assert send_pass(rt, policy=policy, rng=rng).sent == 1
    assert send_pass(rt, policy=policy, rng=rng).sent == 0  # nothing left, nothing sent twice
    for order_id in (first_id, second_id):
        delivered = [b["verb"] for b in callback_url.bodies(order_id, ok_only=True)]
        assert delivered == ["accepted", "closed"]
        assert {c.state for c in _callbacks(grid_app, order_id)} == {SENT}
    keys = [
        h["Idempotency-Key"] for b, h, s in callback_url.received if b["order_id"] == first_id and b["verb"] == "closed"
    ]
    assert set(keys) == {f"gridcmd-cb-{first_dead.id}"}  # every try of it, replay included, under one key
