"""Patrol places: snap points expected to stay busy, grouped into patrol-sized footprints, ranked.

:func:`find_places` turns the violence-group records of a selection into the ranked list behind
``kind = "cluster"`` (and ``"site"``) rows:

1. every snap point gets its expected records a month (:class:`.MicroPlaceRates`: empirical Bayes,
   local prior, recency weights) and a site type (:func:`.classify_sites`);
2. **rate route** — snap points expected to see at least ``min_rate_per_month`` records a month;
3. **local route** — concentrations far above their surroundings (:class:`.LocalExcess`) where the rate
   route found nothing within ``window_m``: the window's busiest snap points, until they hold 80 % of
   its records, join one footprint, so a quiet place with a real concentration is listed even when no
   single point is busy;
4. snap points closer than ``link_m`` join one footprint (their discs overlap); a group spanning more
   than ``max_span_m`` is split (complete linkage), so a town centre becomes several patrol areas;
5. footprint = the union of ``footprint_radius_m`` discs round its snap points, clipped to land;
6. rank by expected records a month per km² of footprint (or expected harm, with harm weights) — the
   quantity PAI rewards — ties by expected records, then position.

Institutional sites (police stations, prisons, hospitals, ports, dominant blank locations) are kept
out of the patrol list by default and returned as ``kind = "site"`` footprints, ranked the same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy import sparse
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from ..errors import ParameterError
from ..validation import Param, validate_params
from .localexcess import LocalExcess
from .microplaces import MicroPlaceRates
from .sites import SITE_LABELS, classify_sites
from .snapepochs import SnapEpochs, find_epochs, resnap

__all__ = ["PLACE_DEFAULTS", "PLACE_PARAMS", "PlaceList", "find_places", "group_points"]

BNG = "EPSG:27700"
CORE_SHARE = 0.8  # a local-excess footprint keeps the busiest snap points holding this share of its records

PLACE_DEFAULTS: dict[str, Any] = {
    "min_rate_per_month": 1.0,
    "resnap_m": 150.0,
    "footprint_radius_m": 40.0,
    "link_m": 40.0,
    "max_span_m": 250.0,
    "half_life_months": 2.0,
    "prior_radius_m": 250.0,
    "prior_strength_months": None,
    "window_m": 150.0,
    "background_m": 1500.0,
    "min_window_records_per_month": 4.0,
    "min_relative_risk": 8.0,
    "local_alpha": 0.05,
    "site_radius_m": 100.0,
    "include_sites": False,
}
PLACE_PARAMS = {
    "min_rate_per_month": Param(low=0, high=10000, low_inclusive=False),
    "resnap_m": Param(low=0, high=2000),
    "footprint_radius_m": Param(low=1, high=500),
    "link_m": Param(low=0, high=1000),
    "max_span_m": Param(low=10, high=10000),
    "half_life_months": Param(low=0.25, high=1200, optional=True),
    "prior_radius_m": Param(low=1, high=5000),
    "prior_strength_months": Param(low=0, high=1200, optional=True),
    "window_m": Param(low=10, high=2000),
    "background_m": Param(low=50, high=20000),
    "min_window_records_per_month": Param(low=0, high=10000),
    "min_relative_risk": Param(low=1, high=1e6),
    "local_alpha": Param(low=0, high=1, low_inclusive=False),
    "site_radius_m": Param(low=0, high=2000),
    "include_sites": Param(choices=(True, False)),
}


@dataclass
class PlaceList:
    """Snap points with their estimates, and the ranked footprints built from them.

    ``points``: one row per snap point with violence-group records (sorted by x, y): ``x, y, name,
    records, expected_per_month, expected_value_per_month, site_type, route, footprint`` (-1: in none).
    ``footprints``: GeoDataFrame (EPSG:27700), clusters first by rank, then sites by rank:
    ``footprint, kind, site_type, route, snap_points, records, expected_per_month,
    expected_value_per_month, area_km2, density_per_km2, geometry``.
    """

    points: pd.DataFrame
    footprints: gpd.GeoDataFrame
    prior_strength_months: float
    parameters: dict[str, Any]
    epochs: SnapEpochs | None = None


def group_points(xy: np.ndarray, *, link_m: float, max_span_m: float) -> np.ndarray:
    """Group label per point: single linkage at ``link_m``, then groups wider than ``max_span_m``
    split by complete linkage. Labels follow the first point of each group (input order)."""
    n = len(xy)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    pairs = cKDTree(xy).query_pairs(link_m, output_type="ndarray") if link_m > 0 else np.zeros((0, 2), int)
    graph = sparse.coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(n, n))
    _, comp = connected_components(graph, directed=False)
    labels = np.full(n, -1, dtype=np.int64)
    next_label = 0
    for c in np.unique(comp):
        members = np.flatnonzero(comp == c)
        if len(members) > 1 and np.ptp(xy[members], axis=0).max() > max_span_m / np.sqrt(2):
            parts = fcluster(linkage(xy[members], method="complete"), t=max_span_m, criterion="distance")
        else:
            parts = np.ones(len(members), dtype=np.int64)
        for part in np.unique(parts):
            labels[members[parts == part]] = next_label
            next_label += 1
    # Renumber by first appearance so labels do not depend on how connected_components numbered them.
    _, first = np.unique(labels, return_index=True)
    order = np.argsort(np.argsort(first))
    return order[np.searchsorted(np.unique(labels), labels)]


def _merge_windows(centres: np.ndarray, radius: float) -> np.ndarray:
    """Group label per local-excess window: windows whose centres are within ``radius`` merge."""
    if len(centres) == 0:
        return np.zeros(0, dtype=np.int64)
    pairs = cKDTree(centres).query_pairs(radius, output_type="ndarray")
    graph = sparse.coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(len(centres),) * 2)
    return connected_components(graph, directed=False)[1]


def _footprint(xy: np.ndarray, radius: float, land: shapely.Geometry | None) -> shapely.Geometry:
    shape = shapely.union_all(shapely.buffer(shapely.points(xy[:, 0], xy[:, 1]), radius, quad_segs=8))
    if land is None or shapely.contains_properly(land, shape):
        return shape
    clipped = shapely.intersection(shape, land)
    return clipped if not clipped.is_empty else shape


def find_places(
    records: pd.DataFrame,
    *,
    months: list[str],
    land: shapely.Geometry | None = None,
    weight: np.ndarray | None = None,
    rank_by: str = "records",
    context: pd.DataFrame | None = None,
    **params: Any,
) -> PlaceList:
    """Ranked patrol footprints (and sites) from violence-group ``records`` (``x, y, month, location``).

    ``months``: every month of the selection, oldest first (empty months count). ``weight``: a harm
    weight per record, giving ``expected_value_per_month``; ``rank_by="value"`` ranks by it instead of
    by expected records (places are always chosen by expected records). ``context``: every crime record
    of the selection (``x, y``, anti-social behaviour left out), for the crime mix of each snap point
    that the site rules read.
    """
    if rank_by not in ("records", "value"):
        raise ParameterError(f"rank_by must be 'records' or 'value', got {rank_by!r}.")
    unknown = set(params) - set(PLACE_DEFAULTS)
    if unknown:
        raise ParameterError(f"Unknown place option(s) {sorted(unknown)}; allowed: {sorted(PLACE_DEFAULTS)}.")
    p = validate_params({**PLACE_DEFAULTS, **params}, PLACE_PARAMS)
    if not months:
        raise ParameterError("find_places needs the months of the selection.")
    located = records.dropna(subset=["x", "y"])
    index = {m: i for i, m in enumerate(months)}
    period = located["month"].astype(str).map(index)
    if period.isna().any():
        raise ParameterError("Some records fall outside the months given to find_places.")
    # police.uk redraws its snap points now and then: count earlier records at today's snap points.
    where = context.dropna(subset=["x", "y"]) if context is not None else located
    reference = (where["x"].to_numpy(), where["y"].to_numpy(), where["month"].astype(str).to_numpy())
    starts, current = find_epochs(*reference, months)
    x, y, epochs = resnap(
        located["x"].to_numpy(dtype="float64"),
        located["y"].to_numpy(dtype="float64"),
        located["month"].astype(str).to_numpy(),
        starts,
        current,
        resnap_m=p["resnap_m"],
    )
    located = located.assign(x=x, y=y)
    rates = {
        "half_life_months": p["half_life_months"],
        "prior_radius_m": p["prior_radius_m"],
        "prior_strength_months": p["prior_strength_months"],
    }
    counted = MicroPlaceRates(**rates).fit(x, y, period.to_numpy(), n_periods=len(months))
    points = counted.places_.rename(columns={"weighted": "_w"}).drop(columns="_w")
    if weight is not None:
        keep = records[["x", "y"]].notna().all(axis=1).to_numpy()
        w = np.asarray(weight, dtype="float64")[keep]
        valued = MicroPlaceRates(**rates).fit(x, y, period.to_numpy(), n_periods=len(months), weight=w)
        points["expected_value_per_month"] = valued.places_["expected_per_month"].to_numpy()
    else:
        points["expected_value_per_month"] = points["expected_per_month"]
    points["name"], points["all_names"] = _names(located, points)
    if context is not None:
        cx, cy, _ = resnap(*reference, starts, current, resnap_m=p["resnap_m"])
        mix = pd.DataFrame({"x": cx, "y": cy}).groupby(["x", "y"]).size()
        points["crime_records"] = mix.reindex(pd.MultiIndex.from_frame(points[["x", "y"]])).fillna(0).to_numpy()
    points["site_type"] = classify_sites(
        points, site_radius_m=p["site_radius_m"], touch_m=p["footprint_radius_m"]
    ).to_numpy()
    xy = points[["x", "y"]].to_numpy()
    is_site = points["site_type"].ne("").to_numpy()
    patrol_ok = ~is_site if not p["include_sites"] else np.ones(len(points), dtype=bool)
    busy = points["expected_per_month"].to_numpy() >= p["min_rate_per_month"]
    rate_route = busy & patrol_ok
    route = np.where(rate_route, "rate", "").astype(object)

    local_groups = _local_route(points, xy, rate_route, patrol_ok, len(months), land, p)
    for members in local_groups:
        route[members] = "local"

    footprint = np.full(len(points), -1, dtype=np.int64)
    groups: list[tuple[str, np.ndarray]] = []
    rate_idx = np.flatnonzero(rate_route)
    labels = group_points(xy[rate_idx], link_m=p["link_m"], max_span_m=p["max_span_m"])
    groups += [("cluster", rate_idx[labels == g]) for g in range(labels.max() + 1 if len(labels) else 0)]
    groups += [("cluster", m) for m in local_groups]
    site_idx = np.flatnonzero(is_site & busy & ~p["include_sites"])
    for kind in SITE_LABELS:
        members = site_idx[points["site_type"].to_numpy()[site_idx] == kind]
        link = max(p["link_m"], p["site_radius_m"])
        labels = group_points(xy[members], link_m=link, max_span_m=max(p["max_span_m"], 2 * link))
        groups += [("site", members[labels == g]) for g in range(labels.max() + 1 if len(labels) else 0)]
    rows, shapes = [], []
    for kind, members in groups:
        shape = _footprint(xy[members], p["footprint_radius_m"], land)
        area = shape.area / 1e6
        expected = float(points["expected_per_month"].to_numpy()[members].sum())
        value = float(points["expected_value_per_month"].to_numpy()[members].sum())
        ranked = value if rank_by == "value" else expected
        busiest = members[np.argmax(points["records"].to_numpy()[members])]
        rows.append(
            {
                "kind": kind,
                "site_type": SITE_LABELS.get(str(points["site_type"].iloc[busiest]), ""),
                "route": route[members[0]] if kind == "cluster" else "site",
                "snap_points": len(members),
                "records": int(points["records"].to_numpy()[members].sum()),
                "expected_per_month": expected,
                "expected_value_per_month": value,
                "area_km2": area,
                "density_per_km2": ranked / area if area > 0 else 0.0,
                "_x": float(xy[members, 0].min()),
                "_y": float(xy[members, 1].min()),
                "_members": members,
            }
        )
        shapes.append(shape)
    table = pd.DataFrame(rows)
    if table.empty:
        table = pd.DataFrame(columns=[*_FOOTPRINT_COLUMNS, "_x", "_y", "_members"])
    order = _rank(table)
    table = table.iloc[order].reset_index(drop=True)
    shapes = [shapes[i] for i in order]
    table["footprint"] = np.arange(len(table))
    for fid, members in enumerate(table["_members"]):
        footprint[members] = fid
    points["route"] = route
    points["footprint"] = footprint
    frame = gpd.GeoDataFrame(
        table[_FOOTPRINT_COLUMNS], geometry=gpd.GeoSeries(shapes, crs=BNG) if shapes else None, crs=BNG
    )
    cols = ["x", "y", "name", "records", "expected_per_month", "expected_value_per_month", "site_type"]
    return PlaceList(points[[*cols, "route", "footprint"]], frame, counted.prior_strength_months_, p, epochs)


_FOOTPRINT_COLUMNS = [
    "footprint",
    "kind",
    "site_type",
    "route",
    "snap_points",
    "records",
    "expected_per_month",
    "expected_value_per_month",
    "area_km2",
    "density_per_km2",
]


def _rank(table: pd.DataFrame) -> np.ndarray:
    """Clusters first, then sites; each by density, expected value, then position (deterministic)."""
    if table.empty:
        return np.zeros(0, dtype=np.int64)
    key = pd.DataFrame(
        {
            "kind": (table["kind"] != "cluster").astype(int),
            "density": -table["density_per_km2"].round(9),
            "value": -(table["density_per_km2"] * table["area_km2"]).round(9),
            "x": table["_x"],
            "y": table["_y"],
        }
    )
    return key.sort_values(["kind", "density", "value", "x", "y"], kind="mergesort").index.to_numpy()


def _names(located: pd.DataFrame, points: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
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


def _local_route(
    points: pd.DataFrame,
    xy: np.ndarray,
    rate_route: np.ndarray,
    patrol_ok: np.ndarray,
    n_months: int,
    land: shapely.Geometry | None,
    p: dict[str, Any],
) -> list[np.ndarray]:
    """Members of each local-excess footprint: the core of every window far above its surroundings in a
    quiet place. A core the rate route holds half of or more is left to it, and so is a window with
    other busy places in it (not a quiet place); otherwise the core becomes one footprint, taking its
    rate-route points with it (``rate_route`` is updated in place), so a concentration is one place,
    not a busy corner and a missed rest."""
    test = LocalExcess(
        window_m=p["window_m"],
        background_m=p["background_m"],
        min_records_per_month=p["min_window_records_per_month"],
        min_relative_risk=p["min_relative_risk"],
        alpha=p["local_alpha"],
    ).fit(xy[:, 0], xy[:, 1], points["records"].to_numpy(), n_periods=n_months, land=land)
    centres = np.flatnonzero(test.windows_["excess"].to_numpy() & patrol_ok)
    if len(centres) == 0:
        return []
    tree = cKDTree(xy)
    labels = _merge_windows(xy[centres], p["window_m"])
    records = points["records"].to_numpy()
    taken = np.zeros(len(points), dtype=bool)
    out = []
    for g in np.unique(labels):
        near = sorted({j for c in centres[labels == g] for j in tree.query_ball_point(xy[c], p["window_m"])})
        near = np.array([j for j in near if patrol_ok[j] and not taken[j]], dtype=np.int64)
        if len(near) == 0:
            continue
        # The concentration itself: its busiest snap points, until they hold CORE_SHARE of its records
        # (a compact footprint, not every stray record in the window).
        order = near[np.lexsort((xy[near, 1], xy[near, 0], -records[near]))]
        cumulative = np.cumsum(records[order])
        members = np.sort(order[: int(np.searchsorted(cumulative, CORE_SHARE * cumulative[-1])) + 1])
        if records[members][rate_route[members]].sum() >= 0.5 * records[members].sum():
            continue  # the rate route already lists most of it
        busy_nearby = np.setdiff1d(np.flatnonzero(rate_route[near]), np.searchsorted(near, members))
        if len(busy_nearby):
            continue  # not a quiet place: busy places beside it are listed by the rate route
        taken[members] = True
        rate_route[members] = False
        out.append(members)
    return out
