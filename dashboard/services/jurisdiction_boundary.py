"""Reading a county boundary for a build: the GeoJSON file, the county's code and name, the checked plan.

Everything here runs before the database is touched (`gridcmd init` checks its input with it), so a bad file or
count leaves nothing behind; FieldError names the argument at fault.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shapely.geometry.base import BaseGeometry

from dashboard.domain import codes, geo
from dashboard.domain.levels import LevelError, Levels, derive_levels
from dashboard.services.errors import FieldError

# Property keys that carry the county code and name in the usual boundary files (cnmaps, DataV, GB/T 2260).
COUNTY_CODE_KEYS = ("adcode", "county_code", "code", "gb", "区划代码", "行政区划代码")


COUNTY_NAME_KEYS = ("name", "county_name", "district_name", "fullname", "名称")


def short_district_name(name: str) -> str:
    """通州 from 北京市通州区 (used for names such as 公安通州分局); empty when there is no name."""
    name = re.sub(r"^.*?(省|自治区)", "", name)
    name = re.sub(r"^.*?(市|自治州|地区|盟)(?=.)", "", name, count=1)
    return re.sub(r"(自治县|自治旗|区|县|市|旗)$", "", name)


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
