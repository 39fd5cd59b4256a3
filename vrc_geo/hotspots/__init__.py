"""Hotspot statistics: one module per method, verbs as the public face.

``find_places`` (patrol places: empirical-Bayes micro-place rates, sites, local excess, patrol-sized
footprints), ``hotspot_gistar`` (Gi* on areas), ``hotspot_colocation`` (violence -> drugs
co-location), ``hotspot_classify`` (emerging hot spots), ``hotspot_backtest`` (PAI at several cuts
against the simple peers) and ``find_hotspots`` (the ranked pipeline behind the CLI, the exports and
the app).
"""

from .backtest import BacktestResult, hotspot_backtest
from .colocation import CoLocation, hotspot_colocation
from .emerging import EmergingHotSpots, hotspot_classify, mann_kendall
from .gistar import GiStar, hotspot_gistar
from .localexcess import LocalExcess
from .microplaces import MicroPlaceRates
from .places import PlaceList, find_places
from .rank import HOTSPOT_COLUMNS, HotspotResult, find_hotspots
from .sites import classify_sites

__all__ = [
    "HOTSPOT_COLUMNS",
    "BacktestResult",
    "CoLocation",
    "EmergingHotSpots",
    "GiStar",
    "HotspotResult",
    "LocalExcess",
    "MicroPlaceRates",
    "PlaceList",
    "classify_sites",
    "find_hotspots",
    "find_places",
    "hotspot_backtest",
    "hotspot_classify",
    "hotspot_colocation",
    "hotspot_gistar",
    "mann_kendall",
]
