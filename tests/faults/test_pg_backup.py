"""The backup and restore docs/deploy.md prescribes, run for real: `pg_dump -Fc` of a live database with cases in
it, `pg_restore` into an empty database, and the app serving the restored one (same cases, same audit trail, same
schema head, new cases numbered after the old). On a PostgreSQL server of the test's own."""

from __future__ import annotations

import random
import subprocess
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from dashboard.config import Settings
from tests.integration.conftest import build_small, make_token
from tests.pg_server import OwnPostgres, _pg_binary
from tests.pg_server import available as pg_available

TABLES = ("cases", "case_events", "audit_log", "outbox", "grids", "users", "api_tokens", "alembic_version")


@pytest.fixture
def own_pg() -> Iterator[OwnPostgres]:
    why = pg_available() or (None if _pg_binary("pg_dump") and _pg_binary("pg_restore") else "no pg_dump")
    if why:
        pytest.skip(why)
    server = OwnPostgres()
    server.init()
    server.start()
    yield server
    server.destroy()


def _counts(url: str) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}  # type: ignore[index]


def test_pg_dump_and_pg_restore_give_back_a_database_the_app_serves(
    own_pg: OwnPostgres, tmp_path: Path, redis_url: str, redis_prefix: str
) -> None:
    import app

    source = own_pg.url
    build_small(source)
    grid = app.create_app(
        Settings(database_url=source, redis_url=redis_url, redis_prefix=redis_prefix, var_dir=tmp_path),
        start_loops=False,
    )
    client = grid.server.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {make_token(grid, 'admin')}"
    index = grid.runtime.grid_index()
    for i in range(20):
        lon, lat = index.random_point_in(index.codes()[i % 10], random.Random(i))
        body = {"description": f"备份前 {i}", "lat": lat, "lon": lon, "source": "hotline_12345"}
        assert client.post("/api/v1/cases", json=body).status_code == 201
    before = _counts(source)

    dump = tmp_path / "gridcmd.dump"
    subprocess.run([_pg_binary("pg_dump"), "-Fc", "--no-owner", "-f", str(dump), source], check=True, timeout=120)
    with psycopg.connect(source, autocommit=True) as conn:
        conn.execute("CREATE DATABASE restored")
    restored = source.rsplit("/", 1)[0] + "/restored"
    subprocess.run(
        [_pg_binary("pg_restore"), "--no-owner", "--exit-on-error", "-d", restored, str(dump)], check=True, timeout=120
    )
    assert _counts(restored) == before

    back = app.create_app(
        Settings(database_url=restored, redis_url=redis_url, redis_prefix=redis_prefix + "r:", var_dir=tmp_path),
        start_loops=False,
    )
    client = back.server.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {make_token(back, 'admin')}"
    listed = client.get("/api/v1/cases?limit=100").get_json()
    rows = listed["cases"] if isinstance(listed, dict) else listed
    assert {r["description"] for r in rows} >= {f"备份前 {i}" for i in range(20)}
    lon, lat = index.random_point_in(index.codes()[0], random.Random(99))
    new = client.post("/api/v1/cases", json={"description": "恢复后", "lat": lat, "lon": lon, "source": "wechat"})
    assert new.status_code == 201
    assert new.get_json()["id"] > max(r["id"] for r in rows)  # sequences came back with the rows
