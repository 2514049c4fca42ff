"""Place a report by its address: the grid, community or street whose name the address contains.

For intake channels that may send an address without coordinates (the 12345 hotline, Open311's
`address_string`). The API is two steps and both are small:

    placement = place_by_address(session, address)        # None: nothing in the address names one of our areas
    cmd = ReportCase(description=f"{text}（地址：{address}）",
                     lat=placement.lat if placement else None,
                     lon=placement.lon if placement else None,
                     note=placement.note if placement else UNLOCATED_NOTE, …)
    report_case(cmd, …)                                    # lat/lon None: the case waits unlocated (待定位)

A placed case stands at a point inside the named area (a grid's or street's stored centre, which lies inside
it, or a community's representative point), and its timeline says so ("按地址定位到 第01街道第03社区"), so the
dispatcher knows the point is the area's and not the caller's door. An unplaced case is left for the dispatcher:
no grid, district tier, shown as 待定位 on the desk, on no map, until the `locate` command gives it a point.
"""

from __future__ import annotations

from dataclasses import dataclass

import shapely
from sqlalchemy import select
from sqlalchemy.orm import Session

from dashboard.domain.address_match import Area, match_area
from dashboard.store.models import Community, Grid, Street

LEVEL_ZH = {"grid": "网格", "community": "社区", "street": "街道"}
UNLOCATED_NOTE = "地址未能定位，待调度员标注位置"


@dataclass(frozen=True)
class Placement:
    """Where an address put a case: the point, the area it stands for, and the timeline's note."""

    lat: float
    lon: float
    area_code: str
    area_name: str
    level: str  # grid | community | street

    @property
    def note(self) -> str:
        """The report event's note: which area the address named (its point is that area's, not the door's)."""
        return f"按地址定位到 {self.area_name}（{LEVEL_ZH.get(self.level, self.level)}中心点）"

    @property
    def how(self) -> str:
        """`address:grid`, `address:community` or `address:street` (stored with a hotline order)."""
        return f"address:{self.level}"


def _areas(session: Session) -> list[Area]:
    rows = [
        *session.execute(select(Grid.code, Grid.name)),
        *session.execute(select(Community.code, Community.name)),
        *session.execute(select(Street.code, Street.name)),
    ]
    return [Area(code, name) for code, name in rows]


def _point(session: Session, area: Area) -> tuple[float, float] | None:
    """(lat, lon) inside `area`: the stored centre of a grid or street, a community outline's representative point."""
    if area.level == "grid":
        grid = session.get(Grid, area.code)
        return (grid.center_lat, grid.center_lon) if grid else None
    if area.level == "street":
        street = session.get(Street, area.code)
        return (street.center_lat, street.center_lon) if street else None
    community = session.get(Community, area.code)
    if community is None:
        return None
    inside = shapely.from_geojson(community.geometry).representative_point()
    return inside.y, inside.x


def place_by_address(session: Session, text: str | None) -> Placement | None:
    """The point of the area `text` names (longest match of the jurisdiction's names wins), or None."""
    if not text:
        return None
    found = match_area(text, _areas(session))
    if found is None:
        return None
    point = _point(session, found.area)
    if point is None:
        return None
    stored = {"grid": Grid, "community": Community, "street": Street}[found.area.level]
    name = session.scalar(select(stored.name).where(stored.code == found.area.code)) or found.area.name
    return Placement(point[0], point[1], found.area.code, name, found.area.level)
