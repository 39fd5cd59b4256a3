"""Reading one polygon file — GeoJSON, GeoPackage, Shapefile (zipped or not) or GeoParquet — safely.

Shared by the boundary reader and the target-area reader: a zip is checked before it is opened (no bomb,
no path names), and any failure of the readers becomes one message naming the file.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import geopandas as gpd

from .archives import check_zip

__all__ = ["read_vector_file"]


def read_vector_file(file: Path, *, max_unzipped_bytes: int, error: type[Exception], what: str) -> gpd.GeoDataFrame:
    """The file's features; ``error`` (naming ``what`` and the file) if it cannot be read."""
    import pyogrio

    if file.suffix.lower() == ".zip":
        check_zip(file, file.name, max_member=max_unzipped_bytes, max_total=max_unzipped_bytes)
    source = f"/vsizip/{file}" if file.suffix.lower() == ".zip" else str(file)
    try:
        if file.suffix.lower() == ".parquet":
            return gpd.read_parquet(file)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return pyogrio.read_dataframe(source, use_arrow=True)
    except Exception as exc:  # any reader failure becomes one clear message
        raise error(f"Cannot read {what} {file.name}: {exc}".strip()) from exc
