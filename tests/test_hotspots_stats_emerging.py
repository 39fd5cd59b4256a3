"""Mann-Kendall by hand, and every emerging hot-spot class from a constructed history."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats
from test_hotspots_stats_gistar import grid

from vrc_geo.errors import ParameterError
from vrc_geo.hotspots import EmergingHotSpots, mann_kendall
from vrc_geo.hotspots.stats.emerging import classify_series, space_time_gistar
from vrc_geo.hotspots.stats.spatial_weights import contiguity_weights


def test_mann_kendall_by_hand():
    s, var, z, p = mann_kendall(np.array([1.0, 2.0, 3.0, 4.0, 5.0]))
    assert s == 10  # every pair increases
    assert var == pytest.approx(5 * 4 * 15 / 18)
    assert z == pytest.approx((10 - 1) / np.sqrt(var))
    assert p == pytest.approx(2 * stats.norm.sf(z))
    s, var, _, _ = mann_kendall(np.array([1.0, 1.0, 2.0, 3.0]))
    assert s == 5
    assert var == pytest.approx((4 * 3 * 13 - 2 * 1 * 9) / 18)  # one tie of two
    assert mann_kendall(np.array([3.0, 3.0, 3.0]))[3] == 1.0
    assert mann_kendall(np.array([1.0, 2.0]))[3] == 1.0


def _classify(hot: str, cold: str = "", trend_z: float = 0.0, trend_p: float = 1.0) -> str:
    h = np.array([c == "H" for c in hot])
    c = np.array([ch == "C" for ch in (cold or "." * len(hot))])
    return classify_series(h, c, trend_z, trend_p, alpha=0.05)


@pytest.mark.parametrize(
    ("hot", "cold", "z", "p", "expected"),
    [
        ("..........H", "", 0, 1, "new hot spot"),
        ("........HHH", "", 0, 1, "consecutive hot spot"),
        ("HHHHHHHHHHH", "", 3, 0.01, "intensifying hot spot"),
        ("HHHHHHHHHHH", "", 0.5, 0.6, "persistent hot spot"),
        ("HHHHHHHHHHH", "", -3, 0.01, "diminishing hot spot"),
        ("..H..H....H", "", 0, 1, "sporadic hot spot"),
        ("..H..H....H", ".C.........", 0, 1, "oscillating hot spot"),
        ("HHHHHHHHHH.", "", 0, 1, "historical hot spot"),
        ("..H..H....H", "C..........", 0, 1, "oscillating hot spot"),
        ("........HHH", "C..........", 0, 1, "consecutive hot spot"),
        ("...........", "CCCCCCCCCC.", 0, 1, "historical cold spot"),
        ("HHHHHHHHHH.", "..........C", 0, 1, "new cold spot"),
        ("...........", "..........C", 0, 1, "new cold spot"),
        ("...........", "CCCCCCCCCCC", 3, 0.01, "diminishing cold spot"),
        ("...........", "", 0, 1, "no pattern"),
        ("H..........", "", 0, 1, "no pattern"),
    ],
)
def test_every_class(hot, cold, z, p, expected):
    assert _classify(hot, cold, z, p) == expected


def _arcgis(hot: np.ndarray, cold: np.ndarray, trend: int) -> str:
    """ArcGIS Pro's pattern definitions, transcribed one by one (``trend``: +1 significant upward,
    -1 significant downward, 0 none), with the documented precedence: the final period decides the
    family; a location significant in neither family at the end can only be historical."""
    n = len(hot)

    def family(h: np.ndarray, c: np.ndarray, t: int, word: str) -> str:
        share = h.sum() / n
        idx = np.flatnonzero(h)
        run_start = n - 1
        while run_start > 0 and h[run_start - 1]:
            run_start -= 1
        single_final_run = idx.min() == run_start
        if share >= 0.9 and t > 0:
            return f"intensifying {word}"
        if share >= 0.9 and t < 0:
            return f"diminishing {word}"
        if share >= 0.9:
            return f"persistent {word}"
        if h.sum() == 1:
            return f"new {word}"
        if single_final_run and n - run_start >= 2:
            return f"consecutive {word}"
        if c.any():
            return f"oscillating {word}"
        return f"sporadic {word}"

    if hot[-1]:
        return family(hot, cold, trend, "hot spot")
    if cold[-1]:
        return family(cold, hot, -trend, "cold spot")
    if hot.sum() / n >= 0.9:
        return "historical hot spot"
    if cold.sum() / n >= 0.9:
        return "historical cold spot"
    return "no pattern"


def test_every_13_period_hot_history_against_the_arcgis_definitions():
    n = 13
    none = np.zeros(n, dtype=bool)
    for code in range(2**n):
        hot = np.array([(code >> (n - 1 - i)) & 1 for i in range(n)], dtype=bool)
        for trend, (z, p) in ((1, (3.0, 0.001)), (-1, (-3.0, 0.001)), (0, (0.4, 0.7))):
            got = classify_series(hot, none, z, p, alpha=0.05)
            assert got == _arcgis(hot, none, trend), (hot.astype(int).tolist(), trend)


def test_mixed_hot_and_cold_histories_against_the_arcgis_definitions():
    rng = np.random.default_rng(0)
    n = 13
    for _ in range(20000):
        state = rng.choice([-1, 0, 1], n, p=[0.25, 0.4, 0.35])
        hot, cold = state == 1, state == -1
        trend = int(rng.choice([-1, 0, 1]))
        z, p = {1: (3.0, 0.001), -1: (-3.0, 0.001), 0: (0.2, 0.8)}[trend]
        assert classify_series(hot, cold, z, p, alpha=0.05) == _arcgis(hot, cold, trend), state.tolist()


def test_historical_means_ninety_percent_of_all_periods():
    # 12 of 13 hot with the final not hot: 92 % of all periods -> historical.
    assert _classify("HHHHHHHHHHHH.") == "historical hot spot"
    # 11 of 13 hot (85 %), final not hot: was "historical" under 90 % of the earlier 12 periods; not now.
    assert _classify("HHHHHHHHHHH..") == "no pattern"


def test_model_on_a_growing_and_a_new_hotspot():
    areas = grid(5)
    w = contiguity_weights(areas)
    rng = np.random.default_rng(1)
    periods = 12
    base = rng.poisson(10, (periods, 25)).astype(float)
    growing = base.copy()
    growing[:, [0, 1, 5, 6]] += np.linspace(30, 150, periods)[:, None]  # a block hot throughout, rising
    # Each month against itself (the earlier version): hot throughout, rising -> intensifying.
    per_month = EmergingHotSpots(time_step=0, global_window="period").fit(growing, w)
    assert per_month.classes_[0] in {"intensifying hot spot", "persistent hot spot"}
    # Against the whole cube (ArcGIS's default): its first months are not hot next to its later ones,
    # so it is a run of hot months ending now.
    model = EmergingHotSpots().fit(growing, w)
    assert model.classes_[0] == "consecutive hot spot"
    assert not model.gi_bin_[0, 0] and model.gi_bin_[-1, 0] == 3
    assert model.trend_z_[0] > 0
    assert model.z_.shape == (periods, 25)
    late = base.copy()
    late[-1, [18, 19, 23, 24]] += 300  # a block hot only in the final period
    model = EmergingHotSpots().fit(late, w)
    assert model.classes_[24] == "new hot spot"
    assert model.classes_[12] == "no pattern"


def test_bad_arguments():
    w = contiguity_weights(grid(2))
    with pytest.raises(ParameterError, match="at least 2 periods"):
        EmergingHotSpots().fit(np.ones((1, 4)), w)
    with pytest.raises(ParameterError, match="trend_alpha"):
        EmergingHotSpots(trend_alpha=0).fit(np.ones((3, 4)), w)
    with pytest.raises(ParameterError, match="time_step=0"):
        EmergingHotSpots(global_window="period").fit(np.ones((3, 4)), w)


def _gistar_by_hand(values, w, time_step, whole_cube):
    """Space-time Gi* from its definition, one bin at a time (loops, no matrices)."""
    n_periods, n_areas = values.shape
    out = np.zeros_like(values)
    for t in range(n_periods):
        bins = values.ravel() if whole_cube else values[t]
        n, mean, sd = len(bins), bins.mean(), bins.std()
        for i in range(n_areas):
            near = [i, *w.neighbors[i]]
            cells = [(s, j) for s in range(max(0, t - time_step), t + 1) for j in near]
            total = sum(values[s, j] for s, j in cells)
            k = len(cells)
            out[t, i] = (total - mean * k) / (sd * np.sqrt((n * k - k * k) / (n - 1)))
    return out


@pytest.mark.parametrize(("time_step", "window"), [(1, "cube"), (2, "cube"), (0, "cube"), (0, "period")])
def test_space_time_gistar_equals_its_definition(time_step, window):
    areas = grid(4)
    w = contiguity_weights(areas)
    values = np.random.default_rng(time_step).poisson(6, (7, 16)).astype(float)
    values[:, [5, 6, 9]] += np.arange(7)[:, None] * 3
    ours = space_time_gistar(values, w, time_step=time_step, global_window=window)
    np.testing.assert_allclose(ours, _gistar_by_hand(values, w, time_step, window == "cube"), rtol=1e-10)


def test_one_month_on_its_own_equals_esda():
    from esda.getisord import G_Local

    areas = grid(5)
    w = contiguity_weights(areas)
    values = np.random.default_rng(4).poisson(8, (3, 25)).astype(float)
    ours = space_time_gistar(values, w, time_step=0, global_window="period")
    for t in range(3):
        ref = G_Local(values[t], w, transform="B", star=True, permutations=0)
        np.testing.assert_allclose(ours[t], ref.Zs, rtol=1e-9)
