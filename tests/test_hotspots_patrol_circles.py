"""Patrol circles: by-hand layouts, the greedy choice against brute force, spacing and blocked points."""

from __future__ import annotations

import numpy as np
import pytest

from vrc_geo.errors import ParameterError
from vrc_geo.hotspots.patrol_circles import PatrolDiscs, candidate_centres


def _fit(xy, value, **kw):
    xy = np.asarray(xy, dtype="float64")
    options = {k: kw.pop(k) for k in ("blocked", "taken") if k in kw}
    return PatrolDiscs(**kw).fit(xy[:, 0], xy[:, 1], np.asarray(value, dtype="float64"), **options)


def test_two_points_60_m_apart_share_one_circle():
    d = _fit([[0, 0], [60, 0]], [1, 1])
    assert d.discs_[["x", "y", "value", "snap_points"]].values.tolist() == [[30, 0, 2, 2]]
    assert d.member_.tolist() == [0, 0]


def test_points_too_far_apart_get_a_circle_each_busiest_first():
    d = _fit([[0, 0], [100, 0]], [1, 3])
    assert d.discs_[["x", "y", "value"]].values.tolist() == [[100, 0, 3], [0, 0, 1]]
    assert d.member_.tolist() == [1, 0]


def test_a_busy_point_beside_a_taken_circle_gets_a_circle_just_clear_of_it():
    # 0, 50, 100 m: the first circle (tie broken to the lower x) covers 0 and 50 from x = 25; the point at
    # 100 m is 75 m from it, so its own circle would overlap: it is moved to 105 m (80 m away) instead.
    d = _fit([[0, 0], [50, 0], [100, 0]], [1, 1, 1])
    assert d.discs_[["x", "y"]].values.tolist() == [[25, 0], [105, 0]]
    assert d.member_.tolist() == [0, 0, 1]


def test_circles_keep_clear_of_blocked_points_and_taken_circles():
    # A busy point 30 m from a prison's snap point cannot be the centre; the midpoint with a neighbour
    # 60 m the other way keeps the prison outside the circle.
    d = _fit([[0, 0], [-60, 0]], [5, 1], blocked=np.array([[30.0, 0.0]]))
    assert d.discs_[["x", "y", "value"]].values.tolist() == [[-30, 0, 6]]
    alone = _fit([[0, 0]], [5], blocked=np.array([[30.0, 0.0]]))
    assert alone.discs_.empty and alone.member_.tolist() == [-1]
    # A circle already placed (the local route's) is kept clear of: the shifted circle lies 80 m away.
    kept = _fit([[0, 0]], [5], taken=np.array([[50.0, 0.0]]))
    assert kept.discs_[["x", "y"]].values.tolist() == [[-30, 0]]


def test_min_value_and_overlap():
    xy, value = [[0, 0], [200, 0], [400, 0]], [3, 1, 0.5]
    assert _fit(xy, value, min_value=1).discs_["value"].tolist() == [3, 1]
    assert _fit(xy, value, min_value=0).discs_["value"].tolist() == [3, 1, 0.5]
    # allow_overlap: a plain greedy set cover (used to draw a local concentration's footprint).
    cover = _fit([[0, 0], [50, 0], [100, 0]], [1, 1, 1], allow_overlap=True, min_value=0)
    assert cover.discs_[["x", "y"]].values.tolist() == [[25, 0], [75, 0]]  # ties: the lower x


def _brute_greedy(xy, value, reach, min_value):
    """Greedy maximal covering with overlap allowed, every candidate re-valued at every step."""
    centres = candidate_centres(xy, reach)
    inside = np.hypot(*(centres[:, None, :] - xy[None, :, :]).transpose(2, 0, 1)) <= reach
    covered = np.zeros(len(xy), dtype=bool)
    out = []
    while True:
        totals = np.round((inside & ~covered).astype(float) @ value, 9)
        order = np.lexsort((centres[:, 1], centres[:, 0], -totals))
        best = order[0]
        if totals[best] <= 0 or totals[best] < min_value:
            return out
        out.append((centres[best, 0], centres[best, 1], totals[best]))
        covered |= inside[best]


@pytest.mark.parametrize("seed", range(8))
def test_lazy_greedy_equals_brute_force(seed):
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, 300, (40, 2)).round()
    xy = np.unique(xy, axis=0)
    value = rng.gamma(0.5, 1.0, len(xy)).round(3)
    got = _fit(xy, value, min_value=0.5, allow_overlap=True).discs_
    want = _brute_greedy(xy, value, 38.0, 0.5)
    assert len(got) == len(want)
    np.testing.assert_allclose(got[["x", "y", "value"]].to_numpy(), np.array(want).reshape(-1, 3))


@pytest.mark.parametrize("seed", range(4))
def test_no_overlap_nothing_blocked_inside_and_any_row_order(seed):
    rng = np.random.default_rng(seed)
    xy = np.unique(rng.uniform(0, 600, (150, 2)).round(), axis=0)
    value = rng.gamma(0.7, 1.0, len(xy))
    blocked = rng.uniform(0, 600, (5, 2))
    d = _fit(xy, value, min_value=0.3, blocked=blocked)
    c = d.discs_[["x", "y"]].to_numpy()
    gaps = np.hypot(*(c[:, None, :] - c[None, :, :]).transpose(2, 0, 1))
    assert (gaps[np.triu_indices(len(c), 1)] >= 80 - 1e-6).all()
    assert (np.hypot(*(c[:, None, :] - blocked[None, :, :]).transpose(2, 0, 1)) > 40).all()
    # Every member lies within reach of its circle, and each circle's value is its members' sum.
    for k, (cx, cy) in enumerate(c):
        members = d.member_ == k
        assert (np.hypot(xy[members, 0] - cx, xy[members, 1] - cy) <= 38 + 1e-9).all()
        assert d.discs_["value"].iloc[k] == pytest.approx(value[members].sum())
    perm = rng.permutation(len(xy))
    again = _fit(xy[perm], value[perm], min_value=0.3, blocked=blocked)
    assert again.discs_.equals(d.discs_)
    assert (again.member_ == d.member_[perm]).all()


def test_bad_arguments():
    with pytest.raises(ParameterError, match="margin_m"):
        _fit([[0, 0]], [1], radius_m=10, margin_m=10)
    with pytest.raises(ParameterError, match="radius_m"):
        _fit([[0, 0]], [1], radius_m=0)
    with pytest.raises(ParameterError, match="non-negative"):
        _fit([[0, 0]], [-1])
    with pytest.raises(ParameterError, match="same length"):
        PatrolDiscs().fit(np.zeros(2), np.zeros(2), np.zeros(3))
    with pytest.raises(ParameterError, match="allow_overlap"):
        _fit([[0, 0]], [1], allow_overlap="yes")


def _naive(xy, value, *, radius=40.0, margin=2.0, min_value=1.0, blocked=None, taken=None):
    """The greedy of the module docstring, every live candidate re-valued at every step, overlap
    forbidden: a clashing candidate gives way, once, to a copy moved 2 * radius from the circle it
    clashes with."""
    order = np.lexsort((xy[:, 1], xy[:, 0]))
    xy, value = xy[order], value[order]
    reach = radius - margin
    fence = np.zeros((0, 2)) if blocked is None else blocked
    centres = [] if taken is None else [tuple(map(float, c)) for c in taken]
    cands = [(float(a), float(b), True) for a, b in candidate_centres(xy, reach)]

    def open_at(cx, cy):
        return len(fence) == 0 or np.hypot(fence[:, 0] - cx, fence[:, 1] - cy).min() > radius

    def inside(cx, cy):
        return np.hypot(xy[:, 0] - cx, xy[:, 1] - cy) <= reach

    live = [i for i, (a, b, _) in enumerate(cands) if open_at(a, b)]
    covered = np.zeros(len(xy), dtype=bool)
    member = np.full(len(xy), -1)
    rows = []
    while live:
        vals = {i: round(float(value[inside(*cands[i][:2]) & ~covered].sum()), 9) for i in live}
        live = [i for i in live if vals[i] > 0]
        if not live:
            break
        best = min(live, key=lambda i: (-vals[i], cands[i][0], cands[i][1], i))
        cx, cy, original = cands[best]
        if vals[best] < min_value:
            break
        live.remove(best)
        near = [(np.hypot(cx - a, cy - b), (a, b)) for a, b in centres]
        near = [d for d in near if d[0] < 2 * radius - 1e-9]
        if near:
            gap, (a, b) = min(near)
            if original and gap > 0:
                sx, sy = a + (cx - a) * 2 * radius / gap, b + (cy - b) * 2 * radius / gap
                if value[inside(sx, sy) & ~covered].sum() > 0 and open_at(sx, sy):
                    cands.append((sx, sy, False))
                    live.append(len(cands) - 1)
            continue
        m = inside(cx, cy) & ~covered
        covered |= m
        member[order[m]] = len(rows)
        rows.append((cx, cy, vals[best], int(m.sum())))
        centres.append((cx, cy))
    return np.array(rows, dtype="float64").reshape(-1, 4), member


@pytest.mark.parametrize("seed", range(12))
def test_lazy_greedy_with_spacing_equals_the_naive_greedy(seed):
    rng = np.random.default_rng(100 + seed)
    n = int(rng.integers(5, 60))
    xy = rng.uniform(0, 300, (n, 2)).round(int(seed % 2)) + np.array([600000.0, 150000.0]) * (seed % 3 == 0)
    value = rng.gamma(0.5, 1, n).round(2) if seed % 2 else rng.integers(0, 3, n).astype(float)
    base = xy.min(axis=0)
    blocked = base + rng.uniform(0, 300, (int(rng.integers(0, 4)), 2))
    taken = base + rng.uniform(0, 300, (int(rng.integers(0, 3)), 2))
    min_value = float(rng.choice([0.0, 0.5, 1.0]))
    got = _fit(xy, value, min_value=min_value, blocked=blocked, taken=taken)
    want, member = _naive(xy, value, min_value=min_value, blocked=blocked, taken=taken)
    np.testing.assert_allclose(got.discs_.to_numpy(dtype="float64"), want, atol=1e-9)
    assert (got.member_ == member).all()


def test_bad_blocked_and_taken():
    for bad in (np.array([[0.0, np.nan]]), np.zeros(3), [[1.0, 2.0, 3.0]]):
        with pytest.raises(ParameterError, match="blocked"):
            _fit([[0, 0]], [1], blocked=bad)
        with pytest.raises(ParameterError, match="taken"):
            _fit([[0, 0]], [1], taken=bad)
    with pytest.raises(ParameterError, match="taken"):
        _fit([[0, 0]], [1], taken=np.array([[np.inf, 0.0]]))
