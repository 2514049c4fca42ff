"""The 12345 hotline's verbs back to it: enqueued by the real commands in their own transaction, only for cases from
an order; sent by the scheduler's sender to a local receiver that fails — retries with back-off, in order per
order, then a dead letter the admin API lists — and a successful replay from the admin API."""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from sqlalchemy import select, update

from dashboard.domain.clock import as_utc, utcnow
from dashboard.services.hotline_callbacks import DEAD, PENDING, SENT, SendPolicy, send_pass
from dashboard.services.scheduler import Scheduler
from dashboard.store.hotline_models import HotlineCallback
from dashboard.store.models import CatalogItem
from tests.integration.hotline_helpers import channel_client, order


class Receiver:
    """A local stand-in for the hotline's callback URL: answers `fail_first` requests with 503, then 200."""

    def __init__(self, fail_first: int = 0) -> None:
        self.fail_first = fail_first
        self.received: list[tuple[dict[str, Any], dict[str, str], int]] = []  # (body, headers, status answered)
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with receiver.lock:
                    status = 503 if receiver.fail_first > 0 else 200
                    receiver.fail_first -= 1
                    receiver.received.append((body, dict(self.headers), status))
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"ok": false, "msg": "busy"}' if status != 200 else b'{"ok": true}')

            def log_message(self, *_args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/callback"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def bodies(self, order_id: str, *, ok_only: bool = False) -> list[dict[str, Any]]:
        with self.lock:
            return [b for b, _, s in self.received if b["order_id"] == order_id and (s == 200 or not ok_only)]

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def quiet_queue(grid_app) -> None:  # noqa: ANN001
    """The session's database is shared by every test: earlier tests' callbacks are set aside (sent), so a pass
    here sends only this test's."""
    with grid_app.runtime.session() as session:
        session.execute(update(HotlineCallback).where(HotlineCallback.state != SENT).values(state=SENT))


def _policy(url: str, **over: Any) -> SendPolicy:
    return SendPolicy(url=url, token="hotline-secret", timeout_s=5, max_attempts=3, base_s=0.5, cap_s=2.0, **over)


def _condition(grid_app, level: str = "C") -> CatalogItem:  # noqa: ANN001
    with grid_app.runtime.session() as session:
        return session.scalars(
            select(CatalogItem).where(CatalogItem.level == level, CatalogItem.department_code != "JD")
        ).first()


def _order_case(grid_app, channel) -> tuple[str, dict[str, Any]]:  # noqa: ANN001
    """A new located hotline order's (order_id, case row)."""
    index = grid_app.runtime.grid_index()
    lon, lat = index.random_point_in(index.codes()[3], random.Random())
    body = order(lat=lat, lon=lon)
    got = channel.post("/api/v1/hotline/orders", json=body).get_json()
    return body["order_id"], {"id": got["case_id"], "version": 1}


def _run(client, case: dict[str, Any], command: str, **fields: Any) -> dict[str, Any]:  # noqa: ANN001
    resp = client.post(f"/api/v1/cases/{case['id']}/{command}", json={"expected_version": case["version"], **fields})
    assert resp.status_code == 200, (command, resp.get_json())
    return resp.get_json()


def _callbacks(grid_app, order_id: str) -> list[HotlineCallback]:  # noqa: ANN001
    with grid_app.runtime.session() as session:
        return list(
            session.scalars(
                select(HotlineCallback).where(HotlineCallback.order_id == order_id).order_by(HotlineCallback.id)
            )
        )


@pytest.fixture
def channel(grid_app):  # noqa: ANN001, ANN201
    return channel_client(grid_app)[0]


def test_every_verb_is_enqueued_by_the_real_commands(grid_app, client, channel) -> None:  # noqa: ANN001
    order_id, case = _order_case(grid_app, channel)
    item = _condition(grid_app)
    case = _run(client, case, "file", condition=item.code)
    case = _run(client, case, "dispatch", department=item.department_code)
    case = _run(client, case, "acknowledge")
    case = _run(client, case, "extend", limit="2工作日", note="需协调产权单位")
    case = _run(client, case, "report-handled", note="摊位已清理")
    case = _run(client, case, "verify", result="pass", note="现场核查通过")
    _run(client, case, "visit-back", satisfaction="satisfied", note="群众满意")
    owed = _callbacks(grid_app, order_id)
    assert [c.verb for c in owed] == ["accepted", "extend_requested", "closed", "visit_back"]
    assert all(c.state == PENDING and c.attempts == 0 for c in owed)
    accepted, extend, closed, visit = (c.payload for c in owed)
    assert (
        accepted["verb_zh"] == "签收" and accepted["category_code"] == item.code and accepted["case_id"] == case["id"]
    )
    assert (
        extend["limit"] == "2工作日" and extend["reason"] == "需协调产权单位" and extend["deadline"].endswith("+08:00")
    )
    assert (closed["verb_zh"], closed["notes"], closed["handled_notes"]) == ("办结", "现场核查通过", "摊位已清理")
    assert visit["satisfaction"] == "satisfied" and visit["at"].endswith("+08:00")


def test_reject_self_handle_and_merge_owe_their_verbs(grid_app, client, channel) -> None:  # noqa: ANN001
    rejected_id, rejected = _order_case(grid_app, channel)
    _run(client, rejected, "reject", note="不属于本区受理范围")
    handled_id, handled = _order_case(grid_app, channel)
    _run(client, handled, "self-handle", note="网格员已当场劝离")
    merged_id, merged = _order_case(grid_app, channel)
    _, target = _order_case(grid_app, channel)
    target_row = client.get(f"/api/v1/cases/{target['id']}").get_json()
    _run(client, merged, "merge", into=target["id"])
    assert [(c.verb, c.payload["reason"]) for c in _callbacks(grid_app, rejected_id)] == [
        ("returned", "不属于本区受理范围")
    ]
    assert [(c.verb, c.payload["notes"]) for c in _callbacks(grid_app, handled_id)] == [("closed", "网格员已当场劝离")]
    assert [(c.verb, c.payload["merged_into"]) for c in _callbacks(grid_app, merged_id)] == [
        ("accepted", target_row["code"])
    ]


def test_commands_that_owe_nothing_and_cases_from_no_order_queue_nothing(
    grid_app, client, channel, inside_point
) -> None:  # noqa: ANN001
    order_id, case = _order_case(grid_app, channel)
    _run(client, case, "supervise", note="请尽快处理")
    assert _callbacks(grid_app, order_id) == []
    lon, lat = inside_point
    plain = client.post(
        "/api/v1/cases", json={"description": "手工录入的热线来电", "lat": lat, "lon": lon, "source": "hotline_12345"}
    ).get_json()
    _run(client, plain, "reject", note="重复来电")
    with grid_app.runtime.session() as session:
        assert session.scalar(select(HotlineCallback).where(HotlineCallback.case_id == plain["id"])) is None


def test_a_lost_race_queues_no_callback(grid_app, client, channel) -> None:  # noqa: ANN001
    order_id, case = _order_case(grid_app, channel)
    resp = client.post(f"/api/v1/cases/{case['id']}/reject", json={"expected_version": 7, "note": "x"})
    assert resp.status_code == 409
    assert _callbacks(grid_app, order_id) == []


def test_failures_back_off_then_dead_letter_then_replay_from_the_admin_api(
    grid_app, client, channel, receiver, quiet_queue
) -> None:  # noqa: ANN001
    rt = grid_app.runtime
    order_id, case = _order_case(grid_app, channel)
    item = _condition(grid_app)
    case = _run(client, case, "file", condition=item.code)
    case = _run(client, case, "dispatch", department=item.department_code)
    case = _run(client, case, "acknowledge")
    _run(client, case, "extend", limit="1工作日", note="等待配合")
    first, second = _callbacks(grid_app, order_id)
    receiver.fail_first = 10**6  # the hotline is down
    policy = _policy(receiver.url)
    rng = random.Random(1)

    report = send_pass(rt, policy=policy, rng=rng)
    assert (report.sent, report.failed, report.dead) == (0, 1, 0)
    # In order per order: the 延期申请 waited behind the failed 签收, it was not tried.
    assert [b["verb"] for b in receiver.bodies(order_id)] == ["accepted"]
    (cb,) = [c for c in _callbacks(grid_app, order_id) if c.id == first.id]
    assert cb.state == PENDING and cb.attempts == 1 and cb.last_error.startswith("HTTP 503")
    delay1 = (as_utc(cb.next_attempt_at) - as_utc(cb.last_attempt_at)).total_seconds()
    assert 0.25 <= delay1 <= 0.5  # base 0.5 s with equal jitter

    assert send_pass(rt, policy=policy, rng=rng).failed == 0  # not due yet: nothing is tried before its time
    time.sleep(delay1 + 0.01)
    send_pass(rt, policy=policy, rng=rng)
    (cb,) = [c for c in _callbacks(grid_app, order_id) if c.id == first.id]
    delay2 = (as_utc(cb.next_attempt_at) - as_utc(cb.last_attempt_at)).total_seconds()
    assert cb.attempts == 2 and 0.5 <= delay2 <= 1.0  # doubled
    time.sleep(delay2 + 0.01)
    report = send_pass(rt, policy=policy, rng=rng)
    assert report.dead == 1
    states = {c.id: (c.state, c.attempts) for c in _callbacks(grid_app, order_id)}
    assert states == {first.id: (DEAD, 3), second.id: (PENDING, 0)}
    assert [b["verb"] for b in receiver.bodies(order_id)] == ["accepted"] * 3
    _, headers, _ = receiver.received[-1]
    assert (
        headers["Authorization"] == "Bearer hotline-secret" and headers["Idempotency-Key"] == f"gridcmd-cb-{first.id}"
    )
    send_pass(rt, policy=policy, rng=rng)  # a dead letter holds its order's later callbacks back
    assert len(receiver.bodies(order_id)) == 3

    listed = client.get("/api/v1/admin/hotline/callbacks").get_json()
    row = next(r for r in listed["callbacks"] if r["id"] == first.id)
    assert (row["order_id"], row["verb"], row["verb_zh"], row["attempts"], row["held"]) == (
        order_id,
        "accepted",
        "签收",
        3,
        1,
    )
    assert row["last_error"].startswith("HTTP 503") and row["last_attempt_at"].endswith("+08:00")

    receiver.fail_first = 0  # the hotline is back
    assert client.post(f"/api/v1/admin/hotline/callbacks/{second.id}/replay").status_code == 404  # not dead
    replayed = client.post(f"/api/v1/admin/hotline/callbacks/{first.id}/replay")
    assert replayed.status_code == 200 and replayed.get_json() == {"replayed": 1}
    report = send_pass(rt, policy=policy, rng=rng)
    assert report.sent == 2 and report.failed == 0
    assert [b["verb"] for b in receiver.bodies(order_id, ok_only=True)] == ["accepted", "extend_requested"]
    assert {c.state for c in _callbacks(grid_app, order_id)} == {SENT}
    assert first.id not in {r["id"] for r in client.get("/api/v1/admin/hotline/callbacks").get_json()["callbacks"]}
    audit = client.get("/api/v1/admin/audit?action=admin:hotline_replay").get_json()
    assert any(r["target"] == f"callback:{first.id}" for r in audit["rows"])


def test_replay_all_and_who_may(grid_app, client, channel, quiet_queue) -> None:  # noqa: ANN001
    order_id, case = _order_case(grid_app, channel)
    _run(client, case, "reject", note="不属本区")
    with grid_app.runtime.session() as session:
        session.execute(update(HotlineCallback).where(HotlineCallback.order_id == order_id).values(state=DEAD))
    dispatcher, _ = channel_client(grid_app, "dispatcher")
    assert dispatcher.get("/api/v1/admin/hotline/callbacks").status_code == 403
    assert channel.post("/api/v1/admin/hotline/callbacks/replay").status_code == 403
    assert client.get("/api/v1/admin/hotline/callbacks?state=lost").get_json()["field"] == "state"
    resp = client.post("/api/v1/admin/hotline/callbacks/replay")
    assert resp.status_code == 200 and resp.get_json()["replayed"] >= 1
    (cb,) = _callbacks(grid_app, order_id)
    assert (cb.state, cb.attempts) == (PENDING, 0)
    assert as_utc(cb.next_attempt_at) <= utcnow() + timedelta(seconds=1)


def test_the_scheduler_sends_them(grid_app, settings, client, channel, receiver, quiet_queue) -> None:  # noqa: ANN001
    """The sender runs in the scheduler of a configured app (HOTLINE_CALLBACK_URL), under its lease."""
    import app

    configured = app.create_app(
        settings.model_copy(
            update={"hotline_callback_url": receiver.url, "hotline_send_period_s": 0.05, "hotline_token": "t0k"}
        ),
        start_loops=False,
    )
    order_id, case = _order_case(grid_app, channel)
    _run(client, case, "reject", note="非本区事项")
    scheduler = Scheduler(configured.runtime, period_s=3600)
    scheduler.start()
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not receiver.bodies(order_id, ok_only=True):
            time.sleep(0.05)
    finally:
        scheduler.stop.set()
    (body,) = receiver.bodies(order_id, ok_only=True)
    assert (body["verb"], body["reason"]) == ("returned", "非本区事项")
    assert receiver.received[-1][1]["Authorization"] == "Bearer t0k"
    assert {c.state for c in _callbacks(grid_app, order_id)} == {SENT}


def test_the_admin_views_12345_tab_lists_dead_letters_and_replays_them(grid_app, client, channel, quiet_queue) -> None:  # noqa: ANN001
    """The 12345 回调 tab (/admin/hotline) through Dash's callback endpoint, as the page calls it."""
    from layouts import admin as admin_ui
    from layouts import admin_hotline as ui
    from tests.integration.test_admin import _dash_call

    order_id, case = _order_case(grid_app, channel)
    _run(client, case, "reject", note="不属本区")
    with grid_app.runtime.session() as session:
        session.execute(
            update(HotlineCallback)
            .where(HotlineCallback.order_id == order_id)
            .values(state=DEAD, attempts=8, last_error="HTTP 502: <b>bad gateway</b>", last_attempt_at=utcnow())
        )
    layout = json.dumps(client.get("/admin/_dash-layout").get_json(), ensure_ascii=False)
    assert "12345 回调" in layout and ui.HOTLINE_PANEL in layout
    shown = _dash_call(
        client,
        f"{ui.HOTLINE_REFRESH}.n_clicks",
        {
            f"{admin_ui.URL}.pathname": ui.HOTLINE_PATH,
            f"{ui.HOTLINE_REFRESH}.n_clicks": 1,
            f"{ui.HOTLINE_VERSION}.data": 0,
        },
    )
    table = json.dumps(shown[ui.HOTLINE_TABLE]["children"], ensure_ascii=False)
    assert order_id in table and "退单" in table and "HTTP 502: <b>bad gateway</b>" in table  # as text, never markup
    assert shown[ui.HOTLINE_COUNT]["children"] == "死信 1 条"
    replayed = _dash_call(
        client,
        f"{ui.HOTLINE_REPLAY_ALL}.submit_n_clicks",
        {f"{ui.HOTLINE_REPLAY_ALL}.submit_n_clicks": 1, f"{ui.HOTLINE_VERSION}.data": 4},
    )
    assert "已重发 1 条" in json.dumps(replayed[ui.HOTLINE_MSG]["children"], ensure_ascii=False)
    assert replayed[ui.HOTLINE_VERSION]["data"] == 5
    (cb,) = _callbacks(grid_app, order_id)
    assert (cb.state, cb.attempts) == (PENDING, 0)
    assert ui.tab_of("/admin/hotline/") == "hotline" and admin_ui.tab_for("/admin/hotline") == "hotline"
