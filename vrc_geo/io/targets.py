"""Target areas for an evaluation: polygons from a file (a hotspot or zone export, a GeoPackage drawn by
an analyst) or wards named by code.

:func:`read_targets` returns one row per target area — ``area`` (its name: the file's ``zone_id``,
``hotspot_id``, ``name``, ``code`` or ``area`` column, else "area 1", …) and ``geometry`` (EPSG:27700) —
refusing what cannot be an area (no polygons, outside Great Britain, empty) and saying which rows were
left out. Overlapping targets are refused by the evaluation itself, which knows the study area.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from ..base.plurals import counted
from ..errors import InputFileError
from .boundary_checks import check_in_britain
from .vector_files import read_vector_file

__all__ = ["MAX_TARGET_BYTES", "TargetAreas", "read_targets", "wards_as_targets"]

MAX_TARGET_BYTES = 64 * 2**20
BNG = "EPSG:27700"
_NAME_COLUMNS = ("zone_id", "hotspot_id", "area", "name", "code", "id")


@dataclass
class TargetAreas:
    """Target polygons (``area, geometry``, EPSG:27700) and what was left out of the file."""

    areas: gpd.GeoDataFrame
    label: str
    notes: list[str] = field(default_factory=list)


def read_targets(path: str | Path) -> TargetAreas:
    """Polygons of a GeoJSON, GeoPackage, zipped Shapefile or GeoParquet file as target areas."""
    file = Path(path)
    if not file.is_file():
        raise InputFileError(f"Target file not found: {file.name}.")
    if file.stat().st_size > MAX_TARGET_BYTES:
        raise InputFileError(f"Target file {file.name} is over the {MAX_TARGET_BYTES // 2**20} MiB limit.")
    frame = read_vector_file(file, max_unzipped_bytes=MAX_TARGET_BYTES * 4, error=InputFileError, what="target file")
    return targets_from_frame(frame, file.name)


def targets_from_frame(frame: gpd.GeoDataFrame, label: str) -> TargetAreas:
    """Target areas from a GeoDataFrame already read (an upload, a hotspot export)."""
    if not isinstance(frame, gpd.GeoDataFrame) or frame.geometry.isna().all() or len(frame) == 0:
        raise InputFileError(f"Target file {label} holds no areas.")
    if frame.crs is None:
        minx, miny, maxx, maxy = frame.total_bounds
        frame = frame.set_crs("EPSG:4326" if (minx >= -10 and maxx <= 5 and miny >= 48 and maxy <= 62) else BNG)
    declared = frame.crs
    frame = frame.to_crs(BNG)
    check_in_britain(frame, label, declared_crs=declared)
    geoms = shapely.make_valid(frame.geometry.to_numpy())
    polygonal = [_polygons(g) for g in geoms]
    keep = [g is not None and g.area > 1.0 for g in polygonal]
    notes = []
    if not any(keep):
        raise InputFileError(
            f"Target file {label} holds no polygons (points or lines cannot be areas: buffer them into "
            "circles first, e.g. a hotspot export's footprints)."
        )
    if not all(keep):
        dropped = keep.count(False)
        notes.append(
            f"{label}: {counted(dropped, 'row')} without an area (points, lines or empty) "
            f"{'was' if dropped == 1 else 'were'} left out."
        )
    name_col = next((c for c in _NAME_COLUMNS if c in frame.columns and frame[c].notna().all()), None)
    names = (
        frame[name_col].astype(str).str.strip()
        if name_col
        else pd.Series([f"area {i + 1}" for i in range(len(frame))], index=frame.index)
    )
    kept = [i for i, k in enumerate(keep) if k]
    areas = gpd.GeoDataFrame(
        {"area": names.iloc[kept].to_numpy()}, geometry=[polygonal[i] for i in kept], crs=BNG
    ).reset_index(drop=True)
    if areas["area"].duplicated().any():
        twice = sorted(set(areas.loc[areas["area"].duplicated(), "area"]))
        raise InputFileError(
            f"Target file {label}: the name(s) {', '.join(twice[:5])} appear twice; name each area once."
        )
    return TargetAreas(areas, label, notes)


def wards_as_targets(wards: gpd.GeoDataFrame, codes: list[str]) -> TargetAreas:
    """Wards of the ward table, by code, as target areas, named as people know them: ward and district
    ("Margate Central (Thanet)"), the code added only where two would read alike; the codes stay in the
    targets' description."""
    by_code = wards.set_index(wards["code"].astype(str))
    unknown = [c for c in codes if c not in by_code.index]
    if unknown:
        raise InputFileError(f"Ward code(s) not in the boundaries used: {', '.join(unknown[:5])}.")
    chosen = by_code.loc[codes]
    places = chosen["district_name"] if "district_name" in chosen else pd.Series(codes, index=chosen.index)
    plain = [f"{n} ({d})" for n, d in zip(chosen["name"], places, strict=True)]
    names = [f"{p[:-1]}, {c})" if plain.count(p) > 1 else p for p, c in zip(plain, codes, strict=True)]
    areas = gpd.GeoDataFrame(
        {"area": names},
        geometry=chosen.geometry.to_numpy(),
        crs=BNG,
    )
    return TargetAreas(areas, "wards " + ", ".join(codes))


def _polygons(geom: shapely.Geometry) -> shapely.Geometry | None:
    """The polygonal part of a geometry (``None`` when it has none)."""
    if geom is None or geom.is_empty:
        return None
    if geom.geom_type in ("Polygon", "MultiPolygon"):
        return geom
    parts = [g for g in getattr(geom, "geoms", []) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else None
