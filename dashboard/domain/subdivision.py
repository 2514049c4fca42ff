"""Read an official grid subdivision (a GeoJSON FeatureCollection of grid polygons) and check it before import.

Each feature is one grid: its 15-digit code (`code`, `grid_code`, `wgbm`, `网格编码` …), and when present its
name, kind, population, households and the names of its street and community. Streets and communities are the
code prefixes (9 and 12 digits). The checks name features by their 1-based number in the file ("feature 7"):
malformed, missing and duplicate codes, more than one county, geometry that is not a polygon or not lon/lat,
overlaps between grids, gaps enclosed by grids, and slivers (gap or overlap pieces thinner than a few metres,
and grids that are themselves thin slivers). Errors stop the import; warnings are reported and imported.
Pieces under `NOISE_M2` are digitising noise and are not reported.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Polygon, shape
from shapely.geometry.base import BaseGeometry

from dashboard.domain import codes, geo

# Property names, matched without regard to case, spaces, "_" or "-"; the first present wins.
CODE_KEYS = ("grid_code", "wgbm", "网格编码", "网格代码", "网格编号", "code", "gridcode", "bm", "编码")
NAME_KEYS = ("grid_name", "wgmc", "网格名称", "name", "名称", "mc")
KIND_KEYS = ("kind", "grid_kind", "wglx", "网格类型", "类型", "type")
POPULATION_KEYS = ("population", "pop", "人口", "人口数", "常住人口", "rks", "rk")
HOUSEHOLD_KEYS = ("households", "户数", "hs")
STREET_KEYS = ("street", "street_name", "jdmc", "街道", "街道名称", "乡镇街道", "镇街", "街镇")
COMMUNITY_KEYS = ("community", "community_name", "sqmc", "社区", "社区名称", "村社区", "社区村", "村居")

BASIC_KINDS = ("basic", "基础", "基础网格", "一般", "一般网格", "综合网格")
DEDICATED_KINDS = ("dedicated", "专属", "专属网格", "专项", "专项网格", "专业网格")

NAME_MAX = 64
NOISE_M2 = 1.0  # gap and overlap pieces smaller than this are float noise along shared edges
SLIVER_M2 = 100.0  # a gap or overlap smaller than this, or thinner than SLIVER_WIDTH_M, is a sliver (warning)
SLIVER_WIDTH_M = 2.0
SLIVER_GRID_M2 = 500.0  # a grid smaller than this, or thinner than SLIVER_GRID_WIDTH_M, is a sliver grid
SLIVER_GRID_WIDTH_M = 5.0


@dataclass(frozen=True)
class Problem:
    """One finding: `kind` (malformed_code, overlap, gap, sliver …), the features it concerns, a message."""

    severity: str  # error | warning
    kind: str
    rows: tuple[int, ...]
    message: str


@dataclass
class GridFeature:
    """One grid read from the file, WGS-84."""

    row: int
    code: str
    geometry: BaseGeometry
    name: str | None = None
    kind: str | None = None
    population: int | None = None
    households: int | None = None
    street_name: str | None = None
    community_name: str | None = None

    @property
    def street_code(self) -> str:
        """The 9-digit street prefix of the code."""
        return self.code[: codes.STREET_CODE_LEN]

    @property
    def community_code(self) -> str:
        """The 12-digit community prefix of the code."""
        return self.code[: codes.COMMUNITY_CODE_LEN]


@dataclass
class Subdivision:
    """The grids that could be read, every problem found, and the county they belong to."""

    grids: list[GridFeature] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    county_code: str | None = None
    features: int = 0

    @property
    def errors(self) -> list[Problem]:
        """The problems that stop the import."""
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        """The problems reported and imported anyway."""
        return [p for p in self.problems if p.severity == "warning"]


class SubdivisionError(ValueError):
    """The file as a whole is not a grid subdivision (not a FeatureCollection, no features)."""


def _norm_key(key: object) -> str:
    return re.sub(r"[\s_\-（）()]", "", unicodedata.normalize("NFKC", str(key))).lower()


def _lookup(props: Mapping[str, Any], keys: Sequence[str]) -> Any:
    normalised = {_norm_key(k): v for k, v in props.items()}
    for key in keys:
        value = normalised.get(_norm_key(key))
        if value is not None and str(value).strip() != "":
            return value
    return None


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = " ".join(str(value).split())  # not NFKC: names keep their full-width （）
    return text or None


def _code_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a spreadsheet export may write the code as a number
    return "".join(unicodedata.normalize("NFKC", str(value)).split())


def _count(value: Any) -> int | None:
    """A non-negative whole count from 1523, "1,523", "1523人" or 1523.0; None when it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return int(value) if math.isfinite(value) and value >= 0 and float(value).is_integer() else None
    digits = re.fullmatch(r"\s*([0-9][0-9,，]*)\s*(人|户|口)?\s*", unicodedata.normalize("NFKC", str(value)))
    return int(re.sub(r"[,，]", "", digits.group(1))) if digits else None


def _kind(value: Any) -> str | None:
    text = _norm_key(value)
    if text in {_norm_key(k) for k in BASIC_KINDS}:
        return "basic"
    if text in {_norm_key(k) for k in DEDICATED_KINDS} or text.endswith("专属网格"):
        return "dedicated"
    return None


def _polygonal(geom: BaseGeometry) -> BaseGeometry:
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    pieces = [p for p in shapely.get_parts(geom) if p.geom_type == "Polygon" and not p.is_empty]
    if not pieces:
        return Polygon()
    return pieces[0] if len(pieces) == 1 else MultiPolygon(pieces)


def _width_m(geom: BaseGeometry) -> float:
    """Mean width in metres (2 · area / perimeter, on an equal-area projection)."""
    projected = geo.equal_area_projection(geom)
    return 2.0 * projected.area / projected.length if projected.length else 0.0


def _rows_text(rows: Sequence[int]) -> str:
    return ", ".join(str(r) for r in rows)


def _feature_problem(severity: str, kind: str, row: int, message: str) -> Problem:
    """A problem of one feature, its message prefixed with the feature's number."""
    return Problem(severity, kind, (row,), f"feature {row}: {message}")


def _geometry(
    row: int, raw: Any, convert: Callable[[Mapping[str, Any]], dict[str, Any]] | None, problems: list[Problem]
) -> BaseGeometry | None:
    def error(kind: str, message: str) -> None:
        problems.append(_feature_problem("error", kind, row, message))

    if not isinstance(raw, Mapping) or not raw.get("type"):
        error("geometry", "has no geometry")
        return None
    if raw["type"] not in ("Polygon", "MultiPolygon"):
        error("geometry", f"geometry is a {raw['type']}, not a Polygon or MultiPolygon")
        return None
    try:
        geom = shape(convert(raw) if convert else raw)
    except Exception as exc:  # shapely raises several types for malformed coordinates
        error("geometry", f"coordinates cannot be read ({' '.join(str(exc).split()) or type(exc).__name__})")
        return None
    if geom.is_empty:
        error("geometry", "geometry is empty")
        return None
    minx, miny, maxx, maxy = geom.bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        error(
            "geometry",
            f"coordinates are not lon/lat degrees (x {minx:.0f}..{maxx:.0f}, y {miny:.0f}..{maxy:.0f}); "
            "convert the file to WGS-84 (EPSG:4326) or GCJ-02 first",
        )
        return None
    if not geom.is_valid:
        reason = shapely.is_valid_reason(geom)
        geom = _polygonal(shapely.make_valid(geom))
        problems.append(_feature_problem("warning", "invalid_geometry", row, f"{reason}; repaired"))
    # Vertex by vertex to 1e-6° (≈ 0.1 m): a vertex shared by neighbours moves identically in both.
    rounded = shapely.set_precision(geom, 1e-6, mode="pointwise")
    geom = rounded if rounded.is_valid else _polygonal(shapely.make_valid(rounded))
    if geom.is_empty or geom.area <= 0:
        error("geometry", "geometry has no area")
        return None
    return geom


def _features(collection: Mapping[str, Any], crs: str) -> list[Any]:
    """The collection's features; SubdivisionError when `crs` is unknown or there is no FeatureCollection."""
    if crs not in ("wgs84", "gcj02", "cgcs2000"):
        raise SubdivisionError(f"crs must be wgs84, cgcs2000 or gcj02, got {crs!r}")
    if collection.get("type") != "FeatureCollection":
        raise SubdivisionError(f"expected a GeoJSON FeatureCollection of grids, got a {collection.get('type')!r}")
    features = collection.get("features")
    if not isinstance(features, list) or not features:
        raise SubdivisionError("the FeatureCollection has no features")
    return features


def _read_feature(
    row: int,
    feature: Any,
    convert: Callable[[Mapping[str, Any]], dict[str, Any]] | None,
    result: Subdivision,
    seen: dict[str, list[int]],
    shapes: list[tuple[int, BaseGeometry]],
) -> None:
    """One feature: its polygon into `shapes`, its code into `seen`, and its grid into `result` when both read."""
    if not isinstance(feature, Mapping) or feature.get("type") != "Feature":
        result.problems.append(_feature_problem("error", "feature", row, "not a GeoJSON Feature"))
        return
    props = feature.get("properties") or {}
    if not isinstance(props, Mapping):
        props = {}
    raw_code = _lookup(props, CODE_KEYS)
    geom = _geometry(row, feature.get("geometry"), convert, result.problems)
    if geom is not None:
        shapes.append((row, geom))
    if raw_code is None:
        result.problems.append(
            _feature_problem("error", "missing_code", row, "no grid code (code, grid_code, wgbm, 网格编码)")
        )
        return
    code = _code_text(raw_code)
    try:
        codes.parse_grid_code(code)
    except ValueError as exc:
        result.problems.append(_feature_problem("error", "malformed_code", row, str(exc)))
        return
    seen[code].append(row)
    if geom is None:
        return
    grid = GridFeature(row=row, code=code, geometry=geom)
    _read_names(grid, props, result.problems)
    _read_kind(grid, props, result.problems)
    _read_counts(grid, props, result.problems)
    result.grids.append(grid)


def _read_names(grid: GridFeature, props: Mapping[str, Any], problems: list[Problem]) -> None:
    """The grid's, street's and community's names, cut to NAME_MAX (the stored width) with a warning."""
    grid.name = _text(_lookup(props, NAME_KEYS))
    grid.street_name = _text(_lookup(props, STREET_KEYS))
    grid.community_name = _text(_lookup(props, COMMUNITY_KEYS))
    for attr in ("name", "street_name", "community_name"):
        value = getattr(grid, attr)
        if value and len(value) > NAME_MAX:
            setattr(grid, attr, value[:NAME_MAX])
            problems.append(_feature_problem("warning", "long_name", grid.row, f"{attr} longer than {NAME_MAX}; cut"))


def _read_kind(grid: GridFeature, props: Mapping[str, Any], problems: list[Problem]) -> None:
    """The grid's kind when given; one not understood is warned of and left to default to basic."""
    raw_kind = _lookup(props, KIND_KEYS)
    if raw_kind is not None:
        grid.kind = _kind(raw_kind)
        if grid.kind is None:
            problems.append(_feature_problem("warning", "kind", grid.row, f"kind {raw_kind!r} not understood; basic"))


def _read_counts(grid: GridFeature, props: Mapping[str, Any], problems: list[Problem]) -> None:
    """The grid's population and households when given; one that is not a count is warned of and estimated."""
    for attr, keys in (("population", POPULATION_KEYS), ("households", HOUSEHOLD_KEYS)):
        raw = _lookup(props, keys)
        if raw is None:
            continue
        value = _count(raw)
        if value is None:
            problems.append(_feature_problem("warning", attr, grid.row, f"{attr} {raw!r} is not a count; estimated"))
        setattr(grid, attr, value)


def _drop_duplicates(result: Subdivision, seen: dict[str, list[int]]) -> None:
    """An error for every code used by several features, none of which is kept."""
    for code, rows in seen.items():
        if len(rows) > 1:
            result.problems.append(
                Problem("error", "duplicate_code", tuple(rows), f"features {_rows_text(rows)}: code {code} repeated")
            )
    duplicated = {code for code, rows in seen.items() if len(rows) > 1}
    result.grids = [g for g in result.grids if g.code not in duplicated]


def _check_county(result: Subdivision, seen: dict[str, list[int]]) -> None:
    """The county most codes belong to (ties to the higher code); an error for features of any other."""
    counties: dict[str, list[int]] = defaultdict(list)
    for code, rows in seen.items():
        counties[code[: codes.COUNTY_DIGITS]].extend(rows)
    if not counties:
        result.county_code = None
        return
    main = max(counties, key=lambda c: (len(counties[c]), c))
    for county, rows in sorted(counties.items()):
        if county != main:
            shown = sorted(rows)
            result.problems.append(
                Problem(
                    "error",
                    "county",
                    tuple(shown),
                    f"features {_rows_text(shown)}: county {county}, not {main} like the other "
                    f"{len(counties[main])} (one county per database)",
                )
            )
    result.county_code = main


def read_subdivision(collection: Mapping[str, Any], *, crs: str = "wgs84") -> Subdivision:
    """Every grid of a FeatureCollection with its row problems; GCJ-02 coordinates are converted when `crs` says so.

    Raises SubdivisionError when the object is not a FeatureCollection with features.
    """
    features = _features(collection, crs)
    convert = geo.gcj02_to_wgs84_geometry if crs == "gcj02" else None
    result = Subdivision(features=len(features))
    seen: dict[str, list[int]] = defaultdict(list)
    # Coverage is checked on every readable polygon, whatever its code, so one bad code cannot hide a gap.
    shapes: list[tuple[int, BaseGeometry]] = []
    for row, feature in enumerate(features, start=1):
        _read_feature(row, feature, convert, result, seen, shapes)
    _drop_duplicates(result, seen)
    _check_county(result, seen)
    _check_names(result)
    result.problems.extend(check_coverage(shapes))
    return result


def _check_names(result: Subdivision) -> None:
    """A street or community prefix given two different names is reported; the first one is used."""
    for attr, prefix in (("street_name", "street_code"), ("community_name", "community_code")):
        names: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
        for grid in result.grids:
            value = getattr(grid, attr)
            if value:
                names[getattr(grid, prefix)][value].append(grid.row)
        for code, by_name in sorted(names.items()):
            if len(by_name) > 1:
                parts = "; ".join(f"{n!r} (features {_rows_text(r)})" for n, r in by_name.items())
                rows = tuple(sorted(r for rs in by_name.values() for r in rs))
                first = next(iter(by_name))
                result.problems.append(Problem("warning", "names", rows, f"{code} is named {parts}; using {first!r}"))


def _piece_problem(kind: str, piece: BaseGeometry, rows: Sequence[int], where: str) -> Problem | None:
    area = geo.area_m2(piece)
    if area < NOISE_M2:
        return None
    width = _width_m(piece)
    p = piece.representative_point()
    at = f"at {p.x:.6f},{p.y:.6f}"
    if area < SLIVER_M2 or width < SLIVER_WIDTH_M:
        return Problem(
            "warning", "sliver", tuple(rows), f"{where}: sliver {kind} of {area:,.0f} m² ({width:.1f} m wide) {at}"
        )
    return Problem("error", kind, tuple(rows), f"{where}: {kind} of {area:,.0f} m² {at}")


def check_coverage(shapes: Sequence[tuple[int, BaseGeometry]]) -> list[Problem]:
    """Overlaps between (row, polygon) pairs, gaps they enclose, and sliver polygons; each names its features."""
    problems: list[Problem] = []
    if not shapes:
        return problems
    rows = [row for row, _ in shapes]
    geoms = np.array([g for _, g in shapes], dtype=object)
    for row, geom in shapes:
        area = geo.area_m2(geom)
        width = _width_m(geom)
        if area < SLIVER_GRID_M2 or width < SLIVER_GRID_WIDTH_M:
            problems.append(
                Problem("warning", "sliver", (row,), f"feature {row}: sliver grid ({area:,.0f} m², {width:.1f} m wide)")
            )
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    pairs = [(int(i), int(j)) for i, j in zip(left, right, strict=True) if i < j]
    if pairs:
        a = geoms[[i for i, _ in pairs]]
        b = geoms[[j for _, j in pairs]]
        for (i, j), piece in zip(pairs, shapely.intersection(a, b), strict=True):
            overlap = _polygonal(piece)
            if overlap.is_empty:
                continue
            pair = sorted((rows[i], rows[j]))
            found = _piece_problem("overlap", overlap, pair, f"features {pair[0]} and {pair[1]}")
            if found:
                problems.append(found)
    union = _polygonal(shapely.union_all(geoms))
    holes = [Polygon(ring) for poly in shapely.get_parts(union) for ring in poly.interiors]
    for hole in holes:
        # A hole of the union may hold islands of grids (a grid surrounded by the gap): only the rest is gap.
        islands = tree.query(hole, predicate="contains")
        gap = _polygonal(hole.difference(shapely.union_all(geoms[islands]))) if len(islands) else hole
        if gap.is_empty:
            continue
        around = sorted(rows[int(k)] for k in tree.query(gap, predicate="intersects"))
        where = f"features {_rows_text(around)}" if around else "the grids"
        found = _piece_problem("gap", gap, around, f"between {where}")
        if found:
            problems.append(found)
    return problems
