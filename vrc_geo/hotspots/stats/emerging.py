"""Emerging hot spots: Gi* in every period, then a Mann-Kendall trend on each area's z-scores.

Classes as ArcGIS Pro's Emerging Hot Spot Analysis defines them (cold classes mirror the hot ones). With
n periods, a period is *hot* when its Gi* is a hot spot at 90 % confidence (FDR-adjusted within the
period); "90 %" means at least 90 % of **all** n periods:

* new — hot in the final period and never hot before;
* consecutive — a single uninterrupted run of at least two hot periods ending with the final one,
  never hot before the run, hot in fewer than 90 % of periods;
* intensifying — hot in at least 90 % of periods, the final one included, and a significant upward
  trend in the z-scores;
* persistent — hot in at least 90 % of periods with no significant trend;
* diminishing — hot in at least 90 % of periods, the final one included, and a significant downward
  trend;
* sporadic — hot in the final period, on and off before, hot in fewer than 90 % of periods and
  never cold;
* oscillating — hot in the final period, cold in some earlier period, hot in fewer than 90 %;
* historical — not hot in the final period, but hot in at least 90 % of periods.

Precedence: the final period decides the family. A location hot in the final period takes a hot class
(new before consecutive before oscillating/sporadic, as the definitions above read); cold in the final
period, a cold class; neither, only a historical class (hot or cold) is possible — persistent,
intensifying and diminishing need the final period significant, since hot in 90 % of periods with the
final one not hot is by definition historical. Hot and cold never compete for one location.

Per-period Gi* uses the analytic p-value (as ArcGIS does for space-time cubes) over spatial contiguity
only. Mann-Kendall: S = sum_{i<j} sign(x_j - x_i), Var(S) = [n(n-1)(2n+5) - sum_t t(t-1)(2t+5)] / 18
(t = sizes of tied groups), z = (S - sign(S)) / sqrt(Var(S)), two-sided p; a trend is significant at
``trend_alpha`` (0.05).
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import pandas as pd
from scipy import stats

from ...base.params import Estimator, Param
from ...errors import ParameterError
from .gistar import GiStar

__all__ = ["EmergingHotSpots", "classify_series", "hotspot_classify", "mann_kendall"]

NO_PATTERN = "no pattern"


def mann_kendall(series: np.ndarray) -> tuple[float, float, float, float]:
    """(S, Var(S), z, two-sided p) of the Mann-Kendall trend test, with the tie correction."""
    x = np.asarray(series, dtype="float64")
    n = len(x)
    if n < 3:
        return 0.0, 0.0, 0.0, 1.0
    diff = np.sign(x[None, :] - x[:, None])
    s = float(np.triu(diff, k=1).sum())
    _, ties = np.unique(x, return_counts=True)
    var = (n * (n - 1) * (2 * n + 5) - np.sum(ties * (ties - 1) * (2 * ties + 5))) / 18.0
    if var <= 0:
        return s, var, 0.0, 1.0
    z = (s - np.sign(s)) / np.sqrt(var)
    return s, float(var), float(z), float(2 * stats.norm.sf(abs(z)))


def classify_series(hot: np.ndarray, cold: np.ndarray, trend_z: float, trend_p: float, *, alpha: float) -> str:
    """Class of one area from its per-period hot/cold flags (oldest first) and its z-score trend."""
    hot, cold = np.asarray(hot, dtype=bool), np.asarray(cold, dtype=bool)
    if len(hot) == 0:
        return NO_PATTERN
    if hot[-1]:
        return f"{_final_family(hot, cold, trend_z, trend_p, alpha)} hot spot"
    if cold[-1]:
        return f"{_final_family(cold, hot, -trend_z, trend_p, alpha)} cold spot"
    n = len(hot)
    if hot.sum() >= 0.9 * n:
        return "historical hot spot"
    if cold.sum() >= 0.9 * n:
        return "historical cold spot"
    return NO_PATTERN


def _final_family(hot: np.ndarray, cold: np.ndarray, trend_z: float, trend_p: float, alpha: float) -> str:
    """Class of a location that is significant (``hot``) in the final period; ``cold`` is the other
    sign. ``trend_z`` points the way of ``hot`` (upward = intensifying)."""
    n = len(hot)
    if hot.sum() >= 0.9 * n:
        if trend_p < alpha and trend_z > 0:
            return "intensifying"
        if trend_p < alpha and trend_z < 0:
            return "diminishing"
        return "persistent"
    if hot.sum() == 1:
        return "new"
    run = n - int(np.flatnonzero(~hot)[-1]) - 1  # length of the final hot run (some period is not hot)
    if run >= 2 and not hot[: n - run].any():
        return "consecutive"
    if cold[:-1].any():
        return "oscillating"
    return "sporadic"


class EmergingHotSpots(Estimator):
    """``fit(values, w)`` with ``values`` of shape (periods, areas), oldest period first; sets ``z_``
    (periods x areas), ``gi_bin_``, ``trend_z_``, ``trend_p_`` and ``classes_`` (one per area)."""

    params: ClassVar[dict[str, Param]] = {
        "trend_alpha": Param(low=0, high=1, low_inclusive=False, default=0.05, help="Mann-Kendall trend level"),
        "correction": Param(choices=("fdr", "none"), default="fdr", help="multiple-testing correction per period"),
    }

    def fit(self, values: np.ndarray, w: object) -> EmergingHotSpots:
        self._validate()
        values = np.asarray(values, dtype="float64")
        if values.ndim != 2 or values.shape[0] < 2:
            raise ParameterError("values must be (periods, areas) with at least 2 periods.")
        fits = [GiStar(permutations=0, inference="analytic", correction=self.correction).fit(row, w) for row in values]
        self.z_ = np.vstack([f.z_ for f in fits])
        self.gi_bin_ = np.vstack([f.gi_bin_ for f in fits])
        trends = [mann_kendall(self.z_[:, j]) for j in range(values.shape[1])]
        self.trend_z_ = np.array([t[2] for t in trends])
        self.trend_p_ = np.array([t[3] for t in trends])
        hot, cold = self.gi_bin_ >= 1, self.gi_bin_ <= -1
        self.classes_ = np.array(
            [
                classify_series(hot[:, j], cold[:, j], self.trend_z_[j], self.trend_p_[j], alpha=self.trend_alpha)
                for j in range(values.shape[1])
            ],
            dtype=object,
        )
        return self


def hotspot_classify(
    counts: pd.DataFrame,
    areas: pd.DataFrame,
    w: object,
    *,
    periods: list[str],
    trend_alpha: float = 0.05,
) -> pd.DataFrame:
    """Emerging hot-spot class per area from long ``counts`` (``code, period, count``).

    Returns ``code, trend_class, hot_periods, cold_periods, trend_z, trend_p`` in ``areas`` order.
    """
    codes = areas["code"].astype(str).tolist()
    matrix = (
        counts.pivot_table(index="period", columns="code", values="count", aggfunc="sum")
        .reindex(index=periods, columns=codes)
        .fillna(0)
        .to_numpy()
    )
    model = EmergingHotSpots(trend_alpha=trend_alpha).fit(matrix, w)
    return pd.DataFrame(
        {
            "code": codes,
            "trend_class": model.classes_,
            "hot_periods": (model.gi_bin_ >= 1).sum(axis=0),
            "cold_periods": (model.gi_bin_ <= -1).sum(axis=0),
            "trend_z": model.trend_z_,
            "trend_p": model.trend_p_,
        }
    )
