"""Seeded tessellation on small synthetic polygons: exact cover, no overlap, reproducible, weighted; then indexed."""

from __future__ import annotations

import random

import pytest
import shapely
from shapely.geometry import MultiPolygon, Point, Polygon, box, mapping
from shapely.geometry.base import BaseGeometry

from dashboard.domain import tessellation as tess
from dashboard.domain.grid_index import GridIndex, GridRef

SQUARE = box(0.0, 0.0, 1.0, 1.0)
# A U shape: concave, so Voronoi cells straddle the notch and would leave detached fragments.
U_SHAPE = Polygon([(0, 0), (3, 0), (3, 3), (2, 3), (2, 1), (1, 1), (1, 3), (0, 3)])
ISLANDS = MultiPolygon([box(0, 0, 2, 2), box(3, 0.5, 4, 1.5), Polygon([(5, 0), (7, 0), (6, 2)])])
WITH_HOLE = Polygon([(0, 0), (4, 0), (4, 4), (0, 4)], [[(1.5, 1.5), (2.5, 1.5), (2.5, 2.5), (1.5, 2.5)]])


def assert_exact_cover(parts: list[BaseGeometry], whole: BaseGeometry, k: int) -> None:
    """k non-empty parts inside `whole`, summing to its area, with no overlap (a valid coverage)."""
    assert len(parts) == k
    assert all(not p.is_empty and p.area > 0 and p.is_valid for p in parts)
    assert sum(p.area for p in parts) == pytest.approx(whole.area, rel=1e-6)
    assert shapely.union_all(parts).symmetric_difference(whole).area == pytest.approx(0, abs=whole.area * 1e-6)
    assert shapely.coverage_is_valid(parts)
    tree = shapely.STRtree(parts)
    left, right = tree.query(parts, predicate="intersects")
    overlap = sum(parts[i].intersection(parts[j]).area for i, j in zip(left, right, strict=True) if i < j)
    assert overlap == pytest.approx(0, abs=whole.area * 1e-9)


@pytest.mark.parametrize(
    ("polygon", "k"), [(SQUARE, 1), (SQUARE, 2), (SQUARE, 7), (U_SHAPE, 9), (ISLANDS, 8), (WITH_HOLE, 12)]
)
def test_parts_cover_exactly(polygon: BaseGeometry, k: int) -> None:
    parts = tess.split_polygon(polygon, k, seed=1, grid_size=None)
    assert_exact_cover(parts, polygon, k)


@pytest.mark.parametrize("polygon", [U_SHAPE, WITH_HOLE])
def test_parts_are_contiguous(polygon: BaseGeometry) -> None:
    for seed in range(6):
        parts = tess.split_polygon(polygon, 10, seed=seed, grid_size=None)
        assert all(p.geom_type == "Polygon" for p in parts), f"seed {seed}: a part has detached pieces"


def test_islands_are_covered_by_whole_parts() -> None:
    parts = tess.split_polygon(ISLANDS, 8, seed=2, grid_size=None)
    # Contiguous parts cannot straddle two islands, and together they cover every island.
    assert all(p.geom_type == "Polygon" for p in parts)
    for island in ISLANDS.geoms:
        # A fixed grid keeps the overlay robust where a part's vertex lies on the island's edge.
        covered = sum(shapely.intersection(p, island, grid_size=1e-12).area for p in parts)
        assert covered == pytest.approx(island.area)


def test_rounded_parts_stay_a_coverage() -> None:
    # A lon/lat-sized polygon: rounding to 1e-6° must keep shared edges identical.
    region = Polygon([(116.60, 39.80), (116.71, 39.81), (116.73, 39.90), (116.66, 39.93), (116.61, 39.88)])
    parts = tess.split_polygon(region, 25, seed=5, x_scale=0.77)
    for part in parts:
        for x, y in shapely.get_coordinates(part):
            assert round(x, 6) == pytest.approx(x, abs=1e-12) and round(y, 6) == pytest.approx(y, abs=1e-12)
    assert shapely.coverage_is_valid(parts)
    assert sum(p.area for p in parts) == pytest.approx(region.area, rel=1e-5)


def test_same_seed_same_parts_and_different_seed_different_parts() -> None:
    a = tess.split_polygon(U_SHAPE, 9, seed=42)
    b = tess.split_polygon(U_SHAPE, 9, seed=42)
    c = tess.split_polygon(U_SHAPE, 9, seed=43)
    assert [p.wkb for p in a] == [p.wkb for p in b]
    assert [p.wkb for p in a] != [p.wkb for p in c]


def test_a_random_instance_is_accepted_as_seed() -> None:
    a = tess.split_polygon(SQUARE, 5, seed=random.Random(9))
    b = tess.split_polygon(SQUARE, 5, seed=random.Random(9))
    assert [p.wkb for p in a] == [p.wkb for p in b]


def test_density_makes_parts_smaller_where_it_is_higher() -> None:
    def density(x: float, y: float) -> float:
        return 1.0 if x < 0.5 else 0.1

    parts = tess.split_polygon(SQUARE, 40, seed=3, density=density, grid_size=None)
    assert_exact_cover(parts, SQUARE, 40)
    dense = [p.area for p in parts if p.centroid.x < 0.5]
    sparse = [p.area for p in parts if p.centroid.x >= 0.5]
    assert sum(dense) / len(dense) < 0.5 * sum(sparse) / len(sparse)


def test_radial_density() -> None:
    density = tess.radial_density((116.65, 39.90), 5.0)
    assert density(116.65, 39.90) == pytest.approx(1.0)
    assert density(117.5, 39.0) == pytest.approx(0.08, abs=1e-6)
    assert 0.08 < density(116.70, 39.90) < 1.0
    with pytest.raises(ValueError):
        tess.radial_density((0, 0), 0)


def test_sample_points_are_inside_distinct_and_seeded() -> None:
    pts = tess.sample_points(U_SHAPE, 30, seed=4)
    assert len(set(pts)) == 30
    assert all(U_SHAPE.covers(Point(p)) for p in pts)
    assert pts == tess.sample_points(U_SHAPE, 30, seed=4)


def test_split_rejects_bad_input() -> None:
    with pytest.raises(ValueError):
        tess.split_polygon(SQUARE, 0)
    with pytest.raises(ValueError):
        tess.split_polygon(Point(0, 0).buffer(0), 3)


def test_allocate() -> None:
    assert tess.allocate(10, [1, 1]) == [5, 5]
    assert tess.allocate(10, [3, 1]) == [7, 3]
    assert tess.allocate(7, [1, 1, 1]) == [3, 2, 2]  # ties: earlier index first
    assert tess.allocate(5, [100, 0, 0, 0, 0]) == [1, 1, 1, 1, 1]  # everyone keeps the minimum
    assert tess.allocate(6, [0, 0]) == [3, 3]
    counts = tess.allocate(1809, [random.Random(i).random() for i in range(589)])
    assert sum(counts) == 1809 and min(counts) >= 1
    with pytest.raises(ValueError):
        tess.allocate(2, [1, 1, 1])
    with pytest.raises(ValueError):
        tess.allocate(2, [])


def test_mass_weights_area_by_density() -> None:
    assert tess.mass(SQUARE) == pytest.approx(1.0)
    assert tess.mass(SQUARE, lambda x, y: 0.5) == pytest.approx(0.5)
    left = tess.mass(box(0, 0, 0.5, 1), lambda x, y: 1.0 if x < 0.5 else 0.1)
    right = tess.mass(box(0.5, 0, 1, 1), lambda x, y: 1.0 if x < 0.5 else 0.1)
    assert left == pytest.approx(10 * right)


def test_hierarchy_has_exact_counts_and_nests_exactly() -> None:
    leaves_made: list[int] = []
    streets = tess.split_hierarchy(U_SHAPE, [3, 8, 20], seed=7, on_leaves=leaves_made.append)
    communities = [c for s in streets for c in s.children]
    grids = [g for c in communities for g in c.children]
    assert (len(streets), len(communities), len(grids)) == (3, 8, 20)
    assert sum(leaves_made) == 20
    assert all(s.children for s in streets) and all(c.children for c in communities)
    assert all(not g.children for g in grids)
    for level in ([s.geometry for s in streets], [c.geometry for c in communities], [g.geometry for g in grids]):
        assert_exact_cover(level, U_SHAPE, len(level))
    for parent in streets + communities:
        kids = shapely.union_all([k.geometry for k in parent.children])
        assert kids.symmetric_difference(parent.geometry).area == pytest.approx(0, abs=1e-12)


def test_hierarchy_is_reproducible() -> None:
    def leaves(seed: int) -> list[bytes]:
        tree = tess.split_hierarchy(ISLANDS, [2, 5, 9], seed=seed)
        return [g.geometry.wkb for s in tree for c in s.children for g in c.children]

    assert leaves(1) == leaves(1)
    assert leaves(1) != leaves(2)


def test_hierarchy_rejects_shrinking_counts() -> None:
    with pytest.raises(ValueError):
        tess.split_hierarchy(SQUARE, [5, 3])
    with pytest.raises(ValueError):
        tess.split_hierarchy(SQUARE, [])


def _indexed(parts: list[BaseGeometry]) -> GridIndex:
    # Reversed rows: the index must not depend on row order.
    rows = [(f"1101120010010{i + 1:02d}", "110112001001", "110112001", mapping(p)) for i, p in enumerate(parts)]
    return GridIndex(reversed(rows))


def test_grid_index_locates_every_part_of_a_tessellation() -> None:
    parts = tess.split_polygon(U_SHAPE, 12, seed=4)
    index = _indexed(parts)
    assert len(index) == 12 and index.codes() == tuple(sorted(index.codes()))
    rng = random.Random(1)
    for i, part in enumerate(parts):
        code = f"1101120010010{i + 1:02d}"
        p = part.representative_point()
        assert index.locate(p.x, p.y) == GridRef(code, "110112001001", "110112001")
        lon, lat = index.random_point_in(code, rng)
        assert part.covers(Point(lon, lat))
    assert index.locate(1.5, 2.5) is None  # inside the U's notch
    assert index.locate(-5.0, -5.0) is None
    points = [(rng.uniform(-0.5, 3.5), rng.uniform(-0.5, 3.5)) for _ in range(500)]
    assert [index.locate(x, y) for x, y in points] == index.locate_many([x for x, _ in points], [y for _, y in points])


def test_grid_index_resolves_a_shared_edge_to_the_lower_code() -> None:
    index = _indexed([box(0, 0, 1, 1), box(1, 0, 2, 1)])
    assert index.locate(1.0, 0.5).code == "110112001001001"  # type: ignore[union-attr]
    assert index.locate_many([1.0], [0.5])[0].code == "110112001001001"  # type: ignore[union-attr]
    with pytest.raises(ValueError):
        GridIndex([("110112001001001", "c", "s", mapping(box(0, 0, 1, 1)))] * 2)
