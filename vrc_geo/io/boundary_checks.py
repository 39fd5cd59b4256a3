"""Boundaries that cannot be right are refused, with a message that names what is wrong.

A boundary file decides which ward every record goes to, so a wrong one moves records silently: an extra
polygon over the whole county takes every record (every real ward 0); two vintages of the same wards in
one folder overlap, and half of them are always 0; coordinates in the wrong order put the county in the
sea. Checked when the boundaries are read (and cached once checked):

* **coordinates in Great Britain** — every area lies inside the British National Grid's extent
  (0–700 km east, 0–1,300 km north) once projected; otherwise the file's coordinate system is wrong or
  latitude and longitude are swapped;
* **no code in two files** — the same area code in two files of a folder is two copies (or two versions)
  of one area;
* **no overlaps** — no two areas share more than :data:`OVERLAP_M2` of ground (generalised ONS
  boundaries of one vintage never overlap; slivers of a few square metres are tolerated), naming the
  areas, their files and vintages.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely

from ..errors import BoundaryError

__all__ = ["OVERLAP_M2", "check_codes_across_files", "check_in_britain", "check_overlaps"]

OVERLAP_M2 = 500.0  # more shared ground than this between two areas is an overlap
_GB = (0.0, 0.0, 700_000.0, 1_300_000.0)


def check_in_britain(frame: gpd.GeoDataFrame, name: str, *, declared_crs: object = None) -> None:
    """Refuse a projected frame whose areas fall outside Great Britain."""
    geoms = frame.geometry.to_numpy()
    present = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms))  # missing shapes are refused later, by name
    bounds = shapely.bounds(geoms[present])
    finite = np.isfinite(bounds).all(axis=1)
    inside = finite & (bounds[:, 0] >= _GB[0]) & (bounds[:, 1] >= _GB[1])
    inside &= (bounds[:, 2] <= _GB[2]) & (bounds[:, 3] <= _GB[3])
    if inside.all():
        return
    hint = (
        "latitude and longitude look swapped"
        if declared_crs is not None and str(declared_crs).upper().endswith(("4326", "CRS84"))
        else "its coordinate system is not what the file says"
    )
    raise BoundaryError(
        f"Boundary file {name}: {int((~inside).sum())} of {int(present.sum())} areas fall outside Great Britain once "
        f"projected ({hint}). The file was not used; export it again in British National Grid (EPSG:27700) or "
        "WGS84 with longitude first."
    )


def check_codes_across_files(areas: gpd.GeoDataFrame) -> None:
    """Refuse an area code that appears in two files (``_file`` column)."""
    files = areas.groupby("code")["_file"].nunique()
    repeated = files[files > 1]
    if repeated.empty:
        return
    shown = []
    for code in repeated.index[:5]:
        where = sorted(areas.loc[areas["code"] == code, "_file"].unique())
        shown.append(f"{code} (in {' and '.join(where)})")
    raise BoundaryError(
        f"{len(repeated)} area code(s) appear in more than one boundary file: {'; '.join(shown)}. A folder "
        "must hold each area once: keep one copy (or one vintage) of the boundaries."
    )


def check_overlaps(areas: gpd.GeoDataFrame) -> None:
    """Refuse areas that share more than :data:`OVERLAP_M2` of ground."""
    geoms = areas.geometry.to_numpy()
    i, j = shapely.STRtree(geoms).query(geoms, predicate="intersects")
    keep = i < j
    i, j = i[keep], j[keep]
    inner = shapely.relate_pattern(geoms[i], geoms[j], "2********")
    if not inner.any():
        return
    i, j = i[inner], j[inner]
    shared = shapely.area(shapely.intersection(geoms[i], geoms[j]))
    big = shared > OVERLAP_M2
    if not big.any():
        return
    i, j, shared = i[big], j[big], shared[big]
    order = np.argsort(-shared)
    rows = areas.reset_index(drop=True)

    def label(k: int) -> str:
        row = rows.iloc[k]
        return f"{row['code']} {row['name']} ({row['_vintage']}, {row['_file']})"

    pairs = [f"{label(i[k])} and {label(j[k])}: {shared[k] / 1e6:,.2f} km²" for k in order[:4]]
    vintages = sorted(set(rows["_vintage"]))
    mixed = f" The folder mixes boundaries of {', '.join(vintages)}." if len(vintages) > 1 else ""
    raise BoundaryError(
        f"{len(shared)} pair(s) of areas overlap, so records would be counted in one and never the other: "
        + "; ".join(pairs)
        + f".{mixed} Use one set of boundaries in which every place is in exactly one area."
    )
