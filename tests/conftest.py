"""Shared fixtures: real databases (SQLite file, PostgreSQL schema) and an isolated Redis key prefix.

Without a local PostgreSQL or Redis the tests skip (PostgreSQL) or use the embedded Redis, saying why;
with REQUIRE_SERVICES=1 (set by .ci/run) a missing server fails the run instead.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

PG_BASE = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_LOCAL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
REQUIRE = os.environ.get("REQUIRE_SERVICES") == "1"


def _service_missing(what: str, exc: Exception) -> None:
    message = f"{what} not reachable ({type(exc).__name__}: {exc})"
    if REQUIRE:
        pytest.fail(f"REQUIRE_SERVICES=1 but {message}")
    pytest.skip(message)


def postgres_schema_url(schema: str) -> str:
    """A URL whose connections use `schema` first (each test run gets its own schema)."""
    return f"{PG_BASE}?options=-csearch_path%3D{schema}"


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL schema for this test session, dropped afterwards."""
    import psycopg

    schema = f"gc_test_{uuid.uuid4().hex[:10]}"
    try:
        with psycopg.connect(PG_BASE.replace("postgresql://", "postgresql://", 1), connect_timeout=3) as conn:
            conn.execute(f'CREATE SCHEMA "{schema}"')
            conn.commit()
    except psycopg.OperationalError as exc:
        _service_missing("PostgreSQL at " + PG_BASE, exc)
    yield postgres_schema_url(schema)
    with psycopg.connect(PG_BASE, connect_timeout=3) as conn:
        conn.execute(f'DROP SCHEMA "{schema}" CASCADE')
        conn.commit()


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The local Redis server, or the embedded one when it is absent (and not required)."""
    import redis

    try:
        redis.Redis.from_url(REDIS_LOCAL, socket_timeout=2).ping()
        return REDIS_LOCAL
    except redis.RedisError as exc:
        if REQUIRE:
            pytest.fail(f"REQUIRE_SERVICES=1 but Redis at {REDIS_LOCAL} is not reachable: {exc}")
        from dashboard.live.redis_conn import ensure_embedded_redis

        return ensure_embedded_redis(tmp_path_factory.mktemp("redis"))


@pytest.fixture
def redis_prefix(redis_url: str) -> Iterator[str]:
    """A key prefix of this test's own; its keys are deleted afterwards."""
    import redis

    prefix = f"gc-test-{uuid.uuid4().hex[:10]}:"
    yield prefix
    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
    if keys:
        client.delete(*keys)


def sqlite_url(path: Path) -> str:
    """A SQLite URL for a file."""
    return f"sqlite:///{path}"
