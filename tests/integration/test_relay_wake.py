"""A commit on a process that does not lead wakes the elected relay over Redis pub/sub (live/relay_wake.py), and
the lease a relay pass checks is renewed through Redis only now and then (live/leader.py)."""

from __future__ import annotations

import threading
import time

import redis

from dashboard.live.keys import Keys
from dashboard.live.leader import Lease
from dashboard.live.relay_wake import RelayWake


def _wait(event: threading.Event, timeout_s: float = 5.0) -> bool:
    return event.wait(timeout_s)


def test_a_follower_wakes_the_leader_and_followers_ignore_it(redis_url: str, redis_prefix: str) -> None:
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    channel = Keys(redis_prefix).relay_wake
    stop = threading.Event()
    leader_event, other_event = threading.Event(), threading.Event()
    leader = RelayWake(client, channel, leader_event)
    other = RelayWake(client, channel, other_event)
    leader.leading = True
    for wake in (leader, other):
        threading.Thread(target=wake.listen, args=(stop,), daemon=True).start()
    try:
        deadline = time.monotonic() + 5
        while client.pubsub_numsub(channel)[0][1] < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        follower = RelayWake(client, channel, threading.Event())
        started = time.monotonic()
        follower.forward()
        assert _wait(leader_event), "the leader was not woken"
        assert time.monotonic() - started < 1.0
        assert not other_event.is_set()  # a follower never wakes: two of them would wake each other forever
        assert (follower.forwarded, leader.received, other.received) == (1, 1, 0)
    finally:
        stop.set()


def test_a_lease_is_renewed_through_redis_only_now_and_then(redis_url: str, redis_prefix: str) -> None:
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    key = Keys(redis_prefix).lock("relay")
    lease = Lease(client, key, ttl_ms=2000)
    assert lease.hold()
    client.delete(key)  # lost (say, Redis restarted empty) right after a renewal
    assert lease.hold()  # still trusted for a tenth of the TTL, without a round trip
    assert client.get(key) is None
    time.sleep(0.25)
    assert lease.hold() and client.get(key) == lease.token  # asked again: taken back
    other = Lease(client, key, ttl_ms=2000)
    assert not other.hold()
    client.set(key, other.token, px=2000)  # another process took it over
    lease.forget()  # as the relay loop does after a failed step
    assert not lease.hold()
