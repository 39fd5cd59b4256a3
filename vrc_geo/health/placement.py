"""Put health figures where they belong, and say at which level each one is held.

* A point (latitude/longitude or easting/northing) goes into the ward holding it, as police records do.
* An LSOA code goes to the ward holding most of that LSOA's area ("best fit": LSOAs nest in wards,
  so nothing is spread); a 2021 LSOA with no 2011 polygon is held at district level.
* A ward code of the boundary set is that ward; a ward code of another vintage is held at district level.
* An MSOA or district code is coarser than a ward: the figure is held at district level and never spread
  to wards. It still counts in its district's total, shown as "not placed in a ward".

``level`` says which: ``ward`` or ``district``; ``status`` is the reconciliation bucket.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..base.crs import unproject_xy
from ..dataset.geography import best_fit_wards, place_records
from ..dataset.reconcile import RowAccount
from ..io.reference import read_lsoa_history, read_ward_history
from ..reference.area import DISTRICTS

if TYPE_CHECKING:
    from ..dataset.store import WardTable
    from ..io.health import HealthRead

__all__ = ["known_area_codes", "place_health", "row_account"]


def known_area_codes(wards: WardTable) -> dict[str, str]:
    """Every Kent & Medway area code we can recognise (wards of any vintage, LSOAs, MSOAs, districts)
    mapped to its district code."""
    codes: dict[str, str] = dict(
        zip(wards.wards["code"].astype(str), wards.wards["district_code"].astype(str), strict=True)
    )
    history = read_ward_history(wards.reference)
    if history is not None:
        codes.update(dict(zip(history["WDCD"], history["LADCD"], strict=True)))
    lsoa = read_lsoa_history(wards.reference)
    if lsoa is not None and "LADCD_via_MSOA" in lsoa:
        codes.update(dict(zip(lsoa["LSOACD"], lsoa["LADCD_via_MSOA"], strict=True)))
        if "MSOACD_parent" in lsoa:
            codes.update(dict(zip(lsoa["MSOACD_parent"], lsoa["LADCD_via_MSOA"], strict=True)))
    if wards.overlaps is not None:
        ward_district = wards.wards.set_index("code")["district_code"]
        best = best_fit_wards(wards.overlaps)
        codes.update({k: str(ward_district[v]) for k, v in best.items() if k not in codes})
    codes.update({c: c for c in DISTRICTS})
    return {k: v for k, v in codes.items() if v in DISTRICTS}


def place_health(read: HealthRead, wards: WardTable) -> pd.DataFrame:
    """Accepted health rows with ``ward_code``, ``district_code``, ``level`` and ``status`` added."""
    records = read.records.copy()
    n = len(records)
    ward_code = np.full(n, None, dtype=object)
    district = records["area_district"].to_numpy(dtype=object).copy()
    status = np.where(
        records["area_status"].eq("ok"),
        "in_area",
        np.where(records["area_status"].eq("outside"), "outside_area", "no_location"),
    ).astype(object)
    by_area = _ward_from_code(records, wards)
    ward_code[by_area.notna().to_numpy()] = by_area[by_area.notna()].to_numpy()

    if read.shape == "incidents":
        lon = records["lon"].to_numpy(dtype="float64").copy()
        lat = records["lat"].to_numpy(dtype="float64").copy()
        en = records["easting"].notna().to_numpy() & np.isnan(lon)
        if en.any():
            lon[en], lat[en] = unproject_xy(
                records.loc[en, "easting"].to_numpy(), records.loc[en, "northing"].to_numpy()
            )
        has_point = np.isfinite(lon) & np.isfinite(lat)
        if has_point.any():
            lsoa = records["area_code"].where(records["area_level"].eq("lsoa"))
            points = pd.DataFrame(
                {
                    "lon": lon[has_point],
                    "lat": lat[has_point],
                    "lsoa_code": lsoa[has_point].to_numpy(),
                    "lsoa_name": None,
                }
            )
            placed = place_records(points, wards.wards, local_lsoa_codes=frozenset(lsoa.dropna()))
            inside = placed["status"].astype(str).eq("in_area").to_numpy()
            idx = np.flatnonzero(has_point)
            ward_code[idx] = np.where(inside, placed["ward_code"].astype(object).to_numpy(), None)
            district[idx] = np.where(inside, placed["district_code"].astype(object).to_numpy(), None)
            status[idx] = np.where(inside, "in_area", "outside_area")
    ward_district = wards.wards.set_index("code")["district_code"].astype(str)
    has_ward = pd.notna(ward_code)
    district[has_ward] = ward_district.reindex(ward_code[has_ward]).to_numpy()
    records["ward_code"] = ward_code
    records["district_code"] = district
    records["level"] = np.where(has_ward, "ward", np.where(status == "in_area", "district", None))
    records["status"] = status
    return records


def _ward_from_code(records: pd.DataFrame, wards: WardTable) -> pd.Series:
    """Ward of each area code that identifies one: a ward of the boundary set, or an LSOA (best fit)."""
    codes = records["area_code"]
    level = records["area_level"]
    out = pd.Series(pd.NA, index=records.index, dtype="object")
    in_set = level.eq("ward") & codes.isin(set(wards.wards["code"].astype(str)))
    out[in_set] = codes[in_set]
    if wards.overlaps is not None:
        best = best_fit_wards(wards.overlaps)
        lsoa = level.eq("lsoa") & codes.isin(best.index)
        out[lsoa] = codes[lsoa].map(best)
    return out


def row_account(read: HealthRead, placed: pd.DataFrame) -> RowAccount:
    """Where every row of the extract went (rows, not admissions: an area-count row is one row)."""
    status = placed["status"].value_counts()
    return RowAccount(
        rows_read=read.rows_read,
        in_area=int(status.get("in_area", 0)),
        outside_area=int(status.get("outside_area", 0)),
        no_location=int(status.get("no_location", 0)),
        rejected={str(k): int(v) for k, v in read.rejects["reason"].value_counts().sort_index().items()},
    )
