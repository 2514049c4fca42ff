"""A Redis lease so exactly one process among several runs each singleton loop (relay, patrol frames)."""

from __future__ import annotations

import os
import socket
import time
import uuid

import redis

_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) and 1 or 0
"""


class Lease:
    """Held while renewed within `ttl_ms`; a crashed holder's lease lapses and another process takes over."""

    def __init__(self, client: redis.Redis, key: str, ttl_ms: int = 5000) -> None:
        self._key = key
        self._ttl = ttl_ms
        # Who holds it is readable in the key (`host:pid:random`): an operator, or a fault test, can tell.
        self._token = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:12]}"
        self._renew = client.register_script(_RENEW)
        self._renewed_at = float("-inf")  # monotonic time of the last renewal that found the lease ours

    def hold(self) -> bool:
        """Take or renew the lease; True while this process is the leader.

        A lease renewed less than a tenth of its TTL ago is still ours without asking Redis: the relay calls this
        on every pass (each committed case) and the script's round trip was a sixth of a pass. The key outlives that
        by nine tenths of the TTL, and a stalled process finds its clock moved on too, so it asks again. A caller
        whose step failed (Redis restarted empty, say) calls `forget` so the next call asks.
        """
        now = time.monotonic()
        if now - self._renewed_at < self._ttl / 10_000:
            return True
        held = bool(self._renew(keys=[self._key], args=[self._token, self._ttl]))
        self._renewed_at = now if held else float("-inf")
        return held

    def forget(self) -> None:
        """Ask Redis on the next `hold` (after an error: the lease may have been lost with the server)."""
        self._renewed_at = float("-inf")

    @property
    def token(self) -> str:
        """This process's value in the key while it leads."""
        return self._token


def holder_pid(client: redis.Redis, key: str) -> int | None:
    """The pid of the process holding the lease `key` (None: nobody holds it)."""
    value = client.get(key)
    if value is None:
        return None
    text = value.decode() if isinstance(value, bytes) else str(value)
    parts = text.split(":")
    return int(parts[-2]) if len(parts) >= 3 and parts[-2].isdigit() else None
