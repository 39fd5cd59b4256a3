"""Import everything the pages use once per server process, in one thread, before the first page runs.

``app.py`` imports this module first. Python runs a module's import once and any session that arrives
meanwhile waits for it to finish, so by the time two sessions run pages every module they need is whole: no
two threads ever import a module (ours, or numpy's own circular internals) for the first time together.
It costs the first session of a fresh server the imports the other pages would have paid later (about 2 s,
in ``benchmarks/bench_app.py``). ``tests/test_preload.py`` starts sessions' imports at once in fresh
interpreters.
"""

from __future__ import annotations

import importlib

__all__ = ["ANALYSIS_MODULES", "PAGE_MODULES", "import_all"]

PAGE_MODULES = (
    "numpy",
    "pandas",
    "pyarrow",
    "shapely",
    "geopandas",
    "pydeck",
    "vrc_geo.dataset.aggregate",
    "vrc_geo.config",
    "vrc_geo.dataset.store",
    "vrc_geo.outputs.views",
    "vrc_geo.outputs.maps",
    "vrc_geo.outputs.catalogue",
    "ui.render",
    "ui.state",
    "ui.data",
    "ui.maps",
    "ui.page",
    "ui.uploads",
)
ANALYSIS_MODULES = (
    "scipy.stats",
    "sklearn",
    "libpysal",
    "esda",
    "statsmodels.api",
    "altair",
    "matplotlib.figure",
    "matplotlib.backends.backend_agg",
    "vrc_geo.hotspots.service",
    "vrc_geo.health.service",
    "vrc_geo.outputs.briefing",
    "vrc_geo.profile.violence_profile",
    "vrc_geo.profile.report",
    "ui.charts",
)


def import_all(names: tuple[str, ...]) -> None:
    """Import ``names`` in order (already imported ones cost nothing)."""
    for name in names:
        importlib.import_module(name)


import_all(PAGE_MODULES + ANALYSIS_MODULES)
