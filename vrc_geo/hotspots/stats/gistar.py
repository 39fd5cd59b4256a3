"""Getis-Ord Gi* hot and cold spots on area values (Getis & Ord 1992; Ord & Getis 1995).

The statistic is esda's ``G_Local(star=True)`` with binary contiguity weights (the area itself included).
Both inferences are kept, as esda does: the analytic p-value from the z-score and the permutation p-value
(conditional randomisation, ``permutations`` draws, explicit ``seed``). Conditional randomisation holds
each area's own value fixed and shuffles the others around it, so the permutation test asks whether the
*neighbourhood* is unusually high or low — stricter than the analytic test for an isolated high area.
The permutation p-value is two-sided and counts ties on both sides: with S the simulated statistics,
p = 2 min(P(S >= observed), P(S <= observed)) (capped at 1), each tail estimated as (count + 1) /
(permutations + 1); the tail that gave the minimum says hot (+) or cold (-) (``tail_``). esda's own
``p_sim`` folds the same draws but leaves ties out of the cold tail, which makes cold spots of whole
counts look stronger than they are; without ties the two agree (doubled). The analytic p-value is
esda's, doubled. Local tests are many tests at once,
so p-values are adjusted with Benjamini-Hochberg FDR (default) before classing: hot/cold at 99 %,
95 % and 90 % confidence (``gi_bin`` +3..-3, as ArcGIS's Gi_Bin).

Permutation p-values are Monte Carlo estimates: an area whose adjusted p-value lies near 0.01, 0.05 or
0.10 can change class with the seed, and Benjamini-Hochberg couples the areas (one area's p-value moves
the others' adjusted values). With ``exact_when_in_doubt`` (the pipeline's default), every area whose
class could change within three Monte Carlo standard errors of its p-value (the one-sided estimate's
binomial error, doubled) gets the *exact* p-value of
the same conditional randomisation instead (counted, not simulated: see :func:`_exact_conditional_p`),
and the classes are recomputed until no area is in doubt; ``exact_`` says which areas. The classes are
then the same for every seed.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, ClassVar

import numpy as np
import pandas as pd
from scipy import stats

from ...base.params import Estimator, Param
from ...errors import ParameterError
from .spatial_weights import contiguity_weights

if TYPE_CHECKING:
    import geopandas as gpd
    from libpysal.weights import W

__all__ = ["GiStar", "adjust_pvalues", "adjusted_if_moved", "confidence_bins", "hotspot_gistar"]

CLASS_LABELS = {
    3: "Hot spot, 99% confidence",
    2: "Hot spot, 95% confidence",
    1: "Hot spot, 90% confidence",
    0: "Not significant",
    -1: "Cold spot, 90% confidence",
    -2: "Cold spot, 95% confidence",
    -3: "Cold spot, 99% confidence",
}


def adjust_pvalues(p: np.ndarray, correction: str) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (``"fdr"``) or the p-values unchanged (``"none"``); a 2-D
    array is adjusted row by row (each row one family of tests)."""
    p = np.asarray(p, dtype="float64")
    if correction == "none" or p.size == 0:
        return p.copy()
    return stats.false_discovery_control(np.clip(p, 0, 1), method="bh", axis=-1)


_MOVED_CELLS = 2_000_000


def adjusted_if_moved(p: np.ndarray, which: np.ndarray, moved: np.ndarray, correction: str) -> np.ndarray:
    """The adjusted p-value of ``p[which[r]]`` had it been ``moved[r]`` (the others as they are), for
    every r at once: the same arithmetic as :func:`adjust_pvalues` of each changed copy, without a
    Python loop over them (a Monte Carlo doubt check asks this of hundreds of places)."""
    p = np.asarray(p, dtype="float64")
    which = np.asarray(which, dtype=np.int64)
    out = np.empty(len(which))
    step = max(1, _MOVED_CELLS // max(len(p), 1))  # bounded memory: a slice of the changed copies at a time
    for first in range(0, len(which), step):
        rows = np.arange(min(step, len(which) - first))
        trial = np.repeat(p[None, :], len(rows), axis=0)
        trial[rows, which[first + rows]] = moved[first + rows]
        out[first + rows] = adjust_pvalues(trial, correction)[rows, which[first + rows]]
    return out


def confidence_bins(z: np.ndarray, q: np.ndarray) -> np.ndarray:
    """+3/+2/+1 for hot at 99/95/90 % (adjusted p below 0.01/0.05/0.10), negative for cold, else 0.
    ``z`` gives the direction (its sign: a z-score, or the permutation tail +1/-1)."""
    level = np.select([q < 0.01, q < 0.05, q < 0.10], [3, 2, 1], default=0)
    return (np.sign(np.nan_to_num(z)) * level).astype(np.int64)


class GiStar(Estimator):
    """Gi* estimator. ``fit(y, w)`` sets ``z_``, ``p_norm_``, ``p_sim_``, ``p_value_``, ``q_value_``,
    ``tail_`` (+1 hot / -1 cold: the direction the classes use), ``gi_bin_`` and ``exact_`` (one value
    per area, in the order of ``y``)."""

    params: ClassVar[dict[str, Param]] = {
        "permutations": Param(low=0, high=100_000, integer=True, default=999, help="conditional permutations"),
        "seed": Param(integer=True, optional=True, default=0, help="random seed"),
        "correction": Param(choices=("fdr", "none"), default="fdr", help="multiple-testing correction"),
        "inference": Param(choices=("permutation", "analytic"), default="permutation", help="how p-values are found"),
        "exact_when_in_doubt": Param(
            choices=(True, False), default=False, help="exact p-values where the class is in Monte Carlo doubt"
        ),
    }

    def _validate(self) -> dict:
        params = super()._validate()
        if params["inference"] == "permutation" and params["permutations"] < 9:
            raise ParameterError("inference='permutation' needs permutations >= 9 (999 is usual).")
        return params

    def fit(self, y: np.ndarray | pd.Series, w: W) -> GiStar:
        self._validate()
        values = np.asarray(y, dtype="float64")
        if values.ndim != 1 or len(values) != w.n:
            raise ParameterError(f"y must hold one value per area ({w.n}), got shape {values.shape}.")
        if not np.isfinite(values).all():
            raise ParameterError("y has missing or infinite values (a rate without a population?).")
        if (values < 0).any():
            raise ParameterError("Gi* needs non-negative values (counts or rates).")
        n = len(values)
        if values.sum() == 0 or np.ptp(values) == 0:
            # Nothing to compare: every area is as high as every other.
            self.z_ = np.zeros(n)
            self.p_norm_ = np.ones(n)
            self.p_sim_ = np.ones(n)
            self.tail_ = np.zeros(n)
        else:
            from esda.getisord import G_Local

            with np.errstate(divide="ignore", invalid="ignore"), warnings.catch_warnings():
                # esda warns that its default alternative will change; the tails are counted below.
                warnings.simplefilter("ignore", DeprecationWarning)
                g = G_Local(
                    values,
                    w,
                    transform="B",
                    star=True,
                    permutations=self.permutations,
                    keep_simulations=bool(self.permutations),
                    n_jobs=1,
                    seed=self.seed,
                )
            self.z_ = np.nan_to_num(np.asarray(g.Zs, dtype="float64"))
            self.p_norm_ = np.minimum(1.0, 2 * np.nan_to_num(np.asarray(g.p_norm), nan=0.5))
            self.tail_ = np.where(self.z_ < 0, -1.0, 1.0)
            if self.permutations:
                self.p_sim_, self.tail_ = _two_tails(np.asarray(g.Gs, dtype="float64"), np.asarray(g.rGs))
            else:
                self.p_sim_ = np.full(n, np.nan)
        self.exact_ = np.zeros(n, dtype=bool)
        if self.inference == "permutation" and self.exact_when_in_doubt and values.sum() > 0 and np.ptp(values) > 0:
            self._settle(values, w)
        if self.inference == "analytic":
            self.tail_ = np.where(self.z_ < 0, -1.0, np.where(self.z_ > 0, 1.0, 0.0))
        self.p_value_ = self.p_sim_ if self.inference == "permutation" else self.p_norm_
        self.q_value_ = adjust_pvalues(self.p_value_, self.correction)
        self.gi_bin_ = confidence_bins(self.tail_, self.q_value_)
        return self

    def _settle(self, values: np.ndarray, w: W) -> None:
        """Exact p-values for the areas whose class is in Monte Carlo doubt (see the module docstring)."""
        neighbours = [np.asarray(w.neighbors[k], dtype=np.int64) for k in w.id_order]
        for _ in range(len(values)):
            doubtful = [i for i in self._in_doubt() if not self.exact_[i]]
            if not doubtful:
                return
            for i in doubtful:
                p_one, self.tail_[i] = _exact_conditional_p(values, i, neighbours[i])
                self.p_sim_[i] = min(1.0, 2 * p_one)
                self.exact_[i] = True

    def _in_doubt(self) -> list[int]:
        p = self.p_sim_.copy()
        base = confidence_bins(self.tail_, adjust_pvalues(p, self.correction))
        draws = self.permutations + 1
        one_sided = p / 2  # the estimate is a doubled binomial proportion: its error doubles too
        spread = np.where(self.exact_, 0.0, 6 * np.sqrt(one_sided * (1 - one_sided) / draws) + 2 / draws)
        # An area whose p-value stays above 0.10 even at its lower bound cannot be significant: skip it.
        todo = np.flatnonzero((p - spread < 0.10) & ~self.exact_)
        which = np.concatenate([todo, todo])
        moved = np.concatenate([np.maximum(p[todo] - spread[todo], 0.0), np.minimum(p[todo] + spread[todo], 1.0)])
        q = adjusted_if_moved(p, which, moved, self.correction)
        changed = confidence_bins(self.tail_[which], q) != base[which]
        return sorted({int(i) for i in which[changed]})


def _two_tails(observed: np.ndarray, simulated: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Doubled smaller tail (ties on both sides) and its direction, from simulations (areas x draws).
    Statistics equal to within 1e-9 (relative) count as ties: the same sum added in another order."""
    draws = simulated.shape[1]
    tol = 1e-9 * np.maximum(np.abs(observed), 1e-300)[:, None]
    high = ((simulated >= observed[:, None] - tol).sum(axis=1) + 1) / (draws + 1)
    low = ((simulated <= observed[:, None] + tol).sum(axis=1) + 1) / (draws + 1)
    tail = np.where(low < high, -1.0, 1.0)
    return np.minimum(1.0, 2 * np.minimum(high, low)), tail


def _exact_conditional_p(
    values: np.ndarray, i: int, neighbours: np.ndarray, *, resolution: int = 20_000, max_cells: int = 20_000_000
) -> tuple[float, float]:
    """The smaller one-sided conditional-randomisation p-value of Gi* for area ``i`` and its direction
    (+1 hot, -1 cold), computed exactly rather than simulated: the area's own value stays, its ``k``
    neighbours' values are a random ``k``-subset of the other areas' values, and the number of subsets
    reaching each sum is counted by dynamic programming. p = min(P(S >= observed), P(S <= observed)),
    ties counted on both sides. Whole counts are counted as they are (exact) while the table of sums
    fits ``max_cells``; other values (rates) go on an integer grid of ``resolution`` steps for the largest
    possible sum — exact on that grid, within a step of it otherwise — and the observed sum is taken on
    the same grid (the sum of the neighbours' steps), so a tie stays a tie."""
    k = len(neighbours)
    if k == 0:
        return 1.0, 0.0
    others = np.delete(values, i).astype("float64")
    top = float(np.sort(others)[-k:].sum())
    whole = np.allclose(values, np.round(values))
    fits = whole and (k + 1) * (top + 1) <= max_cells
    scale = 1.0 if fits or (whole and top <= resolution) else resolution / max(top, 1e-12)
    steps = np.round(others * scale).astype(np.int64)
    target = int(np.round(values[neighbours].astype("float64") * scale).astype(np.int64).sum())
    size = int(steps[np.argsort(steps)[-k:]].sum()) + 1
    ways = np.zeros((k + 1, size))
    ways[0, 0] = 1.0
    for v in steps:
        if v < size:
            ways[1:, v:] = ways[1:, v:] + ways[:-1, : size - v]
    total = ways[k].sum()
    target = min(max(target, 0), size - 1)
    high = float(ways[k, target:].sum() / total)
    low = float(ways[k, : target + 1].sum() / total)
    return (low, -1.0) if low < high else (min(high, 1.0), 1.0)


def hotspot_gistar(
    values: pd.Series,
    areas: gpd.GeoDataFrame,
    *,
    permutations: int = 999,
    seed: int | None = 0,
    correction: str = "fdr",
    inference: str = "permutation",
    exact_when_in_doubt: bool = False,
    w: W | None = None,
) -> pd.DataFrame:
    """Gi* of ``values`` (indexed by area code; missing codes count 0) over ``areas`` (``code``, geometry).
    A given ``w`` must have ids 0..n-1 in the rows' order (as :func:`.weights.contiguity_weights` builds).

    Returns one row per area, in ``areas`` order: ``code, value, gi_z, p_norm, p_sim, p_value,
    q_value, gi_bin, hotspot_class, exact`` (``p_sim`` counted exactly rather than simulated).
    """
    if not isinstance(values, pd.Series):
        raise TypeError("values must be a pandas Series indexed by area code")
    codes = areas["code"].astype(str).to_numpy()
    y = values.reindex(codes).fillna(0).to_numpy(dtype="float64")
    weights = w if w is not None else contiguity_weights(areas)
    fitted = GiStar(
        permutations=permutations,
        seed=seed,
        correction=correction,
        inference=inference,
        exact_when_in_doubt=exact_when_in_doubt,
    ).fit(y, weights)
    return pd.DataFrame(
        {
            "code": codes,
            "value": y,
            "gi_z": fitted.z_,
            "p_norm": fitted.p_norm_,
            "p_sim": fitted.p_sim_,
            "p_value": fitted.p_value_,
            "q_value": fitted.q_value_,
            "gi_bin": fitted.gi_bin_,
            "hotspot_class": [CLASS_LABELS[b] for b in fitted.gi_bin_],
            "exact": fitted.exact_,
        }
    )
