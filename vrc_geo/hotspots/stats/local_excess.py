"""Concentrations far above their surroundings: a local Poisson test around every snap point.

A rate threshold finds busy places; it misses a concentration in a quiet place (say 70 records in 13
months within 150 m of a village crossroads) whose snap points are each only moderately busy. Around
every snap point with records this test compares the records within ``window_m`` with what the
surroundings predict: the records in the ring from ``window_m`` to ``background_m``, scaled by the ratio
of the land areas (window : ring). Both counts are Poisson, so given their total the window's count is
binomial with probability share / (1 + share) (share = window land / ring land) under "the same rate
inside as around": the test is the upper tail of that conditional binomial, which allows for the ring
count being an estimate too (a plain Poisson test against ring x share would treat it as known and
over-state the evidence round quiet places). p-values are adjusted with Benjamini-Hochberg FDR over
every window; a window is a *local excess* when its adjusted
p-value is below ``alpha``, it holds at least ``min_records_per_month`` records a month (a handful
of records can be "significant" against an empty field and still not be a place to patrol) and its
records are at least ``min_relative_risk`` times what its surroundings predict (a housing estate a
little busier than the fields round it is not a concentration).

Land areas are measured on a fixed pattern of sample points (polar grid) inside the window and the ring,
so a window on the coast is not compared with the sea.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import pandas as pd
import shapely
from scipy import sparse, stats
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from ...base.params import Estimator, Param
from ...errors import ParameterError
from .gistar import adjust_pvalues

__all__ = ["CORE_SHARE", "LocalExcess", "concentration_cores"]

CORE_SHARE = 0.8  # a concentration's footprint keeps its busiest snap points holding this share of its records


def _polar_pattern(inner: float, outer: float, rings: int, per_ring: int) -> np.ndarray:
    """Offsets of equal-area sample points between two radii (a deterministic polar grid)."""
    edges = np.sqrt(np.linspace(inner**2, outer**2, rings + 1))
    radius = np.sqrt((edges[:-1] ** 2 + edges[1:] ** 2) / 2)
    angles = (np.arange(per_ring) + 0.5) * 2 * np.pi / per_ring
    r, a = np.meshgrid(radius, angles, indexing="ij")
    return np.column_stack([(r * np.cos(a)).ravel(), (r * np.sin(a)).ravel()])


class LocalExcess(Estimator):
    """``fit(x, y, n_periods=T, land=...)`` on stacked snap points sets ``windows_`` (one row per snap
    point: ``x, y, window_records, ring_records, expected, p_value, q_value, relative_risk, excess``)."""

    params: ClassVar[dict[str, Param]] = {
        "window_m": Param(low=10, high=2000, default=150.0, help="window radius, metres"),
        "background_m": Param(low=50, high=20000, default=1500.0, help="outer radius of the comparison ring, metres"),
        "min_records_per_month": Param(low=0, high=10000, default=4.0, help="least window records a month"),
        "min_relative_risk": Param(low=1, high=1e6, default=8.0, help="least window rate over the ring's"),
        "alpha": Param(low=0, high=1, low_inclusive=False, default=0.05, help="FDR level"),
    }
    _WINDOW = _polar_pattern(0.0, 1.0, 3, 12)
    _RING = _polar_pattern(0.0, 1.0, 8, 24)  # rescaled to the ring below

    def fit(
        self,
        x: np.ndarray,
        y: np.ndarray,
        records: np.ndarray,
        *,
        n_periods: int,
        land: shapely.Geometry | None = None,
    ) -> LocalExcess:
        """``x, y``: distinct snap points; ``records``: records at each (the counts tested)."""
        self._validate()
        if self.background_m <= self.window_m:
            raise ParameterError(f"background_m ({self.background_m}) must exceed window_m ({self.window_m}).")
        xy = np.column_stack([np.asarray(x, dtype="float64"), np.asarray(y, dtype="float64")])
        counts = np.asarray(records, dtype="float64")
        n = len(xy)
        out = pd.DataFrame({"x": xy[:, 0], "y": xy[:, 1]})
        if n == 0:
            self.windows_ = out.assign(
                window_records=[], ring_records=[], expected=[], p_value=[], q_value=[], relative_risk=[], excess=[]
            )
            return self
        tree = cKDTree(xy)
        window = self._sums(tree, counts, self.window_m)
        ring = self._sums(tree, counts, self.background_m) - window
        floor = self.min_records_per_month * n_periods
        tested = window >= max(floor, 1)
        share = np.full(n, np.nan)
        if tested.any():
            share[tested] = self._area_ratio(xy[tested], land)
        expected = ring * share
        p = np.ones(n)
        with np.errstate(invalid="ignore"):
            chance = share[tested] / (1 + share[tested])
            p[tested] = stats.binom.sf(window[tested] - 1, window[tested] + ring[tested], chance)
        q = adjust_pvalues(p, "fdr")  # over every window: the untested ones count, with p = 1
        out["window_records"] = window.astype(np.int64)
        out["ring_records"] = ring.astype(np.int64)
        out["expected"] = expected
        out["p_value"] = p
        out["q_value"] = q
        with np.errstate(divide="ignore", invalid="ignore"):
            out["relative_risk"] = np.where(expected > 0, window / expected, np.inf)
        out["excess"] = tested & (q < self.alpha) & (out["relative_risk"].to_numpy() >= self.min_relative_risk)
        self.windows_ = out
        return self

    @staticmethod
    def _sums(tree: cKDTree, counts: np.ndarray, radius: float) -> np.ndarray:
        pairs = tree.query_pairs(radius, output_type="ndarray")
        total = counts.copy()
        if len(pairs):
            np.add.at(total, pairs[:, 0], counts[pairs[:, 1]])
            np.add.at(total, pairs[:, 1], counts[pairs[:, 0]])
        return total

    def _area_ratio(self, centres: np.ndarray, land: shapely.Geometry | None) -> np.ndarray:
        """Land area of the window divided by the land area of the ring, per centre."""
        r, big = self.window_m, self.background_m
        full = r**2 / (big**2 - r**2)
        if land is None:
            return np.full(len(centres), full)
        shapely.prepare(land)
        inner = self._WINDOW * r
        # Ring samples: the unit-disc pattern mapped to equal-area radii between r and big.
        unit = np.hypot(*self._RING.T)
        angle = np.arctan2(self._RING[:, 1], self._RING[:, 0])
        radius = np.sqrt(r**2 + unit**2 * (big**2 - r**2))
        outer = np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])

        def land_share_of(points: np.ndarray, offsets: np.ndarray) -> np.ndarray:
            px = (points[:, 0:1] + offsets[:, 0]).ravel()
            py = (points[:, 1:2] + offsets[:, 1]).ravel()
            return shapely.contains_xy(land, px, py).reshape(len(points), -1).mean(axis=1)

        # Windows whose whole ring is on land (far from the coast) need no sampling.
        coastal = shapely.distance(land.boundary, shapely.points(centres[:, 0], centres[:, 1])) < big
        ratio = np.full(len(centres), full)
        if coastal.any():
            inner_share = land_share_of(centres[coastal], inner)
            ring_share = land_share_of(centres[coastal], outer)
            with np.errstate(divide="ignore", invalid="ignore"):
                ratio[coastal] = np.where(ring_share > 0, full * inner_share / ring_share, full)
        return ratio


def _merge_windows(centres: np.ndarray, radius: float) -> np.ndarray:
    """Group label per local-excess window: windows whose centres are within ``radius`` merge."""
    if len(centres) == 0:
        return np.zeros(0, dtype=np.int64)
    pairs = cKDTree(centres).query_pairs(radius, output_type="ndarray")
    graph = sparse.coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(len(centres),) * 2)
    return connected_components(graph, directed=False)[1]


def concentration_cores(
    xy: np.ndarray,
    records: np.ndarray,
    busy: np.ndarray,
    patrol_ok: np.ndarray,
    *,
    n_months: int,
    land: shapely.Geometry | None,
    window_m: float,
    background_m: float,
    min_window_records_per_month: float,
    min_relative_risk: float,
    alpha: float,
) -> list[np.ndarray]:
    """Members of each local-excess footprint: the core of every window far above its surroundings in a
    quiet place. ``busy``: snap points expected to see ``min_rate_per_month`` on their own (the rate
    route's sure places). A core whose records are mostly at busy points is left to the rate route,
    and so is a window with other busy points in it (not a quiet place); otherwise the core becomes one
    footprint, busy points included, so a concentration is one place, not a busy corner and a missed
    rest. ``busy`` is updated in place."""
    test = LocalExcess(
        window_m=window_m,
        background_m=background_m,
        min_records_per_month=min_window_records_per_month,
        min_relative_risk=min_relative_risk,
        alpha=alpha,
    ).fit(xy[:, 0], xy[:, 1], records, n_periods=n_months, land=land)
    centres = np.flatnonzero(test.windows_["excess"].to_numpy() & patrol_ok)
    if len(centres) == 0:
        return []
    tree = cKDTree(xy)
    labels = _merge_windows(xy[centres], window_m)
    taken = np.zeros(len(xy), dtype=bool)
    out = []
    for g in np.unique(labels):
        near = sorted({j for c in centres[labels == g] for j in tree.query_ball_point(xy[c], window_m)})
        near = np.array([j for j in near if patrol_ok[j] and not taken[j]], dtype=np.int64)
        if len(near) == 0:
            continue
        # The concentration itself: its busiest snap points, until they hold CORE_SHARE of its records
        # (a compact footprint, not every stray record in the window).
        order = near[np.lexsort((xy[near, 1], xy[near, 0], -records[near]))]
        cumulative = np.cumsum(records[order])
        members = np.sort(order[: int(np.searchsorted(cumulative, CORE_SHARE * cumulative[-1])) + 1])
        if records[members][busy[members]].sum() >= 0.5 * records[members].sum():
            continue  # mostly busy points: the rate route's circles cover it
        busy_nearby = np.setdiff1d(np.flatnonzero(busy[near]), np.searchsorted(near, members))
        if len(busy_nearby):
            continue  # not a quiet place: busy places beside it are listed by the rate route
        taken[members] = True
        busy[members] = False
        out.append(members)
    return out
