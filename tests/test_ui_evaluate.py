"""The Did it work? table as the page shows it (ui/evaluate.py): short headers, their meanings as tooltips."""

from __future__ import annotations

import math

import pandas as pd

from ui.evaluate import SCREEN_HEADERS, screen_table
from vrc_geo.evaluation.report import EVALUATION_LABELS
from vrc_geo.evaluation.service import EVALUATION_COLUMNS


def _result_table() -> pd.DataFrame:
    row = dict.fromkeys(EVALUATION_COLUMNS, 1.0)
    row |= {"start": "2022-09", "group": "violence", "measure": "count", "method": "did"}
    rows = [
        {**row, "area": "Margate Central (E05005093)", "ci_low_pct": -18.2, "ci_high_pct": 7.4},
        {**row, "area": "all", "ci_low_pct": -20.0, "ci_high_pct": 0.6},
        {**row, "area": "Tiny", "ci_low_pct": math.nan, "ci_high_pct": math.nan},
    ]
    return pd.DataFrame(rows)[EVALUATION_COLUMNS]


def test_every_column_a_person_needs_with_a_short_header_and_its_meaning():
    shown, meanings = screen_table(_result_table())
    assert list(shown.columns) == [SCREEN_HEADERS[c] for c in SCREEN_HEADERS if c in {*EVALUATION_COLUMNS, "interval"}]
    assert "Start" not in shown.columns and "Method" not in shown.columns  # the same on every row: said above
    assert max(len(h) for h in shown.columns) <= 24  # a laptop shows the target, the change and its p-value
    assert meanings["P-value"] == EVALUATION_LABELS["p_value"]
    assert meanings["Change vs expected (%)"] == EVALUATION_LABELS["effect_pct"]
    assert set(meanings) == set(shown.columns)


def test_the_interval_in_one_cell_and_the_targets_together_named():
    shown, _ = screen_table(_result_table())
    assert shown["95 % interval (%)"].tolist() == ["-18 to +7", "-20 to +1", ""]
    assert shown["Target area"].tolist() == ["Margate Central (E05005093)", "All targets together", "Tiny"]
    assert _result_table()["area"].iloc[1] == "all"  # the files keep their own column


def test_the_buffer_change_points_each_target_to_the_targets_together():
    """The buffer's change is worked out for the rings together: a target's own row says where to look,
    not a blank; with no buffer every row is blank."""
    table = _result_table()
    table["buffer_effect_pct"] = [math.nan, -12.34, math.nan]
    shown, meanings = screen_table(table)
    assert shown["Buffer change (%)"].tolist() == ["see all targets", "-12.3", "see all targets"]
    assert "together" in meanings["Buffer change (%)"]
    table["buffer_effect_pct"] = math.nan
    assert screen_table(table)[0]["Buffer change (%)"].tolist() == ["", "", ""]
