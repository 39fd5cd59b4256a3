"""Coordinate reference systems: metric work in British National Grid, WGS84 only for display.

Distances, areas, buffers and clustering use EPSG:27700 (metres); maps and exported files use WGS84
(EPSG:4326) longitude/latitude.
"""

from __future__ import annotations

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


def project_lonlat(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """WGS84 longitude/latitude to British National Grid metres (NaN stays NaN)."""
    x, y = _transformer(WGS84, BNG).transform(np.asarray(lon, dtype="float64"), np.asarray(lat, dtype="float64"))
    return np.asarray(x), np.asarray(y)


def unproject_xy(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """British National Grid metres back to WGS84 longitude/latitude, for display."""
    lon, lat = _transformer(BNG, WGS84).transform(np.asarray(x, dtype="float64"), np.asarray(y, dtype="float64"))
    return np.asarray(lon), np.asarray(lat)
