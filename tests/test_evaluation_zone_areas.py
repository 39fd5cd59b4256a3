"""Patrol zones as target areas (``vrc_geo.evaluation.zone_areas``): side-by-side zones never overlap, each
keeps its own circles and the ground nearest them, and a zone alone keeps its whole outline."""

from __future__ import annotations

import itertools

import geopandas as gpd
import shapely

from vrc_geo.evaluation.zone_areas import ZONE_MARGIN_M, zone_areas


def _zone(*centres, radius_m=40.0):
    return shapely.union_all([shapely.Point(x, y).buffer(radius_m) for x, y in centres])


def _zones():
    # Two zones of one street, interleaved (their outlines overlap), and one zone far away.
    west = _zone((0, 0), (300, 0), (600, 0))
    east = _zone((150, 60), (450, 60), (750, 60))
    far = _zone((5000, 5000), (5100, 5000))
    return gpd.GeoSeries([west, east, far], index=["Z001", "Z002", "Z003"], crs="EPSG:27700")


def test_side_by_side_zones_share_no_ground_and_lose_none():
    zones = _zones()
    outlines = zones.convex_hull.buffer(ZONE_MARGIN_M)
    assert outlines.iloc[0].intersection(outlines.iloc[1]).area > 10_000  # the outlines overlap a lot
    areas = zone_areas(zones)
    assert list(areas.index) == list(zones.index) and areas.crs == zones.crs
    for i, j in itertools.combinations(range(3), 2):
        assert areas.iloc[i].intersection(areas.iloc[j]).area < 1e-6
    assert abs(areas.union_all().area - outlines.union_all().area) < 1e-3


def test_each_zone_keeps_its_circles_and_the_ground_nearest_them():
    zones = _zones()
    areas = zone_areas(zones)
    for zone, area in zip(zones, areas, strict=True):
        assert area.buffer(1e-6).contains(zone.buffer(-1))  # its circles, but for their rims
    # a point of the shared ground nearer west's circle at (300, 0) than east's at (150, 60) or (450, 60)
    assert areas.iloc[0].contains(shapely.Point(300, 30)) and not areas.iloc[1].contains(shapely.Point(300, 30))
    assert areas.iloc[1].contains(shapely.Point(450, 40)) and not areas.iloc[0].contains(shapely.Point(450, 40))


def test_a_zone_apart_keeps_its_whole_outline():
    zones = _zones()
    areas = zone_areas(zones)
    far = zones.convex_hull.buffer(ZONE_MARGIN_M).iloc[2]
    assert areas.iloc[2].symmetric_difference(far).area < 1e-6
    alone = zone_areas(zones.iloc[:1])
    assert alone.iloc[0].equals(zones.convex_hull.buffer(ZONE_MARGIN_M).iloc[0])
