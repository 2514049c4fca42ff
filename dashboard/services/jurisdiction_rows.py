"""The table rows of a jurisdiction and the sizing rule, shared by the synthetic build and the official grid import.

Both write streets, communities, grids, departments and catalog conditions the same way (outline, centre, bounding
box), and both stamp the grids version that tells other processes to reload their grid index.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from shapely.geometry.base import BaseGeometry
from sqlalchemy import insert
from sqlalchemy.orm import Session

from dashboard.domain import geo
from dashboard.domain.catalog_default import DepartmentSpec

META_PREFIX = "jurisdiction."


# Changed whenever the grids change (build or import), so other processes know to reload their grid index.
GRIDS_VERSION_KEY = META_PREFIX + "grids_version"


# Sizing rule from the seeds (DESIGN.md section 4): people and households per grid, ±20 % seeded noise.
URBAN_PEOPLE, URBAN_HOUSEHOLDS = 1500, 500


RURAL_PEOPLE, RURAL_HOUSEHOLDS = 1000, 300


SIZE_NOISE = 0.20


_INSERT_CHUNK = 500


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
