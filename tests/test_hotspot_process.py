"""Hotspots worked out in worker processes (``ui.hotspot_process``) are the ones worked out in the server's.

The workers load the sample themselves; what they send back must equal the in-process bundle, a dataset they
cannot load (an upload, changed files) and a dead worker must fall back to the server's process, and errors
in the selection must reach the page as in the server's process.
"""

from __future__ import annotations

import os
import signal
import time
import types
from pathlib import Path

import pandas as pd
import pytest

from ui import hotspot_process
from vrc_geo.dataset.aggregate import Selection
from vrc_geo.errors import ParameterError

SELECTION = Selection("2022-07", "2023-01", None, None)


@pytest.fixture
def workers(sample_dir):
    started = hotspot_process.start({"data_dir": str(sample_dir), "crimes": None, "boundaries": None}, processes=2)
    assert started == 2 and hotspot_process.running()
    yield hotspot_process
    hotspot_process.stop()
    hotspot_process._refused.clear()


@pytest.mark.parametrize(("text", "expected"), [("", min(2, os.cpu_count() or 1)), ("0", 0), ("3", 3), (" 1 ", 1)])
def test_wanted_processes_reads_the_environment(text, expected):
    assert hotspot_process.wanted_processes({hotspot_process.ENV_PROCESSES: text}) == expected


@pytest.mark.parametrize("text", ["-1", "two", "1.5"])
def test_wanted_processes_refuses_other_values_by_name(text):
    with pytest.raises(hotspot_process.ProcessCountError, match="whole number from 0 up"):
        hotspot_process.wanted_processes({hotspot_process.ENV_PROCESSES: text})


def test_no_workers_means_the_server_works_it_out(sample_dataset):
    hotspot_process.stop()
    assert hotspot_process.compute(sample_dataset, SELECTION, {}, None) is None


def test_workers_send_back_what_the_server_would_work_out(workers, sample_dataset):
    here = hotspot_process.hotspots_here(sample_dataset, SELECTION, {"measure": "harm"}, None)
    there = workers.compute(sample_dataset, SELECTION, {"measure": "harm"}, None)
    assert there is not None and there.dataset is sample_dataset
    pd.testing.assert_frame_equal(there.result.table, here.result.table)
    pd.testing.assert_frame_equal(there.result.zones, here.result.zones)
    pd.testing.assert_frame_equal(there.backtest.table(), here.backtest.table())
    pd.testing.assert_frame_equal(there.backtest.calibration, here.backtest.calibration)
    assert there.notes == here.notes
    short = Selection("2022-12", "2023-01", None, None)  # too short for a backtest: the note says why
    assert (
        workers.compute(sample_dataset, short, {}, None).notes
        == hotspot_process.hotspots_here(sample_dataset, short, {}, None).notes
    )


def test_errors_in_the_selection_reach_the_page(workers, sample_dataset):
    with pytest.raises(ParameterError, match="No crime records"):
        workers.compute(sample_dataset, Selection("2022-07", "2023-01", ("E07999999",), None), {}, None)
    with pytest.raises(ParameterError, match="Unknown hotspot option"):
        workers.compute(sample_dataset, SELECTION, {"radius": 5}, None)


def test_data_the_workers_cannot_load_stays_in_the_server(workers):
    upload = types.SimpleNamespace(key="an-uploaded-dataset")
    assert workers.compute(upload, SELECTION, {}, None) is None
    assert "an-uploaded-dataset" in workers._refused  # not asked again
    assert workers.running()


def _kill_workers(pool) -> None:
    pool.submit(os.getpid).result()
    for pid in list(pool._processes):
        os.kill(pid, signal.SIGKILL)


def test_a_dead_worker_is_replaced_by_fresh_ones(workers, sample_dataset, monkeypatch, capsys):
    monkeypatch.setattr(workers, "_restarts", 0)
    first = workers._pool
    _kill_workers(first)
    assert workers.compute(sample_dataset, SELECTION, {}, None) is None  # this selection: the server's
    assert workers.running() and workers._pool is not first
    assert "fresh hotspot process(es) (1 of 3)" in capsys.readouterr().err
    again = workers.compute(sample_dataset, SELECTION, {}, None)  # the next: the fresh workers'
    assert again is not None and len(again.result.table)


def test_workers_failing_again_and_again_leave_it_to_the_server(workers, sample_dataset, monkeypatch, capsys):
    monkeypatch.setattr(workers, "_restarts", workers.MAX_RESTARTS)
    _kill_workers(workers._pool)
    assert workers.compute(sample_dataset, SELECTION, {}, None) is None
    assert not workers.running()
    assert "failed too often" in capsys.readouterr().err


def test_workers_stopped_on_purpose_are_not_restarted(workers, sample_dataset, monkeypatch):
    monkeypatch.setattr(workers, "_restarts", 0)
    pool = workers._pool
    workers.stop()
    workers._restart_after(pool)
    assert not workers.running()


def test_no_workers_where_the_system_cannot_fork_them(monkeypatch, capsys):
    import multiprocessing

    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    assert hotspot_process.start({"data_dir": None, "crimes": None, "boundaries": None}, processes=2) == 0
    assert not hotspot_process.running()
    assert "worked out in the server's process" in capsys.readouterr().err


def test_is_alive_tells_a_finished_process_apart():
    import subprocess
    import sys

    assert hotspot_process.is_alive(os.getpid())
    done = subprocess.Popen([sys.executable, "-c", "pass"])
    assert hotspot_process.is_alive(done.pid) or done.poll() is not None  # running, or already finished
    done.wait()
    assert not hotspot_process.is_alive(done.pid)
    zombie = subprocess.Popen([sys.executable, "-c", "pass"])
    stat = Path(f"/proc/{zombie.pid}/stat")
    for _ in range(1000):  # until it has finished, not yet reaped
        if stat.read_text().rsplit(")", 1)[1].split()[0] == "Z":
            break
        time.sleep(0.01)
    assert not hotspot_process.is_alive(zombie.pid)
    zombie.wait()


def test_workers_read_the_register_of_institutions_as_the_server(workers, sample_dataset, tmp_path):
    register = tmp_path / "institutions.csv"
    register.write_text(
        "Name,Site Type,Latitude,Longitude,radius_m\n"
        "Darent Valley Hospital,hospital,51.4377,0.2593,300\n"
        "Medway custody suite,police station / custody,51.3950,0.5410,\n"
        "Library,library,51.2,0.5,\n"
    )
    here = hotspot_process.hotspots_here(sample_dataset, SELECTION, {}, str(register))
    there = workers.compute(sample_dataset, SELECTION, {}, str(register))
    pd.testing.assert_frame_equal(there.result.table, here.result.table)
    pd.testing.assert_frame_equal(there.backtest.table(), here.backtest.table())
    assert there.notes == here.notes and any("register" in note for note in there.notes)


def test_a_session_asking_as_the_workers_stop_is_served_here(workers, sample_dataset):
    pool = workers._pool
    pool.shutdown(wait=True)  # as if another session had just stopped them
    assert workers.compute(sample_dataset, SELECTION, {}, None) is None


def test_a_selection_cancelled_by_another_session_stopping_them_is_served_here(workers, sample_dataset, monkeypatch):
    from concurrent.futures import Future

    def cancelled(*_args):
        future = Future()
        future.cancel()
        return future

    monkeypatch.setattr(workers._pool, "submit", cancelled)
    assert workers.compute(sample_dataset, SELECTION, {}, None) is None


def test_workers_that_do_not_answer_in_time_are_stopped(workers, sample_dataset, monkeypatch):
    monkeypatch.setattr(workers, "TIMEOUT_S", 0.01)
    monkeypatch.setattr(workers, "_restarts", workers.MAX_RESTARTS)  # restarts: the test above
    processes = list(workers._pool._processes.values())
    assert workers.compute(sample_dataset, SELECTION, {}, None) is None
    assert not workers.running()
    for process in processes:
        process.join(timeout=10)
        assert not process.is_alive()


def test_data_the_workers_cannot_read_is_worked_out_by_the_server(tmp_path, sample_dataset):
    missing = {"data_dir": str(tmp_path / "not-there"), "crimes": None, "boundaries": None}
    assert hotspot_process.start(missing, processes=1) == 1
    try:
        assert hotspot_process.compute(sample_dataset, SELECTION, {}, None) is None
        assert sample_dataset.key in hotspot_process._refused
    finally:
        hotspot_process.stop()
        hotspot_process._refused.clear()


def test_two_sessions_seeing_the_workers_die_restart_them_once(workers, sample_dataset, monkeypatch):
    import threading

    monkeypatch.setattr(workers, "_restarts", 0)
    first = workers._pool
    _kill_workers(first)
    threads = [threading.Thread(target=workers._restart_after, args=(first,)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert workers.running() and workers._pool is not first
    assert workers._restarts == 1  # the second session found them replaced and left the fresh ones alone


def test_no_restart_while_the_server_stops(workers, monkeypatch):
    monkeypatch.setattr(workers, "_restarts", 0)
    monkeypatch.setattr(workers, "_stopping", lambda: True)
    pool = workers._pool
    _kill_workers(pool)
    workers._restart_after(pool)
    assert not workers.running() and workers._restarts == 0
