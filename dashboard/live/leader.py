"""A Redis lease so exactly one process among several runs each singleton loop (relay, patrol frames)."""

from __future__ import annotations

import os
import socket
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

    def hold(self) -> bool:
        """Take or renew the lease; True while this process is the leader."""
        return bool(self._renew(keys=[self._key], args=[self._token, self._ttl]))

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
