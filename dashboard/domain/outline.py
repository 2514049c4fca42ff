"""Small outlines for a phone's map of one area (the leader pass, pure): simplified rings, rounded coordinates.

A street's outline is the union of its grids, tens of thousands of vertices as stored; a 360-pixel map needs a
few hundred. Rings are simplified to a tolerance that is a share of the area's extent (about one pixel of the
phone's map), then rounded to 5 decimals (about a metre), as [[lon, lat], …] lists.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

DECIMALS = 5  # ~1 m: finer than any pixel of a phone's map
OUTLINE_SHARE = 1 / 400  # the area's own outline: simplified to 1/400 of its larger extent (< 1 px at 360 px)
CHILD_SHARE = 1 / 160  # the children drawn inside it are context only: coarser

Ring = list[list[float]]
Bbox = tuple[float, float, float, float]


def parse(geometry: str | dict[str, Any]) -> BaseGeometry:
    """A stored GeoJSON geometry (text or mapping) as a shapely geometry."""
    return shape(json.loads(geometry) if isinstance(geometry, str) else geometry)


def extent(geom: BaseGeometry) -> float:
    """The larger side of the geometry's bounding box, in degrees."""
    min_x, min_y, max_x, max_y = geom.bounds
    return max(max_x - min_x, max_y - min_y)


def _polygons(geom: BaseGeometry) -> Iterable[BaseGeometry]:
    if geom.geom_type == "Polygon":
        return [geom]
    return [g for g in getattr(geom, "geoms", []) if g.geom_type == "Polygon"]


def rings(geom: BaseGeometry, tolerance: float) -> list[Ring]:
    """The exterior ring of each polygon of `geom`, simplified to `tolerance` (degrees) and rounded; polygons
    that simplify away (smaller than the tolerance) are left out, holes too (a map this small cannot show them)."""
    simple = shapely.simplify(geom, tolerance, preserve_topology=True) if tolerance > 0 else geom
    out: list[Ring] = []
    for polygon in _polygons(simple):
        coords = [[round(x, DECIMALS), round(y, DECIMALS)] for x, y in polygon.exterior.coords]
        deduped = [c for i, c in enumerate(coords) if i == 0 or c != coords[i - 1]]
        if len(deduped) >= 4:  # a closed ring needs three corners and the repeated first one
            out.append(deduped)
    return out


def bbox(geom: BaseGeometry) -> Bbox:
    """(min lon, min lat, max lon, max lat), rounded as the rings are."""
    min_x, min_y, max_x, max_y = geom.bounds
    return (round(min_x, DECIMALS), round(min_y, DECIMALS), round(max_x, DECIMALS), round(max_y, DECIMALS))


def area_outline(geometry: str | dict[str, Any], children: Iterable[tuple[str, str, str]]) -> dict[str, Any]:
    """The map payload of one area: its bbox and rings, and each child's (code, name, geometry) rings, all
    simplified relative to the area's extent."""
    geom = parse(geometry)
    size = extent(geom)
    kids = []
    for code, name, child in children:
        child_rings = rings(parse(child), size * CHILD_SHARE)
        if child_rings:
            kids.append({"code": code, "name": name, "rings": child_rings})
    return {"bbox": list(bbox(geom)), "rings": rings(geom, size * OUTLINE_SHARE), "children": kids}
