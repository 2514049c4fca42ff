"""Geometry helpers: GCJ-02 ⇄ WGS-84, GeoJSON coordinate mapping, equal-area m², haversine distance.

Pure: the standard library and shapely (whose numpy arrays `shapely.transform` hands us).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import shapely
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry

LonLat = tuple[float, float]

# Krasovsky 1940 ellipsoid: the constants the GCJ-02 offset is defined with (not WGS-84's).
_GCJ_A = 6378245.0
_GCJ_EE = 0.00669342162296594323
# WGS-84 ellipsoid, for areas.
_WGS_A = 6378137.0
_WGS_E2 = 0.0066943799901413165
_WGS_E = math.sqrt(_WGS_E2)
# IUGG mean Earth radius, for great-circle distances.
EARTH_RADIUS_M = 6371008.8


def out_of_china(lon: float, lat: float) -> bool:
    """True when the point lies outside the rough box where GCJ-02 applies (it is then left unshifted)."""
    return not (72.004 <= lon <= 137.8347 and 0.8293 <= lat <= 55.8271)


def _shift_lat(x: float, y: float) -> float:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (160.0 * math.sin(y / 12.0 * math.pi) + 320.0 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return ret


def _shift_lon(x: float, y: float) -> float:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return ret


def _gcj_offset(lon: float, lat: float) -> LonLat:
    d_lat = _shift_lat(lon - 105.0, lat - 35.0)
    d_lon = _shift_lon(lon - 105.0, lat - 35.0)
    rad_lat = math.radians(lat)
    magic = 1.0 - _GCJ_EE * math.sin(rad_lat) ** 2
    sqrt_magic = math.sqrt(magic)
    d_lat = (d_lat * 180.0) / ((_GCJ_A * (1.0 - _GCJ_EE)) / (magic * sqrt_magic) * math.pi)
    d_lon = (d_lon * 180.0) / (_GCJ_A / sqrt_magic * math.cos(rad_lat) * math.pi)
    return d_lon, d_lat


def wgs84_to_gcj02(lon: float, lat: float) -> LonLat:
    """Shift a WGS-84 point to GCJ-02 (the offset Chinese base maps use); identity outside China."""
    if out_of_china(lon, lat):
        return lon, lat
    d_lon, d_lat = _gcj_offset(lon, lat)
    return lon + d_lon, lat + d_lat


def gcj02_to_wgs84(lon: float, lat: float, *, tolerance: float = 1e-9) -> LonLat:
    """Invert GCJ-02 to WGS-84 exactly (fixed-point iteration to `tolerance` degrees); identity outside China."""
    if out_of_china(lon, lat):
        return lon, lat
    # The offset varies slowly (its gradient is ~1e-5), so x ← x − (f(x) − target) converges in 2–4 steps.
    w_lon, w_lat = lon, lat
    for _ in range(30):
        g_lon, g_lat = wgs84_to_gcj02(w_lon, w_lat)
        e_lon, e_lat = g_lon - lon, g_lat - lat
        if abs(e_lon) < tolerance and abs(e_lat) < tolerance:
            break
        w_lon -= e_lon
        w_lat -= e_lat
    return w_lon, w_lat


MAP_CRS = ("wgs84", "gcj02")


def to_map_crs(lon: float, lat: float, crs: str) -> LonLat:
    """A stored (WGS-84) point in the datum a base map draws in: unchanged for `wgs84`, shifted for `gcj02`
    (Chinese tile providers: AutoNavi/Amap, Tencent); the one place positions leave WGS-84."""
    if crs == "gcj02":
        return wgs84_to_gcj02(lon, lat)
    if crs == "wgs84":
        return lon, lat
    raise ValueError(f"unknown map datum {crs!r}; expected one of {MAP_CRS}")


def map_coordinates(geometry: Mapping[str, Any], fn: Callable[[float, float], LonLat]) -> dict[str, Any]:
    """A copy of a GeoJSON geometry with `fn(lon, lat)` applied to every position (extra ordinates kept)."""
    kind = geometry.get("type")
    if kind == "GeometryCollection":
        return {"type": kind, "geometries": [map_coordinates(g, fn) for g in geometry["geometries"]]}
    if "coordinates" not in geometry:
        raise ValueError(f"not a GeoJSON geometry: {kind!r}")

    def walk(node: Any) -> Any:
        if node and isinstance(node[0], int | float):
            x, y = fn(float(node[0]), float(node[1]))
            return [x, y, *node[2:]]
        return [walk(child) for child in node]

    return {"type": kind, "coordinates": walk(geometry["coordinates"])}


def gcj02_to_wgs84_geometry(geometry: Mapping[str, Any]) -> dict[str, Any]:
    """Convert a whole GeoJSON geometry from GCJ-02 to WGS-84."""
    return map_coordinates(geometry, gcj02_to_wgs84)


def wgs84_to_gcj02_geometry(geometry: Mapping[str, Any]) -> dict[str, Any]:
    """Convert a whole GeoJSON geometry from WGS-84 to GCJ-02 (for base maps that use it)."""
    return map_coordinates(geometry, wgs84_to_gcj02)


def boundary_from_geojson(obj: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The polygonal GeoJSON geometry and properties of a FeatureCollection, Feature or bare geometry."""
    kind = obj.get("type")
    if kind == "FeatureCollection":
        features = [f for f in obj.get("features", []) if f.get("geometry")]
        if not features:
            raise ValueError("the boundary FeatureCollection has no feature with a geometry")
        polygons: list[Any] = []
        for feature in features:
            geometry = feature["geometry"]
            if geometry["type"] == "Polygon":
                polygons.append(geometry["coordinates"])
            elif geometry["type"] == "MultiPolygon":
                polygons.extend(geometry["coordinates"])
            else:
                raise ValueError(f"boundary features must be polygons, got {geometry['type']}")
        props = dict(features[0].get("properties") or {})
        if len(polygons) == 1:
            return {"type": "Polygon", "coordinates": polygons[0]}, props
        return {"type": "MultiPolygon", "coordinates": polygons}, props
    if kind == "Feature":
        geometry = obj.get("geometry") or {}
        if geometry.get("type") not in ("Polygon", "MultiPolygon"):
            raise ValueError(f"the boundary feature must be a polygon, got {geometry.get('type')}")
        return dict(geometry), dict(obj.get("properties") or {})
    if kind in ("Polygon", "MultiPolygon"):
        return dict(obj), {}
    raise ValueError(f"boundary must be a GeoJSON FeatureCollection, Feature or (Multi)Polygon, got {kind!r}")


def to_shape(geometry: Mapping[str, Any], *, grid_size: float | None = 1e-6) -> BaseGeometry:
    """A valid shapely geometry from GeoJSON, snapped to `grid_size` degrees (1e-6 ≈ 0.1 m) when given."""
    geom = shapely.make_valid(shape(geometry))
    if grid_size:
        geom = shapely.set_precision(geom, grid_size)
    return geom


def round_coordinates(geometry: Mapping[str, Any], ndigits: int = 6) -> dict[str, Any]:
    """A copy of a GeoJSON geometry with every coordinate rounded to `ndigits` decimals."""
    return map_coordinates(geometry, lambda x, y: (round(x, ndigits), round(y, ndigits)))


def geojson_text(geom: BaseGeometry, ndigits: int = 6) -> str:
    """Compact GeoJSON text of a geometry with coordinates rounded to `ndigits` decimals."""
    return json.dumps(round_coordinates(mapping(geom), ndigits), separators=(",", ":"))


def haversine_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Great-circle distance in metres between two lon/lat points."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def lon_scale(lat: float) -> float:
    """Metres per degree of longitude over metres per degree of latitude at `lat` (≈ cos lat)."""
    return math.cos(math.radians(lat))


def _authalic_q(sin_phi: np.ndarray) -> np.ndarray:
    e_sin = _WGS_E * sin_phi
    return (1.0 - _WGS_E2) * (
        sin_phi / (1.0 - e_sin * e_sin) - (1.0 / (2.0 * _WGS_E)) * np.log((1.0 - e_sin) / (1.0 + e_sin))
    )


def equal_area_projection(geom: BaseGeometry) -> BaseGeometry:
    """`geom` in metres on the cylindrical equal-area projection of the WGS-84 ellipsoid about its centroid."""
    if geom.is_empty:
        return geom
    centre = geom.centroid
    lon0, lat0 = centre.x, centre.y
    sin0 = math.sin(math.radians(lat0))
    # Standard parallel at the centroid keeps shapes nearly true; areas are exact on the ellipsoid anyway.
    k0 = math.cos(math.radians(lat0)) / math.sqrt(1.0 - _WGS_E2 * sin0 * sin0)

    def project(coords: np.ndarray) -> np.ndarray:
        lam = np.radians(coords[:, 0] - lon0)
        q = _authalic_q(np.sin(np.radians(coords[:, 1])))
        return np.column_stack((_WGS_A * k0 * lam, _WGS_A * q / (2.0 * k0)))

    return shapely.transform(geom, project)


def area_m2(geom: BaseGeometry) -> float:
    """Area in square metres of a lon/lat (WGS-84) geometry, via a local equal-area projection."""
    return float(equal_area_projection(geom).area)
