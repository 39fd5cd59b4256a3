"""Expected records a month at every snap point, forecast by a model trained on the data's own past.

A gradient-boosted regression (scikit-learn's ``HistGradientBoostingRegressor`` with a Poisson loss)
learns, on rolling origins inside the months given, how a snap point's next ``horizon_months`` follow
from what was known before: for every origin *o* from ``min_history_months`` on, each snap point with a
record before *o* is one row, its features read on the months before *o* only and its target the mean
records a month over the ``horizon_months`` from *o*. The forecast is the model's answer at the end of
the months given. Features (:data:`FEATURES`):

* the empirical-Bayes estimate of :class:`.MicroPlaceRates` (the default method), which is also the
  model's offset: it learns by how much to scale that estimate up or down;
* the point's records in the last month, the last 3 and 6 months and all months (a month);
* the months of the last 6 with records (how steady), and the change of the last 3 months on the 3 before;
* records of the other snap points within 50, 150 and 300 m over the last 6 months (a month);
* drugs, possession of weapons, robbery and all other crime within 150 m over the last 6 months (a month);
* months since the point's first record.

It is a ranking method like any other (``--method learned``); it is the default only where it beats
the empirical-Bayes ranking on every split of ``benchmarks/accuracy_hotspots.py``:
docs/methods/learned-forecast.md has the figures and the decision.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.spatial import cKDTree

from ...base.params import Estimator, Param
from ...errors import ParameterError
from ...reference.taxonomy import GROUPS
from .micro_places import MicroPlaceRates

__all__ = ["FEATURES", "LearnedRates"]

FEATURES = (
    "eb_per_month",
    "last_1",
    "last_3",
    "last_6",
    "all_months",
    "steady_6",
    "trend_3",
    "near_50",
    "near_150",
    "near_300",
    "drugs_150",
    "weapons_150",
    "robbery_150",
    "other_150",
    "age_months",
)
_CONTEXT = {"drugs": GROUPS["drugs"], "weapons": GROUPS["weapons"], "robbery": GROUPS["robbery"]}


class LearnedRates(Estimator):
    """``fit(x, y, period, n_periods=T, weight=None, context=None)`` sets ``places_`` (one row per snap
    point, sorted by x then y: ``x, y, records, expected_per_month``), ``model_`` (the fitted
    regressor, ``None`` when the months were too few, or held nothing, to train on: the empirical-Bayes
    estimate is used) and ``training_rows_``."""

    params: ClassVar[dict[str, Param]] = {
        "horizon_months": Param(low=1, high=12, integer=True, default=3, help="months ahead each row forecasts"),
        "min_history_months": Param(low=1, high=36, integer=True, default=3, help="months before the first origin"),
        "max_iter": Param(low=10, high=5000, integer=True, default=200, help="boosting rounds"),
        "learning_rate": Param(low=0.001, high=1, default=0.05, help="boosting step"),
        "min_samples_leaf": Param(low=5, high=1_000_000, integer=True, default=200, help="least rows in a leaf"),
        "seed": Param(integer=True, optional=True, default=0, help="random seed of the boosting"),
        "strength": Param(low=0, high=1, default=1.0, help="how far the model moves the EB estimate (0: not)"),
        "half_life_months": Param(low=0.25, high=1200, optional=True, default=2.0, help="recency half-life (EB)"),
        "prior_radius_m": Param(low=1, high=5000, default=250.0, help="neighbourhood of the local prior (EB)"),
        "prior_strength_months": Param(
            low=0, high=1200, optional=True, default=None, help="prior strength in months (EB; None: estimated)"
        ),
    }

    def fit(
        self,
        x: np.ndarray,
        y: np.ndarray,
        period: np.ndarray,
        *,
        n_periods: int,
        weight: np.ndarray | None = None,
        context: pd.DataFrame | None = None,
    ) -> LearnedRates:
        """``period``: each record's month as 0..n_periods-1; ``weight``: per record (harm), else 1;
        ``context``: every crime record (``x, y, month, crime_type``) of the same months, for the crime
        near each point (its months are read as ``period`` orders them: the latest ``n_periods``)."""
        from sklearn.ensemble import HistGradientBoostingRegressor

        self._validate()
        x, y, period = np.asarray(x, dtype="float64"), np.asarray(y, dtype="float64"), np.asarray(period)
        if not (x.shape == y.shape == period.shape) or x.ndim != 1:
            raise ParameterError("x, y and period must be 1-D arrays of the same length.")
        if isinstance(n_periods, bool) or not isinstance(n_periods, (int, np.integer)) or n_periods < 1:
            raise ParameterError(f"n_periods must be a whole number >= 1, got {n_periods!r}.")
        w = np.ones(len(x)) if weight is None else np.asarray(weight, dtype="float64")
        points, inverse = np.unique(np.column_stack([x, y]), axis=0, return_inverse=True)
        inverse = inverse.ravel()
        counts = np.zeros((len(points), n_periods))  # weighted records per point and month
        np.add.at(counts, (inverse, period.astype(np.int64)), w)
        near = self._neighbours(points)
        crime = self._context(points, context, n_periods)
        eb = MicroPlaceRates(
            half_life_months=self.half_life_months,
            prior_radius_m=self.prior_radius_m,
            prior_strength_months=self.prior_strength_months,
        )
        last = n_periods - self.horizon_months
        rows, targets = [], []
        for origin in range(self.min_history_months, last + 1):
            seen = counts[:, :origin].sum(axis=1) > 0
            feats = self._features(counts, origin, near, crime, eb, x, y, period, w)
            rows.append(feats[seen])
            targets.append(counts[seen, origin : origin + self.horizon_months].mean(axis=1))
        final = self._features(counts, n_periods, near, crime, eb, x, y, period, w)
        self.training_rows_ = int(sum(len(r) for r in rows))
        if self.training_rows_ == 0 or not np.concatenate(targets).sum() > 0:
            self.model_ = None
            expected = final[:, 0]  # the empirical-Bayes estimate
        else:
            model = HistGradientBoostingRegressor(
                loss="poisson",
                max_iter=self.max_iter,
                learning_rate=self.learning_rate,
                min_samples_leaf=self.min_samples_leaf,
                l2_regularization=1.0,
                random_state=self.seed if self.seed is not None else 0,
            )
            # The model learns the ratio of what followed to the empirical-Bayes estimate (a Poisson fit of
            # y / eb weighted by eb is a Poisson fit with eb as offset): the busiest points keep their
            # scale, which a tree's leaf means would otherwise pull towards the middle.
            features, target = np.vstack(rows), np.concatenate(targets)
            base = np.maximum(features[:, 0], 1e-6)
            model.fit(features, target / base, sample_weight=base)
            self.model_ = model
            expected = final[:, 0] * model.predict(final) ** self.strength
        self.places_ = pd.DataFrame(
            {
                "x": points[:, 0],
                "y": points[:, 1],
                "records": np.bincount(inverse, minlength=len(points)),
                "expected_per_month": np.clip(expected, 0, None),
            }
        )
        return self

    def _features(self, counts, origin, near, crime, eb, x, y, period, w) -> np.ndarray:
        """Features of every point at ``origin`` (months before it only), in :data:`FEATURES` order."""
        before = period < origin
        rates = eb.fit(x[before], y[before], period[before], n_periods=origin, weight=w[before]).places_
        known = pd.MultiIndex.from_frame(rates[["x", "y"]])
        index = pd.MultiIndex.from_arrays([near["xy"][:, 0], near["xy"][:, 1]])
        eb_rate = rates["expected_per_month"].set_axis(known).reindex(index).fillna(0.0).to_numpy()
        past = counts[:, :origin]

        def mean_last(k: int) -> np.ndarray:
            k = min(k, origin)
            return past[:, origin - k :].sum(axis=1) / k

        last3, prev3 = (
            past[:, max(origin - 3, 0) :].sum(axis=1),
            past[:, max(origin - 6, 0) : max(origin - 3, 0)].sum(1),
        )
        recent = mean_last(6)
        seen = past > 0
        first = np.where(seen.any(axis=1), seen.argmax(axis=1), origin)
        window = slice(max(origin - 6, 0), origin)
        span = window.stop - window.start
        context = [crime[name][:, window].sum(axis=1) / span for name in ("drugs", "weapons", "robbery", "other")]
        return np.column_stack(
            [
                eb_rate,
                mean_last(1),
                mean_last(3),
                recent,
                past.sum(axis=1) / origin,
                (past[:, window] > 0).sum(axis=1) / span,
                (last3 - prev3) / (prev3 + 1.0),
                near["50"] @ recent,
                near["150"] @ recent,
                near["300"] @ recent,
                *context,
                origin - first,
            ]
        )

    @staticmethod
    def _neighbours(points: np.ndarray) -> dict[str, object]:
        """Sparse 0/1 matrices of the other points within 50, 150 and 300 m."""
        tree = cKDTree(points)
        pairs = tree.query_pairs(300.0, output_type="ndarray")
        d = np.hypot(*(points[pairs[:, 0]] - points[pairs[:, 1]]).T) if len(pairs) else np.zeros(0)
        n = len(points)
        out: dict[str, object] = {"xy": points}
        for radius in (50, 150, 300):
            keep = pairs[d <= radius]
            data = np.ones(2 * len(keep))
            rows = np.r_[keep[:, 0], keep[:, 1]]
            cols = np.r_[keep[:, 1], keep[:, 0]]
            out[str(radius)] = sparse.csr_matrix((data, (rows, cols)), shape=(n, n))
        return out

    @staticmethod
    def _context(points: np.ndarray, context: pd.DataFrame | None, n_periods: int) -> dict[str, np.ndarray]:
        """Per point and month: drugs, weapons, robbery and other crime records within 150 m."""
        zero = {k: np.zeros((len(points), n_periods)) for k in ("drugs", "weapons", "robbery", "other")}
        if context is None or len(context) == 0:
            return zero
        located = context.dropna(subset=["x", "y"])
        months = sorted(located["month"].astype(str).unique())[-n_periods:]
        index = {m: i + n_periods - len(months) for i, m in enumerate(months)}
        month = located["month"].astype(str).map(index)
        located = located[month.notna()]
        month = month[month.notna()].astype(np.int64).to_numpy()
        where = located[["x", "y"]].to_numpy(dtype="float64")
        types = located["crime_type"].astype(str)
        distinct, inverse = np.unique(where, axis=0, return_inverse=True)
        reach = cKDTree(points).sparse_distance_matrix(cKDTree(distinct), 150.0, output_type="coo_matrix")
        reach = sparse.csr_matrix((np.ones(reach.nnz), (reach.row, reach.col)), shape=reach.shape)
        out = {}
        for name, kinds in {**_CONTEXT, "other": None}.items():
            pick = (~types.isin([t for k in _CONTEXT.values() for t in k])) if kinds is None else types.isin(kinds)
            grid = np.zeros((len(distinct), n_periods))
            np.add.at(grid, (inverse.ravel()[pick.to_numpy()], month[pick.to_numpy()]), 1.0)
            out[name] = np.asarray(reach @ grid)
        return out
