"""The learned forecast: trends learnt from earlier months, the empirical-Bayes fallback, the method registry."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from vrc_geo.errors import ParameterError
from vrc_geo.hotspots.methods import METHODS, make_method
from vrc_geo.hotspots.stats.learned_rates import FEATURES, LearnedRates
from vrc_geo.hotspots.stats.micro_places import MicroPlaceRates


def _world(seed: int = 0, n_months: int = 12):
    """600 places 400 m apart: a third rising steadily, a third falling, a third flat, all with the same
    mean (3 a month); Poisson counts each month."""
    rng = np.random.default_rng(seed)
    xy = np.array([(400.0 * i, 400.0 * j) for i in range(30) for j in range(20)])
    kind = np.arange(len(xy)) % 3
    t = np.arange(n_months) - (n_months - 1) / 2
    slope = np.where(kind == 0, 0.35, np.where(kind == 1, -0.35, 0.0))
    rate = np.clip(3.0 + slope[:, None] * t[None, :], 0.05, None)
    counts = rng.poisson(rate)
    rows = [(xy[p, 0], xy[p, 1], m) for p in range(len(xy)) for m in range(n_months) for _ in range(counts[p, m])]
    frame = pd.DataFrame(rows, columns=["x", "y", "period"])
    return frame, kind, xy


def test_a_rising_place_is_forecast_above_a_falling_one_of_the_same_mean():
    frame, kind, xy = _world()
    model = LearnedRates(min_samples_leaf=20).fit(frame["x"], frame["y"], frame["period"], n_periods=12)
    assert model.model_ is not None and model.training_rows_ > 0
    got = model.places_.set_index(["x", "y"])["expected_per_month"]
    by_kind = pd.Series(got.reindex(pd.MultiIndex.from_arrays([xy[:, 0], xy[:, 1]])).to_numpy()).groupby(kind).mean()
    assert by_kind[0] > by_kind[2] > by_kind[1]
    # Next month rising places run 3 + 0.35 * 6.5 = 5.3, falling 0.7, flat 3: the model is much nearer than
    # empirical Bayes, which sees the same mean everywhere.
    truth = np.where(kind == 0, 5.275, np.where(kind == 1, 0.725, 3.0))
    index = pd.MultiIndex.from_arrays([xy[:, 0], xy[:, 1]])
    eb = MicroPlaceRates().fit(frame["x"], frame["y"], frame["period"], n_periods=12).places_
    eb = eb.set_index(["x", "y"])["expected_per_month"].reindex(index).to_numpy()
    learned = got.reindex(index).to_numpy()
    assert np.abs(learned - truth).mean() < 0.8 * np.abs(eb - truth).mean()


def test_too_few_months_fall_back_to_empirical_bayes():
    frame, _, _ = _world(n_months=4)
    model = LearnedRates().fit(frame["x"], frame["y"], frame["period"], n_periods=4)
    assert model.model_ is None and model.training_rows_ == 0
    eb = MicroPlaceRates().fit(frame["x"], frame["y"], frame["period"], n_periods=4).places_
    pd.testing.assert_series_equal(
        model.places_["expected_per_month"], eb["expected_per_month"], check_names=False, rtol=1e-9
    )


def test_later_months_never_reach_the_features_of_an_origin():
    frame, _, _ = _world()
    model = LearnedRates()
    first = frame[frame["period"] < 6]
    x, y, p = (frame[c].to_numpy() for c in ("x", "y", "period"))
    counts = np.zeros((len(np.unique(np.c_[x, y], axis=0)), 12))
    near = model._neighbours(np.unique(np.c_[x, y], axis=0))
    crime = model._context(near["xy"], None, 12)
    eb = MicroPlaceRates()
    full = model._features(counts, 6, near, crime, eb, x, y, p, np.ones(len(x)))
    x0, y0, p0 = (first[c].to_numpy() for c in ("x", "y", "period"))
    cut = model._features(counts, 6, near, crime, eb, x0, y0, p0, np.ones(len(x0)))
    np.testing.assert_allclose(full[:, 0], cut[:, 0])  # the EB feature at origin 6 reads months 0-5 only
    assert full.shape[1] == len(FEATURES)


def test_registered_as_a_ranking_method_and_options_checked():
    assert "learned" in METHODS and METHODS["learned"].docs == "docs/methods/learned-forecast.md"
    assert isinstance(make_method("learned", half_life_months=3.0), LearnedRates)
    with pytest.raises(ParameterError, match="horizon_months"):
        LearnedRates(horizon_months=0).fit(np.zeros(1), np.zeros(1), np.zeros(1, dtype=int), n_periods=2)
