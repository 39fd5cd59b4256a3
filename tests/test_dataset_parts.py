"""The month-by-month store: one part per file, repeats across files, reuse when a month is added."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import police_row, write_police_csv

import vrc_geo.dataset.parts as parts
from vrc_geo.config import find_sources
from vrc_geo.dataset.aggregate import count_by_ward_month_type
from vrc_geo.dataset.geography import place_records
from vrc_geo.dataset.store import load_police
from vrc_geo.io.police import read_police


@pytest.fixture
def months(tmp_path, tiny_wards, monkeypatch):
    """Three monthly files over the tiny wards: a repeated Crime ID within January, another repeated in
    February (first read in January), rows outside the area and without a location."""
    monkeypatch.setenv("VRC_GEO_CACHE_DIR", str(tmp_path / "cache"))
    folder = tmp_path / "police_uk"
    jan = [police_row(crime_id="a" * 64, x=575500, y=155500), police_row(crime_id="a" * 64, x=575600, y=155500)]
    jan += [police_row(crime_id="b" * 64, x=575500, y=155600), police_row(x=100000, y=100000)]
    feb = [police_row(crime_id="b" * 64, month="2022-02", x=576500, y=155500)]
    feb += [police_row(month="2022-02", x=575500, y=155500), police_row(month="2022-02", lon="", lat="")]
    feb += [police_row(month="2022-02", x=575500, y=155500, crime_type="Anti-social behaviour")]
    mar = [police_row(month="2022-03", x=576500, y=155500) for _ in range(3)]
    paths = []
    for month, rows in (("2022-01", jan), ("2022-02", feb), ("2022-03", mar)):
        paths.append(write_police_csv(folder / month / f"{month}-kent-street.csv", rows))
    return paths, tiny_wards


def _sources(paths, wards):
    return find_sources(crimes=[str(p) for p in paths], boundaries=wards)


def test_parts_give_what_one_table_gives(months):
    """Records, reasons and counts as the one-table reader and placement give them."""
    paths, wards = months
    dataset = load_police(_sources(paths, wards))
    whole = read_police([str(p) for p in paths])
    expected = place_records(whole.records, dataset.wards.wards)
    got = dataset.records
    assert got["crime_id"].fillna("").tolist() == expected["crime_id"].fillna("").tolist()
    for name in ("month", "ward_code", "placement", "status", "source_line"):
        assert got[name].astype(str).tolist() == expected[name].astype(str).tolist(), name
    assert np.allclose(got["x"].fillna(-1), expected["x"].fillna(-1))
    assert sorted(dataset.rejects["reason"]) == sorted(whole.rejects["reason"]) == ["duplicate Crime ID"] * 2
    repeat = dataset.rejects.sort_values("source_file").iloc[-1]
    assert repeat["source_file"].endswith("2022-02-kent-street.csv") and repeat["text"].startswith("b" * 64)
    counts = count_by_ward_month_type(got[got["status"] == "in_area"])
    pd.testing.assert_frame_equal(
        dataset.ward_month_counts.sort_values(["ward_code", "month", "crime_type"]).reset_index(drop=True),
        counts.sort_values(["ward_code", "month", "crime_type"]).reset_index(drop=True),
    )
    assert dataset.months == ["2022-01", "2022-02", "2022-03"]
    assert dataset.reconciliation.rows_read == 11


def test_reopened_store_matches_the_build(months):
    paths, wards = months
    built = load_police(_sources(paths, wards))
    opened = load_police(_sources(paths, wards))
    assert opened.from_cache and not built.from_cache
    pd.testing.assert_frame_equal(opened.records, built.records)
    assert opened.reconciliation.to_dict() == built.reconciliation.to_dict()
    pd.testing.assert_frame_equal(opened.ward_month_counts, built.ward_month_counts)
    assert opened.months == built.months


def test_an_added_month_builds_only_its_own_part(months, monkeypatch):
    paths, wards = months
    load_police(_sources(paths[:2], wards))
    built = []
    original = parts._build
    monkeypatch.setattr(parts, "_build", lambda source, *a: built.append(source.label) or original(source, *a))
    dataset = load_police(_sources(paths, wards))
    assert [label.rsplit("/", 1)[-1] for label in built] == ["2022-03-kent-street.csv"]
    assert dataset.months == ["2022-01", "2022-02", "2022-03"]
    assert int(dataset.ward_month_counts["count"].sum()) == len(dataset.in_area)


def test_a_hash_collision_never_drops_a_record(months, monkeypatch):
    """Every ID hashing alike makes every row a candidate; only true repeats are dropped."""
    paths, wards = months
    original = parts._build

    def colliding(*args):
        part = original(*args)
        part.id_hash = np.zeros_like(part.id_hash)
        return part

    monkeypatch.setattr(parts, "_build", colliding)
    dataset = load_police(_sources(paths, wards))
    assert (dataset.rejects["reason"] == "duplicate Crime ID").sum() == 2
    assert len(dataset.records) == 11 - 2


def test_kept_parts_are_not_reused_for_other_wards(months, tmp_path):
    """The part's key holds the ward table's: other boundaries place the same file anew."""
    from conftest import tiny_wards_geojson

    paths, wards = months
    first = load_police(_sources(paths, wards))
    other = tiny_wards_geojson(tmp_path / "other" / "wards_2023" / "w.geojson", code_col="WD23CD")
    other.write_text(other.read_text().replace("Alpha", "Alfa"))
    second = load_police(_sources(paths, other))
    assert second.wards.key != first.wards.key
    assert len(list((tmp_path / "cache" / "police-parts").iterdir())) == 6


def test_analysis_records_read_only_what_the_statistics_read(months):
    """The hotspot statistics read in-area records with a few columns, straight from the parts."""
    from vrc_geo.dataset.store import ANALYSIS_COLUMNS

    paths, wards = months
    load_police(_sources(paths, wards))
    opened = load_police(_sources(paths, wards))
    light = opened.analysis_records
    assert "records" not in opened.__dict__  # the full records were never read
    assert list(light.columns) == list(ANALYSIS_COLUMNS)
    full = opened.in_area[list(ANALYSIS_COLUMNS)]
    pd.testing.assert_frame_equal(light.reset_index(drop=True), full.reset_index(drop=True))


@pytest.mark.parametrize(
    ("name", "damage"),
    [
        ("counts.arrow", lambda data: data[:-3]),  # cut short
        ("rejects.arrow", lambda data: data[:-6] + b"ARROW2"),  # whole length, no closing mark
        ("ids.npy", lambda data: data + b"\0" * 16),  # grown
    ],
)
def test_a_damaged_kept_part_is_found_by_its_size_and_rebuilt(months, tmp_path, name, damage):
    paths, wards = months
    built = load_police(_sources(paths, wards))
    target = sorted((tmp_path / "cache" / "police-parts").glob(f"*/{name}"))[0]
    target.write_bytes(damage(target.read_bytes()))
    again = load_police(_sources(paths, wards))
    assert any("unreadable and was rebuilt" in n for n in again.notes)
    pd.testing.assert_frame_equal(again.records, built.records)
    assert load_police(_sources(paths, wards)).from_cache


def test_a_part_kept_before_sizes_were_noted_is_checked_by_its_headers(months, tmp_path):
    import json

    paths, wards = months
    built = load_police(_sources(paths, wards))
    for meta_path in (tmp_path / "cache" / "police-parts").glob("*/meta.json"):
        meta = json.loads(meta_path.read_text())
        del meta["sizes"], meta["columns"]
        meta_path.write_text(json.dumps(meta))
    opened = load_police(_sources(paths, wards))
    assert opened.from_cache
    pd.testing.assert_frame_equal(opened.records, built.records)
