"""Per-token rate limits (429 with Retry-After, each token its own budget) and the channel / worker roles' reach."""

from __future__ import annotations

import pytest

from dashboard.config import Settings
from tests.integration.conftest import make_token


def _report(lon: float, lat: float, text: str = "路灯不亮") -> dict[str, object]:
    return {"description": text, "lat": lat, "lon": lon, "source": "hotline_12345"}


@pytest.fixture
def limited_app(settings: Settings):  # noqa: ANN201 - app.GridApp
    import app

    return app.create_app(settings.model_copy(update={"rate_limits": "intake=3"}), start_loops=False)


def _client(grid_app, token: str):  # noqa: ANN001, ANN202
    client = grid_app.server.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client


def test_a_token_over_its_budget_gets_429_naming_authorization(limited_app, monkeypatch) -> None:
    import dashboard.api.rate_limit as rl

    # One fixed instant 20 s into a window: the four requests never straddle two windows.
    monkeypatch.setattr(rl, "_now", lambda: 1_800_000_020.0)
    index = limited_app.runtime.grid_index()
    lon, lat = index.random_point_in(index.codes()[0], __import__("random").Random(2))
    first, second = (_client(limited_app, make_token(limited_app, "channel")) for _ in range(2))
    answers = [first.post("/api/v1/cases", json=_report(lon, lat, f"路灯不亮 {i}")).status_code for i in range(4)]
    assert answers == [201, 201, 201, 429]
    refused = first.post("/api/v1/cases", json=_report(lon, lat, "路灯不亮 again"))
    assert refused.status_code == 429
    assert refused.get_json()["field"] == "Authorization"
    assert refused.headers["Retry-After"] == "40"
    # Another token (another device or channel) has its own budget.
    assert second.post("/api/v1/cases", json=_report(lon, lat, "路灯不亮 other")).status_code == 201


def test_bad_rate_table_is_refused_at_startup() -> None:
    with pytest.raises(ValueError, match="RATE_LIMITS"):
        Settings(rate_limits="intake=lots")


def test_a_channel_reads_back_only_what_it_reported(grid_app, client, inside_point) -> None:
    lon, lat = inside_point
    channel = _client(grid_app, make_token(grid_app, "channel"))
    mine = channel.post("/api/v1/cases", json=_report(lon, lat, "占道经营 本渠道"))
    assert mine.status_code == 201
    other = client.post("/api/v1/cases", json=_report(lon, lat, "占道经营 其他渠道"))
    assert other.status_code == 201
    listed = channel.get("/api/v1/cases").get_json()["cases"]
    assert [row["id"] for row in listed] == [mine.get_json()["id"]]
    assert channel.get(f"/api/v1/cases/{other.get_json()['id']}").status_code == 404
    # A channel reports; it never commands a case.
    cmd = channel.post(f"/api/v1/cases/{mine.get_json()['id']}/file", json={"expected_version": 1})
    assert cmd.status_code == 403


def test_a_worker_reports_within_their_street(grid_app, inside_point) -> None:
    lon, lat = inside_point
    street = grid_app.runtime.grid_index().locate(lon, lat).street_code
    worker = _client(grid_app, make_token(grid_app, "worker", scope=street))
    made = worker.post("/api/v1/cases", json={**_report(lon, lat, "井盖缺失"), "source": "grid_worker"})
    assert made.status_code == 201
    assert worker.get(f"/api/v1/cases/{made.get_json()['id']}").status_code == 200
    assert worker.post(f"/api/v1/cases/{made.get_json()['id']}/dispatch", json={}).status_code == 403
