"""REDIS_URL with Redis Sentinel: the app's clients read a `redis+sentinel://` URL exactly as python-socketio's
RedisManager does (one parser), and a malformed one is refused at start naming REDIS_URL."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from redis.sentinel import SentinelConnectionPool
from socketio.redis_manager import parse_redis_sentinel_url

from dashboard.config import Settings
from dashboard.live.redis_conn import client_for, sentinel_parts


@pytest.mark.parametrize(
    "url",
    [
        "redis+sentinel://10.0.0.1:26379,10.0.0.2:26379,10.0.0.3:26379/0/gc",
        "redis+sentinel://:s3cret@10.0.0.1:26379/2/mymaster",
        "redis+sentinel://user:pw@sentinel.intranet:5000/0/gc",
    ],
)
def test_sentinel_url_reads_as_socketio_reads_it(url: str) -> None:
    assert Settings(redis_url=url).redis_url == url
    sentinels, service, options = sentinel_parts(url)
    assert (sentinels, service, options) == parse_redis_sentinel_url(url)


def test_sentinel_client_follows_the_named_master() -> None:
    client = client_for("redis+sentinel://:pw@127.0.0.1:26379,127.0.0.1:26380/3/gc", decode_responses=True)
    pool = client.connection_pool
    assert isinstance(pool, SentinelConnectionPool)
    assert pool.service_name == "gc"
    assert pool.connection_kwargs["db"] == 3 and pool.connection_kwargs["password"] == "pw"
    assert [c.connection_pool.connection_kwargs["port"] for c in pool.sentinel_manager.sentinels] == [26379, 26380]


@pytest.mark.parametrize(
    "url",
    [
        "redis+sentinel://10.0.0.1:26379/0",  # no service name: socketio would ask for a master named after its channel
        "redis+sentinel://10.0.0.1:26379/gc",  # the service where the db goes
        "redis+sentinel://10.0.0.1/0/gc",  # no port
        "redis+sentinel://10.0.0.1:port/0/gc",
        "redis+sentinel://:26379/0/gc",  # no host
    ],
)
def test_malformed_sentinel_url_is_refused_naming_redis_url(url: str) -> None:
    with pytest.raises(ValidationError, match="REDIS_URL: a Sentinel URL is redis\\+sentinel://"):
        Settings(redis_url=url)


def test_plain_urls_are_left_alone() -> None:
    for url in ("", "redis://127.0.0.1:6379/0", "unix:///tmp/redis.sock"):
        assert Settings(redis_url=url).redis_url == url
