"""Two sessions arriving at a freshly started server import the package at the same moment.

Before the fix, ``vrc_geo.hotspots``' ``__init__`` imported every submodule, so one thread importing
``vrc_geo.hotspots.footprint`` (the Overview) and another importing ``vrc_geo.hotspots.service`` (the
Hotspots page) took the two module locks in opposite orders; Python broke the deadlock by handing one of them
a half-initialised module ("cannot import name ..."), 2 runs in 3 here. Each run below is a fresh
interpreter whose threads start their imports together.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
from conftest import ROOT

RACE = """
import importlib, sys, threading
first, names = sys.argv[1].split(","), sys.argv[2:]
for name in filter(None, first):  # what the server has imported before any session runs
    importlib.import_module(name)
barrier = threading.Barrier(len(names))
errors = []
def load(name):
    barrier.wait()
    try:
        importlib.import_module(name)
    except BaseException as exc:
        errors.append(f"{name}: {type(exc).__name__}: {exc}")
threads = [threading.Thread(target=load, args=(n,)) for n in names]
[t.start() for t in threads]
[t.join() for t in threads]
print("; ".join(errors) or "ok")
"""
LIBRARIES = "numpy,pandas,pyarrow,shapely,geopandas,scipy.stats,sklearn,libpysal,esda,statsmodels.api"
ENTRY_POINTS = [
    ("vrc_geo.hotspots.footprint", "vrc_geo.hotspots.service"),
    ("vrc_geo.outputs.views", "vrc_geo.hotspots.service", "vrc_geo.health.service", "vrc_geo.outputs.briefing"),
    ("vrc_geo.hotspots.rank", "vrc_geo.hotspots.stats.gistar", "vrc_geo.hotspots", "vrc_geo.fetch.manifest"),
]


def race(first: str, names: tuple[str, ...]) -> str:
    command = [sys.executable, "-c", RACE, first, *names]
    return subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=180, check=True).stdout.strip()


@pytest.mark.parametrize("names", ENTRY_POINTS, ids=lambda n: "+".join(x.rsplit(".", 1)[-1] for x in n))
def test_our_modules_imported_at_once_by_several_threads(names):
    """No import cycle in ``vrc_geo``: threads importing different modules first never deadlock."""
    for _ in range(5 if names == ENTRY_POINTS[0] else 2):  # the first pair deadlocked 2 runs in 3 before
        assert race(LIBRARIES, names) == "ok"


def test_sessions_starting_together_on_a_fresh_server():
    """As ``app.py`` does: every session imports ``ui.preload`` first, then its page's modules."""
    pages = ("ui.preload", "ui.preload", "ui.preload", "ui.preload")
    for _ in range(2):
        assert race("streamlit", pages) == "ok"


def test_app_imports_the_pages_modules_first():
    app = (ROOT / "app.py").read_text()
    lines = [line.strip() for line in app.splitlines()]
    first = next(line for line in lines if line.startswith(("import ui", "from ui", "from vrc_geo")))
    assert first.startswith("import ui.preload")
    assert "_vrc_import_lock" in app  # sessions of plain `streamlit run app.py` take turns at the imports
