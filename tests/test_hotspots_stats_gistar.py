"""Gi*: equal to esda on the same input, FDR classes, weights with islands, bad arguments."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from esda.getisord import G_Local

from vrc_geo.errors import ParameterError
from vrc_geo.hotspots import GiStar, hotspot_gistar
from vrc_geo.hotspots.stats import gistar
from vrc_geo.hotspots.stats.gistar import _exact_conditional_p, adjust_pvalues, adjusted_if_moved, confidence_bins
from vrc_geo.hotspots.stats.spatial_weights import contiguity_weights


def grid(n: int, *, gap_at: int | None = None) -> gpd.GeoDataFrame:
    """n x n unit squares (1 km); with gap_at, that column is shifted 5 km east (a detached group)."""
    shapes, codes = [], []
    for i in range(n):
        for j in range(n):
            x0 = i * 1000 + (5000 if gap_at is not None and i >= gap_at else 0)
            shapes.append(shapely.box(x0, j * 1000, x0 + 1000, j * 1000 + 1000))
            codes.append(f"W{i:02d}{j:02d}")
    return gpd.GeoDataFrame({"code": codes}, geometry=shapes, crs="EPSG:27700")


def test_values_equal_esda_on_the_same_input():
    areas = grid(8)
    rng = np.random.default_rng(3)
    y = rng.poisson(5, len(areas)).astype(float)
    block = [8 * i + j for i in range(2, 5) for j in range(2, 5)]  # a hot 3 x 3 block
    y[block] += 40
    w = contiguity_weights(areas)
    ours = GiStar(permutations=999, seed=11).fit(y, w)
    ref = G_Local(y, w, transform="B", star=True, permutations=999, seed=11, n_jobs=1, keep_simulations=True)
    np.testing.assert_allclose(ours.z_, ref.Zs)
    np.testing.assert_allclose(ours.p_norm_, np.minimum(1, 2 * ref.p_norm))
    # The same draws as esda; both tails counted by hand with ties on both sides.
    high = ((ref.rGs >= ref.Gs[:, None] - 1e-12).sum(axis=1) + 1) / 1000
    low = ((ref.rGs <= ref.Gs[:, None] + 1e-12).sum(axis=1) + 1) / 1000
    np.testing.assert_allclose(ours.p_sim_, np.minimum(1, 2 * np.minimum(high, low)))
    np.testing.assert_array_equal(ours.tail_, np.where(low < high, -1, 1))
    # Where no draw ties the observation, that is esda's folded p-value, doubled.
    untied = ~np.isclose(ref.rGs, ref.Gs[:, None], rtol=1e-12, atol=0).any(axis=1)
    assert untied.sum() >= 3
    np.testing.assert_allclose(ours.p_sim_[untied], np.minimum(1, 2 * ref.p_sim[untied]))
    # With whole counts most areas tie some draws: esda leaves them out of the cold tail, so its cold
    # p-values are never larger than ours, and here some are smaller.
    folded = np.minimum(1, 2 * ref.p_sim)
    cold = ours.tail_ < 0
    assert (ours.p_sim_[cold] >= folded[cold] - 1e-12).all() and (ours.p_sim_[cold] > folded[cold]).any()
    centre = 8 * 3 + 3
    # 999 permutations give p >= 0.002; after FDR over 64 areas that is 95 % at best. Analytic: 99 %.
    assert ours.gi_bin_[centre] == 2
    assert GiStar(inference="analytic", permutations=0).fit(y, w).gi_bin_[centre] == 3
    assert (ours.gi_bin_[[0, 7, 56, 63]] <= 0).all()


def test_same_seed_same_answer_and_order_of_areas_does_not_matter():
    areas = grid(5)
    values = pd.Series(np.arange(25, dtype=float) ** 1.5, index=areas["code"])
    a = hotspot_gistar(values, areas, seed=4)
    b = hotspot_gistar(values, areas, seed=4)
    pd.testing.assert_frame_equal(a, b)
    shuffled = areas.sample(frac=1, random_state=2).reset_index(drop=True)
    c = hotspot_gistar(values, shuffled, inference="analytic").set_index("code").loc[a["code"]]
    d = hotspot_gistar(values, areas, inference="analytic").set_index("code")
    np.testing.assert_allclose(c["gi_z"], d["gi_z"])


def test_fdr_classes_by_hand():
    p = np.array([0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205, 0.212, 0.216])
    q = adjust_pvalues(p, "fdr")
    # Benjamini-Hochberg: q_(i) = min_{j>=i} p_(j) * n / j
    expected = np.minimum.accumulate((p * 10 / np.arange(1, 11))[::-1])[::-1]
    np.testing.assert_allclose(q, expected)
    assert confidence_bins(np.array([2.0, -2.0, 1.0, 3.0]), np.array([0.005, 0.03, 0.09, 0.2])).tolist() == [
        3,
        -2,
        1,
        0,
    ]
    np.testing.assert_array_equal(adjust_pvalues(p, "none"), p)


def test_adjusted_if_moved_is_each_changed_copy_adjusted(monkeypatch):
    rng = np.random.default_rng(3)
    p = np.round(rng.random(40) ** 3, 3)  # rounded: ties, as permutation p-values have
    p[:4] = 0.05
    which = np.array([0, 3, 7, 7, 39, 12, 0])
    moved = np.array([0.0, 0.2, 0.001, 1.0, 0.05, p[12], 0.049])
    for correction in ("fdr", "none"):
        by_hand = []
        for i, v in zip(which, moved, strict=True):
            trial = p.copy()
            trial[i] = v
            by_hand.append(adjust_pvalues(trial, correction)[i])
        np.testing.assert_array_equal(adjusted_if_moved(p, which, moved, correction), by_hand)
    # the changed copies are adjusted a slice at a time (bounded memory): the same answer
    monkeypatch.setattr(gistar, "_MOVED_CELLS", 100)
    np.testing.assert_array_equal(
        adjusted_if_moved(p, which, moved, "fdr"),
        [adjust_pvalues(np.where(np.arange(40) == i, v, p), "fdr")[i] for i, v in zip(which, moved, strict=True)],
    )
    assert len(adjusted_if_moved(p, np.zeros(0, dtype=int), np.zeros(0), "fdr")) == 0


def test_exact_conditional_p_value_matches_a_long_simulation():
    areas = grid(8)
    rng = np.random.default_rng(5)
    y = rng.poisson(20, len(areas)).astype(float)
    y[[27, 28, 35, 36]] += 25  # a warm block: p-values in the interesting range
    w = contiguity_weights(areas)
    ref = GiStar(permutations=99_999, seed=3).fit(y, w)
    neighbours = [np.asarray(w.neighbors[k]) for k in w.id_order]
    for i in (27, 28, 35, 0, 63):
        exact, tail = _exact_conditional_p(y, i, neighbours[i])
        se = np.sqrt(exact * (1 - exact) / 100_000)
        assert abs(exact - float(ref.p_sim_[i]) / 2) < 4 * se + 2e-5, i
        assert tail == ref.tail_[i]
    # Rates (not whole numbers) go on a fine grid: still close to the simulation, same direction.
    rates = y / 7.3
    exact, tail = _exact_conditional_p(rates, 28, neighbours[28])
    assert abs(exact - float(ref.p_sim_[28]) / 2) < 0.01
    assert tail == 1


def test_ties_count_on_both_sides_of_the_exact_p_value():
    """Area 0 of four with neighbour values drawn from {1, 1, 5}: P(S <= 1) = 2/3, P(S >= 1) = 1."""
    values = np.array([3.0, 1.0, 1.0, 5.0])
    p, tail = _exact_conditional_p(values, 0, np.array([1]))
    assert (p, tail) == (pytest.approx(2 / 3), -1.0)
    # The observed sum is read on the grid the others use: rates that tie stay tied.
    rates = values / 7.3
    assert _exact_conditional_p(rates, 0, np.array([1]))[0] == pytest.approx(2 / 3)
    # A cold area whose neighbours all hold the minimum: esda's folded count leaves the ties out
    # (p = 1/(N+1)); counting them gives the honest answer.
    flat = np.array([9.0, 1.0, 1.0, 1.0, 1.0, 1.0, 8.0])
    p, tail = _exact_conditional_p(flat, 1, np.array([2, 3]))
    assert tail == -1.0 and p == pytest.approx(6 / 15)  # C(4,2) of the C(6,2) pairs sum to 2
    # Large whole counts are counted as they are, not rounded onto a grid (where 1 and 2 would tie).
    big = np.array([30000.0, 1, 2, 29999, 5, 0])
    assert _exact_conditional_p(big, 5, np.array([1])) == (pytest.approx(1 / 5), -1.0)


def test_classes_do_not_depend_on_the_seed_when_doubt_is_settled_exactly():
    areas = grid(10)
    rng = np.random.default_rng(8)
    y = rng.poisson(30, len(areas)).astype(float)
    y[[44, 45, 54, 55]] += [40, 25, 30, 20]
    y[[3, 4]] += 30
    w = contiguity_weights(areas)
    plain = [GiStar(permutations=999, seed=s).fit(y, w).gi_bin_ for s in range(4)]
    settled = [GiStar(permutations=999, seed=s, exact_when_in_doubt=True).fit(y, w) for s in range(4)]
    assert any((plain[0] != b).any() for b in plain[1:])  # Monte Carlo alone: the seed decides some
    for fitted in settled[1:]:
        np.testing.assert_array_equal(fitted.gi_bin_, settled[0].gi_bin_)
    assert settled[0].exact_.any()


def test_detached_groups_are_joined_to_their_nearest_area():
    areas = grid(3, gap_at=2)
    w = contiguity_weights(areas)
    assert w.n_components == 1
    assert not w.islands
    # The column shifted east is joined by one link: W01xx <-> W02xx at the same row (5 km gap).
    links = [(i, j) for i, ns in w.neighbors.items() for j in ns if (i < 6) != (j < 6)]
    assert len(links) == 2


def test_a_single_island_gets_a_neighbour():
    areas = pd.concat(
        [
            grid(3),
            gpd.GeoDataFrame({"code": ["ISLE"]}, geometry=[shapely.box(9000, 9000, 9500, 9500)], crs="EPSG:27700"),
        ],
        ignore_index=True,
    )
    w = contiguity_weights(areas)
    assert w.cardinalities[9] == 1
    assert areas["code"][w.neighbors[9][0]] == "W0202"


def test_all_zero_or_flat_values_are_not_significant():
    areas = grid(3)
    flat = hotspot_gistar(pd.Series(0.0, index=areas["code"]), areas)
    assert (flat["gi_bin"] == 0).all()
    assert (flat["p_value"] == 1).all()


def test_bad_arguments():
    areas = grid(3)
    w = contiguity_weights(areas)
    with pytest.raises(ParameterError, match="permutations"):
        GiStar(permutations=-1).fit(np.ones(9), w)
    with pytest.raises(ParameterError, match="correction"):
        GiStar(correction="bonferroni").fit(np.ones(9), w)
    with pytest.raises(ParameterError, match="permutations >= 9"):
        GiStar(permutations=5).fit(np.ones(9), w)
    with pytest.raises(ParameterError, match="one value per area"):
        GiStar().fit(np.ones(4), w)
    with pytest.raises(ParameterError, match="missing"):
        GiStar().fit(np.r_[np.ones(8), np.nan], w)
    with pytest.raises(ParameterError, match="non-negative"):
        GiStar().fit(np.r_[np.ones(8), -1], w)
    with pytest.raises(TypeError):
        GiStar(seed="x").fit(np.ones(9), w)
    with pytest.raises(TypeError):
        hotspot_gistar([1, 2, 3], areas)
