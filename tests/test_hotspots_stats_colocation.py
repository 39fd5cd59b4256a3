"""Co-location quotient: a hand-derived case, planted drug-violence vs violence-only places."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely

from vrc_geo.errors import ParameterError
from vrc_geo.hotspots import CoLocation, hotspot_colocation


def _by_hand_points() -> pd.DataFrame:
    """One violence record (A) at the origin; at 10 m one drugs record (B) and one theft; 2 thefts far away."""
    return pd.DataFrame(
        {
            "x": [0.0, 10.0, 0.0, 5000.0, 5010.0],
            "y": [0.0, 0.0, 10.0, 0.0, 0.0],
            "is_a": [True, False, False, False, False],
            "is_b": [False, True, False, False, False],
        }
    )


def test_quotient_by_hand():
    # One violence record (A) at the origin; at 10 m: one drugs record (B) and one theft; far away:
    # 2 thefts. N = 5, N_B = 1. With k = 2 and no floor the bandwidth is 10 m, both neighbours weigh the
    # same: share of B among neighbours = 1/2; expected N_B / (N - 1) = 1/4; quotient = 2.
    points = _by_hand_points()
    model = CoLocation(k=2, min_bandwidth_m=0, permutations=99, seed=1).fit(points, [shapely.box(-1, -1, 1, 1)])
    assert model.quotient_[0] == pytest.approx(2.0)
    assert model.global_quotient_ == pytest.approx(2.0)
    assert model.a_records_.tolist() == [1]


def test_stacked_neighbours_and_the_bandwidth_floor():
    # 3 violence records stacked on one snap point, 1 drugs record 40 m away, 6 thefts 2 km away.
    # k = 2: the 2nd nearest other record of a violence record is at 0 m (stacked), so without a floor
    # the drugs record would be ignored; with the 50 m floor it counts.
    xy = [(0, 0)] * 3 + [(40, 0)] + [(2000, 0)] * 6
    points = pd.DataFrame(xy, columns=["x", "y"]).astype(float)
    points["is_a"] = [True] * 3 + [False] * 7
    points["is_b"] = [False] * 3 + [True] + [False] * 6
    fp = [shapely.box(-5, -5, 5, 5)]
    floor = CoLocation(k=2, min_bandwidth_m=50, permutations=0).fit(points, fp)
    no_floor = CoLocation(k=2, min_bandwidth_m=0, permutations=0).fit(points, fp)
    assert no_floor.quotient_[0] == pytest.approx(0.0)
    w_b = np.exp(-0.5 * (40 / 50) ** 2)
    expected = (w_b / (2 + w_b)) / (1 / 9)
    assert floor.quotient_[0] == pytest.approx(expected)


def _planted(seed: int) -> tuple[pd.DataFrame, list[shapely.Geometry]]:
    rng = np.random.default_rng(seed)
    rows = []

    def add(kind: str, centre: tuple[float, float], n: int, spread: float) -> None:
        snaps = rng.normal(centre, spread, (max(3, n // 15), 2)).round()
        for x, y in snaps[rng.integers(0, len(snaps), n)]:
            rows.append((x, y, kind))

    add("Violence and sexual offences", (1000, 1000), 150, 30)  # drug-violence place
    add("Drugs", (1000, 1000), 60, 30)
    add("Violence and sexual offences", (5000, 5000), 150, 30)  # violence-only place
    add("Shoplifting", (5000, 5000), 60, 30)
    add("Drugs", (1000, 5000), 120, 30)  # drugs only
    for kind, n in [
        ("Violence and sexual offences", 600),
        ("Drugs", 70),
        ("Shoplifting", 300),
        ("Burglary", 300),
    ]:
        for x, y in rng.uniform(0, 6000, (n, 2)).round():
            rows.append((x, y, kind))
    records = pd.DataFrame(rows, columns=["x", "y", "crime_type"])
    footprints = [shapely.Point(1000, 1000).buffer(120), shapely.Point(5000, 5000).buffer(120)]
    return records, footprints


def test_expected_quotient_under_relabelling_by_hand_and_by_simulation():
    # The by-hand case: one A record; its two neighbours (one B, one theft) weigh 1/2 each, and the other
    # 3 relabellable records hold N_B = 1 drugs record: E[share of B among its neighbours] = 1/4
    # (each of the 4 non-A records is B with probability 1/4), so E[quotient] = (1/4) / (1/4) = 1.
    points = _by_hand_points()
    model = CoLocation(k=2, min_bandwidth_m=0, permutations=0).fit(points, [shapely.box(-1, -1, 1, 1)])
    assert model.expected_[0] == pytest.approx(1.0)
    assert model.ratio_[0] == pytest.approx(2.0)
    # Violence beside violence: its neighbours are mostly other violence, never relabelled, so the
    # expected quotient falls well below 1; the ratio corrects for it. Checked against relabelling.
    rng = np.random.default_rng(2)
    xy = np.r_[rng.normal(0, 20, (40, 2)), rng.uniform(-2000, 2000, (200, 2))].round()
    is_a = np.r_[np.ones(40, bool), rng.random(200) < 0.2]
    is_b = ~is_a & (rng.random(240) < 0.15)
    frame = pd.DataFrame({"x": xy[:, 0], "y": xy[:, 1], "is_a": is_a, "is_b": is_b})
    fp = [shapely.Point(0, 0).buffer(80)]
    fitted = CoLocation(permutations=0).fit(frame, fp)
    assert fitted.expected_[0] < 0.8
    sims = []
    others = np.flatnonzero(~is_a)
    for _ in range(400):
        shuffled = frame.copy()
        labels = np.zeros(len(frame), bool)
        labels[rng.choice(others, int(is_b.sum()), replace=False)] = True
        shuffled["is_b"] = labels
        sims.append(CoLocation(permutations=0).fit(shuffled, fp).quotient_[0])
    assert fitted.expected_[0] == pytest.approx(np.mean(sims), rel=0.1)


def test_fdr_decision_and_refinement_of_doubtful_footprints():
    records, footprints = _planted(0)
    out = hotspot_colocation(
        records,
        footprints,
        a_types=["Violence and sexual offences"],
        b_types=["Drugs"],
        permutations=99,
        seed=3,
        refine_to=4999,
    )
    assert out["significant"].tolist() == [True, False]
    assert out["q_value"].iloc[0] < 0.05
    assert out["draws"].iloc[0] in (99, 999, 4999)
    # A drug-related footprint sits far above chance: its ratio, not just its quotient, is above 1.
    assert out["colocation_ratio"].iloc[0] > 1.5


def test_planted_drug_violence_is_significant_and_violence_only_is_not():
    records, footprints = _planted(0)
    out = hotspot_colocation(
        records,
        footprints,
        a_types=["Violence and sexual offences"],
        b_types=["Drugs"],
        permutations=499,
        seed=3,
    )
    drug, plain = out.iloc[0], out.iloc[1]
    assert drug["colocation_quotient"] > 1.5
    assert drug["p_sim"] <= 0.01
    assert drug["p_norm"] < 0.001
    assert plain["colocation_quotient"] < 1
    assert plain["colocation_ratio"] < 1.2
    assert plain["p_sim"] > 0.5


def test_invariant_to_row_order_and_seeded():
    records, footprints = _planted(1)
    kw = {"a_types": ["Violence and sexual offences"], "b_types": ["Drugs"], "permutations": 199, "seed": 9}
    a = hotspot_colocation(records, footprints, **kw)
    b = hotspot_colocation(records.sample(frac=1, random_state=3), footprints, **kw)
    pd.testing.assert_frame_equal(a, b)


def test_no_b_records_gives_no_answer_not_an_error():
    records = pd.DataFrame({"x": [0.0, 1.0], "y": [0.0, 0.0], "crime_type": ["Robbery", "Shoplifting"]})
    out = hotspot_colocation(records, [shapely.box(-5, -5, 5, 5)], a_types=["Robbery"], b_types=["Drugs"])
    assert out["colocation_quotient"].isna().all()


def test_bad_arguments():
    points = pd.DataFrame({"x": [0.0], "y": [0.0], "is_a": [True], "is_b": [True]})
    with pytest.raises(ParameterError, match="both type A and type B"):
        CoLocation().fit(points, [])
    with pytest.raises(ParameterError, match="missing"):
        CoLocation().fit(points.drop(columns="is_b"), [])
    with pytest.raises(ParameterError, match="k must be"):
        CoLocation(k=0).fit(points, [])
    with pytest.raises(TypeError):
        CoLocation(permutations="many").fit(points, [])


def test_relabelling_counts_match_the_dense_product():
    # _reached sums over stored entries only: the same counts as the plain product, footprints that read
    # no snap point included (their statistic is 0 in every draw).
    from scipy import sparse

    from vrc_geo.hotspots.stats.colocation import _reached

    rng = np.random.default_rng(1)
    dense = rng.uniform(0, 1, size=(6, 40)) * (rng.uniform(size=(6, 40)) < 0.2)
    dense[2] = 0.0  # reads nothing
    weights = sparse.csr_matrix(dense)
    draws = rng.integers(0, 3, size=(500, 40)).astype(np.int32)
    observed = np.array([0.5, 1.0, 0.0, 2.0, 0.1, 0.8])
    expected = ((weights @ draws.T) >= observed[:, None] - 1e-12).sum(axis=1)
    np.testing.assert_array_equal(_reached(weights, draws, observed), expected)
    observed[2] = 0.3  # now no draw reaches it
    assert _reached(weights, draws, observed)[2] == 0
