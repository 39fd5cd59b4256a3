"""Area and hits of ranked discs, fast enough to score many cuts: a fine land raster and a k-d tree.

Backtests compare lists of places at equal area, so they need, for discs taken in rank order, the land
area of their union after each disc and the later records inside it. Exact polygon unions of
thousands of discs at every step are slow; here each disc is rasterised once on ``cell_m`` (5 m) cells
(a cell belongs to a disc when its centre lies within the radius; a cell counts as land when its centre
does), each cell remembers the first disc that covers it, and cumulative areas follow from one
histogram. A cell's area is scaled so that one disc has its exact area (pi r^2 over the count of
cells in it: 2 % for 40 m discs on 5 m cells); unions then agree with exact polygons to about 1 %. A
later record is a hit from the first disc within ``radius_m`` of it.
"""

from __future__ import annotations

import heapq

import numpy as np
import pandas as pd
import shapely
from scipy.spatial import cKDTree

__all__ = ["DiscCoverage", "order_by_capture"]

_KEY = 1 << 24  # cell column/row offsets fit in 24 bits at 5 m over Great Britain


class DiscCoverage:
    """Cumulative union area and hits for discs in rank order, on land."""

    def __init__(self, land: shapely.Geometry | None, *, radius_m: float = 40.0, cell_m: float = 5.0) -> None:
        self.land = land
        self.radius_m = float(radius_m)
        self.cell_m = float(cell_m)
        r = int(np.ceil(self.radius_m / self.cell_m))
        ii, jj = np.meshgrid(np.arange(-r, r + 1), np.arange(-r, r + 1))
        # Cell centres relative to the centre's cell centre.
        keep = np.hypot(ii * self.cell_m, jj * self.cell_m) <= self.radius_m
        self._di, self._dj = ii[keep].ravel(), jj[keep].ravel()
        self._cell_km2 = np.pi * self.radius_m**2 / len(self._di) / 1e6
        self._inner = None
        if land is not None:
            shapely.prepare(land)
            # Land shrunk by a disc and a cell: a disc centred inside it lies wholly on land.
            self._inner = land.buffer(-(self.radius_m + 2 * self.cell_m), quad_segs=4)
            shapely.prepare(self._inner)

    def curve(self, x: np.ndarray, y: np.ndarray, *point_sets: object) -> tuple[np.ndarray, list[np.ndarray]]:
        """(area_km2, [hits per point set]) after each of the discs centred at ``x, y`` (in rank order).

        A point set is an (n, 2) array of record positions, or a pair (positions, weights) to sum a
        weight (e.g. crime harm) per record instead of counting records."""
        x, y = np.asarray(x, dtype="float64"), np.asarray(y, dtype="float64")
        n = len(x)
        if n == 0:
            return np.zeros(0), [np.zeros(0, dtype=np.int64) for _ in point_sets]
        ci = np.floor(x / self.cell_m).astype(np.int64)
        cj = np.floor(y / self.cell_m).astype(np.int64)
        gi = (ci[:, None] + self._di[None, :]).ravel()
        gj = (cj[:, None] + self._dj[None, :]).ravel()
        rank = np.repeat(np.arange(n), len(self._di))
        key = gi * _KEY + gj
        inverse, unique = pd.factorize(key)  # hashing, not sorting: the cells in order of first use
        first = np.full(len(unique), n, dtype=np.int64)
        np.minimum.at(first, inverse, rank)
        if self.land is not None:
            # Only cells of discs near the coast need a point-in-polygon test.
            inland = shapely.contains_xy(self._inner, x, y)
            coastal = np.zeros(len(unique), dtype=bool)
            coastal[inverse[~np.repeat(inland, len(self._di))]] = True
            check = coastal
            on_land = np.ones(len(unique), dtype=bool)
            ux, uy = (unique[check] // _KEY + 0.5) * self.cell_m, (unique[check] % _KEY + 0.5) * self.cell_m
            on_land[check] = shapely.contains_xy(self.land, ux, uy)
            first = first[on_land]
        area = np.cumsum(np.bincount(first, minlength=n)[:n]) * self._cell_km2
        tree = cKDTree(np.column_stack([x, y]))
        return area, [self._hits(tree, n, points) for points in point_sets]

    def curve_to(
        self, x: np.ndarray, y: np.ndarray, *point_sets: object, area_km2: float
    ) -> tuple[np.ndarray, list[np.ndarray]]:
        """:meth:`curve` of the first discs only, as many as reach ``area_km2`` (all of them when they never
        do). Each step of the curve depends only on the discs before it, so this is the whole curve cut
        where it first reaches the area: a peer's thousands of discs are not rasterised past the land the
        list it is compared with covers (the nearest step to any area up to ``area_km2`` is the same)."""
        x, y = np.asarray(x, dtype="float64"), np.asarray(y, dtype="float64")
        disc_km2 = np.pi * self.radius_m**2 / 1e6
        take = min(len(x), max(64, int(2 * area_km2 / disc_km2) + 1))
        while True:
            area, hits = self.curve(x[:take], y[:take], *point_sets)
            if take >= len(x) or (len(area) and area[-1] >= area_km2):
                return area, hits
            take = min(len(x), 2 * take)

    def _hits(self, tree: cKDTree, n: int, point_set: object) -> np.ndarray:
        """Cumulative records (or weights) within ``radius_m`` of the discs so far, each counted once."""
        points, weights = point_set if isinstance(point_set, tuple) else (point_set, None)
        points = np.asarray(points, dtype="float64").reshape(-1, 2)
        if len(points) == 0:
            return np.zeros(n)
        # Records stack on snap points: look each distinct point up once, then sum what stands there.
        distinct, inverse = np.unique(points, axis=0, return_inverse=True)
        inverse = inverse.ravel()
        amount = np.bincount(inverse, weights=None if weights is None else np.asarray(weights, dtype="float64"))
        pairs = cKDTree(distinct).sparse_distance_matrix(tree, self.radius_m, output_type="ndarray")
        hit_by = np.full(len(distinct), n, dtype=np.int64)
        np.minimum.at(hit_by, pairs["i"], pairs["j"])  # the first disc (in rank order) covering each point
        inside = hit_by < n
        return np.cumsum(np.bincount(hit_by[inside], weights=amount[inside], minlength=n)[:n])


def order_by_capture(xy: np.ndarray, weight: np.ndarray, *, radius_m: float) -> np.ndarray:
    """Distinct points of ``xy`` as disc centres, in greedy order of the records (or weight) each disc
    adds that earlier discs have not already caught; discs that add nothing are left out.

    This is the near-best set of discs for a given number of discs (greedy maximum coverage reaches at
    least 63 % of the optimum, and in practice nearly all of it): the yardstick PEI divides by. Taking
    the busiest points first instead counts the same records twice where discs overlap. Ties: lower x,
    then y."""
    xy = np.asarray(xy, dtype="float64").reshape(-1, 2)
    if len(xy) == 0:
        return np.zeros((0, 2))
    points, inverse = np.unique(xy, axis=0, return_inverse=True)
    amount = np.bincount(inverse.ravel(), weights=np.asarray(weight, dtype="float64"), minlength=len(points))
    tree = cKDTree(points)
    reach = tree.query_ball_point(points, radius_m)
    caught = np.zeros(len(points), dtype=bool)
    # Lazy greedy: a stored gain can only fall as discs are added, so re-check only the top of the heap.
    heap = [(-float(amount[r].sum()), i) for i, r in enumerate(reach)]  # i follows (x, y) order
    heapq.heapify(heap)
    order = []
    while heap:
        _, i = heapq.heappop(heap)
        members = np.asarray(reach[i], dtype=np.int64)
        gain = float(amount[members[~caught[members]]].sum())
        if gain <= 0:
            continue
        if heap and (-gain, i) > heap[0]:  # another disc may now add more (or as much, lower in x, y)
            heapq.heappush(heap, (-gain, i))
            continue
        order.append(i)
        caught[members] = True
    return points[np.asarray(order, dtype=np.int64)]
