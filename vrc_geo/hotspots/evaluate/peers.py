"""What an analyst could do instead of the list, each scored on later months at the same land area.

Every peer is built from the earlier (build) months only and becomes a :class:`Curve`: its land area and
the later records it holds after each unit it adds, best unit first. :meth:`Curve.at` reads the records
held at any area (linearly between two units), so a peer is always compared at exactly the land of the
list's cut. The peers (docs/methods/backtest.md):

* **busiest snap points** — 40 m discs round the snap points with most earlier records
  (:func:`busiest_points`), over all the build months, or over police.uk's current map only
  (:func:`current_map`: the months since its last redraw, when old points stop receiving records), and
  with the list's institutional sites left out (what the list leaves out);
* **busiest grid cells** — 250 m or 100 m squares with most earlier records (:func:`count_cells`);
* **prospective hotspotting** (Bowers, Johnson & Pease 2004) — 50 m cells scored by every recent record
  within 400 m, each weighing ``1 / (1 + d) * 1 / (1 + t)`` with ``d`` in cell widths and ``t`` in months
  before the end of the build period (:func:`prospective_cells`);
* **kernel density** — 50 m cells scored by a quartic kernel of 150 m bandwidth over every earlier
  record, the analyst's usual hotspot map (:func:`kde_cells`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely

from .coverage import DiscCoverage

__all__ = [
    "Curve",
    "busiest_points",
    "cell_curve",
    "count_cells",
    "current_map",
    "disc_curve",
    "kde_cells",
    "prospective_cells",
]


@dataclass(frozen=True)
class Curve:
    """Cumulative land (km²) and later records held, after each unit of a ranked set of areas."""

    name: str
    area_km2: np.ndarray
    hits: np.ndarray

    def at(self, area_km2: float) -> float:
        """Later records held at ``area_km2`` of land (linear between units; the whole set's beyond it)."""
        if len(self.area_km2) == 0:
            return 0.0
        return float(np.interp(area_km2, np.r_[0.0, self.area_km2], np.r_[0.0, self.hits]))


def busiest_points(xy: np.ndarray, weight: np.ndarray | None = None) -> np.ndarray:
    """Distinct points, most records (or weight) first; ties: lower x, then y."""
    xy = np.asarray(xy, dtype="float64").reshape(-1, 2)
    if len(xy) == 0:
        return np.zeros((0, 2))
    points, inverse = np.unique(xy, axis=0, return_inverse=True)
    totals = np.bincount(inverse.ravel(), weights=weight)
    order = np.lexsort((points[:, 1], points[:, 0], -np.round(totals, 9)))
    return points[order]


def current_map(month: np.ndarray, starts: tuple[str, ...]) -> np.ndarray:
    """Which records fall in the months of police.uk's current snap-point map (all, without a redraw)."""
    month = np.asarray(month).astype(str)
    return month >= starts[-1] if starts else np.ones(len(month), dtype=bool)


def disc_curve(name: str, centres: np.ndarray, later: np.ndarray, coverage: DiscCoverage) -> Curve:
    """The curve of 40 m discs at ``centres`` (in rank order) on the ``later`` records (n, 2)."""
    centres = np.asarray(centres, dtype="float64").reshape(-1, 2)
    area, (hits,) = coverage.curve(centres[:, 0], centres[:, 1], later)
    return Curve(name, np.asarray(area), np.asarray(hits, dtype="float64"))


def count_cells(xy: np.ndarray, cell_m: float) -> pd.Series:
    """Records per grid cell (index: column, row of cells anchored at the grid origin)."""
    xy = np.asarray(xy, dtype="float64").reshape(-1, 2)
    cols, rows = np.floor(xy[:, 0] / cell_m).astype(np.int64), np.floor(xy[:, 1] / cell_m).astype(np.int64)
    index = pd.MultiIndex.from_arrays([cols, rows], names=["col", "row"])
    return pd.Series(1.0, index=index).groupby(level=["col", "row"]).sum()


def _spread(xy: np.ndarray, weight: np.ndarray, cell_m: float, radius_m: float, kernel) -> pd.Series:
    """Sum over points of ``weight * kernel(distance)`` on the centres of the cells within ``radius_m``."""
    points, inverse = np.unique(np.asarray(xy, dtype="float64").reshape(-1, 2), axis=0, return_inverse=True)
    mass = np.bincount(inverse.ravel(), weights=weight, minlength=len(points))
    r = int(np.ceil(radius_m / cell_m))
    di, dj = (a.ravel() for a in np.meshgrid(np.arange(-r, r + 1), np.arange(-r, r + 1)))
    home_c = np.floor(points[:, 0] / cell_m).astype(np.int64)
    home_r = np.floor(points[:, 1] / cell_m).astype(np.int64)
    cols = home_c[:, None] + di[None, :]
    rows = home_r[:, None] + dj[None, :]
    dist = np.hypot((cols + 0.5) * cell_m - points[:, [0]], (rows + 0.5) * cell_m - points[:, [1]])
    value = mass[:, None] * kernel(dist)
    keep = (dist <= radius_m) & (value > 0)
    index = pd.MultiIndex.from_arrays([cols[keep], rows[keep]], names=["col", "row"])
    return pd.Series(value[keep], index=index).groupby(level=["col", "row"]).sum()


def kde_cells(xy: np.ndarray, *, cell_m: float = 50.0, bandwidth_m: float = 150.0) -> pd.Series:
    """Quartic-kernel density of the records on ``cell_m`` cells (a constant factor left out)."""
    xy = np.asarray(xy, dtype="float64").reshape(-1, 2)

    def quartic(d: np.ndarray) -> np.ndarray:
        return np.clip(1 - (d / bandwidth_m) ** 2, 0, None) ** 2

    return _spread(xy, np.ones(len(xy)), cell_m, bandwidth_m, quartic)


def prospective_cells(
    xy: np.ndarray,
    months_before: np.ndarray,
    *,
    cell_m: float = 50.0,
    bandwidth_m: float = 400.0,
    months: int = 3,
) -> pd.Series:
    """Prospective hotspotting risk on ``cell_m`` cells: records of the last ``months`` months
    (``months_before``: 0 for the last build month) within ``bandwidth_m``, each weighing
    ``1 / (1 + d / cell_m) * 1 / (1 + t)``."""
    xy = np.asarray(xy, dtype="float64").reshape(-1, 2)
    t = np.asarray(months_before, dtype="float64")
    recent = t < months
    out = []
    for lag in np.unique(t[recent]):
        pick = recent & (t == lag)
        out.append(
            _spread(xy[pick], np.full(pick.sum(), 1 / (1 + lag)), cell_m, bandwidth_m, lambda d: 1 / (1 + d / cell_m))
        )
    return pd.concat(out).groupby(level=["col", "row"]).sum() if out else pd.Series(dtype="float64")


def cell_curve(
    name: str, scores: pd.Series, cell_m: float, later: np.ndarray, land: shapely.Geometry, *, max_km2: float
) -> Curve:
    """The curve of cells taken in order of ``scores`` (ties: lower column, then row), clipped to land,
    up to ``max_km2`` of land, on the ``later`` records (n, 2)."""
    if scores.empty:
        return Curve(name, np.zeros(0), np.zeros(0))
    frame = scores.rename("s").reset_index().sort_values(["s", "col", "row"], ascending=[False, True, True])
    take = min(len(frame), int(np.ceil(max_km2 / (cell_m**2 / 1e6))) * 2 + 10)
    frame = frame.iloc[:take]
    cols, rows = frame["col"].to_numpy(), frame["row"].to_numpy()
    boxes = shapely.box(cols * cell_m, rows * cell_m, (cols + 1) * cell_m, (rows + 1) * cell_m)
    shapely.prepare(land)
    inside = shapely.contains_properly(land, boxes)
    area = np.full(len(boxes), cell_m**2 / 1e6)
    if (~inside).any():
        area[~inside] = shapely.area(shapely.intersection(boxes[~inside], land)) / 1e6
    counts = count_cells(later, cell_m)
    held = counts.reindex(pd.MultiIndex.from_arrays([cols, rows], names=["col", "row"])).fillna(0).to_numpy()
    keep = area > 0
    return Curve(name, np.cumsum(area[keep]), np.cumsum(held[keep]))
