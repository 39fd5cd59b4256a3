"""Hotspot statistics: one module per method, verbs as the public face.

``find_places`` (patrol places: empirical-Bayes micro-place rates, sites, local excess, 40 m patrol
circles placed greedily), ``hotspot_gistar`` (Gi* on areas), ``hotspot_colocation`` (violence -> drugs
co-location), ``hotspot_classify`` (emerging hot spots), ``hotspot_backtest`` (PAI at several cuts
against the simple peers) and ``find_hotspots`` (the ranked pipeline behind the CLI, the exports and
the app).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..lazy_exports import lazy_exports

if TYPE_CHECKING:
    from .backtest import BacktestResult, hotspot_backtest
    from .colocation import CoLocation, hotspot_colocation
    from .emerging import EmergingHotSpots, hotspot_classify, mann_kendall
    from .gistar import GiStar, hotspot_gistar
    from .localexcess import LocalExcess
    from .microplaces import MicroPlaceRates
    from .places import PlaceList, find_places
    from .rank import HOTSPOT_COLUMNS, HotspotResult, find_hotspots
    from .sites import classify_sites

# Names are resolved on first use (PEP 562), not when the package is imported: importing one submodule
# never imports its siblings, so two threads importing different submodules for the first time (two
# app sessions on a fresh server) cannot meet each other's half-initialised modules.
_WHERE = {
    "BacktestResult": "backtest",
    "CoLocation": "colocation",
    "EmergingHotSpots": "emerging",
    "GiStar": "gistar",
    "HOTSPOT_COLUMNS": "rank",
    "HotspotResult": "rank",
    "LocalExcess": "localexcess",
    "MicroPlaceRates": "microplaces",
    "PlaceList": "places",
    "classify_sites": "sites",
    "find_hotspots": "rank",
    "find_places": "places",
    "hotspot_backtest": "backtest",
    "hotspot_classify": "emerging",
    "hotspot_colocation": "colocation",
    "hotspot_gistar": "gistar",
    "mann_kendall": "emerging",
}

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


__getattr__, __dir__ = lazy_exports(__name__, _WHERE)
