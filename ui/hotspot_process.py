"""Hotspots worked out in a process of their own, so a room's Hotspots pages do not queue on the pages' one.

Streamlit runs every session's script in one Python process: a new period or district on the Hotspots page
(new hotspots, zones and a backtest, seconds of CPU) held up every other person's rerun, and several of them
at once took turns on one core of two. ``python -m ui.serve`` starts ``VRC_GEO_HOTSPOT_PROCESSES`` worker
processes (default: two, or one on a one-core machine; ``0`` keeps the work in the server's process, as
plain ``streamlit run app.py`` and the AppTests do). A selection's list and its backtest are independent,
so two workers work them out at the same time. Each worker loads the server's data itself (from the disk
cache the server built) and keeps the statistics it shares between selections; the server's shared cache
(``ui.data``) still keeps each selection's result, so a selection is worked out once. More workers serve
more people choosing new selections at once, each holding its own copy of the data (about 0.5 GB on the
sample).

Only the server's own data goes to a worker: a dataset the worker cannot load under the same version (an
upload on the Data page) is worked out in the server's process as before, and so is everything if a
worker dies or the system cannot fork workers (Windows). Measured in ``benchmarks/bench_load.py`` and
``bench_hotspot_process.py``; see docs/deploy.md.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vrc_geo.hotspots.service import HotspotBundle

if TYPE_CHECKING:
    from vrc_geo.dataset.aggregate import Selection
    from vrc_geo.dataset.store import PoliceDataset
    from vrc_geo.hotspots.evaluate.backtest import BacktestResult
    from vrc_geo.hotspots.rank import HotspotResult

__all__ = ["ENV_PROCESSES", "compute", "hotspots_here", "running", "start", "stop", "wanted_processes"]

ENV_PROCESSES = "VRC_GEO_HOTSPOT_PROCESSES"
_PRELOAD = ["vrc_geo.hotspots.service", "vrc_geo.io.site_register", "vrc_geo.dataset.store", "vrc_geo.config"]
_KEPT_DATASETS = 2  # as the server's cache: the current data version and the one before a reload

_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None
_flags: dict[str, Any] = {}
_refused: set[str] = set()  # data versions a worker could not load (uploads, files changed since)


class ProcessCountError(ValueError):
    """The number of hotspot processes is not a whole number from 0 up."""


def wanted_processes(env: dict[str, str] | None = None) -> int:
    """Worker processes to start: ``VRC_GEO_HOTSPOT_PROCESSES`` if set, else two (one on one core)."""
    text = (os.environ if env is None else env).get(ENV_PROCESSES, "").strip()
    if not text:
        return min(2, os.cpu_count() or 1)
    if not text.isdigit():
        raise ProcessCountError(f"{ENV_PROCESSES} must be a whole number from 0 up (0: none), got {text!r}.")
    return int(text)


def start(flags: dict[str, Any], *, processes: int) -> int:
    """Start ``processes`` workers for the data found with ``flags`` (``ui.data.app_flags``) and have them
    load it now; returns how many were started. Call before Streamlit runs any script (``ui.serve``): the
    workers are forked from a server process started here, with the analysis stack imported once."""
    global _pool, _flags
    if processes <= 0:
        return 0
    if "forkserver" not in multiprocessing.get_all_start_methods():  # Windows: a spawned worker would run app.py
        print("No hotspot processes on this system; hotspots are worked out in the server's process.", file=sys.stderr)
        return 0
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(_PRELOAD)
    with _lock:
        _flags = dict(flags)
        _pool = ProcessPoolExecutor(
            max_workers=processes, mp_context=context, initializer=_watch_server, initargs=(os.getpid(),)
        )
    try:
        for _ in range(processes):
            _pool.submit(_load, _flags)
    except (OSError, RuntimeError) as exc:  # no process could be started: work in this one
        print(f"No hotspot process started ({exc}); hotspots are worked out in the server's process.", file=sys.stderr)
        stop()
        return 0
    return processes


def running() -> bool:
    """Whether hotspots go to worker processes."""
    return _pool is not None


def stop() -> None:
    """Stop the workers; hotspots are worked out in this process from then on."""
    global _pool
    with _lock:
        pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=False, cancel_futures=True)


def compute(
    dataset: PoliceDataset, selection: Selection, params: dict[str, Any], register: str | None
) -> HotspotBundle | None:
    """The hotspot bundle worked out by a worker, or ``None`` when this process should work it out: no
    workers, a dataset the workers cannot load, or a worker that died (the workers are then stopped).
    ``register``: the path of a register of institutions, or ``None``. Errors in the data or the options
    are raised here as in this process."""
    pool = _pool
    if pool is None or dataset.key in _refused:
        return None
    try:  # the list and its backtest are independent: two workers work them out at once
        found = pool.submit(_find, _flags, dataset.key, selection, params, register)
        tested = pool.submit(_backtest, _flags, dataset.key, selection, params, register)
    except (BrokenProcessPool, RuntimeError):  # stopped by another session a moment ago
        return None
    try:
        listed, scored = found.result(), tested.result()
    except BrokenProcessPool:
        print("A hotspot process stopped; hotspots are worked out in the server's process.", file=sys.stderr)
        stop()
        return None
    if listed is None or scored is None:
        _refused.add(dataset.key)
        return None
    (result, read_note), (backtest, backtest_note) = listed, scored
    notes = [*result.notes, *(n for n in (backtest_note, read_note) if n)]
    return HotspotBundle(result, backtest, dataset, notes)


# ---- inside a worker ------------------------------------------------------------------------------------

_datasets: dict[str, PoliceDataset] = {}
_WATCH_S = 1.0


def _watch_server(pid: int) -> None:
    """Leave when the server is gone: a server killed outright (``kill -9``, out of memory) cannot stop its
    workers, which would otherwise hold their copies of the data for ever."""

    def watch() -> None:
        while is_alive(pid):
            time.sleep(_WATCH_S)
        os._exit(0)

    threading.Thread(target=watch, name="watch-server", daemon=True).start()


def is_alive(pid: int) -> bool:
    """Whether process ``pid`` is running (a zombie, dead but not yet reaped, is not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True  # no /proc: the signal test above is all there is
    return state not in ("Z", "X")


def _load(flags: dict[str, Any]) -> str:
    """Load the data the server found (from its disk cache); returns its version."""
    from vrc_geo.config import find_sources
    from vrc_geo.dataset.store import load_police

    dataset = load_police(find_sources(**flags))
    if dataset.key not in _datasets:
        while len(_datasets) >= _KEPT_DATASETS:
            _datasets.pop(next(iter(_datasets)))
        _datasets[dataset.key] = dataset
        dataset.analysis_records  # noqa: B018  (read now, not at the first selection)
    return dataset.key


def _dataset(flags: dict[str, Any], key: str) -> PoliceDataset | None:
    return _datasets[key] if key in _datasets or _load(flags) == key else None


def _find(
    flags: dict[str, Any], key: str, selection: Selection, params: dict[str, Any], register: str | None
) -> tuple[HotspotResult, str | None] | None:
    """The ranked list, and what the register of institutions held (``None``: data version not found)."""
    from vrc_geo.hotspots.rank import find_hotspots
    from vrc_geo.io.site_register import find_site_register

    dataset = _dataset(flags, key)
    if dataset is None:
        return None
    read = find_site_register(register)
    result = find_hotspots(dataset, selection, register=None if read is None else read.sites, **params)
    return result, None if read is None else read.describe()


def _backtest(
    flags: dict[str, Any], key: str, selection: Selection, params: dict[str, Any], register: str | None
) -> tuple[BacktestResult | None, str | None] | None:
    """:func:`vrc_geo.hotspots.service.backtest_for` (``None``: data version not found)."""
    from vrc_geo.hotspots.service import backtest_for
    from vrc_geo.io.site_register import find_site_register

    dataset = _dataset(flags, key)
    if dataset is None:
        return None
    read = find_site_register(register)
    return backtest_for(dataset, selection, params, register=None if read is None else read.sites)


def hotspots_here(
    dataset: PoliceDataset, selection: Selection, params: dict[str, Any], register: str | None
) -> HotspotBundle:
    """The hotspot bundle worked out in this process, with the register of institutions at ``register``
    (a path, or ``None``: none) and a note saying what it read."""
    from vrc_geo.hotspots.service import hotspots_for
    from vrc_geo.io.site_register import find_site_register

    read = find_site_register(register)
    bundle = hotspots_for(dataset, selection, params, register=None if read is None else read.sites)
    if read is not None:
        bundle.notes.append(read.describe())
    return bundle
