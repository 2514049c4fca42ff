"""`gridcmd import-grids`: a shapely-built subdivision is checked first, then goes in, and re-imports in place."""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
import shapely
from shapely.geometry import box, mapping, shape
from sqlalchemy import func, select

from dashboard import cli
from dashboard.config import Settings, get_settings
from dashboard.domain import geo
from dashboard.runtime import Runtime
from dashboard.services.grid_import import import_grids
from dashboard.services.intake import ReportCase, report_case
from dashboard.services.jurisdiction import load_grid_index
from dashboard.store.db import get_engine, session_scope
from dashboard.store.models import AuditEntry, Case, CatalogItem, Community, Department, District, Grid, Staff, Street
from dashboard.store.schema import migrate
from tests.conftest import PG_BASE, postgres_schema_url, sqlite_url

WEST, NORTH = 116.70, 39.83  # inside Tongzhou, WGS-84
DX, DY = 0.01, 0.008  # one grid ≈ 855 m × 890 m
COLS, ROWS = 4, 3
STREETS = {1: "中仓街道", 2: "永顺镇"}


def cell(col: int, row: int) -> shapely.Polygon:
    """The square of column `col` (west→east) and row `row` (north→south)."""
    return box(WEST + col * DX, NORTH - (row + 1) * DY, WEST + (col + 1) * DX, NORTH - row * DY)


def code_of(col: int, row: int) -> str:
    """Street 001 holds the western two columns, 002 the eastern; a community per street and row."""
    street = 1 + col // 2
    return f"110112{street:03d}{row + 1:03d}{col % 2 + 1:03d}"


def subdivision(**changes: Any) -> dict[str, Any]:
    """A 12-grid FeatureCollection in the usual property names; `changes[code] = {...}` edits one feature."""
    features = []
    for row in range(ROWS):
        for col in range(COLS):
            code = code_of(col, row)
            street = 1 + col // 2
            props = {
                "网格编码": code,
                "网格名称": f"{STREETS[street]}{row + 1}号网格{col % 2 + 1}",
                "街道": STREETS[street],
                "社区": f"{STREETS[street][:2]}{row + 1}{'社区' if street == 1 else '村'}",
                "人口": 1200 + 10 * col + row,
                "类型": "专属网格" if (col, row) == (3, 2) else "基础网格",
            }
            features.append({"type": "Feature", "properties": props, "geometry": mapping(cell(col, row))})
    collection = {"type": "FeatureCollection", "features": features}
    for code, change in changes.items():
        feature = next(f for f in features if f["properties"]["网格编码"] == code)
        if "geometry" in change:
            feature["geometry"] = mapping(change["geometry"]) if change["geometry"] is not None else None
        feature["properties"].update(change.get("properties", {}))
    return collection


def rows_of(report: Any, kind: str) -> list[tuple[int, ...]]:
    """The feature numbers of each problem of `kind`."""
    return [p.rows for p in report.problems if p.kind == kind]


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated, empty database per test."""
    if request.param == "sqlite":
        url = sqlite_url(tmp_path / "grids.db")
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


def run_import(url: str, collection: dict[str, Any], **kwargs: Any) -> Any:
    with session_scope(url) as session:
        return import_grids(session=session, collection=collection, **kwargs)


def counts(url: str) -> dict[str, int]:
    with session_scope(url) as session:
        return {
            m.__tablename__: session.scalar(select(func.count()).select_from(m)) or 0
            for m in (District, Street, Community, Grid, Staff, Department, CatalogItem)
        }


def test_a_subdivision_builds_the_jurisdiction_from_its_codes(db_url: str) -> None:
    report = run_import(db_url, subdivision())
    assert not report.errors, [p.message for p in report.errors]
    assert report.written and len(report.inserted) == 12
    assert sorted(report.streets["new"]) == ["110112001", "110112002"]
    assert len(report.communities["new"]) == 6
    with session_scope(db_url) as session:
        district = session.get(District, "110112")
        streets = {s.code: s for s in session.scalars(select(Street))}
        grid = session.get(Grid, code_of(3, 2))
        community = session.get(Community, "110112002003")
        index = load_grid_index(session)
        union = shapely.union_all([cell(c, r) for c in range(COLS) for r in range(ROWS)])
        assert district is not None and abs(district.area_m2 - geo.area_m2(union)) < 1.0
        assert (streets["110112001"].name, streets["110112001"].kind) == ("中仓街道", "street")
        assert (streets["110112002"].name, streets["110112002"].kind) == ("永顺镇", "town")
        assert community is not None and (community.name, community.kind) == ("永顺3村", "rural")
        assert grid is not None and (grid.kind, grid.population, grid.name) == ("dedicated", 1232, "永顺镇3号网格2")
        # The street departments and the default catalog come with a new jurisdiction, and every grid has a team.
        assert session.get(Department, "110112002ZF") is not None
        assert session.scalar(select(func.count()).select_from(CatalogItem))
        teams = session.scalar(select(func.count(func.distinct(Staff.grid_code))))
        audit = session.scalars(select(AuditEntry.action)).all()
    assert teams == 12 and "grids:import" in audit
    centre = cell(1, 1).centroid
    assert index.locate(centre.x, centre.y).code == code_of(1, 1)


def test_reimport_updates_in_place_and_keeps_cases(db_url: str) -> None:
    run_import(db_url, subdivision())
    staff_before = counts(db_url)["staff"]
    again = run_import(db_url, subdivision())
    assert (len(again.unchanged), again.inserted, again.updated, again.removed) == (12, [], [], [])
    assert counts(db_url)["staff"] == staff_before

    target = code_of(1, 1)
    inside = cell(1, 1).centroid
    with session_scope(db_url) as session:
        case = report_case(
            ReportCase(description="井盖破损", lat=inside.y, lon=inside.x, source="grid_worker"),
            session=session,
            grids=load_grid_index(session),
            county_code="110112",
            tz="Asia/Shanghai",
        ).case
        case_id = case.id
        assert case.grid_code == target

    # The shared edge of (1,1) and (2,1) moves east, (0,0) is renamed, (3,0) is split into a new grid 003.
    moved, neighbour = box(*cell(1, 1).bounds[:2], WEST + 2.5 * DX, NORTH - DY), cell(2, 1)
    neighbour = neighbour.difference(moved)
    east = cell(3, 0)
    half_w, half_e = box(*east.bounds[:2], WEST + 3.5 * DX, NORTH), box(WEST + 3.5 * DX, *east.bounds[1:])
    changed = subdivision(
        **{
            target: {"geometry": moved},
            code_of(2, 1): {"geometry": neighbour},
            code_of(0, 0): {"properties": {"网格名称": "中仓一网格"}},
            code_of(3, 0): {"geometry": half_w},
        }
    )
    extra = copy.deepcopy(changed["features"][3])
    extra["geometry"] = mapping(half_e)
    extra["properties"].update({"网格编码": "110112002001003", "网格名称": "永顺新网格"})
    changed["features"].append(extra)
    report = run_import(db_url, changed)
    assert not report.errors, [p.message for p in report.errors]
    assert sorted(report.updated) == sorted([target, code_of(2, 1), code_of(0, 0), code_of(3, 0)])
    assert report.inserted == ["110112002001003"] and report.removed == []
    with session_scope(db_url) as session:
        kept = session.get(Case, case_id)
        grid = session.get(Grid, target)
        assert kept is not None and kept.grid_code == target
        assert grid is not None and abs(shape(json.loads(grid.geometry)).area - moved.area) < 1e-9
        assert session.get(Grid, code_of(0, 0)).name == "中仓一网格"
        assert session.scalar(select(func.count()).select_from(Staff).where(Staff.grid_code == "110112002001003"))

    # A file without the grid the case points at is refused whole: nothing is deleted or changed.
    before = counts(db_url)
    without = subdivision()
    without["features"] = [f for f in without["features"] if f["properties"]["网格编码"] != target]
    refused = run_import(db_url, without)
    assert not refused.written
    in_use = [p for p in refused.errors if p.kind == "grid_in_use"]
    assert len(in_use) == 1 and target in in_use[0].message  # (the hole it leaves is reported as a gap too)
    assert counts(db_url) == before
    with session_scope(db_url) as session:
        assert session.get(Grid, "110112002001003") is not None  # the refused file would have removed it


# Features are numbered row-major from 1: (col, row) is feature row * 4 + col + 1.
PROBLEM_FILES = {
    # Feature 6 shrunk by ~85 m all round: a ring-shaped gap enclosed by its neighbours.
    "gap": ({code_of(1, 1): {"geometry": cell(1, 1).buffer(-0.001, join_style="mitre")}}, 6),
    # Feature 7 reaches 0.2 of a grid into feature 6.
    "overlap": ({code_of(2, 1): {"geometry": box(WEST + 1.8 * DX, NORTH - 2 * DY, WEST + 3 * DX, NORTH - DY)}}, (6, 7)),
    "duplicate_code": ({code_of(3, 2): {"properties": {"网格编码": code_of(2, 2)}}}, (11, 12)),
    "malformed_code": (
        {
            code_of(2, 0): {"properties": {"网格编码": "11011200200100"}},  # 14 digits
            code_of(3, 0): {"properties": {"网格编码": "110112000001002"}},  # street 000
        },
        (3, 4),
    ),
    "geometry": ({code_of(0, 2): {"geometry": None}}, (9,)),
}


@pytest.mark.parametrize("kind", PROBLEM_FILES)
def test_each_problem_is_reported_with_its_features_and_nothing_is_written(db_url: str, kind: str) -> None:
    changes, expected = PROBLEM_FILES[kind]
    report = run_import(db_url, subdivision(**changes))
    assert not report.written
    assert {p.kind for p in report.errors} == {kind}, [p.message for p in report.problems]
    found = rows_of(report, kind)
    if isinstance(expected, int):
        assert all(expected in rows for rows in found) and found
    elif kind == "malformed_code":
        assert found == [(3,), (4,)]
    else:
        assert found == [expected]
    assert counts(db_url)["grids"] == 0 and counts(db_url)["districts"] == 0


def test_slivers_warn_and_gaps_can_be_allowed(db_url: str) -> None:
    # 0.4 m of overlap along a 890 m edge is digitising slop: a warning, and the file imports.
    sliver = box(*cell(1, 1).bounds[:2], WEST + 2 * DX + 0.000005, NORTH - DY)
    report = run_import(db_url, subdivision(**{code_of(1, 1): {"geometry": sliver}}))
    assert not report.errors and report.written
    assert rows_of(report, "sliver") == [(6, 7)]

    hole = cell(1, 1).buffer(-0.002, join_style="mitre")
    gap = subdivision(**{code_of(1, 1): {"geometry": hole}})
    assert [p.kind for p in run_import(db_url, gap, dry_run=True).errors] == ["gap"]
    allowed = run_import(db_url, gap, allow_gaps=True)
    assert allowed.written and [p.kind for p in allowed.warnings] == ["gap"]


def test_gcj02_files_are_converted(db_url: str) -> None:
    collection = subdivision()
    for feature in collection["features"]:
        feature["geometry"] = geo.wgs84_to_gcj02_geometry(feature["geometry"])
    assert not run_import(db_url, collection, crs="gcj02").errors
    with session_scope(db_url) as session:
        stored = shape(json.loads(session.get(Grid, code_of(0, 0)).geometry))
    assert stored.hausdorff_distance(cell(0, 0)) < 2e-6  # back on WGS-84 within ~0.2 m


def test_running_apps_reload_their_grids_and_use_the_database_county(
    db_url: str, redis_url: str, redis_prefix: str, tmp_path: Path
) -> None:
    run_import(db_url, subdivision())
    settings = Settings(
        database_url=db_url,
        redis_url=redis_url,
        redis_prefix=redis_prefix,
        var_dir=tmp_path,
        county_code="330400",  # a stale setting: the database's district wins
        grids_refresh_s=0,
    )
    rt = Runtime.build(settings)
    assert rt.settings.county_code == "110112"
    assert len(rt.grid_index()) == 12
    changed = subdivision()
    extra = copy.deepcopy(changed["features"][0])
    extra["geometry"] = mapping(box(WEST - DX, NORTH - DY, WEST, NORTH))
    extra["properties"]["网格编码"] = "110112001001003"
    changed["features"].append(extra)
    assert run_import(db_url, changed).written  # as another process (gridcmd import-grids) would
    assert len(rt.grid_index()) == 13


def test_the_cli_prints_the_report_and_fails_in_one_line(
    db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("VAR_DIR", str(tmp_path))
    get_settings.cache_clear()
    try:
        good = tmp_path / "grids.geojson"
        good.write_text(json.dumps(subdivision(), ensure_ascii=False), encoding="utf-8")
        assert cli.main(["import-grids", str(good), "--dry-run"]) == 0
        out = capsys.readouterr().out
        assert "新增 new 12" in out and "dry run" in out and counts(db_url)["grids"] == 0
        assert cli.main(["import-grids", str(good)]) == 0
        assert counts(db_url)["grids"] == 12

        dup = subdivision(**{code_of(3, 2): {"properties": {"网格编码": code_of(2, 2)}}})
        bad = tmp_path / "dup.geojson"
        bad.write_text(json.dumps(dup, ensure_ascii=False), encoding="utf-8")
        assert cli.main(["import-grids", str(bad)]) == 2
        captured = capsys.readouterr()
        assert "features 11, 12: code 110112002003001 repeated" in captured.out
        assert captured.err.count("\n") == 1 and captured.err.startswith("gridcmd import-grids: error: FILE:")
    finally:
        get_settings.cache_clear()
