"""Selections, long counts, ward counts and rates, periods."""

from __future__ import annotations

import pandas as pd
import pytest

from vrc_geo.dataset.aggregate import (
    LONG_COLUMNS,
    count_by_ward_month_type,
    count_long,
    count_records,
    make_selection,
    month_range,
    monthly_counts,
    previous_period,
    select_records,
    sum_by_ward_month_type,
    ward_counts,
)
from vrc_geo.errors import ParameterError

WARDS = pd.DataFrame(
    {
        "code": ["W1", "W2", "W3"],
        "name": ["One", "Two", "Three"],
        "district_code": ["E07000110", "E07000110", "E07000114"],
        "district_name": ["Maidstone", "Maidstone", "Thanet"],
        "population": [1000.0, 2000.0, None],
    }
)


def _records():
    rows = [
        ("W1", "E07000110", "2022-01", "Drugs", "in_area"),
        ("W1", "E07000110", "2022-01", "Drugs", "in_area"),
        ("W1", "E07000110", "2022-02", "Robbery", "in_area"),
        ("W2", "E07000110", "2022-02", "Drugs", "in_area"),
        ("W3", "E07000114", "2022-03", "Violence and sexual offences", "in_area"),
        (None, None, "2022-03", "Drugs", "outside_area"),
    ]
    frame = pd.DataFrame(rows, columns=["ward_code", "district_code", "month", "crime_type", "status"])
    for col in frame.columns:
        frame[col] = frame[col].astype("category")
    return frame


def test_selection_filters():
    records = _records()
    assert len(select_records(records, make_selection())) == 5
    assert len(select_records(records, make_selection(start="2022-02"))) == 3
    assert len(select_records(records, make_selection(end="2022-01"))) == 2
    assert len(select_records(records, make_selection(districts=["Thanet"]))) == 1
    assert len(select_records(records, make_selection(crime_types=["drugs"]))) == 3
    sel = make_selection(start="2022-01", end="2022-02", districts="Maidstone", crime_types="robbery")
    assert len(select_records(records, sel)) == 1
    assert "Maidstone" in sel.describe()


def test_selection_counted_or_cut_to_columns_agrees_with_the_whole():
    records = _records()
    for sel in (make_selection(), make_selection(start="2022-02"), make_selection(crime_types=["drugs"])):
        whole = select_records(records, sel)
        assert count_records(records, sel) == len(whole)
        narrow = select_records(records, sel, columns=("ward_code",))
        assert list(narrow.columns) == ["ward_code"]
        pd.testing.assert_frame_equal(narrow, whole[["ward_code"]])


def test_selection_rejects_bad_values():
    with pytest.raises(ParameterError):
        make_selection(start="2022-5")
    with pytest.raises(ParameterError):
        make_selection(districts="Narnia")
    with pytest.raises(ParameterError):
        make_selection(start="2022-03", end="2022-01")


def test_count_long_sparse_and_with_zeros():
    records = select_records(_records(), make_selection())
    sparse = count_long(records, WARDS)
    assert list(sparse.columns) == LONG_COLUMNS
    assert sparse["count"].sum() == 5
    w1 = sparse[(sparse.ward_code == "W1") & (sparse.month == "2022-01")]
    assert w1[["crime_type", "count"]].values.tolist() == [["Drugs", 2]]
    full = count_long(records, WARDS, include_zeros=True, months=["2022-01", "2022-02", "2022-03"])
    assert len(full) == 3 * 3 * 3  # wards x months x types seen
    assert full["count"].sum() == 5


def test_ward_counts_rates_and_change():
    records = select_records(_records(), make_selection(start="2022-02"))
    previous = select_records(_records(), make_selection(end="2022-01"))
    table = ward_counts(records, WARDS, previous=previous).set_index("ward_code")
    assert table["count"].to_dict() == {"W1": 1, "W2": 1, "W3": 1}
    assert table.loc["W2", "rate_per_1000"] == pytest.approx(0.5)
    assert pd.isna(table.loc["W3", "rate_per_1000"])
    assert table.loc["W1", "change"] == -1
    assert table.loc["W1", "change_pct"] == pytest.approx(-50)
    assert pd.isna(table.loc["W2", "change_pct"])


def test_periods_and_monthly():
    assert month_range("2022-11", "2023-02") == ["2022-11", "2022-12", "2023-01", "2023-02"]
    assert previous_period("2022-04", "2022-06") == ("2022-01", "2022-03")
    assert previous_period("2023-01", "2023-01") == ("2022-12", "2022-12")
    monthly = monthly_counts(select_records(_records(), make_selection()), by="district_code")
    assert monthly["count"].sum() == 5
    assert set(monthly.columns) == {"month", "district_code", "count"}


def test_does_not_modify_input():
    records = _records()
    before = records.copy()
    count_long(select_records(records, make_selection(crime_types="drugs")), WARDS, include_zeros=True)
    pd.testing.assert_frame_equal(records, before)


def test_counts_by_ward_month_and_type_are_sorted_by_label_and_skip_missing_keys():
    """Counted on codes: categories in any order, missing keys dropped, labels as text."""
    records = pd.DataFrame(
        {
            "ward_code": pd.Categorical(["W2", "W1", "W2", None, "W2"], categories=["W3", "W2", "W1"]),
            "month": pd.Categorical(["2022-02", "2022-01", "2022-02", "2022-01", "2022-01"]),
            "crime_type": ["Drugs", "Drugs", "Drugs", "Drugs", "Robbery"],
        }
    )
    got = count_by_ward_month_type(records)
    assert got.to_dict("list") == {
        "ward_code": ["W1", "W2", "W2"],
        "month": ["2022-01", "2022-01", "2022-02"],
        "crime_type": ["Drugs", "Robbery", "Drugs"],
        "count": [1, 1, 2],
    }
    assert got["count"].dtype == "int64"
    assert count_by_ward_month_type(records.iloc[:0]).columns.tolist() == [*got.columns]


def test_summed_counts_add_up_each_combination_and_drop_what_repeats_cancel():
    """Parts' counts added up (a repeat taken out is a negative count): sorted by label, zeros dropped."""
    counts = pd.DataFrame(
        {
            "ward_code": ["W2", "W1", "W2", "W1", "W1"],
            "month": pd.Categorical(["2022-01", "2022-02", "2022-01", "2022-01", "2022-02"]),
            "crime_type": ["Drugs", "Drugs", "Drugs", "Drugs", "Drugs"],
            "count": [3, 2, -1, 4, -2],
        }
    )
    got = sum_by_ward_month_type(counts)
    assert got.to_dict("list") == {
        "ward_code": ["W1", "W2"],
        "month": ["2022-01", "2022-01"],
        "crime_type": ["Drugs", "Drugs"],
        "count": [4, 2],
    }
    assert got["count"].dtype == "int64"
