"""Co-location of violence with drugs: the local co-location quotient, summed over a footprint.

Local co-location quotient (Leslie & Kronenfeld 2011; local form, Cromley, Hanink & Bentlage 2014) of
type A (violence) towards type B (drugs), for an A record i among N records of all crime types:

    LCLQ_i = sum_j w_ij [j is B] / (N_B / (N - 1))

with Gaussian kernel weights w_ij = exp(-0.5 (d_ij / h_i)^2) over the other records within the bandwidth
h_i, normalised to sum to 1. Coincident snap points are the rule, not the exception, on police.uk data,
so the bandwidth is the distance to the k-th nearest other record but never less than
``min_bandwidth_m``: stacked records count as neighbours at distance 0 without shrinking the
neighbourhood to one snap point. Every record tied at the bandwidth is included, so the answer does not
depend on row order. Values above 1 mean drugs lie closer to violence than their share of all crime.

A footprint's quotient is the mean LCLQ of the A records inside it. Its significance holds the A records
where they are and relabels the other records at random (N_B of them drugs): "are drugs offences closer
to this violence than other non-violent crime is?". Both p-values are one-sided (co-location above
chance): ``p_sim`` from ``permutations`` relabellings (seeded), ``p_norm`` from the exact mean and
variance of the statistic under that relabelling.

Under that null the quotient's expected value is *not* 1: violence's nearest neighbours are often other
violence, which is never relabelled, so the drugs share around violence is diluted (on the sample the
expected quotient runs from 0.09 to 1.78). The quotient is therefore reported beside its exact null
expectation, and the **co-location ratio** = quotient / expected quotient is what reads naturally: above
1, drugs sit closer to this violence than a random relabelling of the other crime would put them.

Footprints are many tests at once: ``q_value_`` holds Benjamini-Hochberg adjusted permutation p-values
and ``significant_`` the rule (ratio above 1 and ``q_value_`` below ``alpha``). With a few hundred
footprints, 999 permutations leave many adjusted p-values near ``alpha``, where the seed would decide;
with ``refine_to``, every footprint whose decision could change within three Monte Carlo standard
errors is simulated again with ``refine_to`` relabellings (its own seeded stream), until no decision is
in doubt. ``draws_`` keeps the number behind each p-value. (The normal approximation ``p_norm`` is kept
for reference only: on police.uk data it is far too small in the tail.)
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import numpy as np
import pandas as pd
import shapely
from scipy import sparse, stats
from scipy.spatial import cKDTree

from ...base.kept import KeptResults
from ...base.params import Estimator, Param
from ...errors import ParameterError

__all__ = ["CoLocation", "colocation_with_options", "hotspot_colocation"]


class CoLocation(Estimator):
    """Footprint co-location of A towards B. ``fit(points, footprints)`` sets ``quotient_``,
    ``expected_`` (the quotient's expectation under the relabelling null), ``ratio_`` (quotient /
    expected), ``p_sim_``, ``p_norm_`` and ``a_records_`` (one value per footprint) and
    ``global_quotient_`` (all A records in the study area)."""

    params: ClassVar[dict[str, Param]] = {
        "k": Param(low=1, high=1000, integer=True, default=10, help="nearest records in the kernel"),
        "min_bandwidth_m": Param(low=0, default=50.0, help="least kernel bandwidth, metres (stacked snap points)"),
        "permutations": Param(low=0, high=100_000, integer=True, default=999, help="relabelling permutations"),
        "seed": Param(integer=True, optional=True, default=0, help="random seed"),
        "alpha": Param(low=0, high=1, low_inclusive=False, default=0.05, help="FDR level for drug-related"),
        "refine_to": Param(
            low=0, high=1_000_000, integer=True, optional=True, default=None, help="most draws for places in doubt"
        ),
    }

    def fit(self, points: pd.DataFrame, footprints: Sequence[shapely.Geometry]) -> CoLocation:
        """``points``: one row per record with ``x, y`` (metres), ``is_a``, ``is_b`` (bool)."""
        self._validate()
        missing = {"x", "y", "is_a", "is_b"} - set(points.columns)
        if missing:
            raise ParameterError(f"points needs columns x, y, is_a, is_b; missing {sorted(missing)}.")
        if (points["is_a"] & points["is_b"]).any():
            raise ParameterError("A record cannot be both type A and type B.")
        snaps = (
            points.assign(n=1, a=points["is_a"].astype(int), b=points["is_b"].astype(int))
            .groupby(["x", "y"], sort=True)[["n", "a", "b"]]
            .sum()
            .reset_index()
        )
        n_total, n_b = int(snaps["n"].sum()), int(snaps["b"].sum())
        n_fp = len(footprints)
        self.quotient_ = np.full(n_fp, np.nan)
        self.expected_ = np.full(n_fp, np.nan)
        self.ratio_ = np.full(n_fp, np.nan)
        self.p_sim_ = np.full(n_fp, np.nan)
        self.p_norm_ = np.full(n_fp, np.nan)
        self.q_value_ = np.full(n_fp, np.nan)
        self.significant_ = np.zeros(n_fp, dtype=bool)
        self.draws_ = np.zeros(n_fp, dtype=np.int64)
        self.a_records_ = np.zeros(n_fp, dtype=np.int64)
        self.global_quotient_ = np.nan
        if n_total < 2 or n_b == 0 or snaps["a"].sum() == 0:
            return self
        xy = snaps[["x", "y"]].to_numpy()
        kernel = _kept_kernel(self, xy, snaps["n"].to_numpy())  # snap x snap, rows normalised per A record
        p_share = n_b / (n_total - 1)
        a = snaps["a"].to_numpy(dtype="float64")
        in_fp = _membership(xy, footprints)  # footprint x snap (0/1)
        weights_a = in_fp.multiply(a[None, :]).tocsr()  # A records of each footprint, by snap
        self.a_records_ = np.asarray(weights_a.sum(axis=1)).ravel().astype(np.int64)
        with np.errstate(divide="ignore", invalid="ignore"):
            mean_w = sparse.diags(1 / np.maximum(self.a_records_, 1)) @ weights_a @ kernel  # fp x snap
        b = snaps["b"].to_numpy(dtype="float64")
        observed = np.asarray(mean_w @ b).ravel() / p_share
        has_a = self.a_records_ > 0
        self.quotient_ = np.where(has_a, observed, np.nan)
        all_w = (a / a.sum()) @ kernel
        self.global_quotient_ = float(np.asarray(all_w @ b).ravel()[0] / p_share)
        other = snaps["n"].to_numpy() - snaps["a"].to_numpy()  # records that can be relabelled
        null_share = n_b / max(int(other.sum()), 1)
        expected = null_share * np.asarray(mean_w @ other).ravel() / p_share
        with np.errstate(divide="ignore", invalid="ignore"):
            self.expected_ = np.where(has_a, expected, np.nan)
            self.ratio_ = np.where(has_a & (expected > 0), self.quotient_ / expected, np.nan)
        self.p_norm_ = np.where(has_a, self._analytic(mean_w, other, n_b, observed * p_share), np.nan)
        if self.permutations:
            rng = np.random.default_rng(self.seed)
            p = self._permute(mean_w, other, n_b, observed * p_share, self.permutations, rng)
            self.p_sim_ = np.where(has_a, p, np.nan)
            self.draws_ = np.where(has_a, self.permutations, 0)
            self._decide()
            for step, draws in enumerate(_ladder(self.permutations, self.refine_to or 0)):
                doubt = self._in_doubt() & (self.draws_ < draws)
                if not doubt.any():
                    break
                more = np.random.default_rng(None if self.seed is None else [int(self.seed), step + 1])
                rows = np.flatnonzero(doubt)
                self.p_sim_[rows] = self._permute(mean_w[rows], other, n_b, observed[rows] * p_share, draws, more)
                self.draws_[rows] = draws
                self._decide()
        return self

    def _decide(self) -> None:
        from .gistar import adjust_pvalues

        tested = np.isfinite(self.p_sim_)
        self.q_value_ = np.full(len(self.p_sim_), np.nan)
        if tested.any():
            self.q_value_[tested] = adjust_pvalues(self.p_sim_[tested], "fdr")
        self.significant_ = (np.nan_to_num(self.ratio_) > 1) & (np.nan_to_num(self.q_value_, nan=1.0) < self.alpha)

    def _in_doubt(self) -> np.ndarray:
        """Footprints whose decision could change with their p-value moved by 3 Monte Carlo errors."""
        from .gistar import adjusted_if_moved

        tested = np.flatnonzero(np.isfinite(self.p_sim_))
        p = self.p_sim_[tested]
        draws = self.draws_[tested] + 1
        spread = 3 * np.sqrt(p * (1 - p) / draws) + 2 / draws
        base = self.significant_[tested]
        doubt = np.zeros(len(self.p_sim_), dtype=bool)
        ratio_ok = np.nan_to_num(self.ratio_[tested]) > 1
        todo = np.flatnonzero(ratio_ok & (p - spread < self.alpha))
        which = np.concatenate([todo, todo])
        moved = np.concatenate([np.maximum(p[todo] - spread[todo], 0.0), np.minimum(p[todo] + spread[todo], 1.0)])
        changed = (adjusted_if_moved(p, which, moved, "fdr") < self.alpha) != base[which]
        doubt[tested[which[changed]]] = True
        return doubt

    def _kernel(self, xy: np.ndarray, counts: np.ndarray) -> sparse.csr_matrix:
        """Weight of one record at snap t seen from a record at snap s, normalised so that the weights of
        all other records around s sum to 1."""
        tree = cKDTree(xy)
        m = len(xy)
        probe = min(m, max(self.k + 1, 32))
        dist, idx = tree.query(xy, k=probe)
        dist, idx = dist.reshape(m, -1), idx.reshape(m, -1)
        # Records around each snap point in distance order; the focal record itself is not a neighbour.
        cum = np.cumsum(counts[idx], axis=1) - 1
        kth = np.argmax(cum >= self.k, axis=1)
        reached = cum[np.arange(m), kth] >= self.k
        bandwidth = np.where(reached, dist[np.arange(m), kth], dist[:, -1])
        bandwidth = np.maximum(bandwidth, self.min_bandwidth_m)
        bandwidth = np.where(bandwidth > 0, bandwidth, 1.0)
        pairs = tree.query_ball_point(xy, r=bandwidth * (1 + 1e-9))
        rows = np.repeat(np.arange(m), [len(p) for p in pairs])
        cols = np.concatenate([np.asarray(p, dtype=np.int64) for p in pairs])
        d = np.hypot(*(xy[rows] - xy[cols]).T)
        kern = np.exp(-0.5 * (d / bandwidth[rows]) ** 2)  # weight of one record at cols seen from rows
        matrix = sparse.csr_matrix((kern, (rows, cols)), shape=(m, m))
        # Total weight of the other records around each snap point: every record there, minus the focal one.
        totals = matrix @ counts.astype("float64") - 1.0
        with np.errstate(divide="ignore"):
            scale = np.where(totals > 0, 1 / totals, 0.0)
        return (sparse.diags(scale) @ matrix).tocsr()

    @staticmethod
    def _analytic(mean_w: sparse.csr_matrix, other: np.ndarray, n_b: int, observed: np.ndarray) -> np.ndarray:
        total = int(other.sum())
        if total <= 1:
            return np.ones(mean_w.shape[0])
        share = n_b / total
        s1 = np.asarray(mean_w @ other).ravel()
        s2 = np.asarray(mean_w.multiply(mean_w) @ other).ravel()
        expected = share * s1
        variance = share * (1 - share) * total / (total - 1) * (s2 - s1**2 / total)
        with np.errstate(divide="ignore", invalid="ignore"):
            z = (observed - expected) / np.sqrt(variance)
        return np.where(variance > 0, stats.norm.sf(z), 1.0)

    @staticmethod
    def _permute(
        mean_w: sparse.csr_matrix,
        other: np.ndarray,
        n_b: int,
        observed: np.ndarray,
        permutations: int,
        rng: np.random.Generator,
    ) -> np.ndarray:
        """Relabel the non-violence records at random, ``permutations`` times, and count how often a
        footprint's statistic reaches the observed one. Only records near the footprints matter: draw how
        many drugs records land among them (hypergeometric), then which of their snap points take them
        (multivariate hypergeometric) — the same distribution as relabelling every record, much cheaper.
        Drawn in blocks, so memory stays bounded whatever the number of permutations."""
        used = np.flatnonzero(np.asarray(abs(mean_w).sum(axis=0)).ravel() > 0)
        used = used[other[used] > 0]
        colours = other[used].astype(np.int64)
        total = int(other.sum())
        weights = mean_w[:, used].tocsr()
        larger = np.zeros(mean_w.shape[0], dtype=np.int64)
        block = max(1, min(permutations, 20_000_000 // max(len(used), 1)))
        done = 0
        while done < permutations:
            size = min(block, permutations - done)
            among_used = rng.hypergeometric(int(colours.sum()), total - int(colours.sum()), n_b, size=size)
            draws = np.zeros((size, len(used)), dtype=np.int32)
            for k in np.unique(among_used):
                rows = np.flatnonzero(among_used == k)
                draws[rows] = rng.multivariate_hypergeometric(colours, int(k), size=len(rows), method="count")
            larger += _reached(weights, draws, observed)
            done += size
        return (larger + 1) / (permutations + 1)


def _reached(weights: sparse.csr_matrix, draws: np.ndarray, observed: np.ndarray) -> np.ndarray:
    """Per footprint (row of ``weights``), the relabellings (rows of ``draws``) whose statistic reaches the
    observed one. Each footprint reads few snap points, so the sums run over the matrix's stored entries
    only (a dense product would first copy every draw to floating point: a second of a refinement's
    hundred thousand draws), a bounded slice of draws at a time."""
    # A footprint that reads no snap point has a statistic of 0 in every draw.
    larger = np.where(observed - 1e-12 <= 0, len(draws), 0).astype(np.int64)
    filled = np.flatnonzero(np.diff(weights.indptr) > 0)
    if len(filled) == 0 or len(draws) == 0:
        return larger
    larger[filled] = 0
    starts, cols, data = weights.indptr[filled], weights.indices, weights.data
    limit = observed[filled][None, :] - 1e-12
    step = max(1, 4_000_000 // len(cols))
    for first in range(0, len(draws), step):
        sums = np.add.reduceat(draws[first : first + step, cols] * data, starts, axis=1)
        larger[filled] += (sums >= limit).sum(axis=0)
    return larger


_KERNELS: KeptResults[sparse.csr_matrix] = KeptResults(4)


def _kept_kernel(model: CoLocation, xy: np.ndarray, counts: np.ndarray) -> sparse.csr_matrix:
    """``model._kernel``, kept for the last few sets of snap points: the places and the patrol zones of
    one list are tested on the same records, so the second test reuses the first's neighbourhoods."""
    digest = hashlib.sha256(np.ascontiguousarray(xy, dtype="float64").tobytes())
    digest.update(np.ascontiguousarray(counts, dtype="int64").tobytes())
    key = (digest.hexdigest(), model.k, float(model.min_bandwidth_m))
    return _KERNELS.get(key, lambda: model._kernel(xy, counts))


def _ladder(start: int, cap: int) -> list[int]:
    """Relabelling counts for the footprints still in doubt: ten times more at each step (999 -> 9,999
    -> 99,999 ...), ending at ``cap``."""
    out, draws = [], start
    while draws < cap:
        draws = min(10 * draws + 9, cap)
        out.append(draws)
    return out


def _membership(xy: np.ndarray, footprints: Sequence[shapely.Geometry]) -> sparse.csr_matrix:
    """Footprint x snap-point 0/1 matrix: which snap points lie in (or on the edge of) each footprint."""
    points = shapely.points(xy[:, 0], xy[:, 1])
    tree = shapely.STRtree(points)
    geoms = np.asarray(footprints, dtype=object)
    if len(geoms) == 0:
        return sparse.csr_matrix((0, len(xy)))
    fp, pt = tree.query(geoms, predicate="intersects")
    data = np.ones(len(fp))
    return sparse.csr_matrix((data, (fp, pt)), shape=(len(geoms), len(xy)))


def hotspot_colocation(
    records: pd.DataFrame,
    footprints: Sequence[shapely.Geometry],
    *,
    a_types: Sequence[str],
    b_types: Sequence[str],
    k: int = 10,
    min_bandwidth_m: float = 50.0,
    permutations: int = 999,
    seed: int | None = 0,
    alpha: float = 0.05,
    refine_to: int | None = None,
) -> pd.DataFrame:
    """Co-location of ``a_types`` towards ``b_types`` for each footprint (EPSG:27700 geometries).

    ``records``: every crime record of the study area and period (``x, y, crime_type``); the types not
    in A or B are the background. Returns ``colocation_quotient, expected_quotient, colocation_ratio,
    p_norm, p_sim, q_value, significant, draws, a_records`` per footprint.
    """
    located = records.dropna(subset=["x", "y"])
    types = located["crime_type"]  # matched as stored (categories): no text column is made for every record
    points = pd.DataFrame(
        {
            "x": located["x"].to_numpy(),
            "y": located["y"].to_numpy(),
            "is_a": types.isin(list(a_types)).to_numpy(),
            "is_b": types.isin(list(b_types)).to_numpy(),
        }
    )
    model = CoLocation(
        k=k, min_bandwidth_m=min_bandwidth_m, permutations=permutations, seed=seed, alpha=alpha, refine_to=refine_to
    )
    model.fit(points, footprints)
    return pd.DataFrame(
        {
            "colocation_quotient": model.quotient_,
            "expected_quotient": model.expected_,
            "colocation_ratio": model.ratio_,
            "p_norm": model.p_norm_,
            "p_sim": model.p_sim_,
            "q_value": model.q_value_,
            "significant": model.significant_,
            "draws": model.draws_,
            "a_records": model.a_records_,
        }
    )


def colocation_with_options(
    records: pd.DataFrame,
    footprints: Sequence[shapely.Geometry],
    *,
    a_types: Sequence[str],
    b_types: Sequence[str],
    options: Mapping[str, Any],
) -> pd.DataFrame:
    """:func:`hotspot_colocation` with its settings read from a hotspot options mapping (``k``,
    ``min_bandwidth_m``, ``permutations``, ``seed``, ``alpha``, ``refine_permutations``): places and zones
    are tested alike."""
    return hotspot_colocation(
        records,
        footprints,
        a_types=a_types,
        b_types=b_types,
        k=options["k"],
        min_bandwidth_m=options["min_bandwidth_m"],
        permutations=options["permutations"],
        seed=options["seed"],
        alpha=options["alpha"],
        refine_to=options["refine_permutations"],
    )
