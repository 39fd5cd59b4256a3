"""Greedy disc order for the PEI yardstick: overlapping discs are not counted twice."""

from __future__ import annotations

import numpy as np

from vrc_geo.hotspots.evaluate.coverage import DiscCoverage, order_by_capture


def test_greedy_order_skips_a_disc_that_adds_nothing():
    # A (10 records) and B (9) stand 20 m apart; C (12) alone 500 m away; D (11) 30 m east of B.
    xy = np.array([[0.0, 0.0]] * 10 + [[20.0, 0.0]] * 9 + [[500.0, 0.0]] * 12 + [[50.0, 0.0]] * 11)
    order = order_by_capture(xy, np.ones(len(xy)), radius_m=40)
    # B's disc catches A, B and D (30 records): first. Then C (12). A and D add nothing more.
    np.testing.assert_array_equal(order, [[20.0, 0.0], [500.0, 0.0]])
    # Busiest-first (C, D, A, B) needs three discs for what greedy catches with two.
    area, (hits,) = DiscCoverage(None, radius_m=40).curve(order[:, 0], order[:, 1], xy)
    assert hits.tolist() == [30, 42]
    assert abs(area[-1] - 2 * np.pi * 40**2 / 1e6) < 1e-3  # two discs, no overlap


def test_greedy_order_weights_and_empty_input():
    xy = np.array([[0.0, 0.0], [1000.0, 0.0]])
    order = order_by_capture(xy, np.array([1.0, 5.0]), radius_m=40)
    np.testing.assert_array_equal(order, [[1000.0, 0.0], [0.0, 0.0]])
    assert order_by_capture(np.zeros((0, 2)), np.zeros(0), radius_m=40).shape == (0, 2)


def test_equal_gains_go_to_the_lower_point():
    # (0, 30) and (30, 30) each catch three points: the lower x first; then (30, 30) and (60, 30) each add
    # (60, 30): the lower x again.
    xy = np.array([[30.0, 30.0], [0.0, 60.0], [60.0, 30.0], [0.0, 30.0]])
    order = order_by_capture(xy, np.ones(4), radius_m=40)
    np.testing.assert_array_equal(order, [[0.0, 30.0], [30.0, 30.0]])


def test_curve_to_is_the_curve_cut_where_it_reaches_the_area():
    rng = np.random.default_rng(3)
    centres = rng.uniform(0, 3000, size=(400, 2))
    later = rng.uniform(0, 3000, size=(2000, 2))
    coverage = DiscCoverage(None, radius_m=40)
    area, (hits,) = coverage.curve(centres[:, 0], centres[:, 1], later)
    target = float(area[150])
    cut, (cut_hits,) = coverage.curve_to(centres[:, 0], centres[:, 1], later, area_km2=target)
    assert 150 < len(cut) < len(area)  # fewer discs rasterised, at least up to the area asked for
    np.testing.assert_allclose(cut, area[: len(cut)])
    np.testing.assert_allclose(cut_hits, hits[: len(cut)])
    assert cut[-1] >= target
    # An area the discs never reach: the whole curve.
    whole, _ = coverage.curve_to(centres[:, 0], centres[:, 1], later, area_km2=1e6)
    np.testing.assert_allclose(whole, area)
