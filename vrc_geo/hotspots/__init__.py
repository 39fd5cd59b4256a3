"""Hotspot statistics: one module per method, verbs as the public face.

``hotspot_gistar`` (Gi* on areas), ``hotspot_clusters`` (weighted DBSCAN footprints),
``hotspot_colocation`` (violence -> drugs co-location), ``hotspot_classify`` (emerging hot spots),
``hotspot_backtest`` (hit rate and PAI against the naive grid peer) and ``find_hotspots`` (the ranked
pipeline behind the CLI, the exports and the app).
"""

from .backtest import BacktestResult, hotspot_backtest
from .clusters import DensityClusters, hotspot_clusters
from .colocation import CoLocation, hotspot_colocation
from .emerging import EmergingHotSpots, hotspot_classify, mann_kendall
from .gistar import GiStar, hotspot_gistar
from .rank import HOTSPOT_COLUMNS, HotspotResult, find_hotspots

__all__ = [
    "HOTSPOT_COLUMNS",
    "BacktestResult",
    "CoLocation",
    "DensityClusters",
    "EmergingHotSpots",
    "GiStar",
    "HotspotResult",
    "find_hotspots",
    "hotspot_backtest",
    "hotspot_classify",
    "hotspot_clusters",
    "hotspot_colocation",
    "hotspot_gistar",
    "mann_kendall",
]
