"""Expected records that mean what they say: calibration on earlier months, intervals, and its check.

The estimate of a snap point's records a month (:mod:`..methods`) is built to rank places, and ranking
and levels pull apart: shrinkage lifts the quietest points, a place chosen for a high estimate tends to
see less next time, and the months ahead are not the months behind. So the figures the list *states*
are calibrated on the data's own past:

* **fit** — at the latest origins before the end of the months given (``origins``, each ``horizon``
  months before the end, so nothing later is used), the method is fitted on the months before the
  origin and each snap point's estimate set against the records it then saw; an isotonic regression
  (scikit-learn, increasing) maps estimate to records a month, so the order of places never changes;
* **interval** — a month's records at a place, as the negative binomial with the calibrated mean and
  the over-dispersion those same pairs show: ``low`` to ``high`` holds 8 months in 10;
* **check** (:func:`calibration_table`) — places by decile of their stated expectation, against what the
  months they never saw held; the backtest reports it for its own list (docs/methods/backtest.md).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

__all__ = ["PointCalibration", "calibration_table", "fit_point_calibration", "pool_down_the_list"]


@dataclass
class PointCalibration:
    """Estimate -> calibrated records a month (isotonic), and the over-dispersion of what followed."""

    model: object | None  #: a fitted ``IsotonicRegression``, or None (too few months: estimates kept)
    alpha: float  #: NB2 over-dispersion of a point's records about its calibrated mean
    pairs: int  #: (snap point, origin) pairs it was fitted on
    origins: tuple[int, ...]  #: the months (as indices) it was fitted at

    def apply(self, estimate: np.ndarray) -> np.ndarray:
        estimate = np.asarray(estimate, dtype="float64")
        if self.model is None:
            return estimate
        return np.asarray(self.model.predict(estimate), dtype="float64")

    def interval(self, means: np.ndarray, groups: np.ndarray, *, level: float = 0.8) -> tuple[np.ndarray, np.ndarray]:
        """(low, high) of one month's records for each group of points (``groups``: one label per point,
        labels 0..k-1), summing points as independent negative binomials with the calibrated means."""
        means = np.asarray(means, dtype="float64")
        groups = np.asarray(groups, dtype=np.int64)
        k = int(groups.max()) + 1 if len(groups) else 0
        mean = np.bincount(groups, weights=means, minlength=k)
        var = np.bincount(groups, weights=means + self.alpha * means**2, minlength=k)
        tail = (1 - level) / 2
        low, high = np.zeros(k), np.zeros(k)
        extra = var > mean * (1 + 1e-9)
        plain = (mean > 0) & ~extra
        if plain.any():
            low[plain], high[plain] = stats.poisson.ppf(tail, mean[plain]), stats.poisson.ppf(1 - tail, mean[plain])
        if extra.any():
            m, v = mean[extra], var[extra]
            size, prob = m * m / (v - m), m / v
            low[extra], high[extra] = stats.nbinom.ppf(tail, size, prob), stats.nbinom.ppf(1 - tail, size, prob)
        return low, high


def fit_point_calibration(
    estimate: Callable[[np.ndarray], pd.DataFrame],
    x: np.ndarray,
    y: np.ndarray,
    period: np.ndarray,
    *,
    n_periods: int,
    horizon: int = 2,
    origins: int = 2,
) -> PointCalibration:
    """Fit :class:`PointCalibration` from the records themselves. ``estimate(mask)`` fits the ranking
    method on the records selected by ``mask`` (their months renumbered from 0) and returns its
    ``places_`` (``x, y, expected_per_month``); ``period``: each record's month index."""
    from sklearn.isotonic import IsotonicRegression

    at = [n_periods - horizon - j for j in range(origins) if n_periods - horizon - j >= 3]
    if not at:
        return PointCalibration(None, 0.0, 0, ())
    estimates, later = [], []
    for origin in at:
        before = period < origin
        places = estimate(before, origin)
        key = pd.MultiIndex.from_frame(places[["x", "y"]])
        after = (period >= origin) & (period < origin + horizon)
        seen = pd.Series(1.0, index=pd.MultiIndex.from_arrays([x[after], y[after]])).groupby(level=[0, 1]).sum()
        estimates.append(places["expected_per_month"].to_numpy(dtype="float64"))
        later.append(seen.reindex(key).fillna(0.0).to_numpy() / horizon)
    est, obs = np.concatenate(estimates), np.concatenate(later)
    model = IsotonicRegression(increasing=True, out_of_bounds="clip", y_min=0.0).fit(est, obs)
    mean = horizon * np.asarray(model.predict(est))
    counts = horizon * obs
    excess = float(((counts - mean) ** 2 - counts).sum())
    alpha = max(0.0, excess / float((mean**2).sum())) if (mean**2).sum() > 0 else 0.0
    return PointCalibration(model, alpha, len(est), tuple(at))


def pool_down_the_list(per_unit: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """``per_unit`` made non-increasing down a ranked list: the weighted least-squares monotone fit (pool
    adjacent violators, scikit-learn's isotonic regression, weighted by ``weight``), so each pooled run
    keeps its weighted total. The list is ranked by the estimates the circles were placed on; a
    circle's stated figure is the sum of its points' calibrated ones, which the calibration's steps lift
    for quiet points, so the stated figures could rise down the list (docs/methods/micro-places.md)."""
    from sklearn.isotonic import IsotonicRegression

    per_unit = np.asarray(per_unit, dtype="float64")
    if len(per_unit) < 2:
        return per_unit.copy()
    model = IsotonicRegression(increasing=False)
    return model.fit_transform(np.arange(len(per_unit)), per_unit, sample_weight=np.asarray(weight, dtype="float64"))


def calibration_table(
    expected: np.ndarray, observed: np.ndarray, *, order: np.ndarray | None = None, bins: int = 10
) -> pd.DataFrame:
    """Places by decile of stated expectation (records a month) against what followed (records a month):
    ``decile, places, expected, observed, ratio`` (observed / expected). ``order``: what to sort places by
    into deciles when stated values tie (the method's own estimate; by default the stated value)."""
    expected, observed = np.asarray(expected, dtype="float64"), np.asarray(observed, dtype="float64")
    if len(expected) < bins:
        return pd.DataFrame(columns=["decile", "places", "expected", "observed", "ratio"])
    key = pd.DataFrame({"stated": expected, "order": expected if order is None else np.asarray(order, dtype="float64")})
    rank = key.sort_values(["stated", "order"], kind="mergesort").index.to_numpy()
    decile = np.empty(len(expected), dtype=np.int64)
    decile[rank] = np.arange(len(expected)) * bins // len(expected) + 1
    table = (
        pd.DataFrame({"decile": decile, "expected": expected, "observed": observed})
        .groupby("decile")
        .agg(places=("expected", "size"), expected=("expected", "mean"), observed=("observed", "mean"))
        .reset_index()
    )
    table["ratio"] = table["observed"] / table["expected"]
    return table
