"""The ward export from kept counts equals counting the selected records, for every kind of selection."""

from __future__ import annotations

import pandas as pd
import pytest

from vrc_geo.dataset.aggregate import count_long, make_selection, month_range, select_records
from vrc_geo.outputs.ward_tables import ward_export_bytes, ward_export_table

SELECTIONS = [
    {},
    {"districts": ["Medway"], "start": "2022-03", "end": "2022-08"},
    {"crime_types": ["violence"], "districts": ["Dover", "Thanet"]},
    {"start": "2022-12"},
]


@pytest.mark.parametrize("zeros", [False, True])
@pytest.mark.parametrize("filters", SELECTIONS, ids=lambda f: ",".join(f) or "all")
def test_export_equals_counting_the_selected_records(sample_dataset, filters, zeros):
    selection = make_selection(**filters)
    wards = sample_dataset.wards.wards
    if selection.districts is not None:
        wards = wards[wards["district_code"].isin(selection.districts)]
    months = sample_dataset.months
    if selection.start or selection.end:
        months = month_range(selection.start or months[0], selection.end or months[-1])
    types = list(selection.crime_types) if selection.crime_types else None
    expected = count_long(
        select_records(sample_dataset.records, selection), wards, include_zeros=zeros, months=months, crime_types=types
    )
    got = ward_export_table(sample_dataset, selection, include_zeros=zeros)
    pd.testing.assert_frame_equal(got, expected)


def test_a_cached_dataset_exports_without_reading_its_records(sample_sources):
    """Opened from the cache, the export reads the kept counts only (records stay on disk)."""
    from vrc_geo.dataset.store import load_police

    load_police(sample_sources)  # cache filled (and the counts kept beside it)
    fresh = load_police(sample_sources)
    assert fresh.from_cache
    ward_export_bytes(fresh, make_selection(), ".csv")
    assert "records" not in fresh.__dict__ and fresh.wards._wards is None
    assert fresh.months == sorted(fresh.records["month"].astype(str).unique())


def test_a_dataset_with_other_records_keeps_nothing_of_the_whole(sample_dataset):
    """``with_records`` is a version of its own: its ward table counts its own records."""
    fewer = sample_dataset.with_records(sample_dataset.records.iloc[::2])
    assert fewer.key != sample_dataset.key and fewer.folder is None
    total = ward_export_table(fewer, make_selection())["count"].sum()
    assert total == int((fewer.records["status"] == "in_area").sum())
