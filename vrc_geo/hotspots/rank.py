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

In code these are four steps on :class:`HotspotInputs` (:func:`prepare_inputs`): :func:`rank_places`
(1), :func:`list_places` (2-5) and :func:`group_zones` (the patrol zones, :mod:`.zones`), joined by
:func:`with_zones`; :func:`list_places` and :func:`group_zones` are independent, so the app's hotspot
processes run them at once.

The output table follows :data:`HOTSPOT_COLUMNS` (documented in docs/contract.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..base.months import count_months
from ..base.params import Param, defaults_of, validate_params
from ..dataset.aggregate import Selection, select_records
from ..errors import ParameterError
from ..reference.area import selection_name
from ..reference.kinds import kind as kind_of
from ..reference.kinds import kind_keys
from ..reference.taxonomy import ASB
from .list_rows import FOOTPRINT_TYPES, VIOLENCE_GROUP, describe_rows, place_columns
from .place_options import PLACE_DEFAULTS, PLACE_PARAMS
from .places import PlaceList, find_places
from .snap.institutions import describe_claims
from .snap.site_types import SiteHistory
from .ward_stats import period_ward_statistics, ward_statistics
from .why import explain_rows
from .zones import ZONE_COLUMNS, describe_zones, set_zone_columns

if TYPE_CHECKING:
    from ..dataset.store import PoliceDataset

__all__ = [
    "DEFAULTS",
    "HOTSPOT_COLUMNS",
    "KINDS",
    "PARAMS",
    "HotspotInputs",
    "HotspotResult",
    "find_hotspots",
    "group_zones",
    "list_places",
    "prepare_inputs",
    "rank_places",
    "with_zones",
]

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
    institutions kept by partners (``SiteRegister.sites``), sites wherever their names say otherwise.

    Runs the steps below in turn; ``ui.hotspot_process`` runs :func:`list_places` and
    :func:`group_zones` at once, in two processes."""
    inputs = prepare_inputs(dataset, selection, **params)
    places = rank_places(inputs, register=register)
    return with_zones(list_places(inputs, places), *group_zones(inputs, places))


@dataclass
class HotspotInputs:
    """What each step of :func:`find_hotspots` reads: cheap to make again, so that a step can run in a
    process of its own from the dataset, the selection and the options."""

    dataset: PoliceDataset
    #: the checked options (:func:`check_params`)
    options: dict[str, Any]
    scope: Selection
    months: list[str]
    #: every crime record of the selection but anti-social behaviour
    records: pd.DataFrame
    harm: Any
    #: the selection's wards (index reset) and their names by code
    wards: gpd.GeoDataFrame
    ward_names: pd.Series

    @property
    def every_month(self) -> bool:
        return self.months == list(self.dataset.months)


def prepare_inputs(dataset: PoliceDataset, selection: Selection, **params: Any) -> HotspotInputs:
    """The checked options and the selection's records and wards (raises ParameterError for a selection
    with no records)."""
    p = check_params(params)
    start = selection.start or (dataset.months[0] if dataset.months else None)
    end = selection.end or (dataset.months[-1] if dataset.months else None)
    scope = Selection(start, end, selection.districts, None)
    months = [m for m in dataset.months if start <= m <= end] if start and end else []
    records = select_records(dataset.analysis_records, scope)
    records = records[records["crime_type"] != ASB]
    if records.empty or not months:
        raise ParameterError(f"No crime records in the selection ({scope.describe()}).")
    wards = dataset.wards.wards
    if scope.districts is not None:
        wards = wards[wards["district_code"].isin(scope.districts)]
    wards = wards.reset_index(drop=True)
    names = wards.set_index(wards["code"].astype(str))["name"]
    harm = harm_weights_for(dataset, p["measure"])
    return HotspotInputs(dataset, p, scope, months, records, harm, wards, names)


def rank_places(inputs: HotspotInputs, *, register: pd.DataFrame | None = None) -> PlaceList:
    """Step 1: the places to patrol and the sites (:func:`.places.find_places`) of the selection's
    violence-group records."""
    dataset, p, scope = inputs.dataset, inputs.options, inputs.scope
    records, harm = inputs.records, inputs.harm
    land = shapely.union_all(inputs.wards.geometry.to_numpy())
    violent = records[records["crime_type"].isin(VIOLENCE_GROUP)]
    weight = harm.record_weights(violent["crime_type"], violent["district_code"]) if harm else None
    history = None
    if not inputs.every_month:

        def every_month() -> tuple[pd.DataFrame, pd.DataFrame]:
            every = select_records(dataset.analysis_records, Selection(None, None, scope.districts, None))
            every = every[every["crime_type"] != ASB]
            return every[every["crime_type"].isin(VIOLENCE_GROUP)], every

        history = SiteHistory.loaded_by(every_month, list(dataset.months), key=(dataset.key, scope.districts))
    return find_places(
        violent,
        months=inputs.months,
        land=land,
        weight=weight,
        rank_by="value" if p["measure"] == "harm" else "records",
        context=records,
        history=history,
        register=register,
        institutions=dataset.institutions.sites if p["public_registers"] else None,
        **{k: p[k] for k in PLACE_DEFAULTS},
    )


def list_places(inputs: HotspotInputs, places: PlaceList) -> HotspotResult:
    """Step 2: the ranked list of the places, hot wards (Gi* of the period over the whole area,
    :mod:`.ward_stats`) and sites, with what is in each and its co-location test; no zones yet."""
    dataset, p, scope, months, records, harm = (
        inputs.dataset,
        inputs.options,
        inputs.scope,
        inputs.months,
        inputs.records,
        inputs.harm,
    )
    whole = select_records(dataset.analysis_records, Selection(scope.start, scope.end, None, VIOLENCE_GROUP))
    whole_weight = harm.record_weights(whole["crime_type"], whole["district_code"]) if harm else None
    options = {"months": months, "measure": p["measure"], "permutations": p["gi_permutations"], "seed": p["seed"]}
    ward_stats = period_ward_statistics(
        dataset, **options, build=lambda: ward_statistics(whole, dataset, weight=whole_weight, **options)
    )
    if scope.districts is not None:
        ward_stats = ward_stats[ward_stats["district_code"].isin(scope.districts)]
    ward_stats = ward_stats.reset_index(drop=True)
    wards = inputs.wards
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
    table = describe_rows(records, shapes, kinds, ids, wards, ward_stats, p, months)
    ward_harm = (
        pd.Series(whole_weight, index=whole.index).groupby(whole["ward_code"].astype(str).to_numpy()).sum()
        if harm is not None
        else None
    )
    place_columns(table, extra, hot, months, ward_harm=ward_harm)
    since = places.epochs.starts[-1] if places.epochs is not None and places.epochs.starts else None
    routes = [getattr(r, "route", None) for r in extra]
    table["why"] = explain_rows(table, months=months, since=since, routes=routes)
    table.insert(0, "rank", np.arange(1, len(table) + 1))
    table["period"] = f"{scope.start} to {scope.end}"
    table["selection"] = describe_selection(scope)
    table["zone_id"], table["zone_name"] = "", ""
    notes = []
    if places.epochs is not None and places.epochs.starts:
        notes.append(places.epochs.describe())
    if not inputs.every_month:
        notes.append(
            f"Institutions (police stations, prisons, hospitals, ports) are recognised from all {len(dataset.months)} "
            "months held, not only the months selected: police.uk stopped naming them in July 2022."
        )
    if places.claims is not None:
        notes.append(describe_claims(places.claims, places.unclaimed))
    if len(months) < 6:
        notes.append(
            f"Only {count_months(len(months))} selected: trend classes and expected rates rest on few periods."
        )
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
    )


def group_zones(inputs: HotspotInputs, places: PlaceList) -> tuple[gpd.GeoDataFrame, pd.Series]:
    """Step 3: the places grouped into patrol zones (:func:`.zones.describe_zones`), and the zone id of
    each place; independent of step 2."""
    types = {"types": FOOTPRINT_TYPES, "violence_types": VIOLENCE_GROUP}
    return describe_zones(places, inputs.records, ward_names=inputs.ward_names, options=inputs.options, **types)


def with_zones(result: HotspotResult, zones: gpd.GeoDataFrame, zone_of: pd.Series) -> HotspotResult:
    """The list of step 2 with the zones of step 3: each place row's ``zone_id`` and ``zone_name``."""
    table = result.table.copy()
    set_zone_columns(table, zones, zone_of)
    zones = zones.copy()
    zones["period"] = table["period"].iloc[0] if len(table) else ""
    zones["selection"] = describe_selection(result.selection)
    return replace(result, table=table, zones=zones[[*ZONE_COLUMNS, "geometry"]])


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
