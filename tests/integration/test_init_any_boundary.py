"""`gridcmd init --boundary FILE --grids N` alone builds any county: code and name from the file, counts derived."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from shapely.geometry import box, mapping
from sqlalchemy import func, select

from dashboard import cli
from dashboard.config import Settings, get_settings
from dashboard.services.jurisdiction import build_jurisdiction
from dashboard.store.db import get_engine, session_scope
from dashboard.store.models import Community, District, Grid, Street, User
from dashboard.store.schema import migrate
from tests.conftest import PG_BASE, postgres_schema_url, sqlite_url

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "boundaries"
JIAXING = SHARED / "330400.geojson"
TONGZHOU = Path(cli.DEMO_BOUNDARY)
# A made-up 11 km square in Linyi's Lanshan district, named the way DataV and statistics files name it.
LANSHAN = {
    "type": "Feature",
    "properties": {"code": "371302000000", "name": "山东省临沂市兰山区"},
    "geometry": mapping(box(118.30, 35.02, 118.42, 35.12)),
}


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated, empty database per test."""
    if request.param == "sqlite":
        url = sqlite_url(tmp_path / "init.db")
        migrate(url)
        yield url
        get_engine(url).dispose()
        return
    schema = f"gc_test_{uuid.uuid4().hex[:10]}"
    try:
        with psycopg.connect(PG_BASE, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE SCHEMA "{schema}"')
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL not reachable: {exc}")
    url = postgres_schema_url(schema)
    try:
        migrate(url)
        yield url
    finally:
        get_engine(url).dispose()
        with psycopg.connect(PG_BASE, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture
def use_db(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """`db_url` as the configured database of `gridcmd` (COUNTY_CODE left at its 110112 default)."""
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("VAR_DIR", str(tmp_path / "var"))
    monkeypatch.delenv("COUNTY_CODE", raising=False)
    get_settings.cache_clear()
    yield db_url
    get_settings.cache_clear()


def init(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, Any]:
    """Run `gridcmd init ARGV`; its JSON summary."""
    assert cli.main(["init", *argv]) == 0
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def tiles(url: str) -> dict[str, Any]:
    with session_scope(url) as session:
        district = session.scalar(select(District))
        grid_area = session.scalar(select(func.sum(Grid.area_m2)))
        return {
            "district": (district.code, district.name),
            "prefixes": set(session.scalars(select(func.substr(Grid.code, 1, 6)).distinct())),
            "levels": tuple(session.scalar(select(func.count()).select_from(m)) for m in (Street, Community, Grid)),
            "tiled": abs(grid_area - district.area_m2) / district.area_m2,
        }


@pytest.mark.skipif(not JIAXING.exists(), reason=f"{JIAXING} not present")
def test_jiaxing_from_its_file_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = sqlite_url(tmp_path / "jiaxing.db")
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("VAR_DIR", str(tmp_path / "var"))
    get_settings.cache_clear()
    try:
        started = time.perf_counter()
        summary = init(capsys, "--boundary", str(JIAXING), "--grids", "900")
        took = time.perf_counter() - started
    finally:
        get_settings.cache_clear()
    assert (summary["county_code"], summary["district_name"]) == ("330400", "浙江省嘉兴市")
    assert (summary["streets"], summary["communities"], summary["grids"]) == (8, 300, 900)
    assert summary["derived"] == ["communities", "streets"]
    built = tiles(url)
    assert built["prefixes"] == {"330400"} and built["levels"] == (8, 300, 900)
    assert built["tiled"] < 1e-4  # the grids cover the city, islands included
    # The sizing rule still sets population: 1,000–1,500 people a grid, ±20 %.
    assert 800 * 900 <= summary["population"] <= 1800 * 900
    print(f"Jiaxing 900 grids: {took:.1f} s")  # measured ~3 s alone on the 2-core machine, ~7 s when shared
    get_engine(url).dispose()


def test_tongzhou_with_only_a_grid_count(use_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    summary = init(capsys, "--boundary", str(TONGZHOU), "--grids", "200")
    assert (summary["streets"], summary["communities"], summary["grids"]) == (2, 67, 200)
    built = tiles(use_db)
    assert built["district"] == ("110112", "北京市通州区") and built["prefixes"] == {"110112"}
    assert built["tiled"] < 1e-4


def test_the_code_comes_from_the_file_or_from_county(db_url: str) -> None:
    with session_scope(db_url) as session:
        summary = build_jurisdiction(session=session, boundary=LANSHAN, grids=30, crs="wgs84")
    assert (summary["county_code"], summary["district_name"]) == ("371302", "山东省临沂市兰山区")
    assert tiles(db_url)["prefixes"] == {"371302"}
    with session_scope(db_url) as session:
        build_jurisdiction(session=session, boundary=LANSHAN, grids=30, crs="wgs84", county_code="371311")
    assert tiles(db_url)["prefixes"] == {"371311"}


def test_the_app_and_the_cli_use_the_built_county_not_the_setting(
    use_db: str, tmp_path: Path, redis_url: str, redis_prefix: str, capsys: pytest.CaptureFixture[str]
) -> None:
    import app
    from tests.integration.conftest import make_token

    path = tmp_path / "lanshan.geojson"
    path.write_text(json.dumps(LANSHAN, ensure_ascii=False), encoding="utf-8")
    assert cli.main(["init-if-empty", "--boundary", str(path), "--grids", "30", "--crs", "wgs84", "--demo-users"]) == 0
    capsys.readouterr()
    with session_scope(use_db) as session:
        assert set(session.scalars(select(User.scope))) == {"371302"}

    settings = Settings(database_url=use_db, redis_url=redis_url, redis_prefix=redis_prefix, var_dir=tmp_path)
    assert settings.county_code == "110112"
    grid_app = app.create_app(settings, start_loops=False)
    assert grid_app.runtime.settings.county_code == "371302"
    client = grid_app.server.test_client()
    token = make_token(grid_app, "admin", scope="371302")
    made = client.post(
        "/api/v1/cases",
        json={"description": "路灯不亮", "lat": 35.07, "lon": 118.36, "source": "grid_worker"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert made.status_code == 201, made.get_json()
    body = made.get_json()
    assert body["code"].startswith("371302") and body["grid_code"].startswith("371302")
    kpis = client.get("/api/v1/kpis", headers={"Authorization": f"Bearer {token}"})
    assert kpis.status_code == 200, kpis.get_json()
