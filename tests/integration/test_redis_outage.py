"""Redis down degrades, it does not fail (issue 10, finding 3): intake with any credential keeps answering 201
(the outbox holds the rows), login answers a clear 503, token-use audits are kept, and everything is published
once Redis returns. Runs on a Redis server of the test's own, never the shared one.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from dashboard.config import Settings
from dashboard.services.accounts import create_user
from dashboard.store.models import AuditEntry, Case, Outbox
from tests.integration.conftest import make_token
from tests.redis_server import OwnRedis

PASSWORD = "correct-horse-9"


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[OwnRedis]:
    server = OwnRedis(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def outage_app(db_url: str, own_redis: OwnRedis, tmp_path: Path):  # noqa: ANN201
    import app

    settings = Settings(database_url=db_url, redis_url=own_redis.url, redis_prefix="gc-outage:", var_dir=tmp_path)
    return app.create_app(settings, start_loops=False)


def _point(grid_app: Any) -> tuple[float, float]:
    import random

    index = grid_app.runtime.grid_index()
    return index.random_point_in(index.codes()[0], random.Random(3))


def _login(client: Any, name: str) -> Any:
    page = client.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    return client.post("/login", data={"csrf": csrf, "name": name, "password": PASSWORD})


def test_redis_outage_keeps_intake_and_audit_and_refuses_login_clearly(outage_app, own_redis: OwnRedis) -> None:  # noqa: ANN001
    grid_app = outage_app
    tokens = {role: make_token(grid_app, role) for role in ("dispatcher", "admin", "leader")}
    name = f"dispatcher-{uuid.uuid4().hex[:8]}"
    with grid_app.runtime.session() as session:
        create_user(session=session, name=name, role="dispatcher", scope="110112", password=PASSWORD)
    desk = grid_app.server.test_client()
    assert _login(desk, name).status_code == 302
    lon, lat = _point(grid_app)
    with grid_app.runtime.session() as session:
        before = session.scalar(select(func.count(Case.id))) or 0
        audits_before = session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == "token_used"))

    own_redis.stop()
    created: list[int] = []
    for role, token in tokens.items():
        client = grid_app.server.test_client()
        client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        for i in range(3):
            body = {"description": f"停电期间上报 {role} {i}", "lat": lat, "lon": lon, "source": "hotline_12345"}
            resp = client.post("/api/v1/cases", json=body, headers={"Idempotency-Key": uuid.uuid4().hex})
            assert resp.status_code == 201, (role, resp.status_code, resp.get_data(as_text=True)[:300])
            created.append(resp.get_json()["id"])
    # A session cookie keeps working too.
    resp = desk.post("/api/v1/cases", json={"description": "坐席上报", "lat": lat, "lon": lon, "source": "wechat"})
    assert resp.status_code == 201
    created.append(resp.get_json()["id"])

    # Sign-in cannot count failures without Redis: a clear 503 page, not a 500.
    refused = _login(grid_app.server.test_client(), name)
    assert refused.status_code == 503
    assert "请稍后重试" in refused.get_data(as_text=True)
    # What truly needs Redis says so.
    client = grid_app.server.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {tokens['admin']}"
    patrols = client.post("/api/v1/patrols/positions", json=[{"id": "P1", "lat": lat, "lon": lon}])
    assert patrols.status_code == 503 and patrols.get_json()["field"] == "redis"
    assert client.get("/readyz").status_code == 503

    with grid_app.runtime.session() as session:
        assert session.scalar(select(func.count(Case.id))) == before + len(created)
        pending = session.scalar(select(func.count(Outbox.id)).where(Outbox.sent_at.is_(None)))
        assert pending >= len(created)
        # Every token was used during the outage, and each use is in the audit log.
        audits = session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == "token_used"))
        assert audits - audits_before >= len(tokens)

    own_redis.start()  # Redis returns empty (it keeps nothing on disk): the outbox republishes everything
    assert _login(grid_app.server.test_client(), name).status_code == 302
    grid_app.loops.relay.drain()
    published = grid_app.runtime.redis.xrange(grid_app.runtime.keys.case_stream)
    ids = [row["id"] for _sid, fields in published for row in __import__("json").loads(fields["cases"])]
    assert set(created) <= set(ids)
