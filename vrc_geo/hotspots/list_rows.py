"""The rows of a ranked hotspot list: what lies in each footprint, its statistics, its expected records.

Used by :func:`.rank.find_hotspots` (its ``list_places`` step); the columns are documented in
docs/contract.md.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd

from ..base.crs import unproject_xy
from ..reference.area import district_name
from ..reference.taxonomy import GROUPS, SELECTIONS
from .footprint import describe_footprints
from .stats.colocation import colocation_with_options

__all__ = ["FOOTPRINT_TYPES", "VIOLENCE_GROUP", "describe_rows", "place_columns"]

VIOLENCE_GROUP = tuple(t for g in SELECTIONS["serious_violence"] for t in GROUPS[g])
#: What is counted inside each footprint (``<name>_count``).
FOOTPRINT_TYPES: dict[str, tuple[str, ...]] = {
    "violence": (*GROUPS["violence"], "Violent crime"),
    "drugs": GROUPS["drugs"],
    "weapons": GROUPS["weapons"],
    "robbery": GROUPS["robbery"],
    "violence_group": VIOLENCE_GROUP,
}


def place_columns(
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


def describe_rows(
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
