"""Density-based clusters of records in metres, with tight footprints.

police.uk moves every record to a snap point, so many records share one coordinate. Records are first
stacked per snap point; DBSCAN (scikit-learn) then runs on the distinct snap points with
``sample_weight`` = records stacked there, so a point with 30 records weighs 30 — the same answer as 30
repeated rows, never one point and never noise. A snap point is a *core* when the records within
``eps_m`` (itself included) reach ``min_records``. Snap points are sorted before clustering, so the result
does not depend on row order.

Each cluster's footprint is the union of ``footprint_radius_m`` discs around its snap points, with gaps
narrower than ``eps_m`` closed (a morphological closing), clipped to land (the study area's wards):
a shape that follows the streets where records are, not a hull over empty fields.
"""

from __future__ import annotations

from typing import ClassVar

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from sklearn.cluster import DBSCAN

from ..errors import ParameterError
from ..validation import Param, validate_params

__all__ = ["DensityClusters", "default_min_records", "hotspot_clusters", "stack_points"]

BNG = "EPSG:27700"


def default_min_records(n_months: int) -> int:
    """Default core threshold: 6 records a month within ``eps_m`` (at least 12)."""
    return max(12, 6 * int(n_months))


def stack_points(x: np.ndarray, y: np.ndarray) -> pd.DataFrame:
    """Distinct coordinates with their record counts, sorted by (x, y): ``x, y, records``."""
    frame = pd.DataFrame({"x": np.asarray(x, dtype="float64"), "y": np.asarray(y, dtype="float64")})
    return frame.groupby(["x", "y"], sort=True).size().rename("records").reset_index()


class DensityClusters:
    """Weighted DBSCAN on snap points. ``fit(x, y, land=...)`` sets ``points_`` (``x, y, records,
    cluster``; -1 = not in a cluster) and ``clusters_`` (GeoDataFrame ``cluster, snap_points, records,
    area_km2, geometry`` in EPSG:27700, cluster 0 = most records)."""

    _parameter_constraints: ClassVar[dict[str, Param]] = {
        "eps_m": Param(low=1, high=5000, low_inclusive=True),
        "min_records": Param(low=2, integer=True),
        "footprint_radius_m": Param(low=1, high=5000),
    }

    def __init__(self, *, eps_m: float = 150.0, min_records: int = 60, footprint_radius_m: float = 40.0):
        self.eps_m = eps_m
        self.min_records = min_records
        self.footprint_radius_m = footprint_radius_m

    def fit(self, x: np.ndarray, y: np.ndarray, *, land: shapely.Geometry | None = None) -> DensityClusters:
        validate_params(vars(self), self._parameter_constraints)
        if self.footprint_radius_m > self.eps_m:
            raise ParameterError(
                f"footprint_radius_m ({self.footprint_radius_m}) must not exceed eps_m ({self.eps_m})."
            )
        x, y = np.asarray(x, dtype="float64"), np.asarray(y, dtype="float64")
        if x.shape != y.shape or x.ndim != 1:
            raise ParameterError("x and y must be 1-D arrays of the same length.")
        if not (np.isfinite(x).all() and np.isfinite(y).all()):
            raise ParameterError("x and y must be finite (drop records without a location first).")
        points = stack_points(x, y)
        if len(points):
            labels = (
                DBSCAN(eps=self.eps_m, min_samples=self.min_records)
                .fit(points[["x", "y"]].to_numpy(), sample_weight=points["records"].to_numpy())
                .labels_
            )
        else:
            labels = np.array([], dtype=np.int64)
        points["cluster"] = _renumber(labels, points)
        self.points_ = points
        self.clusters_ = self._footprints(points, land)
        return self

    def _footprints(self, points: pd.DataFrame, land: shapely.Geometry | None) -> gpd.GeoDataFrame:
        rows, shapes = [], []
        members = points[points["cluster"] >= 0]
        half = self.eps_m / 2
        for cluster, group in members.groupby("cluster", sort=True):
            discs = shapely.buffer(shapely.points(group["x"], group["y"]), half, quad_segs=8)
            shape = shapely.union_all(discs).buffer(-(half - self.footprint_radius_m), quad_segs=8)
            if land is not None:
                clipped = shapely.intersection(shape, land)
                shape = clipped if not clipped.is_empty else shape
            rows.append((int(cluster), len(group), int(group["records"].sum()), shape.area / 1e6))
            shapes.append(shape)
        frame = pd.DataFrame(rows, columns=["cluster", "snap_points", "records", "area_km2"])
        return gpd.GeoDataFrame(frame, geometry=gpd.GeoSeries(shapes, crs=BNG), crs=BNG)


def _renumber(labels: np.ndarray, points: pd.DataFrame) -> np.ndarray:
    """Cluster ids by descending records (ties: lowest x, then y), noise stays -1."""
    out = np.full(len(labels), -1, dtype=np.int64)
    found = labels >= 0
    if not found.any():
        return out
    frame = pd.DataFrame(
        {
            "label": labels[found],
            "records": points["records"].to_numpy()[found],
            "x": points["x"].to_numpy()[found],
            "y": points["y"].to_numpy()[found],
        }
    )
    summary = frame.groupby("label").agg(records=("records", "sum"), x=("x", "min"), y=("y", "min"))
    order = summary.sort_values(["records", "x", "y"], ascending=[False, True, True]).index
    mapping = {label: i for i, label in enumerate(order)}
    out[found] = [mapping[v] for v in labels[found]]
    return out


def hotspot_clusters(
    records: pd.DataFrame,
    *,
    eps_m: float = 150.0,
    min_records: int = 60,
    footprint_radius_m: float = 40.0,
    land: shapely.Geometry | None = None,
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Clusters of ``records`` (columns ``x, y`` in EPSG:27700). Returns (clusters, snap points)."""
    if not isinstance(records, pd.DataFrame):
        raise TypeError("records must be a pandas DataFrame with x and y columns")
    located = records.dropna(subset=["x", "y"])
    model = DensityClusters(eps_m=eps_m, min_records=min_records, footprint_radius_m=footprint_radius_m)
    model.fit(located["x"].to_numpy(), located["y"].to_numpy(), land=land)
    return model.clusters_, model.points_
