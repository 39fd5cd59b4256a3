"""Patrol zones as target areas of an evaluation: ``zone_areas``.

A zone's target area is the ground its patrol covers: the outline round its circles (their convex hull)
and a margin. Zones split from one busy town centre lie side by side, so their outlines overlap, and an
evaluation refuses overlapping targets (a record would count twice). Ground two or more outlines share
goes to the zone whose circle centre is nearest (a Voronoi split of the chosen zones' circles), so the
areas never overlap and each keeps the ground nearest its own places. See docs/methods/evaluation.md.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

__all__ = ["ZONE_MARGIN_M", "zone_areas"]

ZONE_MARGIN_M = 30.0  # round the circles' outline: the pavements and corners one patrol walks past


def zone_areas(zones: gpd.GeoSeries, *, margin_m: float = ZONE_MARGIN_M) -> gpd.GeoSeries:
    """One area per zone (``zones``: each zone's circles as one geometry, EPSG:27700), in the same order:
    the circles' hull widened by ``margin_m``, less the shared ground nearer another zone's circle."""
    outlines = zones.convex_hull.buffer(margin_m)
    if len(zones) < 2:
        return outlines
    hulls = list(outlines.to_numpy())
    tree = shapely.STRtree(hulls)
    left, right = tree.query(hulls, predicate="intersects")
    touching = {(i, j) for i, j in zip(left, right, strict=True) if i != j}
    if not touching:
        return outlines
    nearest = _nearest_cells(zones)
    areas = list(hulls)
    for i in range(len(hulls)):
        others = [hulls[j] for j in range(len(hulls)) if (i, j) in touching]
        if others:
            shared = shapely.intersection(hulls[i], shapely.union_all(others))
            areas[i] = shapely.difference(hulls[i], shapely.difference(shared, nearest[i]))
    return gpd.GeoSeries(areas, index=zones.index, crs=zones.crs)


def _nearest_cells(zones: gpd.GeoSeries) -> list[shapely.Geometry]:
    """Per zone, the ground nearer one of its circle centres than any other zone's (Voronoi cells of the
    centres, joined by zone)."""
    centres, owner = [], []
    for k, geometry in enumerate(zones.to_numpy()):
        parts = shapely.get_parts(geometry)
        points = shapely.centroid(parts)
        centres.extend(points)
        owner.extend([k] * len(points))
    owner_arr = np.asarray(owner)
    bounds = shapely.union_all(list(zones.to_numpy())).envelope.buffer(10_000)
    cells = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(centres), extend_to=bounds))
    # voronoi_polygons does not keep the points' order: each cell is matched to the centre inside it
    tree = shapely.STRtree(cells)
    found_point, found_cell = tree.query(np.asarray(centres, dtype=object), predicate="within")
    cell_owner = np.full(len(cells), -1)
    cell_owner[found_cell] = owner_arr[found_point]
    return [shapely.union_all(cells[cell_owner == k]) for k in range(len(zones))]
