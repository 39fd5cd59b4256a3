"""Patrol circles: 40 m circles placed where they hold the most expected records (greedy maximal covering).

A snap point is where police.uk files a record, not where a patrol stands. Two busy snap points 60 m
apart are covered by one 40 m circle between them, at half the land of a circle round each; a busy
corner's quieter neighbours come in with it. Choosing circles of a fixed size to cover the most expected
records is the maximal covering location problem (Church & ReVelle 1974); it is solved greedily here,
the standard approximation for it:

* **reach** = ``radius_m - margin_m``: a snap point counts as covered when it lies within reach of the
  centre, so every covered point sits at least ``margin_m`` inside the circle (inside a polygon drawn
  with n sides too when ``margin_m`` exceeds ``radius_m * (1 - cos(pi / n))``: 0.19 m for a 40 m circle
  of 32 sides);
* **candidate centres**: every snap point, and the midpoint of every pair within ``2 * reach``. Circles
  are centred on the records, not fitted to their edge (why, with the figures measured on the sample:
  docs/methods/patrol-circles.md);
* **value** of a candidate: the expected records a month of the snap points within reach not yet covered;
* **greedy**: take the candidate of highest value (ties: lower x, then lower y), mark its points covered,
  repeat while the best value is at least ``min_value``. A candidate whose circle would contain a
  ``blocked`` point (one within ``radius_m``: an institutional site, whose records stay out of patrol
  circles) is never taken. Unless ``allow_overlap``, nor is one whose circle would overlap a circle
  already taken (centres closer than ``2 * radius_m``, to 1e-9 m): instead, once, a copy of it moved
  directly away from the nearest such circle to exactly ``2 * radius_m`` from its centre joins the
  candidates with the value it has there — so a busy point beside a taken circle still gets a circle
  of its own just clear of it (such a centre is neither a snap point nor a midpoint).

Circles that do not overlap make each row of a ranked list its own patrol area: shares of land and of
later records add up row by row, however a reader sums them. Values only fall as points are covered, so
the lazy heap below takes exactly the greedy choice. Points are sorted first: any row order, same circles.
"""

from __future__ import annotations

import heapq
from typing import ClassVar

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from ..base.params import Estimator, Param
from ..errors import ParameterError

__all__ = ["PatrolDiscs", "candidate_centres"]


def candidate_centres(xy: np.ndarray, reach_m: float) -> np.ndarray:
    """Snap points, then the midpoint of each pair within ``2 * reach_m`` (pairs in sorted order)."""
    xy = np.asarray(xy, dtype="float64").reshape(-1, 2)
    if len(xy) < 2:
        return xy.copy()
    pairs = cKDTree(xy).query_pairs(2 * reach_m, output_type="ndarray")
    if len(pairs) == 0:
        return xy.copy()
    pairs = pairs[np.lexsort((pairs[:, 1], pairs[:, 0]))]
    return np.vstack([xy, (xy[pairs[:, 0]] + xy[pairs[:, 1]]) / 2])


class PatrolDiscs(Estimator):
    """``fit(x, y, value)`` sets ``discs_`` (one row per circle, in the order taken: ``x, y, value,
    snap_points``) and ``member_`` (the circle covering each input point, -1 for none)."""

    params: ClassVar[dict[str, Param]] = {
        "radius_m": Param(low=1, high=500, default=40.0, help="patrol circle radius, metres"),
        "margin_m": Param(low=0, high=100, default=2.0, help="covered points lie this far inside the edge, metres"),
        "min_value": Param(low=0, high=1e9, default=1.0, help="least expected records a month for a circle"),
        "allow_overlap": Param(choices=(True, False), default=False, help="circles may overlap"),
    }

    def fit(
        self,
        x: np.ndarray,
        y: np.ndarray,
        value: np.ndarray,
        *,
        blocked: np.ndarray | None = None,
        taken: np.ndarray | None = None,
    ) -> PatrolDiscs:
        """``value``: expected records a month per point (non-negative); ``blocked``: (k, 2) points no
        circle may contain; ``taken``: (m, 2) centres of circles already placed, kept clear of."""
        self._validate()
        if self.margin_m >= self.radius_m:
            raise ParameterError(f"margin_m must be below radius_m ({self.radius_m:g}), got {self.margin_m!r}.")
        x, y = np.asarray(x, dtype="float64"), np.asarray(y, dtype="float64")
        value = np.asarray(value, dtype="float64")
        if not (x.shape == y.shape == value.shape) or x.ndim != 1:
            raise ParameterError("x, y and value must be 1-D arrays of the same length.")
        if not (np.isfinite(x).all() and np.isfinite(y).all() and np.isfinite(value).all()) or (value < 0).any():
            raise ParameterError("x, y must be finite and value finite and non-negative.")
        blocked = _points_or_none(blocked, "blocked")
        taken = _points_or_none(taken, "taken")
        self.member_ = np.full(len(x), -1, dtype=np.int64)
        order = np.lexsort((y, x))
        xy = np.column_stack([x, y])[order]
        v = value[order]
        reach = self.radius_m - self.margin_m
        centres = candidate_centres(xy, reach)
        points = cKDTree(xy)
        covers = cKDTree(centres).sparse_distance_matrix(points, reach, output_type="coo_matrix").tocsr()
        covers.sort_indices()
        start, cols = np.asarray(covers.indptr), np.asarray(covers.indices)
        fence = None
        if blocked is not None and len(blocked):
            fence = cKDTree(blocked)
        spacing = _Spacing(0.0 if self.allow_overlap else 2 * self.radius_m, taken)
        covered = np.zeros(len(xy), dtype=bool)
        shifted: list[tuple[float, float, np.ndarray]] = []  # candidates moved clear of a taken circle

        def members_of(i: int) -> np.ndarray:
            m = cols[start[i] : start[i + 1]] if i < len(centres) else shifted[i - len(centres)][2]
            return m[~covered[m]]

        def open_at(cx: float, cy: float) -> bool:
            return fence is None or fence.query([cx, cy], k=1)[0] > self.radius_m

        totals = np.add.reduceat(v[cols], start[:-1]) if len(cols) else np.zeros(len(centres))
        totals = np.where(np.diff(start) > 0, totals, 0.0)
        keep = totals > 0
        if fence is not None:
            keep &= fence.query(centres, k=1)[0] > self.radius_m
        heap = [
            (-round(float(totals[i]), 9), float(centres[i, 0]), float(centres[i, 1]), int(i))
            for i in np.flatnonzero(keep)
        ]
        heapq.heapify(heap)
        rows: list[tuple[float, float, float, int]] = []
        while heap:
            _, cx, cy, i = heapq.heappop(heap)
            members = members_of(i)
            total = round(float(v[members].sum()), 9)
            if total <= 0:
                continue
            if heap and (-total, cx, cy) > heap[0][:3]:
                heapq.heappush(heap, (-total, cx, cy, i))  # its value fell: look again later
                continue
            if total < self.min_value:
                break  # the best candidate left is below the bar: so is every other
            clash = spacing.clash(cx, cy)
            if clash is not None:
                # Overlapping a taken circle: try once more just clear of it (directly away from it),
                # so a busy point beside a taken circle still gets one of its own.
                gap = np.hypot(cx - clash[0], cy - clash[1])
                if i < len(centres) and gap > 0:
                    sx = clash[0] + (cx - clash[0]) * 2 * self.radius_m / gap
                    sy = clash[1] + (cy - clash[1]) * 2 * self.radius_m / gap
                    near = np.sort(np.asarray(points.query_ball_point([sx, sy], reach), dtype=np.int64))
                    moved = round(float(v[near[~covered[near]]].sum()), 9)
                    if moved > 0 and open_at(sx, sy):
                        shifted.append((sx, sy, near))
                        heapq.heappush(heap, (-moved, sx, sy, len(centres) + len(shifted) - 1))
                continue
            covered[members] = True
            self.member_[order[members]] = len(rows)
            spacing.add(cx, cy)
            rows.append((cx, cy, total, len(members)))
        self.discs_ = pd.DataFrame(rows, columns=["x", "y", "value", "snap_points"]).astype(
            {"x": "float64", "y": "float64", "value": "float64", "snap_points": "int64"}
        )
        return self


def _points_or_none(points: np.ndarray | None, name: str) -> np.ndarray | None:
    """An (n, 2) array of finite coordinates, or None; anything else is a ParameterError."""
    if points is None:
        return None
    try:
        out = np.asarray(points, dtype="float64")
    except (TypeError, ValueError) as err:
        raise ParameterError(f"{name} must be an (n, 2) array of x, y coordinates.") from err
    if out.size == 0:
        return np.zeros((0, 2))
    if out.ndim != 2 or out.shape[1] != 2 or not np.isfinite(out).all():
        raise ParameterError(f"{name} must be an (n, 2) array of finite x, y coordinates, got shape {out.shape}.")
    return out


class _Spacing:
    """Centres taken so far, on a grid of ``gap`` cells: does a new centre come closer than ``gap``?"""

    def __init__(self, gap: float, taken: np.ndarray | None) -> None:
        self.gap = float(gap)
        self.cells: dict[tuple[int, int], list[tuple[float, float]]] = {}
        for cx, cy in np.asarray([] if taken is None else taken, dtype="float64").reshape(-1, 2):
            self.add(float(cx), float(cy))

    def _cell(self, x: float, y: float) -> tuple[int, int]:
        return int(np.floor(x / self.gap)), int(np.floor(y / self.gap))

    def clash(self, x: float, y: float) -> tuple[float, float] | None:
        """The nearest centre closer than ``gap`` (None when there is none)."""
        if self.gap <= 0:
            return None
        i, j = self._cell(x, y)
        best, best_d = None, self.gap - 1e-9
        for di in (-1, 0, 1):
            for dj in (-1, 0, 1):
                for ox, oy in self.cells.get((i + di, j + dj), ()):
                    d = float(np.hypot(x - ox, y - oy))
                    if d < best_d or (best is not None and d == best_d and (ox, oy) < best):
                        best, best_d = (ox, oy), d
        return best

    def add(self, x: float, y: float) -> None:
        if self.gap <= 0:
            return
        self.cells.setdefault(self._cell(x, y), []).append((x, y))
