"""Read ONS-style area boundaries of any vintage: wards, LSOAs or MSOAs.

Input: one file or a folder of files (GeoJSON, GeoPackage, Shapefile, zipped Shapefile, GeoParquet).
Output: a :class:`BoundarySet` whose ``areas`` GeoDataFrame (EPSG:27700) has the columns
``code, name, district_code, district_name, geometry`` and one row per area of the 13 Kent & Medway
districts. Code and name columns are detected from ONS naming (``WD13CD``/``WD13NM``, ``LSOA21CD``...),
so no vintage is hard-coded; the vintage is reported from the column name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..base.plurals import counted
from ..errors import BoundaryError, ParameterError
from ..reference.area import AREA, DISTRICTS, district_name, resolve_districts
from .boundary_checks import check_codes_across_files, check_in_britain, check_overlaps
from .boundary_files import boundary_files
from .reference import read_ward_history
from .vector_files import read_vector_file

__all__ = ["BNG", "BoundarySet", "boundary_files", "read_boundaries"]

BNG = "EPSG:27700"
_LEVEL_PREFIX = {"WD": "ward", "LSOA": "lsoa", "MSOA": "msoa", "LAD": "district"}
_ONS_COLUMN = re.compile(r"^(WD|LSOA|MSOA|LAD)(\d{2})(CD|NM)$", re.IGNORECASE)
_PLAIN_COLUMN = re.compile(r"^(ward|lsoa|msoa)_?(code|name)$", re.IGNORECASE)
_NAME_ONLY = ("ward_name", "wardname", "name")
_LAD_FILENAME = re.compile(r"(E0[67]\d{6})")


@dataclass
class BoundarySet:
    """Areas of one level read from one source, with what was noticed on the way."""

    areas: gpd.GeoDataFrame
    level: str
    vintage: str
    source: str
    notes: list[str] = field(default_factory=list)


def read_boundaries(
    path: str | Path,
    *,
    level: str | None = "ward",
    reference: Path | None = None,
) -> BoundarySet:
    """Read, check, repair and project boundaries; attach district code and current name.

    ``level`` is the expected level (``"ward"``, ``"lsoa"``, ``"msoa"``) or ``None`` to accept any.
    ``reference`` is a folder with ``lookups/`` used to give wards their district, and codes to files
    that carry only names (LGBCE maps).
    """
    files = boundary_files(Path(path))
    frames, notes = [], []
    levels, vintages = set(), set()
    for file in files:
        frame, file_level, vintage = _read_one(file, reference)
        frames.append(frame.assign(_file=file.name, _vintage=vintage))
        levels.add(file_level)
        vintages.add(vintage)
    if len(levels) > 1:
        raise BoundaryError(f"{path} mixes area levels ({', '.join(sorted(levels))}); use one level.")
    found_level = levels.pop()
    if level is not None and found_level != level:
        raise BoundaryError(f"{path} holds {found_level} boundaries, but {level} boundaries are needed here.")
    areas = pd.concat(frames, ignore_index=True)
    areas, more = _finish(areas, found_level, reference)
    notes.extend(more)
    vintage = ", ".join(sorted(vintages))
    return BoundarySet(areas, found_level, vintage, str(path), notes)


#: A zipped boundary file (a Shapefile's parts) may unpack to this much (ONS's national BGC wards: ~60 MB).
MAX_ZIP_BYTES = 512 * 2**20


def _read_one(file: Path, reference: Path | None) -> tuple[gpd.GeoDataFrame, str, str]:
    frame = read_vector_file(file, max_unzipped_bytes=MAX_ZIP_BYTES, error=BoundaryError, what="boundary file")
    if not isinstance(frame, gpd.GeoDataFrame) or frame.geometry.isna().all():
        raise BoundaryError(f"Boundary file {file.name} holds no geometry.")
    if len(frame) == 0:
        raise BoundaryError(f"Boundary file {file.name} holds no areas.")
    declared = frame.crs
    frame = _to_bng(frame, file.name)
    check_in_britain(frame, file.name, declared_crs=declared)
    code_col, name_col, level, vintage = _detect_columns(frame, file.name)
    out = gpd.GeoDataFrame(
        {
            "code": frame[code_col].astype("string").str.strip() if code_col else pd.NA,
            "name": frame[name_col].astype("string").str.strip(),
        },
        geometry=frame.geometry.values,
        crs=BNG,
    )
    lad_col = next((c for c in frame.columns if re.fullmatch(r"LAD\d{2}CD", str(c), re.I)), None)
    if lad_col is not None:
        out["district_code"] = frame[lad_col].astype("string").values
    elif match := _LAD_FILENAME.search(file.stem):
        out["district_code"] = match.group(1)
    else:
        out["district_code"] = pd.NA
    if code_col is None:
        out, vintage = _codes_from_names(out, file.name, reference)
    return out, level, vintage


def _to_bng(frame: gpd.GeoDataFrame, name: str) -> gpd.GeoDataFrame:
    if frame.crs is None:
        minx, miny, maxx, maxy = frame.total_bounds
        if minx >= -10 and maxx <= 5 and miny >= 48 and maxy <= 62:
            frame = frame.set_crs("EPSG:4326")
        elif minx >= 0 and maxx <= 800_000 and miny >= 0 and maxy <= 1_400_000:
            frame = frame.set_crs(BNG)
        elif minx >= 48 and maxx <= 62 and miny >= -10 and maxy <= 5:
            raise BoundaryError(
                f"Boundary file {name}: its coordinates read as latitude first (latitude and longitude swapped); "
                "export it again with longitude first, or in British National Grid (EPSG:27700)."
            )
        else:
            raise BoundaryError(f"Boundary file {name} has no coordinate reference system.")
    return frame.to_crs(BNG)


def _detect_columns(frame: pd.DataFrame, name: str) -> tuple[str | None, str, str, str]:
    """Find (code column, name column, level, vintage) from the file's column names."""
    ons: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for col in frame.columns:
        if m := _ONS_COLUMN.match(str(col)):
            prefix, year, kind = m.group(1).upper(), m.group(2), m.group(3).upper()
            ons.setdefault((prefix, kind), []).append((year, col))
    for prefix in ("WD", "LSOA", "MSOA"):
        if (prefix, "CD") in ons:
            year, code_col = max(ons[(prefix, "CD")])
            names = dict(ons.get((prefix, "NM"), []))
            name_col = names.get(year) or code_col
            return code_col, name_col, _LEVEL_PREFIX[prefix], f"{prefix}{year}"
    plain = {
        m.group(1).lower() + "_" + m.group(2).lower(): c for c in frame.columns if (m := _PLAIN_COLUMN.match(str(c)))
    }
    for level in ("ward", "lsoa", "msoa"):
        if f"{level}_code" in plain:
            code_col = plain[f"{level}_code"]
            return code_col, plain.get(f"{level}_name", code_col), level, level
    lower = {str(c).lower(): c for c in frame.columns}
    for candidate in _NAME_ONLY:
        if candidate in lower:
            return None, lower[candidate], "ward", "names"
    cols = ", ".join(map(str, frame.columns))
    raise BoundaryError(
        f"Boundary file {name}: no area code column found (expected ONS columns such as WD24CD/WD24NM, "
        f"LSOA21CD or MSOA21CD, or ward_code/ward_name). Columns present: {cols}."
    )


def _codes_from_names(out: gpd.GeoDataFrame, name: str, reference: Path | None) -> tuple[gpd.GeoDataFrame, str]:
    """Give ward codes to a names-only file (e.g. an LGBCE map) from the ONS code history."""
    history = read_ward_history(reference) if reference else None
    if history is None:
        raise BoundaryError(
            f"Boundary file {name} has ward names but no ONS codes, and no code-history look-up "
            "was found to match them. Use an ONS boundary file (WDyyCD column)."
        )
    key = history["WDNM"].map(_name_key)
    latest = history.assign(key=key).sort_values("start_date").drop_duplicates("key", keep="last")
    by_key = latest.set_index("key")
    keys = out["name"].map(_name_key)
    missing = sorted(out.loc[~keys.isin(by_key.index), "name"].astype(str))
    if missing:
        raise BoundaryError(
            f"Boundary file {name}: {counted(len(missing), 'ward name')} not found in the ONS code history: "
            + ", ".join(missing[:10])
        )
    out["code"] = keys.map(by_key["WDCD"]).astype("string").values
    out["district_code"] = keys.map(by_key["LADCD"]).astype("string").values
    years = by_key.loc[keys, "start_date"].str[:4]
    return out, f"WD{years.max()[-2:]} (names matched to ONS codes)"


def _name_key(text: object) -> str:
    text = str(text).lower().replace("&", " and ")
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


def _finish(areas: gpd.GeoDataFrame, level: str, reference: Path | None) -> tuple[gpd.GeoDataFrame, list[str]]:
    notes: list[str] = []
    areas = _repair(areas, notes)
    history = read_ward_history(reference) if reference and level == "ward" else None
    if history is not None and areas["district_code"].isna().any():
        lookup = history.drop_duplicates("WDCD").set_index("WDCD")["LADCD"]
        areas["district_code"] = areas["district_code"].fillna(areas["code"].map(lookup))
    if areas["district_code"].isna().any():
        areas["district_code"] = areas["district_code"].fillna(_district_from_name(areas))
    unknown = areas["district_code"].isna() | ~areas["district_code"].isin(list(DISTRICTS))
    if unknown.all():
        raise BoundaryError(
            f"None of the areas could be placed in a {AREA.name} district. Use boundaries with an "
            "LADyyCD column, per-district files named by district code, or ONS ward codes."
        )
    if unknown.any():
        left = int(unknown.sum())
        notes.append(
            f"{counted(left, 'area')} outside the {len(DISTRICTS)} {AREA.name} districts "
            f"{'was' if left == 1 else 'were'} left out."
        )
        areas = areas.loc[~unknown]
    _refuse_empty(areas)
    check_codes_across_files(areas)
    areas = _merge_parts(areas, notes)
    check_overlaps(areas)
    areas = areas.sort_values("code", kind="stable").reset_index(drop=True)
    areas["district_name"] = areas["district_code"].map(district_name).astype("string")
    areas["code"] = areas["code"].astype("string")
    areas["name"] = areas["name"].fillna(areas["code"]).astype("string")
    areas["district_code"] = areas["district_code"].astype("string")
    cols = ["code", "name", "district_code", "district_name", "geometry"]
    return gpd.GeoDataFrame(areas[cols], geometry="geometry", crs=BNG), notes


def _repair(areas: gpd.GeoDataFrame, notes: list[str]) -> gpd.GeoDataFrame:
    geoms = areas.geometry.values
    invalid = ~shapely.is_valid(geoms) & ~pd.isna(geoms)
    if invalid.any():
        fixed = shapely.make_valid(geoms[invalid])
        geoms = geoms.copy()
        geoms[invalid] = np.array([_polygonal(g) for g in fixed], dtype=object)
        notes.append(f"Repaired {int(invalid.sum())} invalid boundary geometry(ies).")
    return areas.set_geometry(gpd.GeoSeries(geoms, index=areas.index, crs=BNG))


def _refuse_empty(areas: gpd.GeoDataFrame) -> None:
    """An area of the county with no shape cannot be dropped: its records would silently go to its
    neighbours (or "outside"). Refuse the file, naming the areas."""
    geoms = areas.geometry.values
    empty = pd.isna(geoms) | shapely.is_empty(geoms)
    if empty.any():
        bad = areas.loc[empty]
        named = [f"{c} {n}" for c, n in zip(bad["code"].astype(str), bad["name"].astype(str), strict=True)]
        raise BoundaryError(
            f"{counted(len(named), 'area')} without geometry (missing or empty): {', '.join(named[:10])}. The boundary "
            "file was not used, so no records move to a neighbour; download it again (ONS Open Geography)."
        )


def _merge_parts(areas: gpd.GeoDataFrame, notes: list[str]) -> gpd.GeoDataFrame:
    """One row per code: a ward stored as one feature per polygon part is the union of its parts."""
    repeated = areas["code"].duplicated(keep=False)
    if not repeated.any():
        return areas
    parts = areas.loc[repeated]
    merged = parts.groupby("code", sort=False).agg(
        {"name": "first", "district_code": "first", "_file": "first", "_vintage": "first"}
    )
    merged["geometry"] = [
        shapely.union_all(group.to_numpy()) for _, group in parts.groupby("code", sort=False).geometry
    ]
    notes.append(
        f"{counted(len(merged), 'area')} came as several features with the same code ({len(parts)} in all); "
        "each was merged into one area."
    )
    merged = gpd.GeoDataFrame(merged.reset_index(), geometry="geometry", crs=BNG)
    return pd.concat([areas.loc[~repeated], merged], ignore_index=True)


def _polygonal(geom: shapely.Geometry) -> shapely.Geometry:
    """Keep the polygonal part of a repaired geometry (make_valid can add stray lines or points)."""
    if geom.geom_type in {"Polygon", "MultiPolygon"}:
        return geom
    parts = [g for g in getattr(geom, "geoms", []) if g.geom_type in {"Polygon", "MultiPolygon"}]
    return shapely.union_all(parts) if parts else shapely.Polygon()


def _district_from_name(areas: gpd.GeoDataFrame) -> pd.Series:
    """LSOA/MSOA names start with the district name ("Shepway 001A"): use that when nothing else."""

    def one(name: object) -> object:
        stem = re.sub(r"\s+\d{3}[A-Z]?$", "", str(name))
        try:
            codes = resolve_districts(stem)
        except ParameterError:
            return pd.NA
        return codes[0] if codes else pd.NA

    return areas["name"].map(one)
