"""The cache: second run reuses tables, a changed file invalidates them, no-cache rebuilds."""

from __future__ import annotations

import pytest
from conftest import police_row, tiny_wards_geojson, write_police_csv

from vrc_geo.config import find_sources
from vrc_geo.dataset.store import load_police, load_wards


@pytest.fixture
def small(tmp_path, monkeypatch):
    monkeypatch.setenv("VRC_GEO_CACHE_DIR", str(tmp_path / "cache"))
    csv = write_police_csv(
        tmp_path / "d" / "police_uk" / "2022-01" / "2022-01-kent-street.csv",
        [police_row(x=575500, y=155500), police_row(x=576500, y=156500), police_row(lon="", lat="")],
    )
    wards = tiny_wards_geojson(tmp_path / "d" / "boundaries" / "wards_2023" / "w.geojson")
    sources = find_sources(data_dir=tmp_path / "d", env={}, project_root=tmp_path, sample_bundle=tmp_path / "none")
    return sources, csv, wards


def test_second_load_comes_from_cache(small):
    sources, _, _ = small
    first = load_police(sources)
    second = load_police(sources)
    assert not first.from_cache
    assert second.from_cache
    assert second.key == first.key
    assert second.reconciliation.to_dict() == first.reconciliation.to_dict()
    assert second.records["ward_code"].astype(str).tolist() == first.records["ward_code"].astype(str).tolist()


def test_changed_crime_file_invalidates(small):
    sources, csv, _ = small
    first = load_police(sources)
    write_police_csv(csv, [police_row(x=575500, y=155500)])
    second = load_police(sources)
    assert not second.from_cache
    assert second.key != first.key
    assert second.reconciliation.rows_read == 1


def test_changed_boundaries_invalidate_both_tables(small):
    sources, _, wards = small
    first = load_police(sources)
    wards.write_text(wards.read_text().replace("Alpha", "Alfa"))
    second = load_police(sources)
    assert not second.from_cache
    assert second.wards.key != first.wards.key
    assert "Alfa" in second.wards.wards["name"].tolist()


def test_no_cache_forces_a_rebuild(small):
    sources, _, _ = small
    load_police(sources)
    again = load_police(sources, use_cache=False)
    assert not again.from_cache


def test_lazy_tables_are_cached_too(small):
    sources, _, _ = small
    table = load_wards(sources)
    assert table.overlaps is None  # no reference folder: no LSOA boundaries
    assert table.population["population"].isna().all()
    assert load_wards(sources).population["population"].isna().all()


def test_a_new_cache_version_rebuilds(small, monkeypatch):
    import vrc_geo.dataset.cache as cache

    sources, _, _ = small
    first = load_police(sources)
    monkeypatch.setattr(cache, "CACHE_VERSION", cache.CACHE_VERSION + "-next")
    second = load_police(sources)
    assert not second.from_cache
    assert second.key != first.key
