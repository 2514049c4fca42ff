"""How many streets and communities a jurisdiction of N grids gets, and whether N fits the codes and the area.

The counts follow the seeds (DESIGN.md section 4): about 3–4 grids per community and about 39 communities
per street (Tongzhou: 1,809 grids, 589 communities, 15 streets). Grids per community grows with how small
the grids are, because a dense urban 社区 holds more households than a village: 3 where the mean grid is
0.6 km² or more (rural), 4 where it is 0.05 km² or less (dense urban), log-linear in between. Tongzhou's
905 km² in 1,809 grids (0.50 km² each) gives 3.07, hence 589 communities and 15 streets, the seeds' figures.

Every level is capped by its 3-digit sequence (999 children per parent), so N can reach 999³.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from dashboard.domain.codes import MAX_SEQUENCE

RURAL_GRID_M2 = 600_000.0  # mean grid at or above this: 3 grids per community
URBAN_GRID_M2 = 50_000.0  # mean grid at or below this: 4 grids per community
RURAL_GRIDS_PER_COMMUNITY = 3.0
URBAN_GRIDS_PER_COMMUNITY = 4.0
COMMUNITIES_PER_STREET = 39.0
# Below this mean size a "grid" is a building or a yard, not a unit of patrol: a miscounted N.
MIN_MEAN_GRID_M2 = 5_000.0
MAX_GRIDS = MAX_SEQUENCE**3


class LevelError(ValueError):
    """A count that cannot be built; `field` names it (grids, streets or communities)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Levels:
    """Streets, communities and grids to build, and which of the first two were derived."""

    streets: int
    communities: int
    grids: int
    derived: tuple[str, ...] = ()


def grids_per_community(mean_grid_m2: float) -> float:
    """3 for rural-sized grids, 4 for dense urban ones, log-linear in between."""
    if mean_grid_m2 >= RURAL_GRID_M2:
        return RURAL_GRIDS_PER_COMMUNITY
    if mean_grid_m2 <= URBAN_GRID_M2:
        return URBAN_GRIDS_PER_COMMUNITY
    t = math.log(RURAL_GRID_M2 / mean_grid_m2) / math.log(RURAL_GRID_M2 / URBAN_GRID_M2)
    return RURAL_GRIDS_PER_COMMUNITY + t * (URBAN_GRIDS_PER_COMMUNITY - RURAL_GRIDS_PER_COMMUNITY)


def _whole(field: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise LevelError(field, f"must be a whole number, got {value!r}")
    return value


def _clamp(value: int, low: int, high: int) -> int:
    return max(low, min(high, value))


def derive_levels(grids: int, area_m2: float, *, streets: int | None = None, communities: int | None = None) -> Levels:
    """The counts to build for `grids` grids over `area_m2`; LevelError names a count that cannot work."""
    grids = _whole("grids", grids)
    if not 1 <= grids <= MAX_GRIDS:
        raise LevelError(
            "grids",
            f"must be 1..{MAX_GRIDS:,} (999 streets × 999 communities × 999 grids fill the 15-digit codes), "
            f"got {grids:,}",
        )
    if area_m2 > 0 and area_m2 / grids < MIN_MEAN_GRID_M2:
        most = max(1, int(area_m2 // MIN_MEAN_GRID_M2))
        raise LevelError(
            "grids",
            f"{grids:,} grids in {area_m2 / 1e6:,.1f} km² would average {area_m2 / grids:,.0f} m²; "
            f"at most {most:,} fit (a grid averages at least {MIN_MEAN_GRID_M2:,.0f} m²)",
        )
    derived: list[str] = []
    if streets is not None:
        streets = _whole("streets", streets)
        if not 1 <= streets <= MAX_SEQUENCE:
            raise LevelError("streets", f"must be 1..{MAX_SEQUENCE} (3 digits of the code), got {streets}")
        if streets > grids:
            raise LevelError("streets", f"must be at most --grids ({grids}), got {streets}")
    if communities is not None:
        communities = _whole("communities", communities)
        low = max(1, math.ceil(grids / MAX_SEQUENCE), streets or 1)
        high = min(grids, MAX_SEQUENCE * (streets or MAX_SEQUENCE))
        if not low <= communities <= high:
            raise LevelError(
                "communities",
                f"must be {low}..{high} for {grids} grids"
                + (f" in {streets} streets" if streets is not None else "")
                + f" (each parent holds 1..{MAX_SEQUENCE} children), got {communities}",
            )
    if communities is None:
        wanted = round(grids / grids_per_community(area_m2 / grids if area_m2 > 0 else RURAL_GRID_M2))
        low = max(math.ceil(grids / MAX_SEQUENCE), streets or 1)
        high = min(grids, MAX_SEQUENCE * (streets or MAX_SEQUENCE))
        if low > high:
            raise LevelError("streets", f"{streets} streets cannot hold {grids:,} grids (999 × 999 each at most)")
        communities = _clamp(wanted, low, high)
        derived.append("communities")
    if streets is None:
        low = max(1, math.ceil(communities / MAX_SEQUENCE))
        streets = _clamp(round(communities / COMMUNITIES_PER_STREET), low, min(communities, MAX_SEQUENCE))
        derived.append("streets")
    return Levels(streets=streets, communities=communities, grids=grids, derived=tuple(derived))
