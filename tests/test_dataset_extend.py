"""A store brought up to date from an earlier one: the same answer as a build from nothing, or no shortcut."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pandas as pd
import pytest
from conftest import police_row, write_police_csv

import vrc_geo.dataset.extend as extend
from vrc_geo.config import find_sources
from vrc_geo.dataset.store import load_police


@pytest.fixture
def months(tmp_path, tiny_wards, monkeypatch):
    """Four monthly files: February repeats a January Crime ID; March and April bring only new ones."""
    monkeypatch.setenv("VRC_GEO_CACHE_DIR", str(tmp_path / "cache"))
    folder = tmp_path / "police_uk"
    jan = [police_row(crime_id="a" * 64, x=575500, y=155500), police_row(crime_id="b" * 64, x=575500, y=155600)]
    jan += [police_row(x=100000, y=100000), police_row(lon="", lat="")]
    feb = [police_row(crime_id="b" * 64, month="2022-02", x=576500, y=155500)]
    feb += [police_row(crime_id="c" * 64, month="2022-02", x=575500, y=155500)]
    mar = [police_row(crime_id=f"m{i}" * 32, month="2022-03", x=576500, y=155500) for i in range(3)]
    mar += [police_row(month="2022-03", x=575500, y=155500, crime_type="Robbery")]
    apr = [police_row(crime_id=f"p{i}" * 32, month="2022-04", x=575500, y=155600) for i in range(2)]
    paths = []
    for month, rows in (("2022-01", jan), ("2022-02", feb), ("2022-03", mar), ("2022-04", apr)):
        paths.append(write_police_csv(folder / month / f"{month}-kent-street.csv", rows))
    return paths, tiny_wards, tmp_path


@pytest.fixture
def taken(monkeypatch):
    """Whether each build took the shortcut (a list of booleans, one per build that looked for it)."""
    seen: list[bool] = []
    original = extend.extend_store

    def spy(earlier, parts):
        result = original(earlier, parts)
        seen.append(result is not None)
        return result

    monkeypatch.setattr(extend, "extend_store", spy)
    return seen


def _load(paths, wards):
    return load_police(find_sources(crimes=[str(p) for p in paths], boundaries=wards))


def _from_nothing(paths, wards, tmp_path, monkeypatch):
    monkeypatch.setenv("VRC_GEO_CACHE_DIR", str(tmp_path / "fresh-cache"))
    shutil.rmtree(tmp_path / "fresh-cache", ignore_errors=True)
    return _load(paths, wards)


def _assert_same(got, want):
    pd.testing.assert_frame_equal(got.records, want.records)
    pd.testing.assert_frame_equal(got.ward_month_counts, want.ward_month_counts)
    pd.testing.assert_frame_equal(
        got.rejects.sort_values(["source_file", "source_line"]).reset_index(drop=True),
        want.rejects.sort_values(["source_file", "source_line"]).reset_index(drop=True),
    )
    assert got.months == want.months
    assert got.reconciliation.to_dict() == want.reconciliation.to_dict()


def test_added_months_extend_the_earlier_store(months, taken, monkeypatch):
    paths, wards, tmp_path = months
    _load(paths[:2], wards)
    grown = _load(paths, wards)  # March and April added after the kept store's two months
    assert taken == [True]
    again = _load(paths, wards)  # and the extended store is kept like any other
    assert again.from_cache
    _assert_same(grown, _from_nothing(paths, wards, tmp_path, monkeypatch))
    _assert_same(again, grown)
    assert int(grown.ward_month_counts["count"].sum()) == len(grown.in_area)
    # one repeat (February's "b"), found by the earlier store and kept through the extension
    assert (grown.rejects["reason"] == "duplicate Crime ID").sum() == 1


def test_a_new_month_repeating_a_held_id_is_built_in_full(months, taken, monkeypatch):
    paths, wards, tmp_path = months
    _load(paths[:1], wards)
    grown = _load(paths[:2], wards)  # February repeats January's "b": the full check finds it on the IDs
    assert taken == [False]
    assert (grown.rejects["reason"] == "duplicate Crime ID").sum() == 1
    _assert_same(grown, _from_nothing(paths[:2], wards, tmp_path, monkeypatch))


def test_a_month_inserted_before_others_is_built_in_full(months, taken, monkeypatch):
    paths, wards, tmp_path = months
    _load([paths[0], paths[2]], wards)
    grown = _load(paths[:3], wards)  # February goes between the kept months: no kept store is a prefix
    assert taken == []
    _assert_same(grown, _from_nothing(paths[:3], wards, tmp_path, monkeypatch))


@pytest.mark.parametrize("damage", ["hashes", "counts", "empty hashes", "bad meta"])
def test_a_damaged_earlier_store_is_not_used(months, taken, monkeypatch, tmp_path, damage):
    paths, wards, root = months
    _load(paths[:3], wards)
    (kept,) = (root / "cache").glob("police-*/meta.json")
    if damage == "bad meta":  # readable JSON, drops that are not row numbers: the store is passed over
        meta = json.loads(kept.read_text())
        meta["drops"] = [["x"] for _ in meta["drops"]]
        kept.write_text(json.dumps(meta))
    else:
        name = "ward_month_counts.parquet" if damage == "counts" else extend.HASHES
        kept.parent.joinpath(name).write_bytes(b"" if damage == "empty hashes" else b"not a table")
    grown = _load(paths, wards)
    assert taken == ([] if damage == "bad meta" else [False])
    _assert_same(grown, _from_nothing(paths, wards, root, monkeypatch))


def test_the_sample_extended_by_its_last_month(sample_sources, tmp_path, monkeypatch, taken):
    """Twelve real months kept, the thirteenth added: the same store as building all thirteen."""
    from vrc_geo.io.police import expand_sources

    monkeypatch.setenv("VRC_GEO_CACHE_DIR", str(tmp_path / "cache"))
    files = expand_sources(sample_sources.crimes)
    months = sorted({f.parent for f in files})
    assert len(months) >= 2
    first = [str(f) for f in files if f.parent != months[-1]]
    every = [str(f) for f in files]
    load_police(find_sources(crimes=first, boundaries=sample_sources.boundaries))
    grown = load_police(find_sources(crimes=every, boundaries=sample_sources.boundaries))
    assert taken == [True]
    monkeypatch.setenv("VRC_GEO_CACHE_DIR", str(tmp_path / "fresh"))
    whole = load_police(find_sources(crimes=every, boundaries=sample_sources.boundaries))
    pd.testing.assert_frame_equal(grown.ward_month_counts, whole.ward_month_counts)
    assert grown.months == whole.months
    assert grown.reconciliation.to_dict() == whole.reconciliation.to_dict()
    assert np.array_equal(
        np.sort(grown.records["crime_id"].dropna().to_numpy(dtype=str)),
        np.sort(whole.records["crime_id"].dropna().to_numpy(dtype=str)),
    )
