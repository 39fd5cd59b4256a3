"""Spatial weights for area statistics: queen contiguity, with islands and detached parts joined.

Gi* needs every area to have neighbours. Queen contiguity (shared edge or corner) is the standard for
wards, but islands and groups of wards cut off by water or by generalised boundaries (e.g. the Isle of
Sheppey across the Swale, in some boundary vintages) would have none outside their group. Each such group
is joined to the nearest ward outside it (by polygon distance), repeatedly, until the graph is connected:
a documented, deterministic rule rather than a silent drop.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import shapely
from libpysal.weights import Queen, W

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = ["contiguity_weights"]


def contiguity_weights(areas: gpd.GeoDataFrame) -> W:
    """Queen contiguity weights over ``areas`` (rows in order, ids 0..n-1), every component joined."""
    n = len(areas)
    if n < 2:
        return W({0: []} if n else {}, silence_warnings=True)
    queen = Queen.from_dataframe(areas, use_index=False, silence_warnings=True)
    neighbours = {i: set(queen.neighbors[i]) for i in range(n)}
    geoms = areas.geometry.to_numpy()
    labels = _components(neighbours)
    while labels.max() > 0:
        # Join the smallest component to its nearest area outside it (ties: lowest indices).
        sizes = np.bincount(labels)
        small = int(np.argmin(sizes))
        inside = np.flatnonzero(labels == small)
        outside = np.flatnonzero(labels != small)
        tree = shapely.STRtree(geoms[outside])
        src, dst = tree.query_nearest(geoms[inside], all_matches=True, return_distance=False)
        dist = shapely.distance(geoms[inside][src], geoms[outside][dst])
        best = np.lexsort((outside[dst], inside[src], dist))[0]
        a, b = int(inside[src[best]]), int(outside[dst[best]])
        neighbours[a].add(b)
        neighbours[b].add(a)
        labels = _components(neighbours)
    return W({i: sorted(v) for i, v in neighbours.items()}, silence_warnings=True)


def _components(neighbours: dict[int, set[int]]) -> np.ndarray:
    """Connected-component label per node, numbered in order of first appearance."""
    labels = np.full(len(neighbours), -1, dtype=np.int64)
    current = 0
    for start in range(len(neighbours)):
        if labels[start] >= 0:
            continue
        stack = [start]
        labels[start] = current
        while stack:
            node = stack.pop()
            for nxt in neighbours[node]:
                if labels[nxt] < 0:
                    labels[nxt] = current
                    stack.append(nxt)
        current += 1
    return labels
