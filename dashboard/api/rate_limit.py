"""Per-token rate limits for the intake channels: a fixed one-minute window per (bucket, token) in Redis.

Each channel names its bucket (`intake`, `open311`, `hotline`, `patrols`, `media`); RATE_LIMITS sets requests per
minute per bucket. The key is the caller's token when it came with one (each device or channel account is its own
budget), else its account, else its address. Over the limit: 429 with `Retry-After`, naming `Authorization`.

When Redis is down the limit is not enforced: intake must keep committing cases through a Redis outage (the outbox
holds them), and refusing every report because the counter is unreachable would lose what the limit protects.
"""

from __future__ import annotations

import logging
import time

import redis
from flask import request
from werkzeug.exceptions import TooManyRequests

from dashboard.api.auth import Principal
from dashboard.api.registry import runtime

log = logging.getLogger(__name__)
WINDOW_S = 60
_now = time.time  # the window's clock (tests pin it so a run never straddles two windows)


def caller_key(principal: Principal | None) -> str:
    """Whose budget a request spends: its token, else its account, else its address."""
    if principal is not None and principal.token_id is not None:
        return f"t{principal.token_id}"
    if principal is not None:
        return f"u{principal.user_id}"
    return f"ip{request.remote_addr or '-'}"


def rate_limit(bucket: str, principal: Principal | None, *, cost: int = 1) -> None:
    """Count one request (or `cost` units) against the caller's budget in `bucket`; 429 when it is spent."""
    rt = runtime()
    limit = rt.settings.rate_limit(bucket)
    if limit <= 0:
        return
    now = int(_now())
    window = now // WINDOW_S
    key = f"{rt.keys.prefix}rate:{bucket}:{caller_key(principal)}:{window}"
    try:
        pipe = rt.redis.pipeline()
        pipe.incrby(key, cost)
        pipe.expire(key, WINDOW_S * 2)
        used, _ = pipe.execute()
    except redis.RedisError as exc:
        log.warning("rate limit %s not enforced, Redis unavailable: %s", bucket, type(exc).__name__)
        return
    if int(used) > limit:
        retry = WINDOW_S - now % WINDOW_S
        exc = TooManyRequests(f"more than {limit} requests a minute for {bucket} from this token; retry in {retry} s")
        exc.retry_after = retry  # werkzeug adds the Retry-After header
        raise exc
