"""Placebo inference: the same evaluation on comparable places nobody touched.

Police records are over-dispersed and move together (seasons, police.uk's redraw of its map), so a
model's own standard errors are too small. The usual answer (Abadie, Diamond & Hainmueller 2010;
Bertrand, Duflo & Mullainathan 2004) is to ask how large an "effect" the same method finds where
nothing was done. :class:`PlaceboTest` draws ``placebos`` sets of untouched places, one per target: a
circle of the target's area round a snap point of the control, matched to the target on its records
before the start (one of the ``pool`` closest in log-rate), clear of the targets and their buffer and of
each other. Each set is evaluated exactly as the targets were (its records taken out of the control
areas they fell in). Then:

* **p**, two-sided with equal tails: twice the smaller of (1 + placebo sets whose pooled log effect is
  at least the estimate) and (1 + sets at most it), ÷ (1 + sets), at most 1. Placebo effects need not
  centre on 0 (matched busy places drift back towards average), so the tails are counted apart;
* **interval**: the estimate minus the placebo effects' upper and lower points (test inversion under a
  shift of the log-rate), as a percentage. The points are the order statistics that test uses, so the
  95 % interval leaves out no change exactly when p <= 0.05 (an interval wholly above 0 never stands
  beside "the data cannot tell it from no change");
* per target, the same from the placebo places drawn for it.

Method page: docs/methods/evaluation.md.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import shapely
from scipy.spatial import cKDTree

from ..base.params import Estimator, Param
from .did import DiDPoisson
from .panel import Panel

__all__ = ["PlaceboTest"]


class PlaceboTest(Estimator):
    """``fit(panel, buffer_m=…)`` sets ``pooled_`` and ``per_target_`` (log effects of the placebo sets:
    sets, and sets x targets) and ``sets_`` (how many were drawn)."""

    params: ClassVar[dict[str, Param]] = {
        "placebos": Param(low=19, high=100_000, integer=True, default=199, help="placebo sets drawn"),
        "pool": Param(low=5, high=10_000, integer=True, default=30, help="candidates matched to each target"),
        "candidates": Param(low=50, high=1_000_000, integer=True, default=4000, help="busiest points tried"),
        "seed": Param(integer=True, optional=True, default=0, help="random seed of the draws"),
    }

    def fit(self, panel: Panel, *, buffer_m: float) -> PlaceboTest:
        self._validate()
        rng = np.random.default_rng(self.seed)
        pts = panel.points
        xy = pts[["x", "y"]].to_numpy()
        before = ~panel.post[pts["month"].to_numpy()]
        weight = pts["weight"].to_numpy()
        tree = cKDTree(xy)
        radius = np.sqrt(panel.target_shapes.area.to_numpy() / np.pi)
        n_before = max(int((~panel.post).sum()), 1)
        target_rate = panel.targets[:, ~panel.post].sum(axis=1) / n_before
        centres = self._centres(pts, before, weight, panel, buffer_m, radius.max())
        pools = []
        for r, rate in zip(radius, target_rate, strict=True):
            inside = tree.query_ball_point(centres, r)
            rates = np.array([weight[i][before[i]].sum() for i in inside]) / n_before
            close = np.argsort(np.abs(np.log((rates + 0.5) / (rate + 0.5))), kind="mergesort")[: self.pool]
            pools.append(close)
        pooled, single = [], []
        for _ in range(self.placebos):
            chosen = self._draw(rng, pools, centres, radius)
            if chosen is None:
                continue
            effects = self._evaluate(panel, tree, centres[chosen], radius)
            if effects is not None:
                pooled.append(effects[0])
                single.append(effects[1])
        self.sets_ = len(pooled)
        self.pooled_ = np.asarray(pooled)
        self.per_target_ = np.asarray(single).reshape(len(single), len(radius))
        return self

    def p_value(self, log_effect: float, placebo: np.ndarray | None = None) -> float:
        """Two-sided permutation p-value of a log effect against the placebo effects (equal tails)."""
        draws = self.pooled_ if placebo is None else placebo
        draws = draws[np.isfinite(draws)]
        if not np.isfinite(log_effect) or len(draws) == 0:
            return float("nan")
        above = 1 + (draws >= log_effect - 1e-12).sum()
        below = 1 + (draws <= log_effect + 1e-12).sum()
        return float(min(1.0, 2 * min(above, below) / (1 + len(draws))))

    def interval(
        self, log_effect: float, placebo: np.ndarray | None = None, level: float = 0.95
    ) -> tuple[float, float]:
        """(low, high) of the effect as a percentage, by inverting the placebo test: the shifts of the
        log-rate that test does not reject at ``1 - level`` (NaN with too few sets for that level)."""
        draws = self.pooled_ if placebo is None else placebo
        draws = np.sort(draws[np.isfinite(draws)])
        k = int(np.floor((1 - level) / 2 * (len(draws) + 1) + 1e-9))  # the k-th largest and smallest
        if not np.isfinite(log_effect) or k < 1:
            return float("nan"), float("nan")
        high_q, low_q = draws[-k], draws[k - 1]
        return 100 * (np.exp(log_effect - high_q) - 1), 100 * (np.exp(log_effect - low_q) - 1)

    def _centres(self, pts, before, weight, panel: Panel, buffer_m: float, largest: float) -> np.ndarray:
        """The busiest control points clear of the targets and their buffer (by a placebo's radius too)."""
        control = pts[(pts["unit"].to_numpy() >= 0) & before]
        busy = (
            control.assign(w=weight[control.index.to_numpy()])
            .groupby(["x", "y"])["w"]
            .sum()
            .sort_values(ascending=False, kind="mergesort")
        )
        xy = np.array(busy.index.tolist(), dtype="float64").reshape(-1, 2)[: self.candidates]
        reach = shapely.union_all(panel.target_shapes.to_numpy()).buffer(buffer_m + largest)
        clear = ~shapely.contains_xy(reach, xy[:, 0], xy[:, 1])
        return xy[clear]

    @staticmethod
    def _draw(rng, pools, centres, radius) -> np.ndarray | None:
        """One placebo place per target from its pool, no two overlapping (``None`` after 50 tries)."""
        for _ in range(50):
            picks = np.array([rng.choice(pool) for pool in pools])
            xy = centres[picks]
            gap = np.hypot(*(xy[:, None, :] - xy[None, :, :]).transpose(2, 0, 1))
            need = radius[:, None] + radius[None, :]
            np.fill_diagonal(gap, np.inf)
            if len(set(picks.tolist())) == len(picks) and (gap > need).all():
                return picks
        return None

    @staticmethod
    def _evaluate(panel: Panel, tree: cKDTree, xy: np.ndarray, radius: np.ndarray):
        """(pooled log effect, per-place log effects) of one placebo set."""
        pts = panel.points
        month, weight, unit = (pts[c].to_numpy() for c in ("month", "weight", "unit"))
        n_t = len(panel.months)
        controls = panel.controls.copy()
        places = np.zeros((len(xy), n_t))
        for k, (centre, r) in enumerate(zip(xy, radius, strict=True)):
            hit = np.asarray(tree.query_ball_point(centre, r), dtype=np.int64)
            hit = hit[unit[hit] >= 0]
            np.add.at(places[k], month[hit], weight[hit])
            np.add.at(controls, (unit[hit], month[hit]), -weight[hit])
        controls = np.maximum(controls, 0.0)
        counts = np.vstack([controls, places])
        n_c = len(controls)
        pooled = DiDPoisson().fit(counts, np.r_[np.full(n_c, -1), np.zeros(len(xy), dtype=np.int64)], panel.post)
        single = DiDPoisson().fit(counts, np.r_[np.full(n_c, -1), np.arange(len(xy))], panel.post)
        return pooled.log_effect_[0], single.log_effect_
