"""Patrol places: 40 m circles placed where most violence is expected, and quiet-area concentrations, ranked.

:func:`find_places` turns the violence-group records of a selection into the ranked list behind
``kind = "place"`` (and ``"site"``) rows:

1. every snap point gets its expected records a month (:class:`.MicroPlaceRates`: empirical Bayes,
   local prior, recency weights) and a site type (:func:`.classify_sites`; across a snap-point
   redraw, a new point that took over a named site's records inherits its type,
   :func:`.inherit_sites`);
2. **local route** — concentrations far above their surroundings (:class:`.LocalExcess`) in a quiet
   place (no snap point in the ``window_m`` window expected to see ``min_rate_per_month`` records a
   month): the window's busiest snap points, until they hold 80 % of its records, form one footprint,
   drawn as a greedy cover of 40 m circles (few, not provably fewest), so a quiet place with a real
   concentration is listed even when no single point is busy;
3. **rate route** — patrol circles of ``footprint_radius_m`` (40 m) placed greedily where they cover
   the most expected records (:class:`.PatrolDiscs`: centred on a snap point or midway between two,
   or moved just clear of a circle already taken; every covered point at least ``margin_m`` inside the
   edge, no two circles overlapping, none holding an institutional site's snap point — a circle may
   still overlap a site's own footprint), kept while a circle is expected to see
   ``min_rate_per_month`` records a month. Each circle is one place: a town centre is several places, each the size one
   officer can watch;
4. footprint = the union of its circles, clipped to land;
5. rank by the estimate the circles were placed on, per circle (or expected harm, with harm weights),
   then position; the stated (calibrated) figures are pooled to fall down the list.

Why circles placed on the records rather than a circle round every busy snap point: two busy points
60 m apart are covered by one circle between them at half the land, and PAI is records per land. How
the list does on months it never saw: docs/methods/backtest.md (figures written by
``benchmarks/accuracy_hotspots.py``); the method: docs/methods/patrol-circles.md.

Institutional sites (police stations, prisons, hospitals, ports, dominant blank locations) are kept
out of the patrol list by default and returned as ``kind = "site"`` footprints (the union of 40 m
circles round their snap points, grouped within ``site_radius_m``, no wider than ``max_span_m``),
ranked the same way.
"""

from __future__ import annotations

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

from ..base.categories import text_of
from ..base.params import validate_params
from ..errors import ParameterError
from ..reference.kinds import SITE_LABELS
from .evaluate.calibration import PointCalibration, fit_point_calibration
from .methods import make_method
from .patrol_circles import PatrolDiscs
from .place_options import PLACE_DEFAULTS, PLACE_PARAMS
from .place_order import pool_stated_figures, rank_order
from .snap.epochs import SnapEpochs, find_epochs, resnap
from .snap.site_types import SiteHistory, label_points
from .stats.local_excess import concentration_cores

__all__ = ["PLACE_DEFAULTS", "PLACE_PARAMS", "PlaceList", "find_places", "group_points"]

BNG = "EPSG:27700"


@dataclass
class PlaceList:
    """Snap points with their estimates, and the ranked footprints built from them.

    ``points``: one row per snap point with violence-group records (sorted by x, y): ``x, y, name,
    records, expected_per_month, expected_value_per_month, site_type, institution, route, footprint`` (the footprint
    it is a member of, -1: member of none — a point in the edge ring of a circle, or a stray point of a
    concentration, can lie inside a footprint without being counted in its expected records).
    ``footprints``: GeoDataFrame (EPSG:27700), clusters first by rank, then sites by rank:
    ``footprint, kind, site_type, institution, route, snap_points, circles, records, expected_per_month,
    expected_value_per_month, area_km2, density_per_km2, geometry``.
    ``discs``: the circles each footprint is the union of (``footprint, x, y``: centres, in list order).
    """

    points: pd.DataFrame
    footprints: gpd.GeoDataFrame
    discs: pd.DataFrame
    prior_strength_months: float
    parameters: dict[str, Any]
    epochs: SnapEpochs | None = None
    calibration: PointCalibration | None = None
    #: snap points the public registers' institutions claimed, and those that claimed none
    #: (:class:`.InstitutionClaims`); ``None`` without registers
    claims: pd.DataFrame | None = None
    unclaimed: pd.DataFrame | None = None


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
    history: SiteHistory | None = None,
    register: pd.DataFrame | None = None,
    institutions: pd.DataFrame | None = None,
    **params: Any,
) -> PlaceList:
    """Ranked patrol footprints (and sites) from violence-group ``records`` (``x, y, month, location``).

    ``months``: every month of the selection, oldest first (empty months count). ``weight``: a harm
    weight per record, giving ``expected_value_per_month``; ``rank_by="value"`` ranks by it instead of
    by expected records (places are always chosen by expected records). ``context``: every crime record
    of the selection (``x, y``, anti-social behaviour left out), for the crime mix of each snap point
    that the site rules read. ``history``: the same records over every month available, so that site
    types do not depend on the months selected (police.uk's names of institutions stopped in July 2022).
    ``register``: institutions kept by partners (:func:`..io.site_register.read_site_register`);
    ``institutions``: the public registers (:func:`...dataset.institutions.load_institutions`), which
    claim the snap points their records go to (:class:`.InstitutionClaims`) unless
    ``public_registers=False``.
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
    period = pd.Series(text_of(located["month"]), index=located.index).map(index)
    if period.isna().any():
        raise ParameterError("Some records fall outside the months given to find_places.")
    # police.uk redraws its snap points now and then: count earlier records at today's snap points.
    where = context.dropna(subset=["x", "y"]) if context is not None else located
    reference = (where["x"].to_numpy(), where["y"].to_numpy(), text_of(where["month"]))
    starts, current = find_epochs(*reference, months)
    x, y, epochs = resnap(
        located["x"].to_numpy(dtype="float64"),
        located["y"].to_numpy(dtype="float64"),
        text_of(located["month"]),
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
    periods = period.to_numpy()
    counted = make_method(p["method"], **rates).fit(x, y, periods, n_periods=len(months), context=context)
    points = counted.places_[["x", "y", "records", "expected_per_month"]].copy()
    if weight is not None:
        keep = records[["x", "y"]].notna().all(axis=1).to_numpy()
        w = np.asarray(weight, dtype="float64")[keep]
        valued = make_method(p["method"], **rates).fit(x, y, periods, n_periods=len(months), weight=w, context=context)
        points["expected_value_per_month"] = valued.places_["expected_per_month"].to_numpy()
    else:
        points["expected_value_per_month"] = points["expected_per_month"]
    # Circles are placed on the method's estimates; the figures the list states are calibrated on the
    # records' own past (docs/methods/micro-places.md): the same order, levels that hold.
    calibration = PointCalibration(None, 0.0, 0, ())
    if p["calibrate"]:
        month_of = None if context is None else pd.Series(text_of(context["month"]), index=context.index).map(index)

        def estimate(before: np.ndarray, origin: int) -> pd.DataFrame:
            earlier = None if context is None else context[(month_of < origin).to_numpy()]
            method = make_method(p["method"], **rates)
            return method.fit(x[before], y[before], periods[before], n_periods=origin, context=earlier).places_

        calibration = fit_point_calibration(estimate, x, y, periods, n_periods=len(months))
    points["estimate_per_month"] = points["expected_per_month"]
    points["expected_per_month"] = calibration.apply(points["estimate_per_month"].to_numpy())
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(
            points["estimate_per_month"] > 0, points["expected_per_month"] / points["estimate_per_month"], 1.0
        )
    # The estimates before calibration rank the places (see .place_order).
    raw = (points["expected_value_per_month"] if rank_by == "value" else points["estimate_per_month"]).to_numpy()
    points["expected_value_per_month"] = points["expected_value_per_month"] * scale
    site_options = {
        "resnap_m": p["resnap_m"],
        "site_radius_m": p["site_radius_m"],
        "touch_m": p["footprint_radius_m"],
        "succession_m": p["succession_m"],
        "register": register,
        "institutions": institutions if p["public_registers"] else None,
    }
    key = pd.MultiIndex.from_frame(points[["x", "y"]])
    sites = label_points(
        key, records, months=months, context=context, epochs=(starts, current), history=history, **site_options
    )
    points["name"], points["all_names"] = sites.name, sites.all_names
    points["site_type"], points["institution"] = sites.site_type, sites.institution
    xy = points[["x", "y"]].to_numpy()
    is_site = points["site_type"].ne("").to_numpy()
    patrol_ok = ~is_site if not p["include_sites"] else np.ones(len(points), dtype=bool)
    estimated = points["estimate_per_month"].to_numpy()
    busy = estimated >= p["min_rate_per_month"]
    route = np.full(len(points), "", dtype=object)
    circle = {"radius_m": p["footprint_radius_m"], "margin_m": p["margin_m"]}
    if circle["margin_m"] >= circle["radius_m"]:
        raise ParameterError(
            f"margin_m must be below footprint_radius_m ({circle['radius_m']:g}), got {circle['margin_m']!r}."
        )
    blocked = xy[~patrol_ok]

    # (kind, route, member snap points, circle centres)
    groups: list[tuple[str, str, np.ndarray, np.ndarray]] = []
    local = {k: p[k] for k in ("window_m", "background_m", "min_window_records_per_month", "min_relative_risk")}
    cores = concentration_cores(
        xy,
        points["records"].to_numpy(),
        busy & patrol_ok,
        patrol_ok,
        n_months=len(months),
        land=land,
        alpha=p["local_alpha"],
        **local,
    )
    for members in cores:
        cover = PatrolDiscs(**circle, min_value=0.0, allow_overlap=True)
        cover.fit(xy[members, 0], xy[members, 1], np.ones(len(members)), blocked=blocked)
        members = members[cover.member_ >= 0]  # a point no circle can hold without a site's point stays out
        if len(members) == 0:
            continue
        groups.append(("place", "local", members, cover.discs_[["x", "y"]].to_numpy()))
        route[members] = "local"
    free = np.flatnonzero(patrol_ok & (route == ""))
    taken = np.vstack([g[3] for g in groups]) if groups else None
    rate = PatrolDiscs(**circle, min_value=p["min_rate_per_month"])
    rate.fit(xy[free, 0], xy[free, 1], estimated[free], blocked=blocked, taken=taken)
    centres = rate.discs_[["x", "y"]].to_numpy()
    for d in range(len(centres)):
        members = free[rate.member_ == d]
        groups.append(("place", "rate", members, centres[d : d + 1]))
        route[members] = "rate"
    site_idx = np.flatnonzero(is_site & busy & ~p["include_sites"])
    for kind in SITE_LABELS:
        members = site_idx[points["site_type"].to_numpy()[site_idx] == kind]
        link = max(p["footprint_radius_m"], p["site_radius_m"])
        labels = group_points(xy[members], link_m=link, max_span_m=max(p["max_span_m"], 2 * link))
        for g in range(labels.max() + 1 if len(labels) else 0):
            groups.append(("site", "site", members[labels == g], xy[members[labels == g]]))

    footprint = np.full(len(points), -1, dtype=np.int64)
    rows, shapes = [], []
    expected = points["expected_per_month"].to_numpy()
    valued = points["expected_value_per_month"].to_numpy()
    counts = points["records"].to_numpy()
    types = points["site_type"].to_numpy()
    institution_of = points["institution"].to_numpy()
    for kind, how, members, at in groups:
        shape = _footprint(at, p["footprint_radius_m"], land)
        area = shape.area / 1e6
        total = float(expected[members].sum())
        value = float(valued[members].sum())
        ranked = value if rank_by == "value" else total
        busiest = members[np.argmax(counts[members])]
        named = [str(n) for n in institution_of[members[np.argsort(-counts[members])]] if n]
        rows.append(
            {
                "kind": kind,
                "site_type": SITE_LABELS.get(str(types[busiest]), ""),
                "institution": _one_per_institution(named),
                "route": how,
                "snap_points": len(members),
                "circles": len(at),
                "records": int(counts[members].sum()),
                "expected_per_month": total,
                "expected_value_per_month": value,
                "area_km2": area,
                "density_per_km2": ranked / area if area > 0 else 0.0,
                "_raw": float(raw[members].sum()),
                "_x": float(at[0, 0]),
                "_y": float(at[0, 1]),
                "_members": members,
                "_centres": at,
            }
        )
        shapes.append(shape)
    table = pd.DataFrame(rows)
    if table.empty:
        table = pd.DataFrame(columns=[*_FOOTPRINT_COLUMNS, "_raw", "_x", "_y", "_members", "_centres"])
    order = rank_order(table)
    table = table.iloc[order].reset_index(drop=True)
    shapes = [shapes[i] for i in order]
    if len(table):
        stated = "expected_value_per_month" if rank_by == "value" else "expected_per_month"
        pool_stated_figures(table, points, stated=stated, calibration=calibration)
    table["footprint"] = np.arange(len(table))
    for fid, members in enumerate(table["_members"]):
        footprint[members] = fid
    counts = [len(c) for c in table["_centres"]]
    discs = pd.DataFrame(np.vstack(list(table["_centres"])) if counts else np.zeros((0, 2)), columns=["x", "y"]).assign(
        footprint=np.repeat(np.arange(len(table)), counts)
    )[["footprint", "x", "y"]]
    points["route"] = route
    points["footprint"] = footprint
    frame = gpd.GeoDataFrame(table[_FOOTPRINT_COLUMNS], geometry=gpd.GeoSeries(shapes, index=table.index, crs=BNG))
    cols = ["x", "y", "name", "records", "estimate_per_month", "expected_per_month", "expected_value_per_month"]
    strength = float(getattr(counted, "prior_strength_months_", float("nan")))
    frame_points = points[[*cols, "site_type", "institution", "route", "footprint"]]
    return PlaceList(frame_points, frame, discs, strength, p, epochs, calibration, sites.claims, sites.unclaimed)


_FOOTPRINT_COLUMNS = [
    "footprint",
    "kind",
    "site_type",
    "institution",
    "route",
    "snap_points",
    "circles",
    "records",
    "expected_per_month",
    "expected_low",
    "expected_high",
    "expected_value_per_month",
    "area_km2",
    "density_per_km2",
]


def _one_per_institution(labels: list[str]) -> str:
    """The first (busiest point's) label of each institution, joined."""
    first: dict[str, str] = {}
    for label in labels:
        first.setdefault(label.split(" — ")[0], label)
    return "; ".join(first.values())
