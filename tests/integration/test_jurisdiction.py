"""Build the Tongzhou jurisdiction into SQLite and PostgreSQL and prove the grids tile the boundary exactly."""

from __future__ import annotations

import json
import os
import random
import re
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import shapely
from shapely.geometry import shape
from sqlalchemy import select

from dashboard.domain import catalog_default, codes, geo
from dashboard.services.jurisdiction import CNMAPS_ATTRIBUTION, build_jurisdiction, load_grid_index
from dashboard.store.db import get_engine, session_scope
from dashboard.store.models import (
    Case,
    CatalogItem,
    Community,
    Department,
    District,
    Grid,
    Meta,
    Staff,
    Street,
)
from dashboard.store.schema import migrate

BOUNDARY_FILE = Path(__file__).resolve().parents[2] / "data" / "boundaries" / "110112.geojson"
BOUNDARY: dict[str, Any] = json.loads(BOUNDARY_FILE.read_text(encoding="utf-8"))
# Test-only connection to a scratch PostgreSQL; every test gets its own schema, dropped afterwards.
PG_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
SMALL = {"grids": 120, "streets": 4, "communities": 30}


def _say(request: pytest.FixtureRequest, message: str) -> None:
    """Print past pytest's capture, so timings show in a plain `pytest -q` run."""
    capture = request.config.pluginmanager.getplugin("capturemanager")
    if capture is None:
        print(message)
        return
    with capture.global_and_fixture_disabled():
        print(message)


def _postgres_unavailable() -> str | None:
    try:
        import psycopg

        with psycopg.connect(PG_URL, connect_timeout=3):
            return None
    except Exception as exc:  # any failure to connect means "not reachable" here
        return f"{type(exc).__name__}: {' '.join(str(exc).split())}"


@dataclass
class Database:
    """A migrated, empty database and how to reach it."""

    backend: str
    url: str


def _open_database(backend: str, directory: Path) -> Iterator[Database]:
    if backend == "sqlite":
        url = f"sqlite:///{directory / 'gridcmd.db'}"
        migrate(url)
        yield Database(backend, url)
        get_engine(url).dispose()
        return
    reason = _postgres_unavailable()
    if reason:
        message = f"PostgreSQL not reachable at {PG_URL} ({reason})"
        if os.environ.get("REQUIRE_SERVICES") == "1":
            pytest.fail(message + " and REQUIRE_SERVICES=1")
        pytest.skip(message + "; set REQUIRE_SERVICES=1 to make this a failure")
    import psycopg

    schema = f"gc_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    sep = "&" if "?" in PG_URL else "?"
    url = f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    try:
        migrate(url)
        yield Database(backend, url)
    finally:
        get_engine(url).dispose()
        with psycopg.connect(PG_URL, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


@pytest.fixture(params=BACKENDS)
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A fresh migrated database per test, on each backend."""
    yield from _open_database(request.param, tmp_path)


@dataclass
class Built:
    """The Tongzhou build: where it is, what the service said, and what it cost."""

    db: Database
    summary: dict[str, Any]
    elapsed_s: float
    progressed: int


@pytest.fixture(scope="module", params=BACKENDS)
def tongzhou(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    """The full demo build: 1,809 grids, 15 streets, 589 communities, seed 1, from the GCJ-02 outline."""
    for db in _open_database(request.param, tmp_path_factory.mktemp(request.param)):
        progressed: list[int] = []
        started = time.perf_counter()
        with session_scope(db.url) as session:
            summary = build_jurisdiction(
                session=session,
                boundary=BOUNDARY,
                county_code="110112",
                grids=1809,
                streets=15,
                communities=589,
                seed=1,
                progress=progressed.append,
            )
        elapsed = time.perf_counter() - started
        _say(request, f"\n[{db.backend}] Tongzhou build, 1,809 grids: {elapsed:.2f} s (commit included)")
        yield Built(db, summary, elapsed, sum(progressed))


def _grids(url: str) -> list[Grid]:
    with session_scope(url) as session:
        return list(session.scalars(select(Grid).order_by(Grid.code)))


def _snapshot(url: str) -> dict[str, list[tuple[Any, ...]]]:
    with session_scope(url) as session:
        return {
            # Ordered: PostgreSQL returns rows in storage order, which a rebuild (delete + insert) may change.
            "streets": [
                tuple(r)
                for r in session.execute(select(Street.code, Street.name, Street.geometry).order_by(Street.code))
            ],
            "communities": [
                tuple(r)
                for r in session.execute(
                    select(Community.code, Community.kind, Community.geometry).order_by(Community.code)
                )
            ],
            "grids": [
                tuple(r)
                for r in session.execute(
                    select(Grid.code, Grid.kind, Grid.geometry, Grid.population, Grid.households).order_by(Grid.code)
                )
            ],
            "staff": [
                tuple(r) for r in session.execute(select(Staff.code, Staff.name, Staff.phone).order_by(Staff.code))
            ],
        }


def test_tongzhou_build_completes_with_the_requested_counts(tongzhou: Built) -> None:
    s = tongzhou.summary
    assert (s["streets"], s["communities"], s["grids"]) == (15, 589, 1809)
    assert tongzhou.progressed == 1809
    with session_scope(tongzhou.db.url) as session:
        assert session.query(Street).count() == 15
        assert session.query(Community).count() == 589
        assert session.query(Grid).count() == 1809
        assert session.query(District).one().name == "北京市通州区"


def test_grids_tile_the_boundary_exactly(tongzhou: Built, request: pytest.FixtureRequest) -> None:
    geometry, _ = geo.boundary_from_geojson(BOUNDARY)
    boundary = geo.to_shape(geo.gcj02_to_wgs84_geometry(geometry))
    grids = _grids(tongzhou.db.url)
    shapes = [shapely.from_geojson(g.geometry) for g in grids]
    assert all(s.is_valid and not s.is_empty for s in shapes)

    # Areas: the grids add up to the boundary, in degrees² and in the stored m².
    assert sum(s.area for s in shapes) == pytest.approx(boundary.area, rel=1e-3)
    assert sum(g.area_m2 for g in grids) == pytest.approx(geo.area_m2(boundary), rel=1e-3)
    assert shapely.union_all(shapes).symmetric_difference(boundary).area < 1e-3 * boundary.area

    # No overlap: every pair of neighbours (STRtree) shares at most an edge.
    tree = shapely.STRtree(shapes)
    left, right = tree.query(shapes, predicate="intersects")
    pairs = [(i, j) for i, j in zip(left.tolist(), right.tolist(), strict=True) if i < j]
    overlap = sum(shapes[i].intersection(shapes[j]).area for i, j in pairs)
    assert overlap <= 1e-9 * boundary.area
    assert shapely.coverage_is_valid(shapes)  # shared edges identical after the 6-decimal rounding

    # Every point of the boundary is in exactly one grid (random points; edges have measure zero).
    rng = random.Random(5)
    minx, miny, maxx, maxy = boundary.bounds
    inside = 0
    while inside < 3000:
        x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if not boundary.contains(shapely.Point(x, y)):
            continue
        inside += 1
        assert len(tree.query(shapely.Point(x, y), predicate="within")) == 1, (x, y)
    _say(request, f"[{tongzhou.db.backend}] {len(pairs)} neighbour pairs, overlap {overlap:.3g} deg²")


def test_every_level_nests_in_its_parent(tongzhou: Built) -> None:
    with session_scope(tongzhou.db.url) as session:
        streets = {s.code: shapely.from_geojson(s.geometry) for s in session.scalars(select(Street))}
        communities = {c.code: c for c in session.scalars(select(Community))}
        grids = list(session.scalars(select(Grid)))
    by_community: dict[str, list[Any]] = {}
    for g in grids:
        by_community.setdefault(g.community_code, []).append(shapely.from_geojson(g.geometry))
    assert set(by_community) == set(communities)  # every community has at least one grid
    for code, parts in by_community.items():
        whole = shapely.from_geojson(communities[code].geometry)
        assert shapely.union_all(parts).symmetric_difference(whole).area < 1e-6 * whole.area
    by_street: dict[str, list[Any]] = {}
    for c in communities.values():
        by_street.setdefault(c.street_code, []).append(shapely.from_geojson(c.geometry))
    for code, parts in by_street.items():
        assert shapely.union_all(parts).symmetric_difference(streets[code]).area < 1e-6 * streets[code].area


def test_codes_are_unique_well_formed_and_chained(tongzhou: Built) -> None:
    with session_scope(tongzhou.db.url) as session:
        streets = list(session.scalars(select(Street)))
        communities = list(session.scalars(select(Community)))
        grids = list(session.scalars(select(Grid)))
    grid_codes = [g.code for g in grids]
    assert len(set(grid_codes)) == len(grid_codes) == 1809
    for g in grids:
        assert codes.is_grid_code(g.code) and len(g.code) == 15
        assert g.community_code == g.code[:12] and g.street_code == g.code[:9]
        assert g.code.startswith("110112")
    for c in communities:
        assert c.street_code == c.code[:9] and len(c.code) == 12
    for s in streets:
        assert s.district_code == "110112" and len(s.code) == 9
    assert sorted(s.code for s in streets) == [f"110112{i:03d}" for i in range(1, 16)]
    # Sequences run 001, 002, … without gaps within each parent.
    for parent_len, items in ((9, [c.code for c in communities]), (12, grid_codes)):
        seqs: dict[str, list[int]] = {}
        for code in items:
            seqs.setdefault(code[:parent_len], []).append(int(code[parent_len:]))
        assert all(sorted(v) == list(range(1, len(v) + 1)) for v in seqs.values())


def test_first_street_is_in_the_north_west(tongzhou: Built) -> None:
    with session_scope(tongzhou.db.url) as session:
        streets = {s.code: s for s in session.scalars(select(Street))}
    first, last = streets["110112001"], streets["110112015"]
    assert first.center_lat > last.center_lat  # reading order: northern band first


def test_names_kinds_and_population(tongzhou: Built) -> None:
    with session_scope(tongzhou.db.url) as session:
        streets = list(session.scalars(select(Street)))
        communities = {c.code: c for c in session.scalars(select(Community))}
        grids = list(session.scalars(select(Grid)))
    assert all(re.fullmatch(r"第\d{2}(街道|镇)", s.name) for s in streets)
    assert all((s.kind == "street") == s.name.endswith("街道") for s in streets)
    assert all(re.fullmatch(r"第\d{2}(街道|镇)第\d{2}(社区|村)", c.name) for c in communities.values())
    assert all((c.kind == "urban") == c.name.endswith("社区") for c in communities.values())
    assert all(re.fullmatch(r".+第\d+网格(（.+专属网格）)?", g.name) for g in grids)
    urban = [c for c in communities.values() if c.kind == "urban"]
    assert 0.3 < len(urban) / len(communities) < 0.5

    # The urban core is the north-west: urban communities sit closer to (116.65, 39.90) than rural ones.
    def mean_distance(items: list[Community]) -> float:
        points = [shapely.from_geojson(c.geometry).representative_point() for c in items]
        return sum(geo.haversine_m(p.x, p.y, 116.65, 39.90) for p in points) / len(points)

    rural = [c for c in communities.values() if c.kind == "rural"]
    assert mean_distance(urban) < 0.5 * mean_distance(rural)

    kinds = Counter(g.kind for g in grids)
    assert set(kinds) == {"basic", "dedicated"} and 0.02 < kinds["dedicated"] / len(grids) < 0.04
    for g in grids:
        urban_grid = communities[g.community_code].kind == "urban"
        people, households = (1500, 500) if urban_grid else (1000, 300)
        assert 0.8 * people - 1 <= g.population <= 1.2 * people + 1
        assert 0.8 * households - 1 <= g.households <= 1.2 * households + 1
        assert g.min_lon <= g.center_lon <= g.max_lon and g.min_lat <= g.center_lat <= g.max_lat
        assert shapely.from_geojson(g.geometry).contains(shapely.Point(g.center_lon, g.center_lat))
        assert g.area_m2 > 0


def test_every_grid_has_a_3_plus_x_team_and_streets_have_inspectors(tongzhou: Built) -> None:
    with session_scope(tongzhou.db.url) as session:
        staff = list(session.scalars(select(Staff)))
        grid_codes = set(session.scalars(select(Grid.code)))
    teams: dict[str, Counter[str]] = {}
    inspectors: Counter[str] = Counter()
    for person in staff:
        assert re.fullmatch(r"1[3-9]\d\*{4}\d{4}", person.phone)
        assert 2 <= len(person.name) <= 3
        if person.role == "inspector":
            assert person.grid_code is None and person.street_code is not None
            inspectors[person.street_code] += 1
        else:
            assert person.grid_code in grid_codes and person.street_code == person.grid_code[:9]
            teams.setdefault(person.grid_code, Counter())[person.role] += 1
    assert set(teams) == grid_codes
    for team in teams.values():
        assert team["grid_leader"] == team["full_time"] == team["liaison"] == 1
        assert 1 <= team["part_time"] + team["volunteer"] <= 3
    assert len(inspectors) == 15 and all(3 <= n <= 5 for n in inspectors.values())
    assert len({p.code for p in staff}) == len(staff)


def test_departments_catalog_and_meta(tongzhou: Built) -> None:
    with session_scope(tongzhou.db.url) as session:
        departments = {d.code: d for d in session.scalars(select(Department))}
        catalog = list(session.scalars(select(CatalogItem)))
        meta = {m.key: m.value for m in session.scalars(select(Meta))}
    assert departments["GA"].name == "公安通州分局"
    assert departments["110112001ZF"].tier == "street"
    assert len(catalog) == len(catalog_default.catalog_entries())
    assert all(item.department_code in departments for item in catalog)
    assert {item.major_name for item in catalog} == {m.name for m in catalog_default.DEFAULT_CATALOG}
    assert meta["jurisdiction.boundary_attribution"] == CNMAPS_ATTRIBUTION
    args = json.loads(meta["jurisdiction.build_args"])
    assert (args["grids"], args["streets"], args["communities"], args["seed"], args["crs"]) == (
        1809,
        15,
        589,
        1,
        "gcj02",
    )


def test_grid_index_locates_points(tongzhou: Built, request: pytest.FixtureRequest) -> None:
    with session_scope(tongzhou.db.url) as session:
        index = load_grid_index(session)
    grids = _grids(tongzhou.db.url)
    assert len(index) == 1809
    assert index.codes() == tuple(g.code for g in grids)
    for g in grids[::37]:
        ref = index.locate(g.center_lon, g.center_lat)
        assert ref is not None and (ref.code, ref.community_code, ref.street_code) == (
            g.code,
            g.community_code,
            g.street_code,
        )
    assert index.locate(116.0, 39.0) is None
    rng = random.Random(2)
    for g in grids[::101]:
        lon, lat = index.random_point_in(g.code, rng)
        assert index.locate(lon, lat).code == g.code  # type: ignore[union-attr]
    minx, miny, maxx, maxy = index.bounds
    points = [(rng.uniform(minx, maxx), rng.uniform(miny, maxy)) for _ in range(20_000)]
    started = time.perf_counter()
    found = [index.locate(x, y) for x, y in points]
    rate = len(points) / (time.perf_counter() - started)
    assert found == index.locate_many([p[0] for p in points], [p[1] for p in points])
    _say(request, f"[{tongzhou.db.backend}] GridIndex.locate: {rate:,.0f} lookups/s")


def test_same_seed_same_result_and_different_seed_different(database: Database) -> None:
    def build(seed: int) -> dict[str, list[tuple[Any, ...]]]:
        with session_scope(database.url) as session:
            build_jurisdiction(session=session, boundary=BOUNDARY, county_code="110112", seed=seed, **SMALL)
        return _snapshot(database.url)

    first = build(7)
    assert len(first["grids"]) == 120
    again = build(7)  # rebuilding replaces the previous jurisdiction
    assert again == first
    other = build(8)
    assert [g[2] for g in other["grids"]] != [g[2] for g in first["grids"]]


def test_wgs84_input_is_not_shifted(database: Database) -> None:
    with session_scope(database.url) as session:
        build_jurisdiction(session=session, boundary=BOUNDARY, county_code="110112", crs="wgs84", **SMALL)
        district = session.scalars(select(District)).one()
    geometry, _ = geo.boundary_from_geojson(BOUNDARY)
    assert shape(json.loads(district.geometry)).symmetric_difference(shape(geometry)).area < 1e-6


def test_rebuild_is_refused_while_cases_exist(database: Database) -> None:
    with session_scope(database.url) as session:
        build_jurisdiction(session=session, boundary=BOUNDARY, county_code="110112", **SMALL)
    with session_scope(database.url) as session:
        grid = session.scalars(select(Grid).order_by(Grid.code)).first()
        assert grid is not None
        now = datetime.now(UTC)
        session.add(
            Case(
                code="C-TEST-1",
                state="reported",
                source="grid_worker",
                description="test",
                lat=grid.center_lat,
                lon=grid.center_lon,
                grid_code=grid.code,
                community_code=grid.community_code,
                street_code=grid.street_code,
                reported_at=now,
                updated_at=now,
            )
        )
    with pytest.raises(ValueError, match="1 cases"), session_scope(database.url) as session:
        build_jurisdiction(session=session, boundary=BOUNDARY, county_code="110112", seed=2, **SMALL)
    with session_scope(database.url) as session:
        assert session.query(Grid).count() == 120


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"county_code": "11011"}, "county: must be a 6-digit"),
        ({"crs": "bd09"}, "crs"),
        ({"grids": 20}, "communities: must be"),
        ({"streets": 0}, "streets"),
    ],
)
def test_bad_arguments_are_refused(database: Database, kwargs: dict[str, Any], message: str) -> None:
    args: dict[str, Any] = {"boundary": BOUNDARY, "county_code": "110112", **SMALL, **kwargs}
    with pytest.raises(ValueError, match=message), session_scope(database.url) as session:
        build_jurisdiction(session=session, **args)
