"""Put records in wards, and give wards a resident population.

All metric work is in British National Grid (EPSG:27700). A record is placed by, in order:

1. its point, inside a ward polygon (a point exactly on a shared edge goes to the ward with the lowest code,
   so the answer never depends on row or file order);
2. its point, within ``coast_tolerance_m`` of a ward when its LSOA is in Kent & Medway or it has no LSOA
   (generalised ONS boundaries are clipped to the coastline, so piers, beaches and harbours fall just
   outside them; records fetched from the police.uk API carry no LSOA);
3. its LSOA code, when it has no coordinates: the ward holding most of that LSOA's area.

``placement`` says which rule placed each record: ``point``, ``nearest_ward``, ``lsoa`` (in a ward),
``outside`` (outside Kent & Medway), ``no_location`` (no coordinates, no LSOA) or ``lsoa_unplaced``
(no coordinates; an LSOA in the area that maps to no ward, e.g. a 2021 code with no 2011 match).
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..base.crs import project_lonlat
from ..errors import ParameterError
from ..reference.area import resolve_districts

__all__ = [
    "PLACEMENT_STATUS",
    "best_fit_wards",
    "local_lsoa_mask",
    "lsoa_ward_overlaps",
    "place_records",
    "ward_population",
]

#: placement -> reconciliation bucket.
PLACEMENT_STATUS = {
    "point": "in_area",
    "nearest_ward": "in_area",
    "lsoa": "in_area",
    "outside": "outside_area",
    "no_location": "no_location",
    "lsoa_unplaced": "no_location",
}


def _lowest_hit(n: int, pts: np.ndarray, hit: np.ndarray) -> np.ndarray:
    """Per point, the lowest ward index among its hits (so ties never depend on order); -1 when none."""
    out = np.full(n, -1, dtype=np.int64)
    if len(pts):
        order = np.lexsort((hit, pts))
        pts, hit = pts[order], hit[order]
        first = np.r_[True, pts[1:] != pts[:-1]]
        out[pts[first]] = hit[first]
    return out


def _point_in_ward(x: np.ndarray, y: np.ndarray, wards: gpd.GeoDataFrame) -> np.ndarray:
    """Index into ``wards`` (sorted by code) of the ward holding each point (edges: lowest code)."""
    points = shapely.points(x, y)
    pts, hit = shapely.STRtree(wards.geometry.values).query(points, predicate="intersects")
    return _lowest_hit(len(points), pts, hit)


def _nearest_ward(x: np.ndarray, y: np.ndarray, wards: gpd.GeoDataFrame, max_distance_m: float) -> np.ndarray:
    """Index of the nearest ward within ``max_distance_m`` (equally near: lowest code); -1 when none."""
    points = shapely.points(x, y)
    tree = shapely.STRtree(wards.geometry.values)
    pts, hit = tree.query_nearest(points, max_distance=max_distance_m, all_matches=True)
    return _lowest_hit(len(points), pts, hit)


def local_lsoa_mask(codes: pd.Series, names: pd.Series, local_codes: frozenset[str] | set[str]) -> pd.Series:
    """True where an LSOA is in Kent & Medway: its code is known locally or its name starts with a
    Kent & Medway district name ("Shepway 014B")."""
    frame = pd.DataFrame({"code": codes.astype("string"), "name": names.astype("string")})
    unique = frame.drop_duplicates()
    stems = unique["name"].fillna("").str.replace(r"\s+\d{3}[A-Z]?$", "", regex=True)

    def is_local(stem: str) -> bool:
        if not stem:
            return False
        try:
            return bool(resolve_districts(stem))
        except ParameterError:
            return False

    by_stem = {s: is_local(s) for s in stems.unique()}
    unique = unique.assign(local=stems.map(by_stem).values | unique["code"].isin(local_codes).values)
    merged = frame.merge(unique, on=["code", "name"], how="left")
    return pd.Series(merged["local"].fillna(False).to_numpy(dtype=bool), index=codes.index)


def place_records(
    records: pd.DataFrame,
    wards: gpd.GeoDataFrame,
    *,
    lsoa_to_ward: pd.Series | None = None,
    local_lsoa_codes: frozenset[str] | set[str] = frozenset(),
    coast_tolerance_m: float = 500.0,
) -> pd.DataFrame:
    """Add ``x, y, ward_code, district_code, placement, status`` to validated police records.

    ``wards`` needs ``code, district_code, geometry`` in EPSG:27700. ``lsoa_to_ward`` maps LSOA codes to
    ward codes (see :func:`lsoa_ward_overlaps`). The input frame is not modified.
    """
    if not isinstance(records, pd.DataFrame):
        raise TypeError("records must be a pandas DataFrame")
    if coast_tolerance_m < 0:
        raise ParameterError(f"coast_tolerance_m must be >= 0, got {coast_tolerance_m}.")
    wards = wards.sort_values("code").reset_index(drop=True)
    out = records.copy()
    # Only finite coordinates are points: an infinite or NaN one would hash to factorize's -1 sentinel
    # and pick the last ward.
    lon_all = pd.to_numeric(out["lon"], errors="coerce").to_numpy(dtype="float64")
    lat_all = pd.to_numeric(out["lat"], errors="coerce").to_numpy(dtype="float64")
    has_xy = np.isfinite(lon_all) & np.isfinite(lat_all)
    ward_idx = np.full(len(out), -1, dtype=np.int64)
    placement = np.full(len(out), "no_location", dtype=object)
    x = np.full(len(out), np.nan)
    y = np.full(len(out), np.nan)

    if has_xy.any():
        lon, lat = lon_all[has_xy], lat_all[has_xy]
        # Many records share a snap point: place each distinct coordinate once.
        inverse, unique = pd.factorize(lon + 1j * lat)  # exact (lon, lat) pairs, hashed
        ux, uy = project_lonlat(unique.real, unique.imag)
        inside = _point_in_ward(ux, uy, wards)
        x[has_xy], y[has_xy] = ux[inverse], uy[inverse]
        ward_idx[has_xy] = inside[inverse]
        placement[has_xy] = np.where(ward_idx[has_xy] >= 0, "point", "outside")

        missed = has_xy & (ward_idx < 0)
        if missed.any() and coast_tolerance_m > 0:
            local = local_lsoa_mask(out["lsoa_code"], out["lsoa_name"], local_lsoa_codes).to_numpy()
            # No LSOA at all (API-fetched records, a few bulk ones): the force placed it near its area.
            unknown = out["lsoa_code"].isna().to_numpy()
            candidates = missed & (local | unknown)
            if candidates.any():
                near = _nearest_ward(x[candidates], y[candidates], wards, coast_tolerance_m)
                idx = np.flatnonzero(candidates)
                ward_idx[idx] = near
                placement[idx[near >= 0]] = "nearest_ward"

    no_xy = ~has_xy & out["lsoa_code"].notna().to_numpy()
    if no_xy.any():
        codes = out.loc[no_xy, "lsoa_code"].astype("string")
        mapped = codes.map(lsoa_to_ward) if lsoa_to_ward is not None else pd.Series(pd.NA, codes.index)
        code_to_idx = pd.Series(np.arange(len(wards)), index=wards["code"].astype(str))
        idx = mapped.map(code_to_idx).fillna(-1).astype(np.int64).to_numpy()
        ward_idx[no_xy] = idx
        local = local_lsoa_mask(codes, out.loc[no_xy, "lsoa_name"], local_lsoa_codes).to_numpy()
        placement[no_xy] = np.where(idx >= 0, "lsoa", np.where(local, "lsoa_unplaced", "outside"))

    codes = wards["code"].astype(str).to_numpy()
    districts = wards["district_code"].astype(str).to_numpy()
    placed = ward_idx >= 0
    out["x"], out["y"] = x, y
    out["ward_code"] = pd.Categorical(np.where(placed, codes[np.maximum(ward_idx, 0)], None))
    out["district_code"] = pd.Categorical(np.where(placed, districts[np.maximum(ward_idx, 0)], None))
    out["placement"] = pd.Categorical(placement, categories=list(PLACEMENT_STATUS))
    out["status"] = pd.Categorical(
        pd.Series(placement).map(PLACEMENT_STATUS).to_numpy(),
        categories=["in_area", "outside_area", "no_location"],
    )
    return out


def lsoa_ward_overlaps(lsoas: gpd.GeoDataFrame, wards: gpd.GeoDataFrame) -> pd.DataFrame:
    """Share of each LSOA's area in each ward: ``lsoa_code, ward_code, share`` (shares sum to 1).

    Slivers under 1 % (generalised boundaries rarely line up exactly) are dropped and the rest
    rescaled, so an LSOA that nests in a ward gives it all its weight.
    """
    tree = shapely.STRtree(wards.geometry.values)
    li, wi = tree.query(lsoas.geometry.values, predicate="intersects")
    area = shapely.area(shapely.intersection(lsoas.geometry.values[li], wards.geometry.values[wi]))
    frame = pd.DataFrame(
        {
            "lsoa_code": lsoas["code"].to_numpy()[li],
            "ward_code": wards["code"].to_numpy()[wi],
            "share": area / shapely.area(lsoas.geometry.values[li]),
        }
    )
    frame = frame[frame["share"] >= 0.01]
    frame["share"] = frame["share"] / frame.groupby("lsoa_code")["share"].transform("sum")
    return frame.sort_values(["lsoa_code", "share", "ward_code"], ascending=[True, False, True])


def best_fit_wards(overlaps: pd.DataFrame) -> pd.Series:
    """LSOA code -> the ward holding most of its area (ties to the lowest ward code)."""
    return overlaps.drop_duplicates("lsoa_code").set_index("lsoa_code")["ward_code"]


def ward_population(
    wards: gpd.GeoDataFrame,
    *,
    overlaps: pd.DataFrame | None,
    lsoa_population: pd.DataFrame | None,
    ward_population_2020: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Resident population per ward: ``ward_code, population, population_source``.

    When every ward code has an ONS mid-2020 estimate (2020 wards), those are used. Otherwise every
    ward sums Census 2011 LSOA populations weighted by the share of each LSOA's area in the ward, so
    all wards share one source and year. Wards with no estimate get ``<NA>`` (no rate is shown).
    """
    out = pd.DataFrame({"ward_code": wards["code"].astype(str).to_numpy()})
    out["population"] = pd.Series(pd.NA, index=out.index, dtype="Float64")
    out["population_source"] = pd.Series(pd.NA, index=out.index, dtype="string")
    if overlaps is not None and lsoa_population is not None:
        joined = overlaps.merge(lsoa_population, on="lsoa_code", how="inner")
        summed = (joined["share"] * joined["population"]).groupby(joined["ward_code"]).sum()
        hit = out["ward_code"].isin(summed.index)
        out.loc[hit, "population"] = out.loc[hit, "ward_code"].map(summed).round().to_numpy()
        out.loc[hit, "population_source"] = "Census 2011 (LSOA, area-weighted)"
    if ward_population_2020 is not None and out["ward_code"].isin(ward_population_2020["ward_code"]).all():
        mid = ward_population_2020.set_index("ward_code")["population"]
        hit = out["ward_code"].isin(mid.index)
        out.loc[hit, "population"] = out.loc[hit, "ward_code"].map(mid).astype("float64").to_numpy()
        out.loc[hit, "population_source"] = "ONS mid-2020 ward estimate"
    return out
