"""Dispatch desk /dispatch across a network drop and a server restart: afterwards its queue holds exactly the
server's open cases in their current states, with what changed and arrived meanwhile (issue 10, finding 8).

The desk used to raise its stream id to `synced.id` before applying the replayed deltas, so every replayed delta
looked seen and was dropped. Both tests make the desk come back through a replay: it stays offline until the
outbox relay has published the changes, so they reach it as replayed deltas, not live ones.
"""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import redis
import requests

from dashboard.live.keys import Keys
from tests.e2e.conftest import SMALL
from tests.e2e.screen_cases import CaseWriter
from tests.e2e.server import LiveApp, kill_app, running_app, start_again

pytestmark = pytest.mark.e2e

VIEWPORT = {"width": 1920, "height": 1080}
READY = (
    "() => window.gridcmdDispatch && window.gridcmdDispatch.state === 'live' && window.gridcmdDispatch.gridReady"
    " && window.gridcmdDispatch.catalogReady"
)
# [id, state, version] of every case the desk holds that is still open (it also keeps the newest closed ones).
DESK_OPEN = "() => window.gridcmdDispatch.rows().filter((r) => r[1] !== 'closed')"
# The desk has applied (or been told it covers) every stream entry up to `id` (stream ids compare as numbers).
CAUGHT_UP = """(id) => {
  const mine = window.gridcmdDispatch.lastId;
  if (!mine) return false;
  const [a, b] = mine.split('-').map(Number);
  const [c, d] = id.split('-').map(Number);
  return a > c || (a === c && b >= d);
}"""


# ---- helpers ------------------------------------------------------------------------------------------------


def _open_cases(live: LiveApp) -> list[list[Any]]:
    resp = requests.get(
        f"{live.base_url}/api/v1/cases", params={"open": 1, "limit": 5000}, headers=live.headers(), timeout=30
    )
    resp.raise_for_status()
    return sorted([c["id"], c["state"], c["version"]] for c in resp.json()["cases"])


def _open_desk(browser: Any, live: LiveApp) -> tuple[Any, Any, list[str]]:
    """A dispatcher's desk at 1920x1080, signed in through the login form, live with its grid ready."""
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN", timezone_id="Asia/Shanghai")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    live.login(page, "dispatcher")
    page.goto(f"{live.base_url}/dispatch/")
    page.wait_for_function(READY, timeout=30_000)
    return context, page, errors


def _converged(page: Any, live: LiveApp, timeout_s: float = 30) -> list[list[Any]]:
    """Wait until the desk is live and holds exactly the server's open cases, states and versions; return them."""
    deadline = time.monotonic() + timeout_s
    while True:
        expected = _open_cases(live)
        held = page.evaluate(DESK_OPEN)
        if held == expected and page.evaluate("window.gridcmdDispatch.state") == "live":
            return expected
        if time.monotonic() > deadline:
            want = {r[0]: r for r in expected}
            have = {r[0]: r for r in held}
            missing = sorted(set(want) - set(have))
            extra = sorted(set(have) - set(want))
            stale = sorted((want[i], have[i]) for i in set(want) & set(have) if want[i] != have[i])
            raise AssertionError(
                f"desk never converged: missing {missing[:20]}, extra {extra[:20]}, stale {stale[:10]}"
            )
        time.sleep(0.5)


def _stream(live: LiveApp) -> tuple[redis.Redis, str]:
    return redis.Redis.from_url(live.redis_url, decode_responses=True), Keys(live.redis_prefix).case_stream


def _last_stream_id(live: LiveApp) -> str:
    client, key = _stream(live)
    last = client.xrevrange(key, count=1)
    return last[0][0] if last else "0-0"


def _wait_published(live: LiveApp, since: str, ids: set[int], timeout_s: float = 30) -> None:
    """Wait until the case stream holds, after `since`, a row of every case in `ids` (the relay has run)."""
    client, key = _stream(live)
    deadline = time.monotonic() + timeout_s
    while True:
        entries = client.xrange(key, min=f"({since}", max="+")
        seen = {row["id"] for _sid, fields in entries for row in json.loads(fields["cases"])}
        if ids <= seen:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"never published: {sorted(ids - seen)}")
        time.sleep(0.2)


def _in_queue(page: Any, tab: str, ids: list[int]) -> None:
    """The grid itself (not only the desk's state) lists `ids` under `tab`."""
    page.evaluate("(tab) => window.gridcmdDispatch.setTab(tab)", tab)
    page.wait_for_function(
        "(ids) => { const shown = window.gridcmdDispatch.displayedIds(); return ids.every((i) => shown.includes(i)); }",
        arg=ids,
        timeout=5_000,
    )


def _shows_state(page: Any, tab: str, case_id: int, label: str) -> None:
    """Selecting the case under `tab` brings its queue row into view, labelled with its state."""
    code = page.evaluate("(id) => window.gridcmdDispatch.row(id).code", case_id)
    page.evaluate("(tab) => window.gridcmdDispatch.setTab(tab)", tab)
    page.evaluate("(id) => window.gridcmdDispatch.select(id)", case_id)
    row = page.locator(f'.ag-center-cols-container .ag-row[row-id="{code}"]')
    row.wait_for(timeout=5_000)
    assert label in row.inner_text(), row.inner_text()


def _report(live: LiveApp, points: list[tuple[float, float]], text: str) -> list[int]:
    return [live.post_case(lon, lat, f"{text} {i}", "hotline_12345")["id"] for i, (lon, lat) in enumerate(points)]


def _command(live: LiveApp, case_id: int, command: str, **fields: Any) -> None:
    headers = live.headers("dispatcher")
    version = requests.get(f"{live.base_url}/api/v1/cases/{case_id}", headers=headers, timeout=10).json()["version"]
    resp = requests.post(
        f"{live.base_url}/api/v1/cases/{case_id}/{command}",
        json={"expected_version": version, **fields},
        headers=headers,
        timeout=10,
    )
    assert resp.status_code == 200, resp.text


def _condition(live: LiveApp) -> str:
    resp = requests.get(f"{live.base_url}/api/v1/catalog", headers=live.headers(), timeout=10)
    resp.raise_for_status()
    return next(c["code"] for c in resp.json()["conditions"] if c.get("department"))


# ---- network drop (the shared app) --------------------------------------------------------------------------


@pytest.fixture
def desk(browser: Any, live_app: LiveApp) -> Iterator[Any]:
    context, page, errors = _open_desk(browser, live_app)
    yield page
    context.close()
    assert not errors, f"page errors: {errors}"


def test_network_drop_recovers_exactly(desk: Any, live_app: LiveApp) -> None:
    page = desk
    points = live_app.inside_points(12)
    held = _report(live_app, points[:3], "断线前上报")
    _converged(page, live_app)
    since = page.evaluate("window.gridcmdDispatch.lastId")

    page.context.set_offline(True)
    page.evaluate("window.gridcmdDispatch._socket.io.engine.close()")  # the connection dies, as when a cable is pulled
    page.locator("#dispatch-conn.is-reconnecting").wait_for(timeout=5_000)

    # Meanwhile colleagues file two of the desk's cases and reject the third; three new reports come in.
    condition = _condition(live_app)
    filed, rejected = held[:2], held[2]
    for case_id in filed:
        _command(live_app, case_id, "file", condition=condition)
    _command(live_app, rejected, "reject", note="重复上报")
    arrived = _report(live_app, points[3:6], "断线期间上报")
    _wait_published(live_app, since, {*held, *arrived})
    page.wait_for_timeout(1_000)  # reconnect attempts fail while offline
    assert page.evaluate("window.gridcmdDispatch.state") == "reconnecting"
    page.context.set_offline(False)

    ids = [r[0] for r in _converged(page, live_app)]
    assert set(arrived) | set(filed) <= set(ids) and rejected not in ids
    assert [page.evaluate("(id) => window.gridcmdDispatch.row(id).state", i) for i in filed] == ["filed", "filed"]
    assert page.evaluate("(id) => window.gridcmdDispatch.row(id)", rejected) is None
    _in_queue(page, "to_dispatch", filed)
    _in_queue(page, "reported", arrived)
    _shows_state(page, "to_dispatch", filed[0], "已立案")
    page.wait_for_function(CAUGHT_UP, arg=_last_stream_id(live_app), timeout=10_000)


# ---- server restart (its own app) ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def restartable_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
    """An app of its own: this test kills it."""
    with running_app(tmp_path_factory.mktemp("e2e-desk-restart"), SMALL) as live:
        yield live


def test_server_restart_recovers_exactly(browser: Any, restartable_app: LiveApp) -> None:
    live = restartable_app
    writer = CaseWriter(live.env)
    rng = random.Random(21)
    context, page, errors = _open_desk(browser, live)
    stop = threading.Event()
    made: list[int] = []

    def keep_arriving() -> None:
        # Reports keep coming through the services (the database is there while the app is down); the relay
        # publishes what it finds after the restart, so these reach the desk as live deltas during its replay.
        r = random.Random(22)
        while not stop.is_set():
            made.append(writer.report(*writer.random_point(r), f"重启期间上报 {len(made)}").id)
            stop.wait(0.25)

    try:
        before = [writer.report(*writer.random_point(rng), f"重启前上报 {i}") for i in range(3)]
        _converged(page, live)
        since = page.evaluate("window.gridcmdDispatch.lastId")

        kill_app(live)
        page.locator("#dispatch-conn.is-reconnecting").wait_for(timeout=10_000)
        page.context.set_offline(True)  # hold the desk back until the relay has published what happened
        # While the app is down: two of the desk's cases are filed, the third is fixed on the spot; three arrive.
        filed = [writer.file(case, "C").id for case in before[:2]]
        gone = writer.close_out(before[2]).id
        arrived = [writer.report(*writer.random_point(rng), f"停机期间上报 {i}").id for i in range(3)]
        poster = threading.Thread(target=keep_arriving, daemon=True)
        poster.start()
        start_again(live)
        _wait_published(live, since, {*filed, gone, *arrived})
        page.context.set_offline(False)
        page.locator("#dispatch-conn.is-live").wait_for(timeout=30_000)
        time.sleep(1.5)
        stop.set()
        poster.join(timeout=10)

        ids = [r[0] for r in _converged(page, live, timeout_s=45)]
        assert set(filed) | set(arrived) | set(made) <= set(ids) and gone not in ids
        assert [page.evaluate("(id) => window.gridcmdDispatch.row(id).state", i) for i in filed] == ["filed", "filed"]
        _in_queue(page, "to_dispatch", filed)
        _in_queue(page, "reported", arrived)
        _shows_state(page, "to_dispatch", filed[1], "已立案")
        page.wait_for_function(CAUGHT_UP, arg=_last_stream_id(live), timeout=10_000)
    finally:
        stop.set()
        context.close()
    assert not errors, errors
