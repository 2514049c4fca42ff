"""Point-in-grid lookup over the jurisdiction's grids (shapely STRtree), and random points inside a grid."""

from __future__ import annotations

import random
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from dashboard.domain.grid_raster import GridRaster

GridRow = tuple[str, str, str, "str | Mapping[str, Any]"]


@dataclass(frozen=True, slots=True)
class GridRef:
    """Where a point falls: its grid and that grid's community and street."""

    code: str
    community_code: str
    street_code: str


class GridIndex:
    """Immutable spatial index of grids; built from (code, community_code, street_code, geometry) rows."""

    def __init__(self, rows: Iterable[GridRow]) -> None:
        refs: list[GridRef] = []
        geoms: list[BaseGeometry] = []
        for code, community_code, street_code, geometry in rows:
            refs.append(GridRef(code, community_code, street_code))
            geoms.append(shapely.from_geojson(geometry) if isinstance(geometry, str) else shape(dict(geometry)))
        # Sorted by code so a point on a shared edge resolves to the lowest code, whatever the row order.
        order = sorted(range(len(refs)), key=lambda i: refs[i].code)
        self._refs: list[GridRef] = [refs[i] for i in order]
        self._geoms = np.array([geoms[i] for i in order], dtype=object)
        if len(set(r.code for r in self._refs)) != len(self._refs):
            raise ValueError("duplicate grid codes in the index rows")
        shapely.prepare(self._geoms)
        self._tree = shapely.STRtree(self._geoms)
        self._by_code = {r.code: i for i, r in enumerate(self._refs)}
        self._raster: GridRaster | None = None  # built on the first `locate_codes` (patrol feeds only)
        self._raster_lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._refs)

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def codes(self) -> tuple[str, ...]:
        """Every grid code, in code order."""
        return tuple(r.code for r in self._refs)

    @property
    def refs(self) -> Sequence[GridRef]:
        """Every grid, in code order."""
        return tuple(self._refs)

    @property
    def bounds(self) -> tuple[float, float, float, float]:
        """(min_lon, min_lat, max_lon, max_lat) of all grids."""
        b = shapely.total_bounds(self._geoms)
        return float(b[0]), float(b[1]), float(b[2]), float(b[3])

    def ref(self, code: str) -> GridRef:
        """The GridRef of a grid code (KeyError if unknown)."""
        return self._refs[self._by_code[code]]

    def geometry(self, code: str) -> BaseGeometry:
        """The shapely geometry of a grid (KeyError if unknown)."""
        return self._geoms[self._by_code[code]]

    def locate(self, lon: float, lat: float) -> GridRef | None:
        """The grid containing (lon, lat) in WGS-84, or None outside the jurisdiction."""
        # Envelope candidates first, then an exact test on prepared polygons: cheaper than a predicate query.
        candidates = self._tree.query(shapely.Point(lon, lat))
        if len(candidates) == 0:
            return None
        for i in sorted(candidates):
            if shapely.intersects_xy(self._geoms[i], lon, lat):
                return self._refs[i]
        return None

    def locate_many(self, lons: Sequence[float], lats: Sequence[float]) -> list[GridRef | None]:
        """`locate` for many points at once (vectorised; for batches from feeds and benchmarks)."""
        points = shapely.points(np.column_stack((np.asarray(lons, float), np.asarray(lats, float))))
        point_idx, grid_idx = self._tree.query(points, predicate="intersects")
        found: list[GridRef | None] = [None] * len(points)
        # Pairs come back grouped by point; keep the lowest grid index (= lowest code) for each point.
        for p, g in sorted(zip(point_idx.tolist(), grid_idx.tolist(), strict=True), reverse=True):
            found[p] = self._refs[g]
        return found

    def locate_codes(self, lons: Sequence[float], lats: Sequence[float]) -> list[str]:
        """The grid code of each point ("" outside the jurisdiction), as `locate_many` answers, for large batches.

        Most points are placed by the raster (grid_raster.py); only those near a grid edge reach the exact query.
        """
        if not len(lons):
            return []
        x, y = np.asarray(lons, dtype=float), np.asarray(lats, dtype=float)
        found = self.raster().lookup(x, y)
        near_edge = np.flatnonzero(found < 0)
        if len(near_edge):
            points = shapely.points(np.column_stack((x[near_edge], y[near_edge])))
            point_idx, grid_idx = self._tree.query(points, predicate="intersects")
            exact = np.full(len(near_edge), len(self._refs), dtype=np.int64)
            # Lowest grid index (= lowest code) per point, as `locate` resolves a point on a shared edge.
            np.minimum.at(exact, point_idx, grid_idx)
            found[near_edge] = np.where(exact < len(self._refs), exact, -1)
        codes = [r.code for r in self._refs]
        return [codes[i] if i >= 0 else "" for i in found.tolist()]

    def raster(self) -> GridRaster:
        """The index's raster of cells wholly inside one grid (built once, about 1–2 s for 1,800 grids)."""
        if self._raster is None:
            with self._raster_lock:
                if self._raster is None:
                    self._raster = GridRaster(list(self._geoms))
        return self._raster

    def random_point_in(self, grid_code: str, rng: random.Random) -> tuple[float, float]:
        """A uniformly random (lon, lat) inside a grid, drawn from `rng` (for the simulator)."""
        geom = self._geoms[self._by_code[grid_code]]
        minx, miny, maxx, maxy = geom.bounds
        # Grids are compact (Voronoi cells), so rejection from the bounding box succeeds in a few draws.
        for _ in range(1000):
            x = rng.uniform(minx, maxx)
            y = rng.uniform(miny, maxy)
            if shapely.contains_xy(geom, x, y):
                return x, y
        p = geom.representative_point()
        return p.x, p.y
