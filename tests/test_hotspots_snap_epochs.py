"""Snap-point epochs: a redrawn police.uk map is found and lined up; sparse data is not mistaken for one."""

from __future__ import annotations

import numpy as np
import pytest

from vrc_geo.errors import ParameterError
from vrc_geo.hotspots.snap.epochs import align_snap_epochs

MONTHS = [f"2022-{m:02d}" for m in range(1, 13)]


def _records(seed: int = 0, *, change_at: int | None = 6, sparse: bool = False):
    rng = np.random.default_rng(seed)
    old = rng.uniform(0, 5000, (300, 2)).round()
    new = old + rng.uniform(-60, 60, (300, 2)).round()  # the same streets, points moved up to ~85 m
    xs, ys, ms = [], [], []
    for i, month in enumerate(MONTHS):
        points = new if change_at is not None and i >= change_at else old
        picks = rng.uniform(0, 5000, (200, 2)).round() if sparse else points[rng.integers(0, 300, 200)]
        xs += list(picks[:, 0])
        ys += list(picks[:, 1])
        ms += [month] * 200
    return np.array(xs), np.array(ys), np.array(ms), old, new


def test_a_redrawn_map_is_found_and_old_records_move_to_the_new_points():
    x, y, m, _old, new = _records()
    ax, ay, epochs = align_snap_epochs(x, y, m, MONTHS, resnap_m=150)
    assert epochs.starts == ("2022-07",)
    # (A few old points whose new twin was never used and have no other new point within 150 m stay.)
    assert epochs.moved + epochs.kept == 6 * 200
    assert epochs.moved >= 0.98 * 6 * 200
    current = {tuple(p) for p in new}
    moved = [(px, py) in current for px, py in zip(ax, ay, strict=True)]
    assert np.mean(moved) >= 0.99
    # Later records are untouched.
    late = m >= "2022-07"
    np.testing.assert_array_equal(ax[late], x[late])
    # With a short re-snapping distance, far points keep their coordinates.
    _, _, near_only = align_snap_epochs(x, y, m, MONTHS, resnap_m=5)
    assert near_only.kept > 0
    assert "Jul 2022" in epochs.describe()


def test_no_change_and_sparse_data_are_left_alone():
    x, y, m, _, _ = _records(1, change_at=None)
    ax, _ay, epochs = align_snap_epochs(x, y, m, MONTHS)
    assert epochs.starts == ()
    np.testing.assert_array_equal(ax, x)
    # Every record at a new random point, every month: no reuse to lose, so no "change".
    x, y, m, _, _ = _records(2, change_at=None, sparse=True)
    assert align_snap_epochs(x, y, m, MONTHS)[2].starts == ()
    assert align_snap_epochs(x, y, m, MONTHS)[2].describe() == "One snap-point map throughout."


def test_bad_arguments():
    with pytest.raises(ParameterError, match="resnap_m"):
        align_snap_epochs(np.zeros(1), np.zeros(1), np.array(["2022-01"]), MONTHS, resnap_m=-1)
    with pytest.raises(ParameterError, match="drop"):
        align_snap_epochs(np.zeros(1), np.zeros(1), np.array(["2022-01"]), MONTHS, drop=0)
