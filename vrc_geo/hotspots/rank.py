"""The hotspot pipeline: clusters and hot wards, what is in them, drug-related or not, ranked.

``find_hotspots`` runs, for one selection (period, districts):

1. density clusters of the violence-group offences (violence and sexual offences, robbery, possession of
   weapons) -> ``kind = "cluster"`` footprints;
2. Gi* on ward counts (or rates) of the same offences -> every hot ward at 90 % or more after FDR
   -> ``kind = "ward"`` footprints (the ward polygon);
3. counts of violence, drugs, weapons and robbery in each footprint, drugs within ``near_m``;
4. co-location of violence-group offences towards drugs for each footprint; ``drug_related`` when the
   quotient is above 1 and its FDR-adjusted permutation p-value is below ``alpha``;
5. the emerging hot-spot class of each ward across the months; a cluster takes the class of the ward
   holding most of its violence;
6. ranking: clusters first (the places to patrol), by violence-group records, then hot wards (areas for
   partnership work), by violence-group records; ties by area, smaller first.

The output table follows :data:`HOTSPOT_COLUMNS` (documented in the README).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..aggregate import Selection, select_records
from ..districts import district_name
from ..errors import ParameterError
from ..geography import unproject_xy
from ..taxonomy import ASB, GROUPS, SELECTIONS
from ..validation import Param, validate_params
from .clusters import default_min_records, hotspot_clusters
from .colocation import hotspot_colocation
from .emerging import hotspot_classify
from .footprint import describe_footprints
from .gistar import adjust_pvalues, hotspot_gistar
from .weights import contiguity_weights

if TYPE_CHECKING:
    from ..store import PoliceDataset

__all__ = ["DEFAULTS", "HOTSPOT_COLUMNS", "HotspotResult", "find_hotspots"]

#: Output column contract, in order.
HOTSPOT_COLUMNS = [
    "rank",
    "hotspot_id",
    "kind",
    "district_name",
    "ward_codes",
    "ward_names",
    "violence_count",
    "drugs_count",
    "weapons_count",
    "robbery_count",
    "drugs_near_count",
    "drug_related",
    "colocation_quotient",
    "p_value",
    "gi_z",
    "hotspot_confidence",
    "trend_class",
    "area_km2",
    "centroid_lat",
    "centroid_lon",
    "top_locations",
    "main_site_share",
    "first_month",
    "last_month",
]

VIOLENCE_GROUP = tuple(t for g in SELECTIONS["serious_violence"] for t in GROUPS[g])

DEFAULTS: dict[str, Any] = {
    "eps_m": 150.0,
    "min_records": None,
    "footprint_radius_m": 40.0,
    "near_m": 200.0,
    "k": 10,
    "min_bandwidth_m": 50.0,
    "permutations": 999,
    "seed": 0,
    "alpha": 0.05,
    "measure": "count",
    "kinds": ("cluster", "ward"),
}

_PARAMS = {
    "eps_m": Param(low=1, high=5000),
    "min_records": Param(low=2, integer=True, optional=True),
    "footprint_radius_m": Param(low=1, high=5000),
    "near_m": Param(low=0, high=5000),
    "k": Param(low=1, high=1000, integer=True),
    "min_bandwidth_m": Param(low=0, high=5000),
    "permutations": Param(low=9, high=100_000, integer=True),
    "seed": Param(integer=True, optional=True),
    "alpha": Param(low=0, high=1, low_inclusive=False),
    "measure": Param(choices=("count", "rate")),
}


@dataclass
class HotspotResult:
    """Ranked hotspots with their footprints, plus the ward statistics behind them."""

    table: pd.DataFrame
    footprints: gpd.GeoSeries
    wards: pd.DataFrame
    parameters: dict[str, Any]
    selection: Selection
    months: list[str]
    notes: list[str] = field(default_factory=list)

    def geodataframe(self) -> gpd.GeoDataFrame:
        return gpd.GeoDataFrame(self.table, geometry=self.footprints.to_numpy(), crs="EPSG:27700")


def _check(params: dict[str, Any]) -> dict[str, Any]:
    unknown = set(params) - set(DEFAULTS)
    if unknown:
        raise ParameterError(f"Unknown hotspot option(s) {sorted(unknown)}; allowed: {sorted(DEFAULTS)}.")
    merged = {**DEFAULTS, **params}
    clean = validate_params(merged, _PARAMS)
    kinds = tuple(merged["kinds"])
    if not kinds or set(kinds) - {"cluster", "ward"}:
        raise ParameterError(f"kinds must be a non-empty subset of ('cluster', 'ward'), got {kinds!r}.")
    if clean["footprint_radius_m"] > clean["eps_m"]:
        raise ParameterError("footprint_radius_m must not exceed eps_m.")
    return clean | {"kinds": kinds}


def find_hotspots(dataset: PoliceDataset, selection: Selection, **params: Any) -> HotspotResult:
    """Ranked drug-related violence hotspots for a selection (its crime types are ignored)."""
    p = _check(params)
    # Open ends become the data's first and last months, so the same period always reads the same.
    start = selection.start or (dataset.months[0] if dataset.months else None)
    end = selection.end or (dataset.months[-1] if dataset.months else None)
    scope = Selection(start, end, selection.districts, None)
    records = select_records(dataset.records, scope)
    records = records[records["crime_type"] != ASB]
    months = sorted(records["month"].astype(str).unique())
    if not months:
        raise ParameterError(f"No crime records in the selection ({scope.describe()}).")
    wards = dataset.wards.wards
    if scope.districts is not None:
        wards = wards[wards["district_code"].isin(scope.districts)]
    wards = wards.reset_index(drop=True)
    land = shapely.union_all(wards.geometry.to_numpy())
    violent = records[records["crime_type"].isin(VIOLENCE_GROUP)]
    min_records = p["min_records"] or default_min_records(len(months))

    clusters, _ = hotspot_clusters(
        violent,
        eps_m=p["eps_m"],
        min_records=min_records,
        footprint_radius_m=p["footprint_radius_m"],
        land=land,
    )
    w = contiguity_weights(wards)
    ward_stats = _ward_statistics(violent, wards, dataset, w, p, months)
    hot = ward_stats[ward_stats["gi_bin"] >= 1]

    shapes, kinds, ids = [], [], []
    if "cluster" in p["kinds"]:
        shapes += list(clusters.geometry)
        kinds += ["cluster"] * len(clusters)
        ids += [f"cluster-{i}" for i in range(len(clusters))]  # renamed by rank below
    if "ward" in p["kinds"]:
        by_code = wards.set_index("code").geometry
        shapes += [by_code[c] for c in hot["code"]]
        kinds += ["ward"] * len(hot)
        ids += [f"W-{c}" for c in hot["code"]]
    table = _describe(records, shapes, kinds, ids, wards, ward_stats, p)
    order = _rank_order(table)
    table = table.iloc[order].reset_index(drop=True)
    footprints = gpd.GeoSeries([shapes[i] for i in order], crs="EPSG:27700")
    table.insert(0, "rank", np.arange(1, len(table) + 1))
    is_cluster = table["kind"] == "cluster"
    table.loc[is_cluster, "hotspot_id"] = [f"C{i + 1:03d}" for i in range(int(is_cluster.sum()))]
    notes = []
    if len(months) < 6:
        notes.append(f"Only {len(months)} month(s) selected: trend classes rest on few periods.")
    return HotspotResult(
        table=table[HOTSPOT_COLUMNS],
        footprints=footprints,
        wards=ward_stats,
        parameters=p | {"min_records": min_records},
        selection=scope,
        months=months,
        notes=notes,
    )


def _ward_statistics(
    violent: pd.DataFrame, wards: gpd.GeoDataFrame, dataset: PoliceDataset, w: Any, p: dict, months: list[str]
) -> pd.DataFrame:
    counts = violent["ward_code"].astype(str).value_counts()
    values = counts.reindex(wards["code"].astype(str)).fillna(0)
    if p["measure"] == "rate":
        pop = dataset.wards.population.set_index("ward_code")["population"].reindex(values.index)
        if pop.isna().any() or (pop <= 0).any():
            raise ParameterError("Rates need a population for every ward; use measure='count'.")
        values = 1000 * values / pop.astype("float64")
    gi = hotspot_gistar(values, wards, permutations=p["permutations"], seed=p["seed"], w=w)
    monthly = (
        violent.assign(code=violent["ward_code"].astype(str), period=violent["month"].astype(str))
        .groupby(["code", "period"], observed=True)
        .size()
        .rename("count")
        .reset_index()
    )
    if len(months) >= 2:
        trend = hotspot_classify(monthly, wards, w, periods=months)
    else:  # one month: no trend to speak of
        trend = pd.DataFrame(
            {
                "code": gi["code"],
                "trend_class": "one period only",
                "hot_periods": 0,
                "cold_periods": 0,
                "trend_z": np.nan,
                "trend_p": np.nan,
            }
        )
    out = gi.merge(trend, on="code")
    out["violence_records"] = counts.reindex(out["code"]).fillna(0).astype(int).to_numpy()
    out["ward_name"] = wards["name"].astype(str).to_numpy()
    out["district_code"] = wards["district_code"].astype(str).to_numpy()
    return out


def _describe(
    records: pd.DataFrame,
    shapes: list,
    kinds: list[str],
    ids: list[str],
    wards: gpd.GeoDataFrame,
    ward_stats: pd.DataFrame,
    p: dict,
) -> pd.DataFrame:
    names = wards.set_index(wards["code"].astype(str))["name"]
    info = describe_footprints(
        shapes,
        records,
        types={
            "violence": GROUPS["violence"] + ("Violent crime",),
            "drugs": GROUPS["drugs"],
            "weapons": GROUPS["weapons"],
            "robbery": GROUPS["robbery"],
            "violence_group": VIOLENCE_GROUP,
        },
        violence_types=VIOLENCE_GROUP,
        near_m=p["near_m"],
        ward_names=names,
    )
    colo = hotspot_colocation(
        records,
        shapes,
        a_types=VIOLENCE_GROUP,
        b_types=GROUPS["drugs"],
        k=p["k"],
        min_bandwidth_m=p["min_bandwidth_m"],
        permutations=p["permutations"],
        seed=p["seed"],
    )
    q = adjust_pvalues(colo["p_sim"].fillna(1.0).to_numpy(), "fdr")
    stats = ward_stats.set_index("code")
    table = pd.DataFrame({"hotspot_id": ids, "kind": kinds})
    table = pd.concat([table, info], axis=1)
    table["district_name"] = [district_name(c) if c else "" for c in info["district_code"]]
    table["colocation_quotient"] = colo["colocation_quotient"].round(3).to_numpy()
    table["p_value"] = np.round(q, 4)
    table["drug_related"] = (colo["colocation_quotient"].to_numpy() > 1) & (q < p["alpha"])
    main = info["main_ward_code"]
    table["gi_z"] = [round(float(stats.at[c, "gi_z"]), 3) if c in stats.index else np.nan for c in main]
    table["hotspot_confidence"] = [_confidence(stats.at[c, "gi_bin"]) if c in stats.index else "" for c in main]
    table["trend_class"] = [stats.at[c, "trend_class"] if c in stats.index else "" for c in main]
    geoms = gpd.GeoSeries(shapes, crs="EPSG:27700")
    table["area_km2"] = np.round(geoms.area.to_numpy() / 1e6, 4)
    centroids = geoms.centroid
    lon, lat = unproject_xy(centroids.x.to_numpy(), centroids.y.to_numpy())
    table["centroid_lat"], table["centroid_lon"] = np.round(lat, 6), np.round(lon, 6)
    return table


def _confidence(gi_bin: int) -> str:
    return {3: "99%", 2: "95%", 1: "90%"}.get(int(gi_bin), "not significant" if gi_bin == 0 else "cold")


def _rank_order(table: pd.DataFrame) -> np.ndarray:
    key = pd.DataFrame(
        {
            "kind": (table["kind"] != "cluster").astype(int),
            "violence": -table["violence_group_count"],
            "area": table["area_km2"],
            "id": table["hotspot_id"],
        }
    )
    return key.sort_values(["kind", "violence", "area", "id"], kind="stable").index.to_numpy()
