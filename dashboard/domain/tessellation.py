"""Seeded, reproducible split of a (Multi)Polygon into parts that cover it exactly, with no overlap.

Method: sample k well-spread seed points inside the polygon (a seeded `random.Random`, optionally denser where
`density` is higher), relax them with a few weighted Lloyd steps, build the Voronoi diagram of the seeds
extended past the polygon's envelope, and intersect every cell with the polygon. The cells tile the plane, so
the parts tile the polygon. Every part is non-empty because its seed lies inside the polygon and inside its
own cell. The overlay runs in full floating precision; the parts are then made an exact coverage with
GEOS's coverage cleaner (shared edges get identical vertices, no overlap) and only then rounded vertex by
vertex to `grid_size` (default 1e-6° ≈ 0.1 m), which keeps shared edges identical, so the coverage survives
being stored as 6-decimal GeoJSON.

`density(lon, lat)` returns a relative weight in (0, 1]; parts are smaller where it is higher (part area
roughly ∝ 1 / density).
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, Point, Polygon
from shapely.geometry.base import BaseGeometry

Density = Callable[[float, float], float]
Seed = int | str | random.Random

DEFAULT_GRID_SIZE = 1e-6
# Lattice side used to integrate density over a part (side² sample points): enough for smooth densities.
_LATTICE = 10


@dataclass(frozen=True)
class Cell:
    """One part of a hierarchical split and the parts it was split into."""

    geometry: BaseGeometry
    children: tuple[Cell, ...] = ()


def _as_rng(seed: Seed) -> random.Random:
    # str seeds are hashed with SHA-512 by random.seed, so they are stable across processes and platforms.
    return seed if isinstance(seed, random.Random) else random.Random(str(seed))


def _polygonal(geom: BaseGeometry) -> BaseGeometry:
    """Only the polygonal pieces of an overlay result (touching lines and points are dropped)."""
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    pieces = [p for p in shapely.get_parts(geom) if p.geom_type == "Polygon" and not p.is_empty]
    if not pieces:
        return Polygon()
    return pieces[0] if len(pieces) == 1 else MultiPolygon(pieces)


def _polygons(geom: BaseGeometry) -> list[Polygon]:
    return [p for p in shapely.get_parts(geom) if p.geom_type == "Polygon" and not p.is_empty]


def allocate(total: int, weights: Sequence[float], *, minimum: int = 1) -> list[int]:
    """Split `total` into integers proportional to `weights`, each ≥ `minimum`, summing exactly to `total`."""
    n = len(weights)
    if n == 0:
        raise ValueError("allocate needs at least one weight")
    if total < minimum * n:
        raise ValueError(f"cannot give {n} parts at least {minimum} each out of {total}")
    w = [max(0.0, float(x)) if math.isfinite(x) else 0.0 for x in weights]
    s = sum(w)
    if s <= 0:
        w, s = [1.0] * n, float(n)
    extra = total - minimum * n
    quotas = [extra * x / s for x in w]
    counts = [minimum + math.floor(q) for q in quotas]
    # Largest remainder; ties go to the earlier index so the result is deterministic.
    order = sorted(range(n), key=lambda i: (-(quotas[i] - math.floor(quotas[i])), i))
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


def _lattice(geom: BaseGeometry, side: int = _LATTICE) -> tuple[np.ndarray, np.ndarray]:
    """Points of a regular side×side lattice over `geom`'s envelope that fall inside it."""
    minx, miny, maxx, maxy = geom.bounds
    xs = minx + (np.arange(side) + 0.5) * (maxx - minx) / side
    ys = miny + (np.arange(side) + 0.5) * (maxy - miny) / side
    gx, gy = np.meshgrid(xs, ys)
    gx, gy = gx.ravel(), gy.ravel()
    shapely.prepare(geom)
    inside = shapely.contains_xy(geom, gx, gy)
    return gx[inside], gy[inside]


def mass(geom: BaseGeometry, density: Density | None = None) -> float:
    """Area (in the geometry's units) times the mean density over it: the expected share of people."""
    if density is None or geom.is_empty:
        return float(geom.area)
    xs, ys = _lattice(geom)
    if len(xs) == 0:
        p = geom.representative_point()
        return float(geom.area) * density(p.x, p.y)
    return float(geom.area) * float(np.mean([density(x, y) for x, y in zip(xs, ys, strict=True)]))


def _weighted_centroid(part: BaseGeometry, density: Density | None) -> Point:
    if density is None:
        return part.centroid
    xs, ys = _lattice(part)
    if len(xs) < 3:
        return part.centroid
    # Weighting by density² makes relaxed cells settle at area ∝ 1/density (a CVT's cell area goes as
    # weight^-1/2 in 2-D), matching how the seeds were sampled.
    w = np.array([density(x, y) ** 2 for x, y in zip(xs, ys, strict=True)])
    if w.sum() <= 0:
        return part.centroid
    return Point(float(np.dot(w, xs) / w.sum()), float(np.dot(w, ys) / w.sum()))


def sample_points(
    polygon: BaseGeometry,
    k: int,
    *,
    seed: Seed = 0,
    density: Density | None = None,
    x_scale: float = 1.0,
) -> list[tuple[float, float]]:
    """k distinct, well-spread points inside `polygon` (seeded), denser where `density` is higher."""
    if k < 1:
        raise ValueError(f"k must be ≥ 1, got {k}")
    rng = _as_rng(seed)
    triangles = _polygons(shapely.constrained_delaunay_triangles(polygon))
    if not triangles:
        raise ValueError("cannot sample points inside an empty polygon")
    corners = [np.asarray(t.exterior.coords)[:3] for t in triangles]
    cumulative = np.cumsum([t.area for t in triangles])
    total = float(cumulative[-1])
    # Poisson-disk spacing (in x-scaled units) keeps seeds apart so no part starts as a sliver; relaxed
    # whenever a run of candidates fails, so sampling always ends.
    spacing = 0.5 * math.sqrt(total * x_scale / k)
    chosen: list[tuple[float, float]] = []
    misses = 0
    while len(chosen) < k:
        t = int(np.searchsorted(cumulative, rng.random() * total, side="right"))
        a, b, c = corners[min(t, len(corners) - 1)]
        r1, r2 = rng.random(), rng.random()
        if r1 + r2 > 1.0:
            r1, r2 = 1.0 - r1, 1.0 - r2
        x = float(a[0] + r1 * (b[0] - a[0]) + r2 * (c[0] - a[0]))
        y = float(a[1] + r1 * (b[1] - a[1]) + r2 * (c[1] - a[1]))
        local = spacing
        if density is not None:
            # Clamped so a density that returns 0 (or > 1) cannot stall or skew the rejection step.
            d = min(1.0, max(1e-3, density(x, y)))
            if rng.random() >= d:
                continue
            # Seeds in dense places may sit closer (spacing ∝ 1/√density), or the disk rule would cap the
            # density contrast the sampling is meant to create.
            local = spacing * min(1.0, math.sqrt(0.25 / d))
        if any(math.hypot((x - px) * x_scale, y - py) < local for px, py in chosen):
            misses += 1
            if misses > 30 * k:
                spacing *= 0.7
                misses = 0
            continue
        chosen.append((x, y))
    return chosen


def _voronoi_parts(polygon: BaseGeometry, seeds: Sequence[tuple[float, float]], x_scale: float) -> list[BaseGeometry]:
    pts = shapely.multipoints([(x * x_scale, y) for x, y in seeds])
    minx, miny, maxx, maxy = polygon.bounds
    margin = max((maxx - minx) * x_scale, maxy - miny) + 1.0
    # Extending well past the envelope guarantees the cells cover every point of the polygon.
    frame = shapely.box(minx * x_scale - margin, miny - margin, maxx * x_scale + margin, maxy + margin)
    cells = shapely.get_parts(shapely.voronoi_polygons(pts, extend_to=frame, ordered=True))
    if len(cells) != len(seeds):
        raise ValueError(f"Voronoi diagram has {len(cells)} cells for {len(seeds)} seeds (duplicate seeds?)")
    if x_scale != 1.0:
        # The same affine map on every cell keeps shared edges bit-identical between neighbours.
        scale = np.array([1.0 / x_scale, 1.0])
        cells = shapely.transform(cells, lambda c: c * scale)
    return [_polygonal(p) for p in shapely.intersection(cells, polygon)]


def clean_coverage(parts: Sequence[BaseGeometry], *, grid_size: float | None = None) -> list[BaseGeometry]:
    """Make parts an exact coverage (identical shared edges, no overlap), then round vertices to `grid_size`.

    Rounding vertex by vertex (not snap-rounding each polygon on its own, which nodes each side of a shared
    edge differently) moves a shared vertex identically in both neighbours, so the coverage stays exact.
    """
    cleaned = [_polygonal(g) for g in shapely.coverage_clean(list(parts))]
    if not grid_size:
        return cleaned
    rounded = [_polygonal(g) for g in shapely.set_precision(cleaned, grid_size, mode="pointwise")]
    # A part thinner than the grid could fold on itself when rounded; repair just that part.
    return [g if g.is_valid else _polygonal(shapely.make_valid(g)) for g in rounded]


def _shared_length(a: BaseGeometry, b: BaseGeometry) -> float:
    if not shapely.intersects(shapely.envelope(a), shapely.envelope(b)):
        return 0.0
    return float(shapely.intersection(a.boundary, b.boundary).length)


def _make_contiguous(parts: list[BaseGeometry], seeds: Sequence[tuple[float, float]]) -> list[BaseGeometry]:
    """Give each detached fragment of a part to the neighbour it shares the longest edge with."""
    kept: list[BaseGeometry] = []
    fragments: list[tuple[int, Polygon]] = []
    for i, part in enumerate(parts):
        pieces = _polygons(part)
        if len(pieces) <= 1:
            kept.append(part)
            continue
        seed_point = Point(seeds[i])
        home = next((j for j, p in enumerate(pieces) if p.intersects(seed_point)), None)
        if home is None:
            home = max(range(len(pieces)), key=lambda j: pieces[j].area)
        kept.append(pieces[home])
        fragments.extend((i, p) for j, p in enumerate(pieces) if j != home)
    for owner, fragment in fragments:
        best, best_len = owner, 0.0
        for j, other in enumerate(kept):
            shared = _shared_length(fragment, other) if j != owner else 0.0
            if shared > best_len:
                best, best_len = j, shared
        # With no neighbour along an edge (an island of a MultiPolygon) the fragment stays with its owner.
        # The parts are an exact coverage here, so a coverage union (a dissolve of identical shared edges)
        # is exact and sidesteps float overlay on nearly collinear edges; plain union is the fallback.
        merged = _polygonal(shapely.coverage_union(kept[best], fragment))
        if not merged.is_valid:
            merged = _polygonal(shapely.union(kept[best], fragment))
        kept[best] = merged
    return kept


def split_polygon(
    polygon: BaseGeometry,
    k: int,
    *,
    seed: Seed = 0,
    density: Density | None = None,
    lloyd_steps: int = 2,
    x_scale: float = 1.0,
    grid_size: float | None = DEFAULT_GRID_SIZE,
    contiguous: bool = True,
) -> list[BaseGeometry]:
    """Split `polygon` into exactly k non-empty parts that cover it with no overlap (seeded, reproducible).

    `x_scale` stretches x before the Voronoi step (cos lat for lon/lat input, so cells are round on the
    ground); `contiguous` hands detached fragments of a part to the neighbour sharing the longest edge.
    """
    if k < 1:
        raise ValueError(f"k must be ≥ 1, got {k}")
    if polygon.is_empty or polygon.geom_type not in ("Polygon", "MultiPolygon"):
        raise ValueError(f"split_polygon needs a non-empty (Multi)Polygon, got {polygon.geom_type}")
    if k == 1:
        return clean_coverage([polygon], grid_size=grid_size)
    rng = _as_rng(seed)
    shapely.prepare(polygon)
    for _attempt in range(5):
        seeds = sample_points(polygon, k, seed=rng, density=density, x_scale=x_scale)
        parts = _voronoi_parts(polygon, seeds, x_scale)
        for _ in range(lloyd_steps):
            moved: list[tuple[float, float]] = []
            for part, old in zip(parts, seeds, strict=True):
                if part.is_empty:
                    moved.append(old)
                    continue
                c = _weighted_centroid(part, density)
                # A concave part's centroid can fall outside the polygon; its representative point cannot.
                if not shapely.contains_xy(polygon, c.x, c.y):
                    c = part.representative_point()
                moved.append((c.x, c.y))
            if len(set(moved)) < k:
                break
            seeds = moved
            parts = _voronoi_parts(polygon, seeds, x_scale)
        parts = clean_coverage(parts)
        if contiguous:
            parts = _make_contiguous(parts, seeds)
        if grid_size:
            parts = clean_coverage(parts, grid_size=grid_size)
        if all(not p.is_empty and p.area > 0 for p in parts):
            return parts
    raise ValueError(f"could not split the polygon into {k} non-empty parts (polygon too small for k?)")


def split_hierarchy(
    polygon: BaseGeometry,
    counts: Sequence[int],
    *,
    seed: int | str = 0,
    density: Density | None = None,
    lloyd_steps: int = 2,
    x_scale: float = 1.0,
    grid_size: float | None = DEFAULT_GRID_SIZE,
    on_leaves: Callable[[int], None] | None = None,
) -> list[Cell]:
    """Split top-down with exact totals per level (e.g. [15, 589, 1809]); every parent gets ≥ 1 child.

    A level's total is shared among the parent parts in proportion to their `mass` (area × density), so
    dense parents get more children. `on_leaves(n)` is called as each parent's n leaves are made. The leaves
    are cleaned and rounded together, and each parent is rebuilt as the union of its children, so every
    level is an exact coverage and every child lies exactly inside its parent.
    """
    if not counts:
        raise ValueError("counts must name at least one level")
    for upper, lower in zip(counts, counts[1:], strict=False):
        if lower < upper:
            raise ValueError(f"each level needs at least as many parts as the one above: {list(counts)}")

    def split(geom: BaseGeometry, path: str, k: int) -> list[BaseGeometry]:
        # Full precision inside; rounding happens once, on all the leaves together.
        return split_polygon(
            geom,
            k,
            seed=f"{seed}/{path}",
            density=density,
            lloyd_steps=lloyd_steps,
            x_scale=x_scale,
            grid_size=None,
        )

    last = len(counts) - 1
    # Breadth-first, so each level's total is allocated across all the parents of the level above.
    geoms: list[list[BaseGeometry]] = [split(polygon, "0", counts[0])]
    owners: list[list[int]] = [[0] * len(geoms[0])]
    if last == 0 and on_leaves is not None:
        on_leaves(len(geoms[0]))
    for level in range(1, len(counts)):
        parents = geoms[-1]
        shares = allocate(counts[level], [mass(g, density) for g in parents])
        level_geoms: list[BaseGeometry] = []
        level_owners: list[int] = []
        for i, (parent, share) in enumerate(zip(parents, shares, strict=True)):
            children = split(parent, f"{level}.{i}", share)
            level_geoms.extend(children)
            level_owners.extend([i] * len(children))
            if level == last and on_leaves is not None:
                on_leaves(len(children))
        geoms.append(level_geoms)
        owners.append(level_owners)
    # Leaves of different parents meet along parent edges that each side noded on its own: clean them as one
    # coverage, round once, then rebuild every parent from its children so all levels nest exactly.
    geoms[last] = clean_coverage(geoms[last], grid_size=grid_size)
    if any(g.is_empty for g in geoms[last]):
        raise ValueError("a leaf vanished when rounded to the grid: too many parts for the area")
    cells = [Cell(g) for g in geoms[last]]
    for level in range(last - 1, -1, -1):
        grouped: list[list[Cell]] = [[] for _ in geoms[level]]
        for cell, owner in zip(cells, owners[level + 1], strict=True):
            grouped[owner].append(cell)
        cells = [
            Cell(_polygonal(shapely.coverage_union_all([c.geometry for c in kids])), tuple(kids)) for kids in grouped
        ]
    return cells


def radial_density(core: tuple[float, float], radius_km: float, *, floor: float = 0.08) -> Density:
    """A density in (floor, 1] that peaks at `core` (lon, lat) and falls off as a Gaussian of `radius_km`."""
    if radius_km <= 0:
        raise ValueError(f"radius_km must be positive, got {radius_km}")
    lon0, lat0 = core
    kx = 111.32 * math.cos(math.radians(lat0))  # km per degree of longitude near the core
    ky = 110.57  # km per degree of latitude
    inv = 1.0 / (2.0 * radius_km * radius_km)

    def density(lon: float, lat: float) -> float:
        dx, dy = (lon - lon0) * kx, (lat - lat0) * ky
        return floor + (1.0 - floor) * math.exp(-(dx * dx + dy * dy) * inv)

    return density
