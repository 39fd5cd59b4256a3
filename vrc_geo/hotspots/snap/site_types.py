"""Site type of every snap point of a set of records: names, the current map, succession, the rules.

:func:`snap_point_sites` runs the site rules of :mod:`.sites` on records as the patrol list sees them:
records from before police.uk's latest snap-point map are counted at the nearest current point (their
names go with them, :mod:`.epochs`), a new point that took over a named site's records across the
change inherits its type (:mod:`.succession`), and every name seen at a point counts.

The patrol list runs it twice: on the selection, and on every month available (``SiteHistory``),
because police.uk's names for institutions ("Hospital", "Police Station", "Prison") stopped with its
July 2022 map: a selection of later months alone cannot see them, yet its hospitals are the same
places. A point is a site when either run says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .epochs import find_epochs, resnap
from .sites import classify_sites
from .succession import inherit_sites

__all__ = ["SiteHistory", "point_names", "snap_point_sites"]


@dataclass(frozen=True)
class SiteHistory:
    """Violence-group ``records`` (``x, y, month, location``) and every other crime record but
    anti-social behaviour (``context``) over ``months``: every month available, oldest first."""

    records: pd.DataFrame
    context: pd.DataFrame | None
    months: list[str]


def snap_point_sites(
    records: pd.DataFrame,
    *,
    months: list[str],
    context: pd.DataFrame | None = None,
    resnap_m: float = 150.0,
    site_radius_m: float = 100.0,
    touch_m: float = 40.0,
    succession_m: float = 500.0,
    epochs: tuple[tuple[str, ...], np.ndarray] | None = None,
    register: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per snap point of the current map (index ``x, y``): ``records, name, all_names,
    site_type`` (``""`` for a street place). ``epochs``: :func:`.find_epochs` of the same records and
    context, when the caller has it already. ``register``: institutions kept by partners (``site_type,
    x, y, radius_m``, :func:`..io.site_register.read_site_register`): a point within an entry's radius
    is that site (the nearest entry, when several reach it), whatever its name."""
    located = records.dropna(subset=["x", "y"])
    located = located[located["month"].astype(str).isin(months)]
    where = context.dropna(subset=["x", "y"]) if context is not None else located
    reference = (where["x"].to_numpy(), where["y"].to_numpy(), where["month"].astype(str).to_numpy())
    starts, current = epochs if epochs is not None else find_epochs(*reference, months)
    raw = (
        located["x"].to_numpy(dtype="float64"),
        located["y"].to_numpy(dtype="float64"),
        located["month"].astype(str).to_numpy(),
    )
    x, y, _ = resnap(*raw, starts, current, resnap_m=resnap_m)
    moved = located.assign(x=x, y=y)
    points = moved.groupby(["x", "y"], sort=True).size().rename("records").reset_index()
    key = pd.MultiIndex.from_frame(points[["x", "y"]])
    points["name"], points["all_names"] = point_names(moved, points)
    if context is not None:
        cx, cy, _ = resnap(*reference, starts, current, resnap_m=resnap_m)
        mix = pd.DataFrame({"x": cx, "y": cy}).groupby(["x", "y"]).size()
        points["crime_records"] = mix.reindex(key).fillna(0).to_numpy()
    if starts and succession_m > 0:
        heirs = inherit_sites(
            *raw,
            located["location"].to_numpy(dtype=object),
            change=starts[-1],
            months=months,
            resnap_m=resnap_m,
            succession_m=succession_m,
        )
        if len(heirs):
            points["inherited"] = heirs.reindex(key).fillna("").to_numpy()
    if register is not None and len(register):
        listed = _registered(points[["x", "y"]].to_numpy(), register)
        before = points["inherited"].to_numpy() if "inherited" in points else np.full(len(points), "", dtype=object)
        points["inherited"] = np.where(listed != "", listed, before)
    points["site_type"] = classify_sites(points, site_radius_m=site_radius_m, touch_m=touch_m).to_numpy()
    return points.set_index(["x", "y"])[["records", "name", "all_names", "site_type"]]


def _registered(xy: np.ndarray, register: pd.DataFrame) -> np.ndarray:
    """Site type key of the nearest register entry whose radius reaches each point (``""``: none)."""
    kinds = np.full(len(xy), "", dtype=object)
    best = np.full(len(xy), np.inf)
    entries = register.sort_values(["x", "y", "site_type"])
    for ex, ey, kind, radius in entries[["x", "y", "site_type", "radius_m"]].itertuples(index=False):
        dist = np.hypot(xy[:, 0] - ex, xy[:, 1] - ey)
        closer = (dist <= radius) & (dist < best)
        kinds[closer], best[closer] = kind, dist[closer]
    return kinds


def point_names(located: pd.DataFrame, points: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """The commonest place name at each snap point (ties: alphabetical; "" when blank), and every name
    seen there joined by "|" (police.uk sometimes gives one coordinate two names)."""
    codes, locations = pd.factorize(located["location"].astype(object), use_na_sentinel=False)
    cleaned = np.array([re.sub(r"(?i)^\s*on or near\s*", "", str(v)).strip() if v == v else "" for v in locations])
    name_codes, names = pd.factorize(cleaned[codes])
    frame = pd.DataFrame({"x": located["x"].to_numpy(), "y": located["y"].to_numpy(), "c": name_codes})
    counts = frame.groupby(["x", "y", "c"]).size().rename("n").reset_index()
    counts["name"] = names[counts["c"].to_numpy()]
    counts = counts.sort_values(["x", "y", "n", "name"], ascending=[True, True, False, True])
    first = counts.drop_duplicates(["x", "y"]).set_index(["x", "y"])["name"]
    index = pd.MultiIndex.from_frame(points[["x", "y"]])
    several = counts[counts.duplicated(["x", "y"], keep=False)]
    every = first.copy()
    if len(several):
        joined = several.sort_values(["x", "y", "name"]).groupby(["x", "y"])["name"].agg("|".join)
        every.loc[joined.index] = joined
    return first.reindex(index).fillna("").to_numpy(), every.reindex(index).fillna("").to_numpy()
