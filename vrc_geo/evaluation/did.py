"""Difference in differences as a Poisson model with area and month effects (two-way fixed effects).

For units *i* (target areas, the buffer ring, control areas) and months *t*::

    log E[y_it] = a_i + g_t + d_k * [unit i in treated group k and month t after the start]

so each control area keeps its own level (``a_i``), all areas share the month-to-month movement
(``g_t``, which carries seasons, police.uk's July 2022 redraw and county-wide change), and ``d_k`` is
what is left in group *k* after the start. The counterfactual of a treated unit is
``exp(a_i + g_t)``; the effect is ``exp(d_k) - 1`` and equals observed ÷ expected records after the
start, minus one (the Poisson score for ``d_k`` makes them equal).

Fitted by exact coordinate ascent: given the others, each of ``a``, ``g`` and ``d`` has a closed form
(a sum of observed over a sum of expected), so the likelihood rises every sweep; it stops when no
parameter moves by more than ``tol``. Counts may be harm-weighted (a quasi-Poisson fit: the same
estimates, with inference left to the placebo tests). Method page: docs/methods/evaluation.md.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from ..base.params import Estimator, Param
from ..errors import ParameterError

__all__ = ["DiDPoisson"]


class DiDPoisson(Estimator):
    """``fit(counts, group, post)``: ``counts`` (units x months), ``group`` per unit (-1 for a control,
    0..k-1 for a treated group), ``post`` per month. Sets ``effect_`` (per group, observed ÷ expected
    after the start, minus one), ``log_effect_``, ``expected_`` (units x months: the counterfactual,
    without any effect), ``fitted_``, ``dispersion_`` (Pearson's, over the control areas; at least 1) and
    ``iterations_``."""

    params: ClassVar[dict[str, Param]] = {
        "max_iter": Param(low=1, high=100_000, integer=True, default=2000, help="most sweeps"),
        "tol": Param(low=0, high=1, low_inclusive=False, default=1e-10, help="largest change of a parameter"),
    }

    def fit(self, counts: np.ndarray, group: np.ndarray, post: np.ndarray) -> DiDPoisson:
        self._validate()
        y = np.asarray(counts, dtype="float64")
        group = np.asarray(group, dtype=np.int64)
        post = np.asarray(post, dtype=bool)
        if y.ndim != 2 or y.shape != (len(group), len(post)):
            raise ParameterError("counts must be units x months, with one group per unit and one post flag a month.")
        if (y < 0).any() or not np.isfinite(y).all():
            raise ParameterError("counts must be finite and non-negative.")
        if not post.any() or post.all():
            raise ParameterError("The months must include some before the start and some after it.")
        k = int(group.max()) + 1 if (group >= 0).any() else 0
        if k == 0 or not (group < 0).any():
            raise ParameterError("At least one treated and one control unit are needed.")
        treated = (group[:, None] >= 0) & post[None, :]
        member = [np.flatnonzero(group == j) for j in range(k)]
        a = np.log(np.maximum(y.mean(axis=1), 1e-12))
        g = np.zeros(y.shape[1])
        d = np.zeros(k)
        row_total, col_total = y.sum(axis=1), y.sum(axis=0)
        self.iterations_ = 0
        while self.iterations_ < self.max_iter:
            self.iterations_ += 1
            shift = np.where(treated, d[np.maximum(group, 0)][:, None], 0.0)
            old = np.r_[a, g, d]
            a = np.log(np.maximum(row_total, 1e-300)) - np.log(np.exp(g[None, :] + shift).sum(axis=1))
            a = np.where(row_total > 0, a, -np.inf)
            g = np.log(np.maximum(col_total, 1e-300)) - np.log(np.exp(a[:, None] + shift).sum(axis=0))
            base = np.exp(a[:, None] + g[None, :])
            for j, rows in enumerate(member):
                seen, expected = y[np.ix_(rows, post)].sum(), base[np.ix_(rows, post)].sum()
                d[j] = np.log(seen / expected) if seen > 0 and expected > 0 else (-np.inf if expected > 0 else 0.0)
            with np.errstate(invalid="ignore"):
                change = np.abs(np.nan_to_num(np.r_[a, g, d] - old, nan=0.0, posinf=0.0, neginf=0.0)).max()
            if change < self.tol:
                break
        self.log_effect_ = d
        self.effect_ = np.exp(d) - 1
        self.expected_ = np.exp(a[:, None] + g[None, :])
        shift = np.where(treated, d[np.maximum(group, 0)][:, None], 0.0)
        self.fitted_ = self.expected_ * np.exp(shift)
        control = group < 0
        mu, obs = self.fitted_[control], y[control]
        dof = max(int(control.sum()) * y.shape[1] - int(control.sum()) - y.shape[1], 1)
        with np.errstate(invalid="ignore", divide="ignore"):
            pearson = np.where(mu > 0, (obs - mu) ** 2 / mu, 0.0).sum()
        self.dispersion_ = max(float(pearson / dof), 1.0)
        return self
