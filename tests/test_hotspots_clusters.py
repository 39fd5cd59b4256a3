"""Weighted DBSCAN clusters: planted clusters found, stacked records = weights, order invariance."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely

from vrc_geo.errors import ParameterError
from vrc_geo.hotspots import DensityClusters, hotspot_clusters
from vrc_geo.hotspots.clusters import default_min_records, stack_points


def planted(seed: int = 0) -> pd.DataFrame:
    """Two clusters (400 and 250 records on a handful of snap points) in sparse background."""
    rng = np.random.default_rng(seed)
    snaps_a = rng.normal([2000, 2000], 40, (8, 2)).round()
    snaps_b = rng.normal([6000, 5000], 40, (6, 2)).round()
    rows = [snaps_a[rng.integers(0, 8, 400)], snaps_b[rng.integers(0, 6, 250)]]
    rows.append(rng.uniform(0, 8000, (300, 2)).round())  # background
    xy = np.vstack(rows)
    return pd.DataFrame({"x": xy[:, 0], "y": xy[:, 1]})


def test_planted_clusters_are_found_with_tight_footprints():
    records = planted()
    clusters, points = hotspot_clusters(records, eps_m=150, min_records=60, footprint_radius_m=40)
    assert len(clusters) == 2
    assert clusters["records"].tolist()[0] >= 400  # cluster 0 is the biggest
    centre = clusters.geometry.centroid
    assert abs(centre.iloc[0].x - 2000) < 60
    assert abs(centre.iloc[1].x - 6000) < 60
    # Tight: discs of 40 m round a few snap points, far less than a 300 m square.
    assert (clusters["area_km2"] < 0.05).all()
    assert points["records"].sum() == len(records)


def test_stacked_records_equal_repeated_rows():
    base = pd.DataFrame({"x": [0.0, 10, 20, 500, 1000], "y": [0.0, 0, 0, 0, 0]})
    weights = [30, 20, 15, 2, 40]
    repeated = base.loc[base.index.repeat(weights)]
    stacked = stack_points(repeated["x"], repeated["y"])
    assert stacked["records"].tolist() == weights
    model = DensityClusters(eps_m=50, min_records=40, footprint_radius_m=20).fit(repeated["x"], repeated["y"])
    # Snap points 0-2 (65 records within 50 m) form one cluster; the lone 40-record point is one too.
    assert model.points_["cluster"].tolist() == [0, 0, 0, -1, 1]
    assert model.clusters_["records"].tolist() == [65, 40]


def test_row_order_does_not_change_clusters():
    records = planted(1)
    a, _ = hotspot_clusters(records, min_records=60)
    b, _ = hotspot_clusters(records.sample(frac=1, random_state=5), min_records=60)
    assert a["records"].tolist() == b["records"].tolist()
    assert all(x.equals(y) for x, y in zip(a.geometry, b.geometry, strict=True))


def test_footprints_are_clipped_to_land():
    records = planted()
    land = shapely.box(0, 0, 2000, 8000)  # the sea starts at x = 2000, through cluster A
    clusters, _ = hotspot_clusters(records, min_records=60, land=land)
    assert clusters.geometry.iloc[0].bounds[2] <= 2000 + 1e-6


def test_no_clusters_and_records_without_location():
    sparse = pd.DataFrame({"x": [0.0, 5000, np.nan], "y": [0.0, 5000, 1]})
    clusters, points = hotspot_clusters(sparse, min_records=10)
    assert clusters.empty
    assert (points["cluster"] == -1).all()
    assert len(points) == 2


def test_default_min_records_scales_with_months():
    assert default_min_records(1) == 12
    assert default_min_records(12) == 72


def test_bad_arguments():
    xy = np.zeros(3)
    with pytest.raises(ParameterError, match="eps_m"):
        DensityClusters(eps_m=0).fit(xy, xy)
    with pytest.raises(ParameterError, match="min_records"):
        DensityClusters(min_records=1).fit(xy, xy)
    with pytest.raises(TypeError):
        DensityClusters(min_records=2.5).fit(xy, xy)
    with pytest.raises(ParameterError, match="must not exceed"):
        DensityClusters(eps_m=50, footprint_radius_m=60).fit(xy, xy)
    with pytest.raises(ParameterError, match="finite"):
        DensityClusters().fit(np.array([np.nan]), np.array([1.0]))
    with pytest.raises(TypeError):
        hotspot_clusters(np.zeros((3, 2)))
