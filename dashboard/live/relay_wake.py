"""Waking the elected outbox relay from any process.

The relay runs in one process (a Redis lease); intake commits in every process. A commit wakes its own process's
relay loop through a threading.Event, which only helps when that process leads: a case committed on another
process waited for the leader's next idle poll (`relay_interval_s`), on average half of it, on every push. So a
process that does not lead forwards its wake-up over Redis pub/sub, and the leader's listener sets its own event.
Pub/sub may lose a message (a reconnecting subscriber): the idle poll stays as the floor, never the common case.
"""

from __future__ import annotations

import contextlib
import logging
import threading

import redis

log = logging.getLogger(__name__)

LISTEN_TIMEOUT_S = 1.0  # under redis-py's socket timeout (DESIGN.md section 11), and how often `stop` is seen
RETRY_S = 1.0


class RelayWake:
    """`forward()` from a process that does not lead; `listen()` in every process sets `wake` while it leads."""

    def __init__(self, client: redis.Redis, channel: str, wake: threading.Event) -> None:
        self._r = client
        self._channel = channel
        self._wake = wake
        self.leading = False  # set by the relay loop after each lease check
        self.forwarded = 0
        self.received = 0

    def forward(self) -> None:
        """Tell the leader that this process committed something (a lost message costs one idle poll)."""
        try:
            self._r.publish(self._channel, "1")
            self.forwarded += 1
        except redis.RedisError:
            pass  # Redis away: the relay cannot publish either; its poll picks the rows up when it returns

    def listen(self, stop: threading.Event) -> None:
        """Until `stop`: each message wakes this process's relay when it leads (a follower ignores it, or two
        followers would wake each other forever)."""
        while not stop.is_set():
            pubsub = self._r.pubsub(ignore_subscribe_messages=True)
            try:
                pubsub.subscribe(self._channel)
                while not stop.is_set():
                    message = pubsub.get_message(timeout=LISTEN_TIMEOUT_S)
                    if message is not None and self.leading:
                        self.received += 1
                        self._wake.set()
            except redis.RedisError as exc:
                log.debug("relay wake listener lost Redis: %s", type(exc).__name__)
                stop.wait(RETRY_S)
            finally:
                with contextlib.suppress(redis.RedisError):
                    pubsub.close()
