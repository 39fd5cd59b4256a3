"""The hotspot pipeline: patrol places, sites and hot wards, what is in them, drug-related or not, ranked.

``find_hotspots`` runs, for one selection (period, districts):

1. patrol places from the violence-group offences (violence and sexual offences, robbery, possession of
   weapons): 40 m patrol circles placed where most records are expected, and concentrations far
   above their surroundings (:func:`.places.find_places`) -> ``kind = "place"``;
   institutions (police stations, prisons, hospitals, ports, dominant blank locations) apart ->
   ``kind = "site"`` (``include_sites=True`` ranks them with the rest);
2. Gi* and emerging classes of every ward of the study area (:mod:`.ward_stats`), filtered to the
   selection -> every hot ward at 90 % or more -> ``kind = "ward"`` (the ward polygon);
3. counts of violence, drugs, weapons and robbery in each footprint, drugs within ``near_m``;
4. co-location of violence-group offences towards drugs for each footprint, as a ratio to its
   expectation under random relabelling; ``drug_related`` when that ratio is above 1 and its
   FDR-adjusted permutation p-value is below ``alpha``;
5. ranking: patrol places first, by expected records a month per circle (``measure="harm"``: expected
   crime harm), then hot wards (areas for partnership work) by Gi* z-score, then sites.

The output table follows :data:`HOTSPOT_COLUMNS` (documented in docs/contract.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..base.crs import unproject_xy
from ..base.params import Param, defaults_of, validate_params
from ..dataset.aggregate import Selection, select_records
from ..errors import ParameterError
from ..reference.area import district_name, selection_name
from ..reference.kinds import kind as kind_of
from ..reference.kinds import kind_keys
from ..reference.taxonomy import ASB, GROUPS, SELECTIONS
from .footprint import describe_footprints
from .place_options import PLACE_DEFAULTS, PLACE_PARAMS
from .places import PlaceList, find_places
from .snap.institutions import describe_claims
from .snap.site_types import SiteHistory
from .stats.colocation import colocation_with_options
from .ward_stats import period_ward_statistics, ward_statistics
from .why import explain_rows
from .zones import ZONE_COLUMNS, assign_zones

if TYPE_CHECKING:
    from ..dataset.store import PoliceDataset

__all__ = ["DEFAULTS", "HOTSPOT_COLUMNS", "KINDS", "PARAMS", "HotspotResult", "find_hotspots"]

#: Output column contract, in order.
HOTSPOT_COLUMNS = [
    "rank",
    "hotspot_id",
    "kind",
    "zone_id",
    "zone_name",
    "site_type",
    "institution",
    "district_name",
    "ward_codes",
    "ward_names",
    "violence_count",
    "drugs_count",
    "weapons_count",
    "robbery_count",
    "drugs_near_count",
    "expected_per_month",
    "expected_low",
    "expected_high",
    "density_per_km2",
    "circles",
    "harm_per_month",
    "drug_related",
    "colocation_quotient",
    "colocation_ratio",
    "p_value",
    "gi_z",
    "hotspot_confidence",
    "trend_class",
    "area_km2",
    "centroid_lat",
    "centroid_lon",
    "top_locations",
    "why",
    "main_site_share",
    "first_month",
    "last_month",
    "period",
    "selection",
]

KINDS = kind_keys()
VIOLENCE_GROUP = tuple(t for g in SELECTIONS["serious_violence"] for t in GROUPS[g])
#: What is counted inside each footprint (``<name>_count``).
FOOTPRINT_TYPES: dict[str, tuple[str, ...]] = {
    "violence": (*GROUPS["violence"], "Violent crime"),
    "drugs": GROUPS["drugs"],
    "weapons": GROUPS["weapons"],
    "robbery": GROUPS["robbery"],
    "violence_group": VIOLENCE_GROUP,
}

#: Options of the ranked list, declared once (the places' own and those of the statistics beside them).
PARAMS: dict[str, Param] = {
    **PLACE_PARAMS,
    "near_m": Param(low=0, high=5000, default=200.0, help="drugs records this near a footprint are counted"),
    "k": Param(low=1, high=1000, integer=True, default=10, help="nearest records in the co-location kernel"),
    "min_bandwidth_m": Param(low=0, high=5000, default=50.0, help="least co-location bandwidth, metres"),
    "permutations": Param(
        low=9, high=100_000, integer=True, default=999, help="co-location permutations", flag="--permutations"
    ),
    "refine_permutations": Param(
        low=0, high=1_000_000, integer=True, optional=True, default=199_999, help="most draws for places in doubt"
    ),
    "gi_permutations": Param(
        low=99, high=1_000_000, integer=True, default=9999, help="Gi* permutations", flag="--gi-permutations"
    ),
    "seed": Param(integer=True, optional=True, default=0, help="random seed for permutations", flag="--seed"),
    "alpha": Param(low=0, high=1, low_inclusive=False, default=0.05, help="FDR level for drug-related"),
    "measure": Param(
        choices=("count", "rate", "harm"),
        default="count",
        help="count; rate per 1,000 residents (Gi*); harm: ONS crime severity (Gi* and the ranking)",
        flag="--measure",
    ),
}
DEFAULTS: dict[str, Any] = {**defaults_of(PARAMS), "kinds": KINDS}


@dataclass
class HotspotResult:
    """Ranked hotspots with their footprints, plus the ward statistics and places behind them."""

    table: pd.DataFrame
    footprints: gpd.GeoSeries
    wards: pd.DataFrame
    parameters: dict[str, Any]
    selection: Selection
    months: list[str]
    places: PlaceList | None = None
    harm: Any = None
    notes: list[str] = field(default_factory=list)
    #: the places to patrol grouped into named zones (:data:`.zones.ZONE_COLUMNS`, EPSG:27700), best first
    zones: gpd.GeoDataFrame | None = None

    def geodataframe(self) -> gpd.GeoDataFrame:
        return gpd.GeoDataFrame(self.table, geometry=self.footprints.to_numpy(), crs="EPSG:27700")


def check_params(params: dict[str, Any]) -> dict[str, Any]:
    """Validated options (defaults filled in); raises ParameterError naming the allowed values."""
    unknown = set(params) - set(DEFAULTS)
    if unknown:
        raise ParameterError(f"Unknown hotspot option(s) {sorted(unknown)}; allowed: {sorted(DEFAULTS)}.")
    merged = {**DEFAULTS, **params}
    clean = validate_params(merged, PARAMS)
    kinds = tuple(merged["kinds"]) if not isinstance(merged["kinds"], str) else (merged["kinds"],)
    if not kinds or set(kinds) - set(KINDS):
        raise ParameterError(f"kinds must be a non-empty subset of {KINDS}, got {kinds!r}.")
    if clean["background_m"] <= clean["window_m"]:
        raise ParameterError("background_m must be larger than window_m.")
    return clean | {"kinds": kinds}


def describe_selection(selection: Selection) -> str:
    """The districts of a selection in words (the area's name when all)."""
    return selection_name(selection.districts)


def find_hotspots(
    dataset: PoliceDataset, selection: Selection, *, register: pd.DataFrame | None = None, **params: Any
) -> HotspotResult:
    """Ranked drug-related violence hotspots for a selection (its crime types are ignored). ``register``:
    institutions kept by partners (``SiteRegister.sites``), sites wherever their names say otherwise."""
    p = check_params(params)
    start = selection.start or (dataset.months[0] if dataset.months else None)
    end = selection.end or (dataset.months[-1] if dataset.months else None)
    scope = Selection(start, end, selection.districts, None)
    months = [m for m in dataset.months if start <= m <= end] if start and end else []
    records = select_records(dataset.analysis_records, scope)
    records = records[records["crime_type"] != ASB]
    if records.empty or not months:
        raise ParameterError(f"No crime records in the selection ({scope.describe()}).")
    harm = harm_weights_for(dataset, p["measure"])
    whole = select_records(dataset.analysis_records, Selection(start, end, None, VIOLENCE_GROUP))
    whole_weight = harm.record_weights(whole["crime_type"], whole["district_code"]) if harm else None
    options = {"months": months, "measure": p["measure"], "permutations": p["gi_permutations"], "seed": p["seed"]}
    ward_stats = period_ward_statistics(
        dataset, **options, build=lambda: ward_statistics(whole, dataset, weight=whole_weight, **options)
    )
    wards = dataset.wards.wards
    if scope.districts is not None:
        wards = wards[wards["district_code"].isin(scope.districts)]
        ward_stats = ward_stats[ward_stats["district_code"].isin(scope.districts)]
    wards = wards.reset_index(drop=True)
    ward_stats = ward_stats.reset_index(drop=True)
    land = shapely.union_all(wards.geometry.to_numpy())
    violent = records[records["crime_type"].isin(VIOLENCE_GROUP)]
    weight = harm.record_weights(violent["crime_type"], violent["district_code"]) if harm else None
    place_params = {k: p[k] for k in PLACE_DEFAULTS}
    rank_by = "value" if p["measure"] == "harm" else "records"
    history = None
    if months != list(dataset.months):

        def every_month() -> tuple[pd.DataFrame, pd.DataFrame]:
            every = select_records(dataset.analysis_records, Selection(None, None, scope.districts, None))
            every = every[every["crime_type"] != ASB]
            return every[every["crime_type"].isin(VIOLENCE_GROUP)], every

        history = SiteHistory.loaded_by(every_month, list(dataset.months), key=(dataset.key, scope.districts))
    places = find_places(
        violent,
        months=months,
        land=land,
        weight=weight,
        rank_by=rank_by,
        context=records,
        history=history,
        register=register,
        institutions=dataset.institutions.sites if p["public_registers"] else None,
        **place_params,
    )

    footprints = places.footprints
    hot = ward_stats[ward_stats["gi_bin"] >= 1].sort_values(["gi_z", "code"], ascending=[False, True])
    shapes, kinds, ids, extra = [], [], [], []
    by_kind = {"place": footprints[footprints["kind"] == "place"], "site": footprints[footprints["kind"] == "site"]}
    for kind in KINDS:
        if kind not in p["kinds"]:
            continue
        if kind == "ward":
            by_code = wards.set_index(wards["code"].astype(str)).geometry
            shapes += [by_code[c] for c in hot["code"]]
            kinds += ["ward"] * len(hot)
            ids += [f"W-{c}" for c in hot["code"]]
            extra += [None] * len(hot)
            continue
        rows = by_kind[kind]
        shapes += list(rows.geometry)
        kinds += [kind] * len(rows)
        prefix = kind_of(kind).id_prefix
        ids += [f"{prefix}{i + 1:03d}" for i in range(len(rows))]
        extra += list(rows.itertuples())
    table = _describe(records, shapes, kinds, ids, wards, ward_stats, p, months)
    ward_harm = (
        pd.Series(whole_weight, index=whole.index).groupby(whole["ward_code"].astype(str).to_numpy()).sum()
        if harm is not None
        else None
    )
    _place_columns(table, extra, hot, months, ward_harm=ward_harm)
    since = places.epochs.starts[-1] if places.epochs is not None and places.epochs.starts else None
    routes = [getattr(r, "route", None) for r in extra]
    table["why"] = explain_rows(table, months=months, since=since, routes=routes)
    table.insert(0, "rank", np.arange(1, len(table) + 1))
    table["period"] = f"{start} to {end}"
    table["selection"] = describe_selection(scope)
    names = wards.set_index(wards["code"].astype(str))["name"]
    types = {"types": FOOTPRINT_TYPES, "violence_types": VIOLENCE_GROUP}
    zones = assign_zones(table, places, records, ward_names=names, options=p, **types)
    zones["period"], zones["selection"] = table["period"].iloc[0] if len(table) else "", describe_selection(scope)
    notes = []
    if places.epochs is not None and places.epochs.starts:
        notes.append(places.epochs.describe())
    if history is not None:
        notes.append(
            f"Institutions (police stations, prisons, hospitals, ports) are recognised from all {len(dataset.months)} "
            "months held, not only the months selected: police.uk stopped naming them in July 2022."
        )
    if places.claims is not None:
        notes.append(describe_claims(places.claims, places.unclaimed))
    if len(months) < 6:
        notes.append(f"Only {len(months)} month(s) selected: trend classes and expected rates rest on few periods.")
    return HotspotResult(
        table=table[HOTSPOT_COLUMNS],
        footprints=gpd.GeoSeries(shapes, crs="EPSG:27700"),
        wards=ward_stats,
        parameters=p,
        selection=scope,
        months=months,
        places=places,
        harm=harm,
        notes=notes,
        zones=zones[[*ZONE_COLUMNS, "geometry"]],
    )


def harm_weights_for(dataset: PoliceDataset, measure: str) -> Any:
    """Harm weights when the reference tables are there (needed for ``measure="harm"``, else ``None``
    when they are not)."""
    from ..errors import DataNotFoundError
    from ..io.context import read_harm_weights as harm_weights

    try:
        return harm_weights(dataset.wards.reference)
    except DataNotFoundError:
        if measure == "harm":
            raise
        return None


def _place_columns(
    table: pd.DataFrame, extra: list, hot: pd.DataFrame, months: list[str], *, ward_harm: pd.Series | None
) -> None:
    """Expected records, density and harm per row (places: estimates; wards: observed means)."""
    n_months = max(len(months), 1)
    expected, density, harm = [], [], []
    by_code = hot.set_index("code")
    for row, kind, hid, area in zip(extra, table["kind"], table["hotspot_id"], table["area_km2"], strict=True):
        if kind == "ward":
            code = hid[2:]
            per_month = float(by_code.at[code, "violence_records"]) / n_months
            expected.append(per_month)
            density.append(per_month / area if area else 0.0)
            harm.append(float(ward_harm.get(code, 0.0)) / n_months if ward_harm is not None else np.nan)
            continue
        expected.append(float(row.expected_per_month))
        density.append(float(row.density_per_km2))
        harm.append(float(row.expected_value_per_month) if ward_harm is not None else np.nan)
    table["expected_per_month"] = np.round(expected, 3)
    table["density_per_km2"] = np.round(density, 1)
    table["circles"] = pd.array([None if r is None else int(r.circles) for r in extra], dtype="Int64")
    table["expected_low"] = pd.array([None if r is None else int(r.expected_low) for r in extra], dtype="Int64")
    table["expected_high"] = pd.array([None if r is None else int(r.expected_high) for r in extra], dtype="Int64")
    table["harm_per_month"] = np.round(harm, 1)
    table["site_type"] = [("" if r is None else str(r.site_type)) for r in extra]
    table["institution"] = [("" if r is None else str(r.institution)) for r in extra]


def _describe(
    records: pd.DataFrame,
    shapes: list,
    kinds: list[str],
    ids: list[str],
    wards: gpd.GeoDataFrame,
    ward_stats: pd.DataFrame,
    p: dict,
    months: list[str],
) -> pd.DataFrame:
    names = wards.set_index(wards["code"].astype(str))["name"]
    info = describe_footprints(
        shapes,
        records,
        types=FOOTPRINT_TYPES,
        violence_types=VIOLENCE_GROUP,
        near_m=p["near_m"],
        ward_names=names,
        months=months,
    )
    colo = colocation_with_options(records, shapes, a_types=VIOLENCE_GROUP, b_types=GROUPS["drugs"], options=p)
    stats = ward_stats.set_index("code")
    table = pd.concat([pd.DataFrame({"hotspot_id": ids, "kind": kinds}), info], axis=1)
    table["district_name"] = [district_name(c) if isinstance(c, str) and c else "" for c in table["district_code"]]
    table["colocation_quotient"] = colo["colocation_quotient"].round(3).to_numpy()
    table["colocation_ratio"] = colo["colocation_ratio"].round(3).to_numpy()
    table["p_value"] = np.round(colo["q_value"].fillna(1.0).to_numpy(), 5)
    table["drug_related"] = colo["significant"].to_numpy(dtype=bool)
    main = [
        hid[2:] if kind == "ward" else code for hid, kind, code in zip(ids, kinds, table["main_ward_code"], strict=True)
    ]
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
