"""Login throttling in Redis: too many wrong passwords lock the account before any password is checked."""

from __future__ import annotations

from dataclasses import dataclass

import redis

from dashboard.live.keys import Keys


@dataclass(frozen=True)
class LoginThrottle:
    """`max_failures` wrong passwords within `window_s` lock the name for `lockout_s` seconds."""

    client: redis.Redis
    keys: Keys
    max_failures: int
    window_s: int
    lockout_s: int

    def _fail_key(self, name: str) -> str:
        return f"{self.keys.prefix}login:fail:{name.lower()}"

    def _lock_key(self, name: str) -> str:
        return f"{self.keys.prefix}login:lock:{name.lower()}"

    def locked_for(self, name: str) -> int:
        """Seconds the name stays locked (0 = not locked)."""
        ttl = self.client.pttl(self._lock_key(name))
        return max(0, -(-int(ttl) // 1000)) if ttl and ttl > 0 else 0

    def failed(self, name: str) -> bool:
        """Count a wrong password; True when this failure locks the account."""
        pipe = self.client.pipeline()
        # The window starts at the first failure (SET NX; EXPIRE NX needs Redis 7, the embedded one is 6.2).
        pipe.set(self._fail_key(name), 0, ex=self.window_s, nx=True)
        pipe.incr(self._fail_key(name))
        _, count = pipe.execute()
        if int(count) >= self.max_failures:
            pipe = self.client.pipeline()
            pipe.set(self._lock_key(name), "1", ex=self.lockout_s)
            pipe.delete(self._fail_key(name))
            pipe.execute()
            return True
        return False

    def succeeded(self, name: str) -> None:
        """A good login clears the failure count."""
        self.client.delete(self._fail_key(name))
