"""Hotspot statistics: one module per method, verbs as the public face.

``find_places`` (patrol places: empirical-Bayes micro-place rates, sites, local excess, 40 m patrol
circles placed greedily), ``hotspot_gistar`` (Gi* on areas), ``hotspot_colocation`` (violence -> drugs
co-location), ``hotspot_classify`` (emerging hot spots), ``hotspot_backtest`` (PAI at several cuts
against the simple peers) and ``find_hotspots`` (the ranked pipeline behind the CLI, the exports and
the app).
"""

from __future__ import annotations

from ..base.lazy import lazy_exports

# Names are resolved on first use (PEP 562), not when the package is imported: importing one submodule
# never imports its siblings, so two threads importing different submodules for the first time (two
# app sessions on a fresh server) cannot meet each other's half-initialised modules.
_WHERE = {
    "BacktestResult": "evaluate.backtest",
    "CoLocation": "stats.colocation",
    "EmergingHotSpots": "stats.emerging",
    "GiStar": "stats.gistar",
    "HOTSPOT_COLUMNS": "rank",
    "HotspotResult": "rank",
    "LocalExcess": "stats.local_excess",
    "MicroPlaceRates": "stats.micro_places",
    "PlaceList": "places",
    "classify_sites": "snap.sites",
    "find_hotspots": "rank",
    "find_places": "places",
    "hotspot_backtest": "evaluate.backtest",
    "hotspot_classify": "stats.emerging",
    "hotspot_colocation": "stats.colocation",
    "hotspot_gistar": "stats.gistar",
    "mann_kendall": "stats.emerging",
}

__all__ = sorted(_WHERE)


__getattr__, __dir__ = lazy_exports(__name__, _WHERE)
