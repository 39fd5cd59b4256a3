"""Calibrated expectations: the order of places kept, nothing later than the months given used, intervals
as their distributions say, and the levels holding on months the list never saw (the sample)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from vrc_geo.hotspots.evaluate.calibration import PointCalibration, calibration_table, fit_point_calibration
from vrc_geo.hotspots.stats.micro_places import MicroPlaceRates


def _points(seed: int, n_months: int = 12):
    """Snap points with steady rates (a gamma mix), records Poisson per month."""
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, 40_000, (15_000, 2)).round()
    rate = rng.gamma(0.6, 0.6, len(xy))
    rows = [
        (x, y, m) for (x, y), r in zip(xy, rate, strict=True) for m in range(n_months) for _ in range(rng.poisson(r))
    ]
    frame = pd.DataFrame(rows, columns=["x", "y", "period"])
    return frame["x"].to_numpy(float), frame["y"].to_numpy(float), frame["period"].to_numpy()


def _estimate(x, y, period):
    def fit(before, origin):
        return MicroPlaceRates().fit(x[before], y[before], period[before], n_periods=origin).places_

    return fit


def test_calibration_keeps_the_order_and_uses_no_later_month():
    x, y, period = _points(1)
    used = []

    def spy(before, origin):
        used.append((int(period[before].max()), origin))
        return _estimate(x, y, period)(before, origin)

    cal = fit_point_calibration(spy, x, y, period, n_periods=12)
    assert cal.origins == (10, 9) and all(last < origin for last, origin in used)
    estimate = np.linspace(0, 5, 200)
    assert np.all(np.diff(cal.apply(estimate)) >= 0)  # isotonic: never reorders places


def test_too_few_months_leave_the_estimates_as_they_are():
    x, y, period = _points(2, n_months=4)
    cal = fit_point_calibration(_estimate(x, y, period), x, y, period, n_periods=4)
    assert cal.model is None and np.array_equal(cal.apply(np.array([0.5, 2.0])), [0.5, 2.0])


def test_calibrated_levels_hold_on_later_months_of_a_simulation():
    x, y, period = _points(3, n_months=15)
    train = period < 12
    cal = fit_point_calibration(
        _estimate(x[train], y[train], period[train]), x[train], y[train], period[train], n_periods=12
    )
    places = MicroPlaceRates().fit(x[train], y[train], period[train], n_periods=12).places_
    later = pd.Series(1.0, index=pd.MultiIndex.from_arrays([x[~train], y[~train]])).groupby(level=[0, 1]).sum()
    seen = later.reindex(pd.MultiIndex.from_frame(places[["x", "y"]])).fillna(0).to_numpy() / 3
    raw = places["expected_per_month"].to_numpy()
    table = calibration_table(cal.apply(raw), seen, order=raw)
    assert table["ratio"].between(0.85, 1.15).all(), table


def test_intervals_are_their_distributions_quantiles():
    cal = PointCalibration(None, 0.0, 0, ())
    low, high = cal.interval(np.array([1.0, 2.0, 3.0]), np.array([0, 0, 1]))
    assert low.tolist() == [stats.poisson.ppf(0.1, 3), stats.poisson.ppf(0.1, 3)]
    assert high.tolist() == [stats.poisson.ppf(0.9, 3), stats.poisson.ppf(0.9, 3)]
    wide = PointCalibration(None, 0.5, 0, ())
    low, high = wide.interval(np.array([4.0]), np.array([0]))
    size = 4 * 4 / (4 + 0.5 * 16 - 4)
    assert (low[0], high[0]) == (stats.nbinom.ppf(0.1, size, 4 / 12), stats.nbinom.ppf(0.9, size, 4 / 12))


@pytest.mark.slow
def test_the_default_backtest_is_calibrated_within_a_fifth_in_every_decile(sample_dataset):
    """The acceptance of issue 24: built on ten months, the places' stated expectations against the three
    months they never saw, decile by decile."""
    from vrc_geo.dataset.aggregate import make_selection
    from vrc_geo.hotspots.service import hotspots_for

    backtest = hotspots_for(sample_dataset, make_selection()).backtest
    table = backtest.calibration
    assert len(table) == 10 and table["places"].sum() > 1000
    assert table["ratio"].between(0.8, 1.2).all(), table
