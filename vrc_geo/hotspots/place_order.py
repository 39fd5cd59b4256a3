"""The order of the patrol list and the figures it states: ranked by estimate, stated as calibrated.

Circles are placed on each snap point's estimate (:mod:`.places`), and the list keeps that order
(:func:`rank_order`). The figures it states are calibrated (:mod:`.evaluate.calibration`), whose flat
steps and lift of quiet points would otherwise make them rise and fall down the list, so they are pooled
to fall row by row (:func:`pool_stated_figures`). Why, and what it does to accuracy:
docs/methods/micro-places.md.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .evaluate.calibration import PointCalibration, pool_down_the_list

__all__ = ["pool_stated_figures", "rank_order"]


def rank_order(table: pd.DataFrame) -> np.ndarray:
    """Row order: places first, then sites; each by the estimate the circles were placed on (``_raw``,
    records or harm a month per circle, before calibration), then by the calibrated figure per circle and
    in all, then position (``_x``, ``_y``: deterministic). Per circle, not per km²: the two agree except
    where the coast clips a circle, which should not lift it up the list."""
    if table.empty:
        return np.zeros(0, dtype=np.int64)
    value = table["density_per_km2"] * table["area_km2"]
    circles = table["circles"].clip(lower=1)
    key = pd.DataFrame(
        {
            "kind": (table["kind"] != "place").astype(int),
            "per_circle": -(value / circles).round(9),
            "value": -value.round(9),
            "raw": -(table["_raw"] / circles).round(9),
            "x": table["_x"],
            "y": table["_y"],
        }
    )
    return key.sort_values(["kind", "raw", "per_circle", "value", "x", "y"], kind="mergesort").index.to_numpy()


def pool_stated_figures(
    table: pd.DataFrame, points: pd.DataFrame, *, stated: str, calibration: PointCalibration
) -> None:
    """In place, on the ranked ``table`` (rows with ``kind, circles, area_km2, _members``: positions in
    ``points``): the ``stated`` column pooled to fall down the places and down the sites, the density
    with it, each member point's figure scaled with its place's (an even share where the place had none:
    zones add them up), and the 80 % interval of each row from its points' records figures."""
    before = table[stated].to_numpy(dtype="float64")
    after = before.copy()
    for kind in ("place", "site"):
        rows_of = (table["kind"] == kind).to_numpy()
        circles = table.loc[rows_of, "circles"].clip(lower=1).to_numpy(dtype="float64")
        after[rows_of] = pool_down_the_list(before[rows_of] / circles, circles) * circles
    table[stated] = after
    area = table["area_km2"].to_numpy(dtype="float64")
    table["density_per_km2"] = np.divide(after, area, out=np.zeros(len(table)), where=area > 0)
    members = list(table["_members"])
    sizes = np.array([len(m) for m in members])
    labels = np.repeat(np.arange(len(members)), sizes)
    at = np.concatenate(members)
    factor = np.divide(after, before, out=np.ones(len(table)), where=before > 0)
    extra = np.where(before > 0, 0.0, after / np.maximum(sizes, 1))
    figures = points[stated].to_numpy(dtype="float64").copy()
    figures[at] = figures[at] * factor[labels] + extra[labels]
    points[stated] = figures
    low, high = calibration.interval(points["expected_per_month"].to_numpy()[at], labels)
    table["expected_low"], table["expected_high"] = low, high
