r"""Emerging hot spots: space-time Gi* in every period, then a Mann-Kendall trend on each area's z-scores.

As ArcGIS Pro's Emerging Hot Spot Analysis computes them, with its defaults:

* **space-time Gi\*** — a bin (area *i*, period *t*) is compared, with its neighbourhood, against the
  whole space-time cube: the neighbourhood is the area and its contiguous neighbours in period *t* and
  in the ``time_step`` periods before it (ArcGIS's "Neighborhood Time Step", default 1), with binary
  weights; the global mean and standard deviation are those of **every bin of the cube** (ArcGIS's
  "Define Global Window", default Entire cube):
  ``z = (sum_N x - mean * |N|) / (sd * sqrt((n |N| - |N|^2) / (n - 1)))`` with ``n`` the cube's bins;
  analytic two-sided p-values, Benjamini-Hochberg FDR over the cube; a bin is *hot* (*cold*) at 90 %
  confidence or more. ``time_step=0, global_window="period"`` gives the per-month Gi* of the earlier
  version (each month on its own);
* **trend** — Mann-Kendall on each area's z-scores over the periods: S = sum_{i<j} sign(x_j - x_i),
  Var(S) with the tie correction, z = (S - sign(S)) / sqrt(Var(S)), two-sided, significant at
  ``trend_alpha`` (0.05);
* **classes**, with n periods and "90 %" meaning at least 90 % of all n periods (cold classes mirror
  the hot): new — hot in the final period and never before; consecutive — a single uninterrupted run of
  at least two hot periods ending with the final one, never hot before, hot in under 90 %; intensifying —
  hot in at least 90 %, the final one included, with a significant upward trend; persistent — hot in at
  least 90 % with no significant trend; diminishing — hot in at least 90 %, the final one included, with
  a significant downward trend; sporadic — hot in the final period, on and off before, under 90 %, never
  cold; oscillating — hot in the final period, cold in some earlier one, under 90 %; historical — not hot
  in the final period but hot in at least 90 %. The final period decides the family (new before
  consecutive before oscillating/sporadic).

Method page: docs/methods/emerging.md.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import pandas as pd
from scipy import sparse, stats

from ...base.params import Estimator, Param
from ...errors import ParameterError
from .gistar import adjust_pvalues, confidence_bins

__all__ = ["EmergingHotSpots", "classify_series", "hotspot_classify", "mann_kendall", "space_time_gistar"]

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
        "correction": Param(choices=("fdr", "none"), default="fdr", help="multiple-testing correction of the bins"),
        "time_step": Param(
            low=0, high=24, integer=True, default=1, help="earlier periods in a bin's neighbourhood (ArcGIS: 1)"
        ),
        "global_window": Param(
            choices=("cube", "period"),
            default="cube",
            help="the bins the global mean and spread come from: the whole cube (ArcGIS) or each period",
        ),
    }

    def fit(self, values: np.ndarray, w: object) -> EmergingHotSpots:
        self._validate()
        values = np.asarray(values, dtype="float64")
        if values.ndim != 2 or values.shape[0] < 2:
            raise ParameterError("values must be (periods, areas) with at least 2 periods.")
        if not np.isfinite(values).all():
            raise ParameterError("values must be finite numbers.")
        if self.global_window == "period" and self.time_step:
            raise ParameterError("global_window='period' compares each period with itself: use it with time_step=0.")
        self.z_ = space_time_gistar(values, w, time_step=self.time_step, global_window=self.global_window)
        p = 2 * stats.norm.sf(np.abs(self.z_))
        if self.global_window == "cube":
            q = adjust_pvalues(p.ravel(), self.correction).reshape(p.shape)
        else:
            q = np.vstack([adjust_pvalues(row, self.correction) for row in p])
        self.gi_bin_ = confidence_bins(self.z_, q)
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


def space_time_gistar(values: np.ndarray, w: object, *, time_step: int = 1, global_window: str = "cube") -> np.ndarray:
    """Space-time Gi* z-score of every bin (periods x areas): see the module docstring."""
    n_periods, n_areas = values.shape
    ids = list(range(n_areas))
    rows = [i for i in ids for _ in w.neighbors[i]] + ids
    cols = [j for i in ids for j in w.neighbors[i]] + ids
    near = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n_areas, n_areas))
    near.data[:] = 1.0  # binary weights, the area itself included
    degree = np.asarray(near.sum(axis=1)).ravel()
    spatial = np.asarray(near @ values.T).T  # (periods, areas): each period's neighbourhood sums
    sums = np.zeros_like(values)
    steps = np.zeros(n_periods)
    for lag in range(time_step + 1):
        sums[lag:] += spatial[: n_periods - lag]
        steps[lag:] += 1
    weights = steps[:, None] * degree[None, :]
    if global_window == "cube":
        n = values.size
        mean, spread = values.mean(), values.std()
        mean, spread = np.full_like(values, mean), np.full_like(values, spread)
    else:
        n = n_areas
        mean = np.repeat(values.mean(axis=1, keepdims=True), n_areas, axis=1)
        spread = np.repeat(values.std(axis=1, keepdims=True), n_areas, axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        denominator = spread * np.sqrt((n * weights - weights**2) / (n - 1))
        z = (sums - mean * weights) / denominator
    return np.where(np.isfinite(z), z, 0.0)


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
