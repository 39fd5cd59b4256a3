"""Coordinate reference systems: metric work in British National Grid, WGS84 only for display.

Distances, areas, buffers and clustering use EPSG:27700 (metres); maps and exported files use WGS84
(EPSG:4326) longitude/latitude.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from pyproj import Transformer

__all__ = ["BNG", "WGS84", "project_lonlat", "unproject_xy"]

BNG = "EPSG:27700"
WGS84 = "EPSG:4326"


@cache
def _transformer(source: str, target: str) -> Transformer:
    """The projection from ``source`` to ``target``, built once per process on first use (building one
    costs about 30 ms: a command that only projects one way builds only that one)."""
    from pyproj import Transformer

    return Transformer.from_crs(source, target, always_xy=True)


@cache
def _projection_thread(pid: int) -> ThreadPoolExecutor:
    """One thread per process that runs every projection: pyproj keeps PROJ's objects per thread, and
    Streamlit runs each rerun in a new thread, so a projection in a rerun built its transformer anew each
    time (about 30 ms, holding the interpreter). Keyed by process id: a forked child starts its own."""
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"projection-{pid}")


def _transform(source: str, target: str, a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    a, b = np.asarray(a, dtype="float64"), np.asarray(b, dtype="float64")
    out_a, out_b = _projection_thread(os.getpid()).submit(_transformer(source, target).transform, a, b).result()
    missing = ~(np.isfinite(a) & np.isfinite(b))  # PROJ answers inf for a missing coordinate
    if missing.any():
        out_a, out_b = np.where(missing, np.nan, out_a), np.where(missing, np.nan, out_b)
    return out_a, out_b


def project_lonlat(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """WGS84 longitude/latitude to British National Grid metres (NaN stays NaN)."""
    x, y = _transform(WGS84, BNG, lon, lat)
    return np.asarray(x), np.asarray(y)


def unproject_xy(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """British National Grid metres back to WGS84 longitude/latitude, for display."""
    lon, lat = _transform(BNG, WGS84, x, y)
    return np.asarray(lon), np.asarray(lat)
