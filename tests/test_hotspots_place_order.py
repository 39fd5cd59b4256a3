"""The patrol list's order (by estimate) and its stated figures (calibrated, pooled to fall down the list)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from vrc_geo.hotspots.evaluate.calibration import PointCalibration, pool_down_the_list
from vrc_geo.hotspots.place_order import pool_stated_figures, rank_order


def test_places_are_ranked_by_their_estimates_not_the_calibrated_figures():
    """Isotonic calibration has flat steps and lifts quiet points: the estimates the circles were placed on
    decide the order (not position on a step, nor a circle of lifted quiet points)."""
    table = pd.DataFrame(
        {
            "kind": ["place"] * 4 + ["site"],
            "circles": [1, 1, 1, 1, 1],
            "area_km2": [0.005] * 5,
            # calibrated: three on one step (6.62), a circle of quiet points lifted higher (7.0)
            "density_per_km2": [6.62 / 0.005] * 3 + [7.0 / 0.005, 99 / 0.005],
            "_raw": [5.1, 7.3, 6.0, 4.0, 9.0],
            "_x": [0.0, 1.0, 2.0, 3.0, 4.0],
            "_y": [0.0, 0.0, 0.0, 0.0, 0.0],
        }
    )
    assert list(rank_order(table)) == [1, 2, 0, 3, 4]


def test_stated_figures_are_pooled_to_fall_down_the_list():
    per = np.array([5.0, 7.0, 4.0, 4.0, 6.0, 1.0])
    weight = np.array([1.0, 1.0, 1.0, 1.0, 2.0, 1.0])
    pooled = pool_down_the_list(per, weight)
    np.testing.assert_allclose(pooled, [6.0, 6.0, 5.0, 5.0, 5.0, 1.0])
    assert (np.diff(pooled) <= 0).all()
    np.testing.assert_allclose((pooled * weight).sum(), (per * weight).sum())  # totals kept
    np.testing.assert_allclose(pool_down_the_list(np.array([3.0, 2.0, 0.0]), np.ones(3)), [3.0, 2.0, 0.0])
    # a figure calibrated to 0 above a positive one is raised too (not left at 0)
    np.testing.assert_allclose(pool_down_the_list(np.array([3.0, 0.0, 2.0]), np.ones(3)), [3.0, 1.0, 1.0])


def test_pooled_figures_carry_their_points_and_intervals():
    """Points follow their place's pooled figure (an even share where it had none); totals hold."""
    table = pd.DataFrame(
        {
            "kind": ["place", "place", "place"],
            "circles": [1, 1, 1],
            "area_km2": [0.005] * 3,
            "expected_per_month": [3.0, 0.0, 2.0],
            "density_per_km2": [600.0, 0.0, 400.0],
            "_members": [np.array([0, 1]), np.array([2, 3]), np.array([4])],
        }
    )
    points = pd.DataFrame({"expected_per_month": [2.0, 1.0, 0.0, 0.0, 2.0]})
    pool_stated_figures(table, points, stated="expected_per_month", calibration=PointCalibration(None, 0.0, 0, ()))
    np.testing.assert_allclose(table["expected_per_month"], [3.0, 1.0, 1.0])
    np.testing.assert_allclose(points["expected_per_month"], [2.0, 1.0, 0.5, 0.5, 1.0])
    np.testing.assert_allclose(table["density_per_km2"], [600.0, 200.0, 200.0])
    assert (table["expected_low"] <= table["expected_per_month"]).all()
    assert (table["expected_high"] >= table["expected_per_month"]).all()
