"""Hotspots worked out in a process of their own, so a room's Hotspots pages do not queue on the pages' one.

Streamlit runs every session's script in one Python process: a new period or district on the Hotspots page
(new hotspots, zones and a backtest, seconds of CPU) held up every other person's rerun, and several of them
at once took turns on one core of two. ``python -m ui.serve`` starts ``VRC_GEO_HOTSPOT_PROCESSES`` worker
processes (default: two, or one on a one-core machine; ``0`` keeps the work in the server's process, as
plain ``streamlit run app.py`` and the AppTests do). A selection is four tasks, two at a time: its
places to patrol and its backtest (independent), then, from the places, the ranked list and the patrol
zones (independent again; :func:`vrc_geo.hotspots.rank.find_hotspots` runs the same steps in turn).
Each worker loads the server's data itself (from the disk
cache the server built; again when the files change, as for a session's "Reload data") and keeps the
statistics it shares between selections; the server's shared cache
(``ui.data``) still keeps each selection's result, so a selection is worked out once. More workers serve
more people choosing new selections at once, each holding its own copy of the data (about 0.5 GB on the
sample).

Only the server's own data goes to a worker: a dataset the worker cannot load under the same version (an
upload on the Data page) is worked out in the server's process as before, and so is everything when the
system cannot fork workers (Windows). A worker that dies or hangs takes the pool with it: that selection
is worked out in the server's process and fresh workers are started, up to :data:`MAX_RESTARTS` times a
server (then the server's process does it all, as without workers). Measured in ``benchmarks/bench_load.py`` and
``bench_hotspot_process.py``; see docs/deploy.md.
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import threading
import time
from collections import OrderedDict
from concurrent.futures import CancelledError, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import TYPE_CHECKING, Any

from vrc_geo.hotspots.rank import with_zones
from vrc_geo.hotspots.service import HotspotBundle

if TYPE_CHECKING:
    import geopandas as gpd
    import pandas as pd

    from vrc_geo.dataset.aggregate import Selection
    from vrc_geo.dataset.store import PoliceDataset
    from vrc_geo.hotspots.evaluate.backtest import BacktestResult
    from vrc_geo.hotspots.places import PlaceList
    from vrc_geo.hotspots.rank import HotspotResult

__all__ = ["ENV_PROCESSES", "compute", "hotspots_here", "running", "start", "stop", "wanted_processes"]

ENV_PROCESSES = "VRC_GEO_HOTSPOT_PROCESSES"
_PRELOAD = ["vrc_geo.hotspots.service", "vrc_geo.io.site_register", "vrc_geo.dataset.store", "vrc_geo.config"]
_KEPT_DATASETS = 2  # as the server's cache: the current data version and the one before a reload

_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None
_flags: dict[str, Any] = {}
_refused: OrderedDict[str, None] = OrderedDict()  # datasets the workers could not load (uploads), newest last
_KEPT_REFUSED = 16
MAX_RESTARTS = 3  # fresh workers after a crash or a hang, at most this many times a server
_restarts = 0
_restart_lock = threading.Lock()
_last_started: ProcessPoolExecutor | None = None  # the pool start() made last (a restart replaces only it)
TIMEOUT_S = 900.0  # a selection of ten years takes a minute at most; a worker silent this long is stuck


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
    load it now; returns how many were started. Call once the server has loaded the data (so the disk
    cache is built once, by the server) and before Streamlit runs any script (``ui.serve``): the workers
    are forked from a server process started here, with the analysis stack imported once (fresh workers
    after a crash are forked from that same process)."""
    global _pool, _flags, _last_started
    _halt(kill=False)
    _last_started = None
    if processes <= 0:
        return 0
    if "forkserver" not in multiprocessing.get_all_start_methods():  # Windows: a spawned worker would run app.py
        print("No hotspot processes on this system; hotspots are worked out in the server's process.", file=sys.stderr)
        return 0
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(_PRELOAD)
    with _lock:
        _flags = dict(flags)
        _pool = _last_started = ProcessPoolExecutor(
            max_workers=processes, mp_context=context, initializer=_watch_server, initargs=(os.getpid(),)
        )
    try:
        for _ in range(processes):
            _pool.submit(_load, _flags).add_done_callback(_report_load)
    except (OSError, RuntimeError) as exc:  # no process could be started: work in this one
        print(f"No hotspot process started ({exc}); hotspots are worked out in the server's process.", file=sys.stderr)
        _last_started = None
        _halt(kill=False)
        return 0
    return processes


def _report_load(future: Future) -> None:
    if not future.cancelled() and future.exception() is not None:
        exc = future.exception()
        print(f"A hotspot process could not load the data ({type(exc).__name__}: {exc}).", file=sys.stderr)


def running() -> bool:
    """Whether hotspots go to worker processes."""
    return _pool is not None


def stop(*, kill: bool = False) -> None:
    """Stop the workers (``kill``: at once, even in the middle of a selection); hotspots are worked out in
    this process from then on (no restart)."""
    global _last_started
    with _restart_lock:
        _last_started = None
        _halt(kill=kill)


def _halt(*, kill: bool) -> None:
    global _pool
    with _lock:
        pool, _pool = _pool, None
    if pool is None:
        return
    if kill:
        for process in list(getattr(pool, "_processes", {}).values()):
            process.kill()
    pool.shutdown(wait=False, cancel_futures=True)


def compute(
    dataset: PoliceDataset, selection: Selection, params: dict[str, Any], register: str | None
) -> HotspotBundle | None:
    """The hotspot bundle worked out by the workers, or ``None`` when this process should work it out: no
    workers, a dataset the workers cannot load, a worker that died or did not answer within
    ``TIMEOUT_S`` (the workers are then replaced, :func:`_restart_after`). ``register``: the path of a
    register of institutions, or ``None``. Errors in the data or the options are raised here as in this process.

    Four tasks: the places (:func:`vrc_geo.hotspots.rank.rank_places`) and the backtest at once; then,
    from the places, the ranked list and the patrol zones at once (each a second or so on the county)."""
    pool = _pool
    if pool is None or dataset.key in _refused:
        return None
    pending: list[Future] = []
    try:
        placed = _submit(pool, pending, _places, dataset.key, selection, params, register)
        tested = _submit(pool, pending, _backtest, dataset.key, selection, params, register)
        found = placed.result(timeout=TIMEOUT_S)
        if found is None:
            _refuse(dataset.key, pending)
            return None
        places, read_note = found
        listed = _submit(pool, pending, _list, dataset.key, selection, params, places)
        zoned = _submit(pool, pending, _zones, dataset.key, selection, params, places)
        result, zones, scored = (f.result(timeout=TIMEOUT_S) for f in (listed, zoned, tested))
    except _StoppedError:  # stopped by another session a moment ago
        return None
    except (BrokenProcessPool, CancelledError, TimeoutError) as exc:
        if not isinstance(exc, CancelledError):  # cancelled: stopped by another session; else stop them now
            print(f"A hotspot process {_FAILED[type(exc)]}; this selection is worked out here.", file=sys.stderr)
            _restart_after(pool)
        return None
    except BaseException:
        for future in pending:
            future.cancel()  # the selection's own error: nobody will read the rest
        raise
    if result is None or zones is None or scored is None:
        _refuse(dataset.key, pending)
        return None
    backtest, backtest_note = scored
    result = with_zones(result, *zones)
    notes = [*result.notes, *(n for n in (backtest_note, read_note) if n)]
    return HotspotBundle(result, backtest, dataset, notes)


def _restart_after(failed: ProcessPoolExecutor) -> None:
    """Stop ``failed`` and start fresh workers in its place, once, whichever session saw it fail first;
    up to :data:`MAX_RESTARTS` times, and never while the server is stopping (Ctrl-C reaches the workers
    too); after that the server's process works everything out."""
    global _restarts, _last_started
    time.sleep(_SHUTDOWN_GRACE_S)  # a Ctrl-C kills the workers at once; the server notices a moment later
    with _restart_lock:
        if failed is not _last_started:
            return  # stopped on purpose, or another session has replaced them already
        _halt(kill=True)  # ``failed`` itself: only this lock's holders replace it
        if _stopping():
            _last_started = None
            return
        if _restarts >= MAX_RESTARTS:
            _last_started = None
            print(
                "Hotspot processes failed too often; hotspots are worked out in the server's process.", file=sys.stderr
            )
            return
        _restarts += 1
        processes = getattr(failed, "_max_workers", 1)
        print(f"Starting {processes} fresh hotspot process(es) ({_restarts} of {MAX_RESTARTS}).", file=sys.stderr)
        start(_flags, processes=processes)


_SHUTDOWN_GRACE_S = 0.5


def _stopping() -> bool:
    """Whether this server is shutting down (Streamlit's runtime stopping, or Python exiting)."""
    if sys.is_finalizing():
        return True
    from streamlit.runtime import Runtime

    if not Runtime.exists():
        return False
    return Runtime.instance().state.name in ("STOPPING", "STOPPED")


def _refuse(key: str, pending: list[Future]) -> None:
    """A dataset the workers could not load: this process works it out, now and from now on."""
    for future in pending:
        future.cancel()
    with _lock:
        _refused[key] = None
        while len(_refused) > _KEPT_REFUSED:
            _refused.popitem(last=False)


_FAILED = {BrokenProcessPool: "stopped", TimeoutError: "did not answer in time"}


class _StoppedError(Exception):
    """The workers were stopped (by another session) between two tasks of a selection."""


def _submit(pool: ProcessPoolExecutor, pending: list[Future], task: Any, *args: Any) -> Future:
    """``task(flags, *args)`` on a worker, kept in ``pending``; :class:`_StoppedError` when the pool was shut down."""
    try:
        future = pool.submit(task, _flags, *args)
    except BrokenProcessPool:
        raise
    except RuntimeError as exc:  # "cannot schedule new futures after shutdown"
        raise _StoppedError from exc
    pending.append(future)
    return future


# ---- inside a worker ------------------------------------------------------------------------------------

_datasets: dict[str, tuple[str, PoliceDataset]] = {}  # dataset key -> (data version, dataset)
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
    """Load the data the server finds, as its files are now (from the disk cache the server built; a
    version held already is not loaded again); returns its key."""
    from vrc_geo.config import find_sources
    from vrc_geo.dataset.store import load_police, sources_fingerprint

    sources = find_sources(**flags)
    version = sources_fingerprint(sources)  # the files' digests are kept: milliseconds
    for key, (held, _) in _datasets.items():
        if held == version:
            return key
    dataset = load_police(sources)
    _datasets.pop(dataset.key, None)  # the same records, other registers of institutions: replaced
    while len(_datasets) >= _KEPT_DATASETS:
        _datasets.pop(next(iter(_datasets)))
    _datasets[dataset.key] = (version, dataset)
    dataset.analysis_records  # noqa: B018  (read now, not at the first selection)
    return dataset.key


def _dataset(flags: dict[str, Any], key: str) -> PoliceDataset | None:
    """The dataset ``key`` as the files are now, or ``None`` (the files hold another version, or could not be
    read): the server then works the selection out with the data it holds."""
    try:
        found = _load(flags)
    except Exception as exc:  # any failure here is the server's to handle, with the data it holds
        print(f"A hotspot process could not load the data ({type(exc).__name__}: {exc}).", file=sys.stderr)
        return None
    return _datasets[key][1] if found == key else None


def _places(
    flags: dict[str, Any], key: str, selection: Selection, params: dict[str, Any], register: str | None
) -> tuple[PlaceList, str | None] | None:
    """The places to patrol, and what the register of institutions held (``None``: data version not
    found)."""
    from vrc_geo.hotspots.rank import prepare_inputs, rank_places
    from vrc_geo.io.site_register import find_site_register

    dataset = _dataset(flags, key)
    if dataset is None:
        return None
    read = find_site_register(register)
    places = rank_places(prepare_inputs(dataset, selection, **params), register=None if read is None else read.sites)
    return places, None if read is None else read.describe()


def _list(
    flags: dict[str, Any], key: str, selection: Selection, params: dict[str, Any], places: PlaceList
) -> HotspotResult | None:
    """The ranked list of ``places`` (no zones yet; ``None``: data version not found)."""
    from vrc_geo.hotspots.rank import list_places, prepare_inputs

    dataset = _dataset(flags, key)
    return None if dataset is None else list_places(prepare_inputs(dataset, selection, **params), places)


def _zones(
    flags: dict[str, Any], key: str, selection: Selection, params: dict[str, Any], places: PlaceList
) -> tuple[gpd.GeoDataFrame, pd.Series] | None:
    """The patrol zones of ``places`` and the zone of each (``None``: data version not found)."""
    from vrc_geo.hotspots.rank import group_zones, prepare_inputs

    dataset = _dataset(flags, key)
    return None if dataset is None else group_zones(prepare_inputs(dataset, selection, **params), places)


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
