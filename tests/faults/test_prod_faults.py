"""`gridcmd serve-prod` under faults (issue 16): nginx + two gunicorn processes on a PostgreSQL and a Redis of the
test's own, real processes on loopback. One cluster for the module (starting one costs about a minute on this
box); each test leaves it whole for the next, and checks it is whole before it starts.

- a case posted to one process reaches a screen connected to the other (and one connected through nginx);
- a stand-by takes over the relay's and the scheduler's leases within 10 s of their leader's kill -9, and deltas
  keep flowing;
- kill -9 of an app process while 1,000 cases are posted with retries and an Idempotency-Key: every acknowledged
  case exists once, whole, and reaches every screen (bench/prod_faults.py posts 5,000);
- Redis killed for 15 s under load: intake keeps answering 201, screens are dropped (the view says
  "reconnecting"), and once Redis is back (empty) every screen converges on the database, each report published
  once, no process restarted;
- PostgreSQL stopped for 8 s under load: intake answers 503 naming the database (never a 500 or a hang), then 201
  again; no case is half-written.
"""

from __future__ import annotations

import os
import shutil
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.faults.checks import half_written, labelled_cases, open_cases, stream_reports, unsent
from tests.faults.cluster import Cluster, running_cluster
from tests.faults.live_clients import Poster, Screen, inside_points, wait_until
from tests.pg_server import available as pg_available

REQUIRE = os.environ.get("REQUIRE_SERVICES") == "1"


def _missing() -> str | None:
    if shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists():
        return "nginx is not installed (make test installs it as root)"
    if shutil.which("redis-server") is None:
        return "redis-server is not installed"
    return pg_available()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    why = _missing()
    if why:
        if REQUIRE:
            pytest.fail(f"REQUIRE_SERVICES=1 but {why}")
        pytest.skip(why)
    with running_cluster(tmp_path_factory.mktemp("prod"), processes=2, worker="gthread") as running:
        yield running


@pytest.fixture
def whole(cluster: Cluster) -> Cluster:
    """The cluster with both processes (and nginx) answering, as a test left it."""
    cluster.wait_ready(timeout_s=120)
    assert len(cluster.worker_pids()) == 2, cluster.log_tail()
    return cluster


def _screens(cluster: Cluster) -> list[Screen]:
    token = cluster.tokens["screen"]
    urls = [(cluster.app_url(0), "app0"), (cluster.app_url(1), "app1"), (cluster.base_url, "nginx")]
    return [Screen(url, token, name).start(timeout_s=60) for url, name in urls]


def _close(screens: list[Screen]) -> None:
    for screen in screens:
        screen.close()


def _all_seen(screens: list[Screen], ids: set[int]) -> bool:
    return all(ids <= screen.received_at.keys() for screen in screens)


def _missing_on(screens: list[Screen], ids: set[int]) -> dict[str, int]:
    return {s.name: len(ids - s.received_at.keys()) for s in screens}


def test_a_case_posted_to_one_process_reaches_a_screen_on_the_other(whole: Cluster) -> None:
    screens = _screens(whole)
    try:
        points = inside_points(whole)
        posters = [Poster(whole.app_url(i), whole.headers(), points, label=f"跨进程{i}") for i in (0, 1)]
        ids = {p.post(n, requests.Session()) for n, p in enumerate(posters)}
        assert None not in ids
        assert wait_until(lambda: _all_seen(screens, ids), 15), _missing_on(screens, ids)  # type: ignore[arg-type]
    finally:
        _close(screens)


def _lease_moves(cluster: Cluster, name: str, dead: int, timeout_s: float) -> tuple[int | None, float]:
    start = time.monotonic()
    wait_until(lambda: cluster.lease_holder(name) not in (None, dead), timeout_s, period_s=0.1)
    return cluster.lease_holder(name), time.monotonic() - start


def test_a_stand_by_takes_over_the_relay_and_the_scheduler_within_10_s(whole: Cluster) -> None:
    for name in ("relay", "rules"):
        # After the first round the killed worker may still hold the second lease until it expires: wait for a
        # live holder, not just any.
        assert wait_until(lambda n=name: whole.lease_holder(n) in whole.worker_pids(), 30), f"nobody holds {name}"
        leader = whole.lease_holder(name)
        pids = whole.worker_pids()
        assert leader in pids, (name, leader, pids)
        survivor = next(p for p in pids if p != leader)
        survivor_url = whole.app_url(pids.index(survivor))
        screen = Screen(survivor_url, whole.tokens["screen"], "survivor").start(timeout_s=60)
        try:
            os.kill(leader, signal.SIGKILL)
            killed_at = time.monotonic()
            holder, took = _lease_moves(whole, name, leader, 15)
            assert holder is not None and holder != leader, (name, holder, leader)
            assert took < 10, f"{name}: the stand-by took over after {took:.1f} s"
            print(f"lease {name}: taken over {took:.1f} s after the leader's kill -9")
            # Deltas keep flowing: a case posted to the survivor reaches its screen, relayed by the new leader.
            poster = Poster(survivor_url, whole.headers(), inside_points(whole, 3), label="接管")
            case_id = poster.post(0, requests.Session(), give_up_s=30)
            assert case_id is not None, poster.statuses
            assert wait_until(lambda c=case_id, s=screen: c in s.received_at, 10), (
                f"{name}: no delta after the takeover"
            )
            assert screen.received_at[case_id] - killed_at < 20
        finally:
            screen.close()
        whole.wait_ready(timeout_s=120)  # gunicorn's master has started the killed worker again


def test_kill_9_an_app_process_while_1000_cases_are_posted(whole: Cluster) -> None:
    screens = _screens(whole)
    try:
        poster = Poster(whole.base_url, whole.headers(), inside_points(whole), label="kill9")
        posting = threading.Thread(target=poster.run, args=(range(1000),), kwargs={"threads": 6}, daemon=True)
        posting.start()
        assert wait_until(lambda: len(poster.acknowledged) >= 250, 120), poster.statuses
        victim = whole.worker_pids()[0]
        os.kill(victim, signal.SIGKILL)
        posting.join(timeout=400)
        assert not posting.is_alive(), f"posting did not finish: {len(poster.acknowledged)} acknowledged"
        assert len(poster.acknowledged) == 1000, poster.statuses  # every report got through, with retries

        ids = set(poster.acknowledged.values())
        assert len(ids) == 1000  # one case per key
        stored = labelled_cases(whole, "kill9")
        assert set(stored) == ids, (len(stored), len(ids))  # nothing stored that was not acknowledged, or twice
        assert not any(half_written(whole, "kill9").values())
        assert wait_until(lambda: _all_seen(screens, ids), 90), _missing_on(screens, ids)
        time.sleep(1.5)  # the last deltas of the changes the scheduler may have made
        server = open_cases(whole)
        for screen in screens:  # the picture each wall holds is the database's, not only "it saw the rows"
            assert screen.open_cases() == server, (screen.name, len(screen.open_cases()), len(server))
        assert victim not in whole.worker_pids()  # it was killed and started again
        assert all(s.count("disconnect") == 0 for s in screens if s.name == "app1"), "the survivor dropped its screen"
    finally:
        _close(screens)


def _steady_load(
    poster: Poster, stop: threading.Event, threads: int = 3, pause_s: float = 0.05
) -> list[threading.Thread]:
    counter = iter(range(10**6))
    lock = threading.Lock()

    def work() -> None:
        with requests.Session() as http:
            while not stop.is_set():
                with lock:
                    i = next(counter)
                poster.post(i, http, give_up_s=90)
                time.sleep(pause_s)

    pool = [threading.Thread(target=work, daemon=True) for _ in range(threads)]
    for t in pool:
        t.start()
    return pool


def test_redis_stopped_for_15_s_under_load(whole: Cluster) -> None:
    screens = _screens(whole)
    pids = whole.worker_pids()
    stop = threading.Event()
    poster = Poster(whole.base_url, whole.headers(), inside_points(whole), label="redis停", timeout_s=10)
    try:
        pool = _steady_load(poster, stop)
        assert wait_until(lambda: len(poster.acknowledged) >= 30, 60), poster.statuses
        before = set(poster.acknowledged.values())
        whole.redis.stop()
        down_at = time.monotonic()
        statuses_before = dict(poster.statuses)
        time.sleep(15)
        during = {k: v - statuses_before.get(k, 0) for k, v in poster.statuses.items()}
        acknowledged_during = len(poster.acknowledged)
        assert unsent(whole) > 0  # the outbox holds what was committed meanwhile
        whole.redis.start()  # back, empty: it kept nothing on disk
        time.sleep(5)
        stop.set()
        for t in pool:
            t.join(timeout=120)

        assert during.get(201, 0) > 10, during  # intake kept answering
        assert set(during) <= {201}, during  # and only with 201: no 5xx, no timeout
        assert all(s.count("disconnect") >= 1 for s in screens), [(s.name, s.events[-5:]) for s in screens]
        # Redis came back empty: the processes' readers found their last entry gone and told their clients.
        assert wait_until(lambda: any(s.count("gap") for s in screens), 30), [s.events[-8:] for s in screens]
        assert acknowledged_during > len(before)

        ids = set(poster.acknowledged.values())
        assert wait_until(lambda: _all_seen(screens, ids), 90), _missing_on(screens, ids)
        assert wait_until(lambda: unsent(whole) == 0, 30)
        published = stream_reports(whole)
        # Every report committed during the outage is in the new stream exactly once.
        outage = ids - before
        assert all(published[i] == 1 for i in outage if i in published), [i for i in outage if published[i] > 1]
        time.sleep(1.5)
        server = open_cases(whole)
        for screen in screens:
            assert screen.open_cases() == server, (screen.name, len(screen.open_cases()), len(server))
        assert whole.worker_pids() == pids  # no restart
        print(f"redis outage: down {time.monotonic() - down_at:.0f} s, statuses during {during}")
    finally:
        stop.set()
        _close(screens)


def test_postgres_restarted_under_load(whole: Cluster) -> None:
    screens = _screens(whole)
    stop = threading.Event()
    poster = Poster(whole.base_url, whole.headers(), inside_points(whole), label="pg重启", timeout_s=15)
    try:
        pool = _steady_load(poster, stop, pause_s=0.1)
        assert wait_until(lambda: len(poster.acknowledged) >= 30, 60), poster.statuses
        statuses_before = dict(poster.statuses)
        whole.pg.stop("immediate")  # a crash: connections cut, no checkpoint
        time.sleep(8)
        during = {k: v - statuses_before.get(k, 0) for k, v in poster.statuses.items()}
        whole.pg.start()
        restarted_at = time.monotonic()
        acknowledged_at_restart = len(poster.acknowledged)
        assert wait_until(lambda: len(poster.acknowledged) > acknowledged_at_restart + 20, 60), poster.statuses
        recovered_s = time.monotonic() - restarted_at
        stop.set()
        for t in pool:
            t.join(timeout=120)

        assert during.get(503, 0) > 0, during  # refused cleanly while the database was away
        assert not {k for k in during if k not in (201, 503)}, during  # no 500, no hang past the client's timeout
        assert 500 not in poster.statuses, poster.statuses
        ids = set(poster.acknowledged.values())
        stored = labelled_cases(whole, "pg重启")
        assert ids <= set(stored), len(ids - set(stored))
        assert len(stored) == len({d for d in stored.values()}), "a report stored twice"
        assert not any(half_written(whole, "pg重启").values()), half_written(whole, "pg重启")
        assert wait_until(lambda: _all_seen(screens, ids), 90), _missing_on(screens, ids)
        print(f"postgres restart: intake back {recovered_s:.1f} s after the server, statuses during {during}")
    finally:
        stop.set()
        _close(screens)


def _descendants(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    kids = [int(p) for p in path.read_text().split()] if path.exists() else []
    return kids + [d for k in kids for d in _descendants(k)]


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def test_sigterm_stops_everything_it_started(whole: Cluster) -> None:
    """Last in the module: stops the cluster the others used."""
    started = _descendants(whole.process.pid)
    assert len(started) >= 5, started  # nginx (master + worker), two gunicorn masters and their workers
    t0 = time.monotonic()
    whole.process.send_signal(signal.SIGTERM)
    assert whole.process.wait(timeout=30) == 0
    assert wait_until(lambda: not any(_alive(p) for p in started), 10), [p for p in started if _alive(p)]
    assert time.monotonic() - t0 < 15  # the short graceful timeout: open websockets do not hold the stop up
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{whole.base_url}/healthz", timeout=2)
