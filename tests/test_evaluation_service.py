"""Evaluations on the sample: a planted 40 % fall is found with an honest interval, untouched places are
rarely flagged, and bad input is refused with what to change."""

from __future__ import annotations

import math
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from vrc_geo.errors import InputFileError, ParameterError
from vrc_geo.evaluation.placebo import PlaceboTest
from vrc_geo.evaluation.report import evaluation_file_bytes
from vrc_geo.evaluation.service import ALPHA, EVALUATION_COLUMNS, evaluate_targets
from vrc_geo.hotspots.rank import VIOLENCE_GROUP
from vrc_geo.io.targets import targets_from_frame, wards_as_targets

START = "2022-09"


@pytest.fixture(scope="module")
def busy(sample_dataset):
    records = sample_dataset.in_area.dropna(subset=["x", "y"])
    violent = records[records["crime_type"].isin(VIOLENCE_GROUP)]
    return violent.groupby(["x", "y"]).size().sort_values(ascending=False).head(300).reset_index()


def _six(busy, rng) -> np.ndarray:
    """Six busy places at least 1.5 km apart."""
    while True:
        xy = busy.loc[rng.choice(len(busy), 6, replace=False), ["x", "y"]].to_numpy()
        gap = np.hypot(*(xy[:, None] - xy[None]).transpose(2, 0, 1))
        np.fill_diagonal(gap, np.inf)
        if gap.min() > 1500:
            return xy


def _circles(xy, radius=300.0):
    frame = gpd.GeoDataFrame(
        {"area": [f"T{i + 1}" for i in range(len(xy))]},
        geometry=[shapely.Point(x, y).buffer(radius) for x, y in xy],
        crs="EPSG:27700",
    )
    return targets_from_frame(frame, "planted")


def _remove(dataset, xy, rng, share=0.4):
    """The dataset with ``share`` of the violence-group records inside 300 m of each place removed from START."""
    r = dataset.records
    inside = np.zeros(len(r), dtype=bool)
    for x, y in xy:
        inside |= (np.hypot(r["x"] - x, r["y"] - y) <= 300).fillna(False).to_numpy()
    late = (r["month"].astype(str) >= START).to_numpy() & r["crime_type"].isin(VIOLENCE_GROUP).to_numpy()
    drop = inside & late & (rng.random(len(r)) < share)
    return dataset.with_records(r[~drop])


@pytest.mark.parametrize("seed", [11, 12])
def test_a_planted_fall_of_40_percent_is_found(sample_dataset, busy, seed):
    rng = np.random.default_rng(seed)
    xy = _six(busy, rng)
    result = evaluate_targets(_remove(sample_dataset, xy, rng), _circles(xy), start=START, placebos=99, seed=seed)
    row = result.pooled
    assert -55 <= row["effect_pct"] <= -25
    assert row["ci_low_pct"] <= -40 <= row["ci_high_pct"]
    assert row["p_value"] < 0.05
    assert list(result.table.columns) == EVALUATION_COLUMNS and len(result.table) == 7
    assert "lower than expected" in result.sentence()


def test_untouched_places_are_rarely_flagged(sample_dataset, busy):
    rng = np.random.default_rng(2026)
    flagged = 0
    for i in range(20):
        result = evaluate_targets(sample_dataset, _circles(_six(busy, rng)), start=START, placebos=99, seed=i)
        flagged += result.pooled["p_value"] < 0.05
    assert flagged <= 3


def test_bad_input_says_what_to_change(sample_dataset, busy):
    xy = busy.loc[[0, 1], ["x", "y"]].to_numpy()
    with pytest.raises(ParameterError, match="after its first month"):
        evaluate_targets(sample_dataset, _circles(xy), start="2021-06")
    with pytest.raises(ParameterError, match="At least 3 months of data before the start"):
        evaluate_targets(sample_dataset, _circles(xy), start="2022-03")
    near = np.array([xy[0], xy[0] + [100, 0]])
    with pytest.raises(ParameterError, match="overlap"):
        evaluate_targets(sample_dataset, _circles(near), start=START)
    with pytest.raises(ParameterError, match="outside the study area"):
        evaluate_targets(sample_dataset, _circles(np.array([[400_000.0, 400_000.0]])), start=START)
    wards = sample_dataset.wards.wards
    big = wards_as_targets(wards, list(wards["code"][:150]))
    with pytest.raises(ParameterError, match="buffer hold"):
        evaluate_targets(sample_dataset, big, start=START, buffer_m=3000)
    with pytest.raises(InputFileError, match="not in the boundaries"):
        wards_as_targets(wards, ["E05999999"])


def test_files_hold_the_table_and_the_series(sample_dataset, busy, tmp_path):
    import pandas as pd

    xy = busy.loc[[0], ["x", "y"]].to_numpy()
    result = evaluate_targets(sample_dataset, _circles(xy), start=START, placebos=19, measure="harm")
    path = tmp_path / "e.xlsx"
    path.write_bytes(evaluation_file_bytes(result, ".xlsx"))
    sheets = pd.read_excel(path, sheet_name=None)
    assert list(sheets) == ["evaluation", "Monthly series", "Labels", "About"]
    assert sheets["evaluation"]["area"].tolist() == ["T1", "all"]
    assert len(sheets["Monthly series"]) == len(sample_dataset.months)
    assert result.parameters["measure"] == "harm"


def _result_with_ring(before_excess: float) -> Any:
    """A result whose ring was ``before_excess`` (a share) above expected in the months before the start."""
    from vrc_geo.evaluation.service import EvaluationResult

    months = [f"2022-{m:02d}" for m in range(1, 13)]
    after = np.array([m >= "2022-09" for m in months])
    expected = np.full(12, 100.0)
    buffer = np.where(after, 140.0, np.where(np.arange(12) >= 5, 100 * (1 + before_excess), 100.0))
    series = pd.DataFrame(
        {"month": months, "targets": 50.0, "expected": 50.0, "buffer": buffer, "buffer_expected": expected}
    )
    series["after_start"] = after
    return EvaluationResult(pd.DataFrame(), series, {"buffer_m": 200.0})


@pytest.mark.parametrize(
    ("change", "p", "wdq", "words"),
    [
        (
            30.0,
            0.01,
            float("nan"),
            "The ring round the targets (the buffer, 200 m) rose 30 % against expected (p = 0.010)",
        ),
        (
            52.0,
            0.57,
            float("nan"),
            "The ring round the targets (the buffer, 200 m) rose 52 % against expected, within what chance",
        ),
        (
            40.0,
            0.01,
            -0.8,
            "The ring round the targets (the buffer, 200 m) rose 40 % against expected (p = 0.010): violence may",
        ),
        (
            -12.0,
            0.40,
            0.35,
            "The ring round the targets (the buffer, 200 m) improved too (-12 % against expected): the benefit",
        ),
        (
            -3.0,
            0.80,
            float("nan"),
            "The ring round the targets (the buffer, 200 m) was -3 % against expected: no sign that",
        ),
        (float("nan"), float("nan"), float("nan"), "No buffer was evaluated."),
    ],
)
def test_what_the_buffer_shows_never_says_no_displacement_beside_a_rise(change, p, wdq, words):
    said = _result_with_ring(0.0)._buffer_words(
        pd.Series({"buffer_effect_pct": change, "buffer_p_value": p, "wdq": wdq})
    )
    assert said.startswith(words) and said == said.strip()
    assert not (change > 0 and "no sign" in said and p < 0.05)
    if math.isfinite(wdq):  # the quotient is written out with what it means, never as a bare "WDQ"
        assert "Weighted displacement quotient" in said and "WDQ" not in said
    assert "-0.80 (between 0 and -1: less moved than was prevented" in said or wdq != -0.8


def test_a_ring_that_rose_before_the_start_is_not_called_displacement():
    row = pd.Series({"buffer_effect_pct": 40.0, "buffer_p_value": 0.01, "wdq": -0.8})
    early = _result_with_ring(0.30)._buffer_words(row)  # +30 % already in Jun to Aug, +40 % after
    assert (
        "already risen before the start (+30 % against expected in Jun to Aug 2022): the rise may not come from "
        "the work" in early
    )
    assert "may have moved" not in early
    slight = _result_with_ring(0.05)._buffer_words(row)  # +5 % before: the rise came with the start
    assert "may have moved there" in slight
    # One month before the start already at twice expected (the walk's case): said, not called displacement.
    jump = _result_with_ring(0.0)
    jump.series.loc[jump.series["month"] == "2022-08", "buffer"] = 200.0
    assert "already risen before the start (+100 % against expected in Aug 2022)" in jump._buffer_words(row)


@pytest.mark.parametrize("shift", [0.0, -0.08, 0.1])
def test_the_interval_leaves_out_no_change_exactly_when_p_is_at_most_five_percent(shift):
    # Placebo effects that do not centre on 0 (busy matched places drift back): the two-sided p counts
    # each tail apart, so an interval wholly above 0 never stands beside "cannot tell it from no change".
    test = PlaceboTest()
    test.pooled_ = np.random.default_rng(3).normal(shift, 0.1, 199)
    for effect in np.linspace(-0.4, 0.4, 161):
        low, high = test.interval(effect)
        assert (low > 0 or high < 0) == (test.p_value(effect) <= ALPHA), effect
    assert np.isnan(PlaceboTest().interval(0.1, np.zeros(19))[0])  # too few sets for a 95 % interval
