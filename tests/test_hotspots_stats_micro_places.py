"""Micro-place rates: empirical Bayes by hand, recency, stacking and row-order invariance, bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from vrc_geo.errors import ParameterError
from vrc_geo.hotspots import MicroPlaceRates
from vrc_geo.hotspots.stats.micro_places import month_weights


def test_month_weights_halve_every_half_life():
    w = month_weights(5, 2.0)
    assert w[-1] == 1.0
    assert w[-3] == pytest.approx(0.5)
    assert w[0] == pytest.approx(0.25)
    assert month_weights(3, None).tolist() == [1.0, 1.0, 1.0]


def test_estimate_by_hand_with_a_fixed_prior():
    # Two snap points 100 m apart, three months, no recency weighting: rates 6/3 = 2 and 3/3 = 1.
    x = np.array([0.0] * 6 + [100.0] * 3)
    y = np.zeros(9)
    period = np.array([0, 1, 2, 0, 1, 2, 0, 1, 2])
    model = MicroPlaceRates(half_life_months=None, prior_radius_m=150, prior_strength_months=3).fit(
        x, y, period, n_periods=3
    )
    places = model.places_
    assert places["records"].tolist() == [6, 3]
    # Each point's prior is the other's rate; posterior = (n + a * prior) / (T + a).
    assert places["prior_per_month"].tolist() == pytest.approx([1.0, 2.0])
    assert places["expected_per_month"].tolist() == pytest.approx([(6 + 3 * 1) / 6, (3 + 3 * 2) / 6])


def test_isolated_point_falls_back_to_the_overall_rate_and_recency_counts():
    x = np.array([0.0, 0.0, 5000.0])
    y = np.zeros(3)
    period = np.array([0, 3, 3])  # the first point's records are old and recent; the far one's recent
    model = MicroPlaceRates(half_life_months=1.0, prior_radius_m=100, prior_strength_months=0).fit(
        x, y, period, n_periods=4
    )
    weights = month_weights(4, 1.0)
    exposure = weights.sum()
    expected = [(weights[0] + weights[3]) / exposure, weights[3] / exposure]
    assert model.places_["expected_per_month"].tolist() == pytest.approx(expected)
    overall = np.mean(expected)
    assert model.places_["prior_per_month"].tolist() == pytest.approx([overall, overall])


def test_stacked_records_equal_repeated_rows_and_row_order_does_not_matter():
    rng = np.random.default_rng(4)
    snaps = rng.uniform(0, 2000, (40, 2)).round()
    idx = rng.integers(0, 40, 800)
    period = rng.integers(0, 12, 800)
    frame = pd.DataFrame({"x": snaps[idx, 0], "y": snaps[idx, 1], "p": period})
    a = MicroPlaceRates().fit(frame["x"], frame["y"], frame["p"], n_periods=12).places_
    shuffled = frame.sample(frac=1, random_state=9)
    b = MicroPlaceRates().fit(shuffled["x"], shuffled["y"], shuffled["p"], n_periods=12).places_
    pd.testing.assert_frame_equal(a, b)
    assert a["records"].sum() == 800
    # Sorted by position, one row per distinct snap point.
    assert a[["x", "y"]].duplicated().sum() == 0
    assert a["x"].is_monotonic_increasing or not a["x"].duplicated().any()


def test_moment_estimate_of_the_prior_strength_is_bounded_and_fitted():
    rng = np.random.default_rng(0)
    # Overdispersed counts round a common mean: a modest prior strength.
    lam = rng.gamma(2.0, 0.25, 300)  # rate a month: mean 0.5, variance 0.125
    counts = rng.poisson(lam * 12)
    xs = np.repeat(np.arange(300) * 50.0, counts)
    period = rng.integers(0, 12, len(xs))
    model = MicroPlaceRates(half_life_months=None, prior_radius_m=120).fit(xs, np.zeros(len(xs)), period, n_periods=12)
    low, high = MicroPlaceRates.STRENGTH_BOUNDS
    assert low <= model.prior_strength_months_ <= high
    # The prior (n + a mu) / (T + a) is a gamma rate with mean mu and variance mu / a, so the true a
    # is 0.5 / 0.125 = 4 months (a fit of Var = T mu + (T mu)^2 / a would say 2).
    assert 2.7 < model.prior_strength_months_ < 6


def test_harm_weights_scale_the_estimate():
    x, y = np.zeros(4), np.zeros(4)
    period = np.array([0, 1, 2, 3])
    plain = MicroPlaceRates(prior_strength_months=0).fit(x, y, period, n_periods=4)
    heavy = MicroPlaceRates(prior_strength_months=0).fit(x, y, period, n_periods=4, weight=np.full(4, 10.0))
    assert heavy.places_["expected_per_month"].iloc[0] == pytest.approx(
        10 * plain.places_["expected_per_month"].iloc[0]
    )


def test_bad_arguments():
    with pytest.raises(ParameterError, match="half_life_months"):
        MicroPlaceRates(half_life_months=0).fit(np.zeros(1), np.zeros(1), np.zeros(1, int), n_periods=1)
    with pytest.raises(ParameterError, match="n_periods"):
        MicroPlaceRates().fit(np.zeros(1), np.zeros(1), np.zeros(1, int), n_periods=0)
    with pytest.raises(ParameterError, match="period must lie"):
        MicroPlaceRates().fit(np.zeros(1), np.zeros(1), np.array([3]), n_periods=2)
    with pytest.raises(ParameterError, match="finite"):
        MicroPlaceRates().fit(np.array([np.nan]), np.zeros(1), np.zeros(1, int), n_periods=1)
    with pytest.raises(ParameterError, match="weight"):
        MicroPlaceRates().fit(np.zeros(1), np.zeros(1), np.zeros(1, int), n_periods=1, weight=np.array([-1.0]))
    with pytest.raises(TypeError):
        MicroPlaceRates(prior_radius_m="far").fit(np.zeros(1), np.zeros(1), np.zeros(1, int), n_periods=1)
    empty = MicroPlaceRates().fit(np.zeros(0), np.zeros(0), np.zeros(0, int), n_periods=3)
    assert empty.places_.empty
