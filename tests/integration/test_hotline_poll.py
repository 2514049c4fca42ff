"""The 12345 polling client (feeds/hotline.py HotlinePoller) against a local HTTP server started here: orders fetched
with a since-cursor become cases through the same service as pushed ones, bad orders are audited and passed, a
failing URL backs off, and the app starts the poller where the scheduler runs when HOTLINE_POLL_URL is set."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import delete, select

from dashboard.services.hotline import CURSOR_KEY, POLL_ACTOR, poll_cursor
from dashboard.store.hotline_models import HotlineOrder
from dashboard.store.models import AuditEntry, Meta
from feeds.hotline import HotlinePoller
from tests.integration.hotline_helpers import counts, order


class OrderServer:
    """Serves GET /orders?since=… with whatever `answer` holds (a JSON document, or (status, raw bytes))."""

    def __init__(self) -> None:
        self.answer: Any = []
        self.requests: list[dict[str, Any]] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                query = parse_qs(urlsplit(self.path).query)
                server.requests.append(
                    {"since": query.get("since", [None])[0], "auth": self.headers.get("Authorization")}
                )
                answer = server.answer
                status, raw = answer if isinstance(answer, tuple) else (200, json.dumps(answer).encode())
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def log_message(self, *_args: Any) -> None:
                pass

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.http.server_address[1]}/orders?channel=gridcmd"
        threading.Thread(target=self.http.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.http.shutdown()
        self.http.server_close()


@pytest.fixture
def server() -> Iterator[OrderServer]:
    s = OrderServer()
    yield s
    s.close()


@pytest.fixture
def fresh_cursor(grid_app) -> None:  # noqa: ANN001
    """The cursor lives in the shared test database: each test polls from the beginning."""
    with grid_app.runtime.session() as session:
        session.execute(delete(Meta).where(Meta.key == CURSOR_KEY))


def _poller(grid_app, server: OrderServer, **kw: Any) -> HotlinePoller:  # noqa: ANN001
    return HotlinePoller(grid_app.runtime, url=server.url, token="poll-secret", timeout_s=5, **kw)


def test_polled_orders_become_cases_and_the_cursor_moves(grid_app, server, fresh_cursor) -> None:  # noqa: ANN001
    a = order(received_at="2026-12-01T08:00:00+08:00")
    b = order(received_at="2026-12-01T09:15:00+08:00", category="噪音扰民", content="夜间施工噪音")
    server.answer = [a, b]
    before = counts(grid_app)
    poller = _poller(grid_app, server)
    result = poller.poll_once()
    assert (result.fetched, result.created, result.repeated, result.refused) == (2, 2, 0, 0)
    assert counts(grid_app)[:2] == (before[0] + 2, before[1] + 2)
    assert server.requests[0] == {"since": None, "auth": "Bearer poll-secret"}
    assert poll_cursor(grid_app.runtime) == "2026-12-01T09:15:00+08:00"  # the latest received_at
    with grid_app.runtime.session() as session:
        stored = session.scalar(select(HotlineOrder).where(HotlineOrder.order_id == b["order_id"]))
        assert stored.created_by == POLL_ACTOR and stored.case_id is not None

    c = order(received_at="2026-12-01T10:00:00+08:00")
    server.answer = [b, c]  # the server repeats what lies on the cursor: a repeat answers `repeated`
    result = poller.poll_once()
    assert server.requests[1]["since"] == "2026-12-01T09:15:00+08:00"
    assert (result.created, result.repeated) == (1, 1)
    assert counts(grid_app)[:2] == (before[0] + 3, before[1] + 3)


def test_the_servers_own_cursor_wins(grid_app, server, fresh_cursor) -> None:  # noqa: ANN001
    server.answer = {"orders": [order()], "cursor": "page-17"}
    _poller(grid_app, server).poll_once()
    server.answer = {"orders": []}
    _poller(grid_app, server).poll_once()
    assert server.requests[-1]["since"] == "page-17"
    assert poll_cursor(grid_app.runtime) == "page-17"


def test_a_bad_order_is_audited_and_passed(grid_app, server, fresh_cursor) -> None:  # noqa: ANN001
    good = order()
    bad = order(received_at="yesterday")
    server.answer = [bad, good, "not an order"]
    result = _poller(grid_app, server).poll_once()
    assert (result.created, result.refused) == (1, 2)
    with grid_app.runtime.session() as session:
        audit = session.scalar(
            select(AuditEntry).where(AuditEntry.action == "hotline:order_refused", AuditEntry.target == bad["order_id"])
        )
        assert audit is not None and audit.detail["field"] == "orders[0].received_at"
        assert session.scalar(select(HotlineOrder).where(HotlineOrder.order_id == bad["order_id"])) is None


@pytest.mark.parametrize("answer", [(500, b"oops"), (200, b"<html>"), (200, b'{"items": []}'), (200, b"[1,")])
def test_a_failing_url_backs_off_and_recovers(grid_app, server, fresh_cursor, answer) -> None:  # noqa: ANN001
    server.answer = answer
    poller = _poller(grid_app, server, interval_s=1.0)
    assert poller.run_once() is None and poller.delay_s == 2.0
    assert poller.run_once() is None and poller.delay_s == 4.0
    server.answer = [order()]
    result = poller.run_once()
    assert result is not None and result.created == 1 and poller.delay_s == 1.0
    assert poll_cursor(grid_app.runtime) is not None


def test_an_unreachable_url_backs_off(grid_app, fresh_cursor) -> None:  # noqa: ANN001
    from tests.integration.conftest import free_port

    poller = HotlinePoller(grid_app.runtime, url=f"http://127.0.0.1:{free_port()}/x", interval_s=1.0, timeout_s=1)
    assert poller.run_once() is None and poller.failures == 1 and poller.delay_s == 2.0


def test_the_app_polls_where_the_scheduler_runs(grid_app, settings, server, fresh_cursor) -> None:  # noqa: ANN001
    import app

    first = order()
    server.answer = [first]
    configured = app.create_app(
        settings.model_copy(update={"hotline_poll_url": server.url, "hotline_poll_interval_s": 0.05}),
        start_loops=False,
    )
    app.start_hotline_poll(configured.runtime, configured.loops)
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with grid_app.runtime.session() as session:
                if session.scalar(select(HotlineOrder.case_id).where(HotlineOrder.order_id == first["order_id"])):
                    break
            time.sleep(0.05)
        else:
            pytest.fail("the poller never took the order")
    finally:
        configured.loops.stop.set()
    assert len(server.requests) >= 1
