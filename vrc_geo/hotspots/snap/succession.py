"""Institutions across a snap-point redraw: the new point that took over a named site's records.

The word list of :mod:`.sites` reads police.uk's place names, and police.uk's names changed with its
map: up to June 2022 a hospital's records sat at "On or near Hospital"; from July 2022 nearly every
point is named after a street. Re-snapping (:mod:`.epochs`) carries an old point's names to the nearest
current point within 150 m, which is enough where police.uk put the institution's new point close by;
not always (on the sample, Darent Valley Hospital's records moved hundreds of metres to a point named
after a street: docs/methods/sites.md).

:func:`inherit_sites` follows the records instead of the name. For every named site ``S`` of the
earlier epoch seeing at least ``min_rate`` violence-group records a month:

1. the current points within ``resnap_m`` of ``S`` account for some of its rate; when they see less
   than half of it, the rest (*missing*) went somewhere else;
2. the successor is the busiest current point within ``succession_m`` of ``S`` that is **new** (no
   record at its coordinates before the change), **dominates** its surroundings (at least
   ``dominance`` of the later violence-group records within ``radius_m`` of it) and sees at least half
   the missing rate a month since the change; it takes ``S``'s site type.

A new, dominant point with a site's lost flow is what an institution on a new map looks like; a street
in a town centre is neither new on its own nor dominant, and stays a street place. Sites are visited
busiest first (ties: lower x, then y) and a point is inherited once.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from ...base.params import Param, validate_params
from .sites import place_name, site_of_name

__all__ = ["inherit_sites"]

_PARAMS = {
    "resnap_m": Param(low=0, high=2000),
    "succession_m": Param(low=0, high=5000),
    "min_rate": Param(low=0, high=10000),
    "dominance": Param(low=0, high=1),
    "radius_m": Param(low=0, high=2000),
}


def inherit_sites(
    x: np.ndarray,
    y: np.ndarray,
    month: np.ndarray,
    location: np.ndarray,
    *,
    change: str,
    months: list[str],
    resnap_m: float = 150.0,
    succession_m: float = 500.0,
    min_rate: float = 2.0,
    dominance: float = 0.9,
    radius_m: float = 100.0,
) -> pd.Series:
    """Site type key inherited by current points (indexed by ``x, y``; only the points that inherit).

    ``x, y, month, location``: the violence-group records as police.uk placed them (not re-snapped);
    ``change``: the month the latest snap-point map began; ``months``: every month of the selection."""
    validate_params(
        {
            "resnap_m": resnap_m,
            "succession_m": succession_m,
            "min_rate": min_rate,
            "dominance": dominance,
            "radius_m": radius_m,
        },
        _PARAMS,
    )
    empty = pd.Series([], index=pd.MultiIndex.from_arrays([[], []], names=["x", "y"]), dtype=object)
    frame = pd.DataFrame({"x": np.asarray(x, dtype="float64"), "y": np.asarray(y, dtype="float64")})
    frame["month"] = np.asarray(month).astype(str)
    codes, uniques = pd.factorize(pd.Series(np.asarray(location, dtype=object)), use_na_sentinel=False)
    frame["name"] = np.array([place_name(v) for v in uniques], dtype=object)[codes] if len(codes) else ""
    n_before = sum(m < change for m in months)
    n_after = len(months) - n_before
    if succession_m == 0 or n_before == 0 or n_after == 0 or frame.empty:
        return empty
    early = frame[frame["month"] < change]
    late = frame[frame["month"] >= change]
    old = early.groupby(["x", "y"], sort=True).size().rename("n").to_frame()
    named = early.drop_duplicates(["x", "y", "name"])
    named = named.assign(kind=[site_of_name(n) for n in named["name"]])
    named = named[named["kind"] != ""].sort_values(["x", "y", "name"]).drop_duplicates(["x", "y"])
    old["kind"] = named.set_index(["x", "y"])["kind"].reindex(old.index).fillna("")
    old["rate"] = old["n"] / n_before
    old = old[(old["kind"] != "") & (old["rate"] >= min_rate)].reset_index()
    now = late.groupby(["x", "y"], sort=True).size().rename("n").reset_index()
    if old.empty or now.empty:
        return empty
    now_xy = now[["x", "y"]].to_numpy()
    now_rate = now["n"].to_numpy(dtype="float64") / n_after
    seen_before = pd.MultiIndex.from_frame(early[["x", "y"]]).unique()
    new = ~pd.MultiIndex.from_frame(now[["x", "y"]]).isin(seen_before)
    tree = cKDTree(now_xy)
    pairs = tree.query_pairs(radius_m, output_type="ndarray")
    around = now_rate.copy()
    np.add.at(around, pairs[:, 0], now_rate[pairs[:, 1]])
    np.add.at(around, pairs[:, 1], now_rate[pairs[:, 0]])
    dominant = now_rate >= dominance * np.maximum(around, 1e-12)
    taken = np.zeros(len(now), dtype=bool)
    heirs: dict[tuple[float, float], str] = {}
    for site in old.sort_values(["rate", "x", "y"], ascending=[False, True, True]).itertuples():
        accounted = now_rate[tree.query_ball_point([site.x, site.y], resnap_m)].sum()
        missing = site.rate - accounted
        if missing < 0.5 * site.rate:
            continue
        near = np.asarray(tree.query_ball_point([site.x, site.y], succession_m), dtype=np.int64)
        ok = near[new[near] & dominant[near] & ~taken[near] & (now_rate[near] >= 0.5 * missing)]
        if len(ok) == 0:
            continue
        best = ok[np.lexsort((now_xy[ok, 1], now_xy[ok, 0], -now_rate[ok]))[0]]
        taken[best] = True
        heirs[(float(now_xy[best, 0]), float(now_xy[best, 1]))] = site.kind
    if not heirs:
        return empty
    index = pd.MultiIndex.from_tuples(list(heirs), names=["x", "y"])
    return pd.Series(list(heirs.values()), index=index, dtype=object)
