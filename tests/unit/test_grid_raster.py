"""The raster that places most fixes without a polygon test: it must answer exactly what the exact index answers."""

from __future__ import annotations

import random

import numpy as np
from shapely.geometry import Polygon, box, mapping

from dashboard.domain.grid_index import GridIndex
from dashboard.domain.grid_raster import GridRaster


def _index() -> GridIndex:
    """Twelve grids partitioning a 4×3 block: quadrilaterals on jittered shared corners (edges off the raster's
    lines), one with a hole that belongs to no grid."""
    rng = random.Random(9)
    corner = {}
    for i in range(5):
        for j in range(4):
            inner = 0 < i < 4 and 0 < j < 3
            dx, dy = (rng.uniform(-0.003, 0.003), rng.uniform(-0.003, 0.003)) if inner else (0.0, 0.0)
            corner[i, j] = (116.6 + i * 0.01 + dx, 39.8 + j * 0.01 + dy)
    rows = []
    for i in range(4):
        for j in range(3):
            poly = Polygon([corner[i, j], corner[i + 1, j], corner[i + 1, j + 1], corner[i, j + 1]])
            if (i, j) == (1, 1):
                c = poly.centroid
                poly = poly.difference(box(c.x - 0.001, c.y - 0.001, c.x + 0.001, c.y + 0.001))
            code = f"110112001001{i * 3 + j:03d}"
            rows.append((code, code[:12], code[:9], mapping(poly)))
    return GridIndex(rows)


def test_locate_codes_agrees_with_the_exact_query_everywhere() -> None:
    index = _index()
    rng = random.Random(5)
    minx, miny, maxx, maxy = index.bounds
    lons = [rng.uniform(minx - 0.005, maxx + 0.005) for _ in range(20_000)]
    lats = [rng.uniform(miny - 0.005, maxy + 0.005) for _ in range(20_000)]
    # Points exactly on grid edges and on the raster's own cell lines, where rounding could go wrong.
    lons += [116.6, 116.62, 116.6 + 0.0005 * 7, 116.64]
    lats += [39.805, 39.8, 39.8 + 0.0005 * 11, 39.83]
    exact = [ref.code if ref else "" for ref in index.locate_many(lons, lats)]
    assert index.locate_codes(lons, lats) == exact
    assert "" in exact and len(set(exact)) == 13  # the sample reaches every grid, the hole and the outside


def test_most_of_a_grid_is_answered_by_the_raster_alone() -> None:
    index = _index()
    raster = index.raster()
    rng = random.Random(2)
    points = [index.random_point_in(code, rng) for code in index.codes() for _ in range(200)]
    found = raster.lookup(np.array([p[0] for p in points]), np.array([p[1] for p in points]))
    assert (found >= 0).mean() > 0.6  # cells of ~50 m in grids of ~1 km: the exact query is for the edges


def test_a_huge_area_gets_coarser_cells_not_more_memory() -> None:
    raster = GridRaster([box(100, 20, 120, 40)], max_cells=10_000)
    assert raster.nx * raster.ny <= 10_200
    assert raster.lookup(np.array([110.0, 99.0]), np.array([30.0, 30.0])).tolist() == [0, -1]
