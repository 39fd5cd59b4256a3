"""Which files of a boundary folder are read: a light module (no geopandas), so a cache key is made
without importing the readers."""

from __future__ import annotations

from pathlib import Path

from ..errors import BoundaryError

__all__ = ["boundary_files"]

_SUFFIXES = (".geojson", ".json", ".gpkg", ".shp", ".zip", ".parquet")


def boundary_files(path: Path) -> list[Path]:
    """The readable boundary files of a file or folder, in a stable order."""
    path = Path(path)
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise BoundaryError(f"Boundary path not found: {path}.")
    files = sorted(
        p
        for p in path.rglob("*")
        if p.is_file() and p.suffix.lower() in _SUFFIXES and p.name != "manifest.json" and not p.name.startswith(".")
    )
    if not files:
        raise BoundaryError(
            f"No boundary files in {path} (looked for {', '.join(_SUFFIXES)}). Put ONS ward "
            "boundaries there (GeoJSON, GeoPackage or Shapefile), or run `python -m vrc_geo fetch`."
        )
    return files
