"""British National Grid <-> WGS84 (vrc_geo/base/crs.py): known points, any thread, a forked child."""

from __future__ import annotations

import multiprocessing
import sys
import threading

import numpy as np
import pytest

from vrc_geo.base.crs import project_lonlat, unproject_xy

# Maidstone's county hall, near enough: OS grid reference TQ 757 557 (575,700 E, 155,700 N)
X, Y = np.array([575_700.0]), np.array([155_700.0])


def test_round_trip_and_a_known_point():
    lon, lat = unproject_xy(X, Y)
    assert lon[0] == pytest.approx(0.52, abs=0.01) and lat[0] == pytest.approx(51.27, abs=0.01)
    x, y = project_lonlat(lon, lat)
    np.testing.assert_allclose([x[0], y[0]], [X[0], Y[0]], atol=0.01)
    x, y = project_lonlat(np.array([np.nan]), np.array([51.0]))
    assert np.isnan(x[0]) and np.isnan(y[0])  # NaN stays NaN


def test_the_same_from_every_thread():
    # Streamlit runs each rerun in a new thread; pyproj keeps PROJ's objects per thread
    expected = unproject_xy(X, Y)
    found = []
    threads = [threading.Thread(target=lambda: found.append(unproject_xy(X, Y))) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(found) == 4
    for lon, lat in found:
        np.testing.assert_array_equal(lon, expected[0])
        np.testing.assert_array_equal(lat, expected[1])


def _child(queue) -> None:
    queue.put(float(unproject_xy(X, Y)[1][0]))


@pytest.mark.skipif(sys.platform == "win32", reason="fork is POSIX only")
def test_a_forked_child_projects_too():
    # the parent's projection thread does not exist in a forked child: the child must start its own
    unproject_xy(X, Y)
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_child, args=(queue,))
    child.start()
    child.join(timeout=60)
    alive = child.is_alive()
    if alive:
        child.kill()
    assert not alive, "the forked child hung projecting"
    assert queue.get(timeout=5) == pytest.approx(51.27, abs=0.01)
