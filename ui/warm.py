"""Work out the views everyone opens first once, before the server lets anyone in: ``warm_opening_views``.

A room opening the link at once would otherwise all wait for the first of them to load the data and find the
hotspots (about ten seconds of the server's one Python process on the sample, longer on years of data). The
results go into the same shared caches the pages read (``ui.data``), so the first visitor of each opening
view is served like the second. ``python -m ui.serve`` calls it; ``tests/test_warm.py`` checks that the pages'
first runs then find everything ready; the time it takes is in docs/deploy.md.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable

import streamlit as st

from ui import data, state
from vrc_geo.dataset.aggregate import Selection

__all__ = ["warm_opening_views"]


def warm_opening_views(app_args: list[str] | None = None, *, loaded: Callable[[], object] | None = None) -> float:
    """Load the server's data and build the Overview's and the Hotspots page's opening views into the shared
    caches; returns the seconds taken. ``app_args``: the options ``app.py`` will be given (``--data-dir``...).
    ``loaded``: called once the data is loaded, before the views (``ui.serve`` starts the hotspot processes
    there, so they read the disk cache the server has just built). A failure is reported on stderr and left
    to the pages, which explain it to the viewer as on any server."""
    began = time.perf_counter()
    argv, sys.argv = sys.argv, ["app.py", *(app_args or [])]  # as the pages will see it (ui.data.app_flags)
    try:
        dataset = data.server_dataset_at(data.latest_version())
        if loaded is not None:
            loaded()
        view = state.opening_view(dataset.months)
        selection = view.selection
        data.browser_layers(dataset, dataset.key)
        data.ward_view(dataset, dataset.key, selection, view.measure)
        data.overview_deck(dataset, dataset.key, selection, view.measure, view.basemap, None)
        scope = Selection(selection.start, selection.end, selection.districts, None)
        table = data.hotspots(dataset, dataset.key, scope, view.hotspot_params).result.table
        top = min(state.HOTSPOT_TOP, len(table))
        data.hotspot_deck(dataset, dataset.key, scope, "all", top, view.basemap, view.hotspot_params, None)
        _first_element()
    except Exception as exc:  # best effort: the pages show the same problem in words
        print(
            f"Opening views not prepared ({type(exc).__name__}: {exc}); the pages will work them out.", file=sys.stderr
        )
    finally:
        sys.argv = argv
    return time.perf_counter() - began


def _first_element() -> None:
    """Write one element with no session, so that Streamlit's once-per-process check on the first element
    written (is this a REPL? ``inspect.stack()``, resolving every loaded module's path) is paid here, 0.2 s:
    the first visitor's page paid 0.3-0.8 s of it, holding the interpreter while the room waited (py-spy
    on ``benchmarks/bench_load.py``). Its "use streamlit run" warning is expected here and not shown."""
    quiet = logging.getLogger("streamlit")  # the logger Streamlit gives that warning to
    drop = logging.Filter("no such logger")  # passes nothing
    quiet.addFilter(drop)
    try:
        st.empty()
    finally:
        quiet.removeFilter(drop)
