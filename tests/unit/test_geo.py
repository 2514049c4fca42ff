"""GCJ-02 ⇄ WGS-84, GeoJSON coordinate mapping, equal-area m² and haversine distance."""

from __future__ import annotations

import json
import math
import random
from pathlib import Path

import pytest
from shapely.geometry import Polygon, box, mapping, shape

from dashboard.domain import geo

BOUNDARY = Path(__file__).resolve().parents[2] / "data" / "boundaries" / "110112.geojson"

# (wgs lat, wgs lon, gcj lat, gcj lon): the reference vectors published with eviltransform.
REFERENCE = [
    (31.1774276, 121.5272106, 31.17530398364597, 121.531541859215),  # Shanghai
    (22.543847, 113.912316, 22.540796131694766, 113.9171764808363),  # Shenzhen
    (39.911954, 116.377817, 39.91334545536069, 116.38404722455657),  # Beijing
]


@pytest.mark.parametrize(("wlat", "wlon", "glat", "glon"), REFERENCE)
def test_wgs84_to_gcj02_matches_reference(wlat: float, wlon: float, glat: float, glon: float) -> None:
    lon, lat = geo.wgs84_to_gcj02(wlon, wlat)
    assert lon == pytest.approx(glon, abs=1e-9)
    assert lat == pytest.approx(glat, abs=1e-9)


@pytest.mark.parametrize(("wlat", "wlon", "glat", "glon"), REFERENCE)
def test_gcj02_to_wgs84_is_an_exact_inverse(wlat: float, wlon: float, glat: float, glon: float) -> None:
    lon, lat = geo.gcj02_to_wgs84(glon, glat)
    assert lon == pytest.approx(wlon, abs=1e-8)
    assert lat == pytest.approx(wlat, abs=1e-8)


def test_round_trip_across_china_within_a_microdegree() -> None:
    rng = random.Random(7)
    for _ in range(500):
        lon, lat = rng.uniform(73.0, 135.0), rng.uniform(18.0, 53.0)
        back = geo.gcj02_to_wgs84(*geo.wgs84_to_gcj02(lon, lat))
        assert abs(back[0] - lon) < 1e-6 and abs(back[1] - lat) < 1e-6


def test_offset_is_hundreds_of_metres_in_beijing() -> None:
    lon, lat = 116.65, 39.90
    shifted = geo.wgs84_to_gcj02(lon, lat)
    assert 100 < geo.haversine_m(lon, lat, *shifted) < 1000


def test_outside_china_is_left_alone() -> None:
    assert geo.out_of_china(2.35, 48.85)
    assert geo.wgs84_to_gcj02(2.35, 48.85) == (2.35, 48.85)
    assert geo.gcj02_to_wgs84(2.35, 48.85) == (2.35, 48.85)


def test_map_coordinates_keeps_structure_and_extra_ordinates() -> None:
    polygon = {
        "type": "Polygon",
        "coordinates": [[[0, 0, 5], [1, 0, 5], [1, 1, 5], [0, 0, 5]], [[0.2, 0.1], [0.3, 0.1], [0.3, 0.2], [0.2, 0.1]]],
    }
    moved = geo.map_coordinates(polygon, lambda x, y: (x + 10, y + 20))
    assert moved["type"] == "Polygon"
    assert moved["coordinates"][0][1] == [11.0, 20.0, 5]
    assert moved["coordinates"][1][0] == pytest.approx([10.2, 20.1])
    assert polygon["coordinates"][0][1] == [1, 0, 5]  # the input is not mutated
    collection = {"type": "GeometryCollection", "geometries": [{"type": "Point", "coordinates": [1, 2]}, polygon]}
    moved = geo.map_coordinates(collection, lambda x, y: (-x, -y))
    assert moved["geometries"][0]["coordinates"] == [-1.0, -2.0]
    with pytest.raises(ValueError):
        geo.map_coordinates({"type": "Feature"}, lambda x, y: (x, y))


def test_whole_geometry_conversion_round_trips() -> None:
    multi = {"type": "MultiPolygon", "coordinates": [[[[116.5, 39.8], [116.6, 39.8], [116.6, 39.9], [116.5, 39.8]]]]}
    back = geo.wgs84_to_gcj02_geometry(geo.gcj02_to_wgs84_geometry(multi))
    for (x, y), (x0, y0) in zip(back["coordinates"][0][0], multi["coordinates"][0][0], strict=True):
        assert x == pytest.approx(x0, abs=1e-8) and y == pytest.approx(y0, abs=1e-8)


def test_boundary_from_geojson_accepts_collection_feature_and_geometry() -> None:
    data = json.loads(BOUNDARY.read_text(encoding="utf-8"))
    geometry, props = geo.boundary_from_geojson(data)
    assert geometry["type"] in ("Polygon", "MultiPolygon")
    assert props["adcode"] == "110112"
    assert geo.boundary_from_geojson(data["features"][0])[0] == data["features"][0]["geometry"]
    assert geo.boundary_from_geojson(mapping(box(0, 0, 1, 1)))[1] == {}
    two = {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "geometry": mapping(box(i, 0, i + 1, 1))} for i in (0, 5)],
    }
    assert geo.boundary_from_geojson(two)[0]["type"] == "MultiPolygon"
    with pytest.raises(ValueError):
        geo.boundary_from_geojson({"type": "Point", "coordinates": [0, 0]})
    with pytest.raises(ValueError):
        geo.boundary_from_geojson({"type": "FeatureCollection", "features": []})


def test_to_shape_snaps_to_the_micro_degree_grid() -> None:
    geom = geo.to_shape({"type": "Polygon", "coordinates": [[[0.1234567, 0], [1, 0], [1, 1], [0.1234567, 0]]]})
    x = geom.exterior.coords[0][0] if geom.exterior.coords[0][0] != 1 else geom.exterior.coords[1][0]
    assert round(x, 6) == pytest.approx(x, abs=1e-12)


def test_geojson_text_rounds_to_six_decimals() -> None:
    text = geo.geojson_text(Polygon([(116.1234567891, 39.9876543219), (116.2, 39.9), (116.2, 40.0)]))
    data = json.loads(text)
    assert data["coordinates"][0][0] == [116.123457, 39.987654]
    assert " " not in text


def _ellipsoid_area_numeric(lon1: float, lat1: float, lon2: float, lat2: float, steps: int = 20000) -> float:
    """Area of a lon/lat quad on WGS-84 by integrating M·N·cos φ dφ dλ (independent of geo's formula)."""
    a, e2 = 6378137.0, 0.0066943799901413165
    total = 0.0
    h = math.radians(lat2 - lat1) / steps
    for i in range(steps):
        phi = math.radians(lat1) + (i + 0.5) * h
        w = 1.0 - e2 * math.sin(phi) ** 2
        total += a * a * (1.0 - e2) / (w * w) * math.cos(phi) * h
    return total * math.radians(lon2 - lon1)


@pytest.mark.parametrize("lat", [0.0, 23.5, 39.9, 52.0])
def test_area_m2_matches_the_ellipsoid(lat: float) -> None:
    quad = box(116.0, lat, 116.5, lat + 0.5)
    expected = _ellipsoid_area_numeric(116.0, lat, 116.5, lat + 0.5)
    assert geo.area_m2(quad) == pytest.approx(expected, rel=1e-6)


def test_tongzhou_area_is_about_906_km2() -> None:
    geometry, _ = geo.boundary_from_geojson(json.loads(BOUNDARY.read_text(encoding="utf-8")))
    area_km2 = geo.area_m2(shape(geo.gcj02_to_wgs84_geometry(geometry))) / 1e6
    assert area_km2 == pytest.approx(906, rel=0.01)  # the district's published area


def test_area_of_empty_geometry_is_zero() -> None:
    assert geo.area_m2(Polygon()) == 0.0


def test_haversine() -> None:
    assert geo.haversine_m(0, 0, 1, 0) == pytest.approx(2 * math.pi * geo.EARTH_RADIUS_M / 360, rel=1e-12)
    assert geo.haversine_m(116.4074, 39.9042, 121.4737, 31.2304) == pytest.approx(1_067_000, rel=0.005)
    assert geo.haversine_m(116.0, 40.0, 116.0, 40.0) == 0.0


def test_lon_scale() -> None:
    assert geo.lon_scale(0) == pytest.approx(1.0)
    assert geo.lon_scale(60) == pytest.approx(0.5)
