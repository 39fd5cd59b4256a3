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

import threading

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..base.crs import project_lonlat
from ..errors import ParameterError
from ..reference.area import resolve_districts

__all__ = [
    "PLACEMENT_STATUS",
    "WardPlacer",
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


_RULE = {name: i for i, name in enumerate(PLACEMENT_STATUS)}
_STATUSES = ["in_area", "outside_area", "no_location"]
_STATUS_OF_RULE = np.array([_STATUSES.index(status) for status in PLACEMENT_STATUS.values()], dtype=np.int8)


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
    return WardPlacer.local_mask(codes, names, local_codes, {})


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
    ward codes (see :func:`lsoa_ward_overlaps`). The input frame is not modified. To place many files
    over the same wards, :class:`WardPlacer` remembers the points it has placed.
    """
    if not isinstance(records, pd.DataFrame):
        raise TypeError("records must be a pandas DataFrame")
    placer = WardPlacer(wards, coast_tolerance_m=coast_tolerance_m)
    return placer.place(records, lsoa_to_ward=lsoa_to_ward, local_lsoa_codes=local_lsoa_codes)


class WardPlacer:
    """:func:`place_records` over one ward table, remembering each distinct coordinate it has placed and
    each LSOA name it has judged, so that month after month of records (the same snap points) are placed
    once: the month-by-month store (:mod:`.parts`) places one file at a time."""

    def __init__(self, wards: gpd.GeoDataFrame, *, coast_tolerance_m: float = 500.0) -> None:
        if coast_tolerance_m < 0:
            raise ParameterError(f"coast_tolerance_m must be >= 0, got {coast_tolerance_m}.")
        self.wards = wards.sort_values("code").reset_index(drop=True)
        self.coast_tolerance_m = coast_tolerance_m
        self._points: dict[complex, int] = {}  # (lon + 1j lat) -> row of the three arrays below
        self._x = np.zeros(0)
        self._y = np.zeros(0)
        self._inside = np.zeros(0, dtype=np.int64)
        self._stems: dict[str, bool] = {}
        self._lock = threading.Lock()
        self._ward_codes = self.wards["code"].astype(str).to_numpy()
        self._districts, self._district_of = np.unique(
            self.wards["district_code"].astype(str).to_numpy(), return_inverse=True
        )

    def _locate(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """BNG x, y and the ward holding each point (-1: none), each distinct point projected and
        tested once in this placer's life."""
        inverse, unique = pd.factorize(lon + 1j * lat)  # exact (lon, lat) pairs, hashed
        with self._lock:  # files may be placed from several threads
            return self._remembered(inverse, unique)

    def _remembered(self, inverse: np.ndarray, unique: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        known = self._points
        rows = np.fromiter((known.get(k, -1) for k in unique.tolist()), dtype=np.int64, count=len(unique))
        new = rows < 0
        if new.any():
            fresh = unique[new]
            ux, uy = project_lonlat(fresh.real, fresh.imag)
            start = len(self._x)
            self._x, self._y = np.r_[self._x, ux], np.r_[self._y, uy]
            self._inside = np.r_[self._inside, _point_in_ward(ux, uy, self.wards)]
            rows[new] = np.arange(start, start + len(fresh))
            known.update(zip(fresh.tolist(), range(start, start + len(fresh)), strict=True))
        return self._x[rows][inverse], self._y[rows][inverse], self._inside[rows][inverse]

    def place(
        self,
        records: pd.DataFrame,
        *,
        lsoa_to_ward: pd.Series | None = None,
        local_lsoa_codes: frozenset[str] | set[str] = frozenset(),
    ) -> pd.DataFrame:
        """:func:`place_records` of ``records`` over this placer's wards."""
        wards = self.wards
        out = records.copy()
        # Only finite coordinates are points: an infinite or NaN one would hash to factorize's -1 sentinel
        # and pick the last ward.
        lon_all = pd.to_numeric(out["lon"], errors="coerce").to_numpy(dtype="float64")
        lat_all = pd.to_numeric(out["lat"], errors="coerce").to_numpy(dtype="float64")
        has_xy = np.isfinite(lon_all) & np.isfinite(lat_all)
        ward_idx = np.full(len(out), -1, dtype=np.int64)
        placement = np.full(len(out), _RULE["no_location"], dtype=np.int8)
        x = np.full(len(out), np.nan)
        y = np.full(len(out), np.nan)

        if has_xy.any():
            x[has_xy], y[has_xy], ward_idx[has_xy] = self._locate(lon_all[has_xy], lat_all[has_xy])
            placement[has_xy] = np.where(ward_idx[has_xy] >= 0, _RULE["point"], _RULE["outside"])

            missed = has_xy & (ward_idx < 0)
            if missed.any() and self.coast_tolerance_m > 0:
                codes, names = out.loc[missed, "lsoa_code"], out.loc[missed, "lsoa_name"]
                local = self.local_mask(codes, names, local_lsoa_codes, self._stems).to_numpy()
                # No LSOA at all (API-fetched records, a few bulk ones): the force placed it near its area.
                idx = np.flatnonzero(missed)[local | codes.isna().to_numpy()]
                if len(idx):
                    near = _nearest_ward(x[idx], y[idx], wards, self.coast_tolerance_m)
                    ward_idx[idx] = near
                    placement[idx[near >= 0]] = _RULE["nearest_ward"]

        no_xy = ~has_xy & out["lsoa_code"].notna().to_numpy()
        if no_xy.any():
            codes = out.loc[no_xy, "lsoa_code"].astype("string")
            mapped = codes.map(lsoa_to_ward) if lsoa_to_ward is not None else pd.Series(pd.NA, codes.index)
            code_to_idx = pd.Series(np.arange(len(wards)), index=wards["code"].astype(str))
            idx = mapped.map(code_to_idx).fillna(-1).astype(np.int64).to_numpy()
            ward_idx[no_xy] = idx
            local = self.local_mask(codes, out.loc[no_xy, "lsoa_name"], local_lsoa_codes, self._stems).to_numpy()
            rule = np.where(idx >= 0, _RULE["lsoa"], np.where(local, _RULE["lsoa_unplaced"], _RULE["outside"]))
            placement[no_xy] = rule

        out["x"], out["y"] = x, y
        out["ward_code"] = _observed(ward_idx, self._ward_codes)
        district_idx = np.where(ward_idx >= 0, self._district_of[np.maximum(ward_idx, 0)], -1)
        out["district_code"] = _observed(district_idx, self._districts)
        out["placement"] = pd.Categorical.from_codes(placement, categories=list(PLACEMENT_STATUS))
        out["status"] = pd.Categorical.from_codes(_STATUS_OF_RULE[placement], categories=_STATUSES)
        return out

    @staticmethod
    def local_mask(
        codes: pd.Series, names: pd.Series, local_codes: frozenset[str] | set[str], stems: dict[str, bool]
    ) -> pd.Series:
        """:func:`local_lsoa_mask`, judging each name stem once (``stems`` remembers the answers)."""
        # A row is local by its name's stem or by its code: each distinct value is judged once.
        name_of, names_seen = pd.factorize(names.astype("string").fillna(""))
        stem_of = pd.Series(names_seen, dtype="string").str.replace(r"\s+\d{3}[A-Z]?$", "", regex=True)
        for stem in stem_of.unique():
            if stem not in stems:
                stems[stem] = _is_local_stem(stem)
        code_of, codes_seen = pd.factorize(codes.astype("string").fillna(""))
        in_set = np.fromiter((c in local_codes for c in codes_seen), dtype=bool, count=len(codes_seen))
        local = stem_of.map(stems).to_numpy(dtype=bool)[name_of] | in_set[code_of]
        return pd.Series(local, index=codes.index)


def _observed(codes: np.ndarray, labels: np.ndarray) -> pd.Categorical:
    """A categorical of ``labels[codes]`` (-1: missing) keeping only the labels used, in their order."""
    used = np.zeros(len(labels), dtype=bool)
    used[codes[codes >= 0]] = True
    new_code = np.cumsum(used) - 1
    return pd.Categorical.from_codes(np.where(codes >= 0, new_code[np.maximum(codes, 0)], -1), categories=labels[used])


def _is_local_stem(stem: str) -> bool:
    if not stem:
        return False
    try:
        return bool(resolve_districts(stem))
    except ParameterError:
        return False


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
