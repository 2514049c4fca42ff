"""The seeded synthetic subdivision of a boundary: streets, communities and grids in code order, named and sized.

The same plan and seed always give the same cells, codes, names, urban/rural split, dedicated grids, populations
and people; nothing here writes to the database (jurisdiction.py replaces the tables with these rows).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from dashboard.domain import catalog_default, codes, geo
from dashboard.domain.catalog_default import DepartmentSpec
from dashboard.domain.tessellation import Cell, split_hierarchy
from dashboard.services.jurisdiction_boundary import JurisdictionPlan, short_district_name
from dashboard.services.jurisdiction_rows import SIZE_NOISE, community_row, grid_row, size_rule, street_row
from dashboard.services.jurisdiction_staff import grid_team, street_inspectors

DEDICATED_SHARE = 0.03


DEDICATED_KINDS: tuple[str, ...] = ("校园", "市场", "园区")


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


def urban_communities(ordered: Ordered, density: Callable[[float, float], float], count: int) -> set[tuple[int, int]]:
    """(street seq, community seq) of the `count` densest communities; ties go to the lower code."""
    scores = {}
    for si, (_, group) in enumerate(ordered, start=1):
        for ci, (community_cell, _) in enumerate(group, start=1):
            p = community_cell.geometry.representative_point()
            scores[(si, ci)] = density(p.x, p.y)
    return set(sorted(scores, key=lambda k: (-scores[k], k))[:count])


def dedicated_grids(ordered: Ordered, seed: int) -> dict[tuple[int, int, int], str]:
    """About DEDICATED_SHARE of the grids, chosen by seed, each with its kind (校园, 市场, 园区)."""
    rng = random.Random(f"{seed}/dedicated")
    keys = [
        (si, ci, gi)
        for si, (_, group) in enumerate(ordered, start=1)
        for ci, (_, leaves) in enumerate(group, start=1)
        for gi in range(1, len(leaves) + 1)
    ]
    return {key: rng.choice(DEDICATED_KINDS) for key in sorted(rng.sample(keys, round(DEDICATED_SHARE * len(keys))))}


@dataclass
class SyntheticRows:
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


def tessellate(
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


def synthetic_rows(
    plan: JurisdictionPlan,
    ordered: Ordered,
    urban: set[tuple[int, int]],
    dedicated: dict[tuple[int, int, int], str],
    seed: int,
) -> SyntheticRows:
    """Every department, street, community, grid and staff row of the tessellation."""
    rows = SyntheticRows(
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


def _add_street(rows: SyntheticRows, si: int, cell: Cell, group: list[tuple[Cell, list[Cell]]]) -> None:
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
    rows: SyntheticRows, key: tuple[int, int], street_code: str, street_name: str, cell: Cell, leaves: list[Cell]
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
