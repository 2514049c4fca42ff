"""A Redis lease so exactly one process among several runs each singleton loop (relay, patrol frames)."""

from __future__ import annotations

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
        self._token = uuid.uuid4().hex
        self._renew = client.register_script(_RENEW)

    def hold(self) -> bool:
        """Take or renew the lease; True while this process is the leader."""
        return bool(self._renew(keys=[self._key], args=[self._token, self._ttl]))
