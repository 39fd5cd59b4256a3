"""The accuracy benchmark's peers by hand: ranking, kernels, prospective weights, land, equal-area reads."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from vrc_geo.hotspots.evaluate import peers
from vrc_geo.hotspots.evaluate.coverage import DiscCoverage


def test_curves_are_read_at_equal_land_between_steps():
    curve = peers.Curve("x", np.array([1.0, 3.0]), np.array([10.0, 16.0]))
    assert curve.at(0.5) == 5.0 and curve.at(2.0) == 13.0 and curve.at(9.0) == 16.0
    assert peers.Curve("empty", np.zeros(0), np.zeros(0)).at(1.0) == 0.0


def test_busiest_points_ties_by_position():
    xy = np.array([(5, 5), (1, 1), (1, 1), (0, 9), (5, 5), (3, 3)], dtype=float)
    assert peers.busiest_points(xy).tolist() == [[1, 1], [5, 5], [0, 9], [3, 3]]
    weighted = peers.busiest_points(xy, weight=np.array([1, 1, 1, 10, 1, 1.0]))
    assert weighted[0].tolist() == [0, 9]


def test_current_map_months():
    month = np.array(["2022-05", "2022-07", "2022-09"])
    assert peers.current_map(month, ("2022-07",)).tolist() == [False, True, True]
    assert peers.current_map(month, ()).all()


def test_kernel_density_peaks_on_the_record_and_falls_to_zero_at_the_bandwidth():
    scores = peers.kde_cells(np.array([[125.0, 125.0]]), cell_m=50, bandwidth_m=150)
    assert scores.idxmax() == (2, 2) and scores.max() == pytest.approx(1.0)
    assert scores.loc[(3, 2)] == pytest.approx((1 - (50 / 150) ** 2) ** 2)
    assert (5, 2) not in scores.index  # 150 m away: nothing


def test_prospective_weights_fall_with_distance_and_age():
    xy = np.array([[25.0, 25.0], [25.0, 25.0], [1025.0, 25.0]])
    scores = peers.prospective_cells(xy, np.array([0, 1, 5]), cell_m=50, bandwidth_m=400, months=3)
    assert scores.loc[(0, 0)] == pytest.approx(1 + 0.5)  # this month (1) and last month (1/2), distance 0
    assert scores.loc[(1, 0)] == pytest.approx((1 + 0.5) / 2)  # one cell away
    assert (20, 0) not in scores.index  # five months old: not recent


def test_cells_are_clipped_to_land_and_hold_the_later_records():
    land = shapely.box(0, 0, 150, 100)  # a coast through the middle of the second column of 100 m cells
    scores = peers.count_cells(np.array([[10, 10], [10, 20], [120, 10]]), 100)
    later = np.array([[50, 50], [60, 60], [140, 40], [500, 500]])
    curve = peers.cell_curve("cells", scores, 100, later, land, max_km2=1)
    assert curve.area_km2.tolist() == pytest.approx([0.01, 0.015])
    assert curve.hits.tolist() == [2, 3]


def test_disc_curve_matches_the_coverage_raster():
    coverage = DiscCoverage(shapely.box(-1000, -1000, 1000, 1000))
    curve = peers.disc_curve("d", np.array([[0, 0], [500, 0]]), np.array([[10, 0], [490, 0], [900, 0]]), coverage)
    assert curve.hits.tolist() == [1, 2]
    assert curve.area_km2[-1] == pytest.approx(2 * np.pi * 40**2 / 1e6, rel=0.01)
