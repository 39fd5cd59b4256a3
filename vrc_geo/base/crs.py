"""Coordinate reference systems: metric work in British National Grid, WGS84 only for display.

Distances, areas, buffers and clustering use EPSG:27700 (metres); maps and exported files use WGS84
(EPSG:4326) longitude/latitude.
"""

from __future__ import annotations

import numpy as np
from pyproj import Transformer

__all__ = ["BNG", "WGS84", "project_lonlat", "unproject_xy"]

BNG = "EPSG:27700"
WGS84 = "EPSG:4326"
_TO_BNG = Transformer.from_crs(WGS84, BNG, always_xy=True)
_TO_WGS84 = Transformer.from_crs(BNG, WGS84, always_xy=True)


def project_lonlat(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """WGS84 longitude/latitude to British National Grid metres (NaN stays NaN)."""
    x, y = _TO_BNG.transform(np.asarray(lon, dtype="float64"), np.asarray(lat, dtype="float64"))
    return np.asarray(x), np.asarray(y)


def unproject_xy(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """British National Grid metres back to WGS84 longitude/latitude, for display."""
    lon, lat = _TO_WGS84.transform(np.asarray(x, dtype="float64"), np.asarray(y, dtype="float64"))
    return np.asarray(lon), np.asarray(lat)
