"""Where data is found: flag, then environment, then data/, then the sample bundle."""

from __future__ import annotations

import pytest
from conftest import police_row, tiny_wards_geojson, write_police_csv

from vrc_geo.config import ENV_BOUNDARIES, ENV_DATA_DIR, find_sources
from vrc_geo.errors import DataNotFoundError


def _data_dir(root, name):
    folder = root / name
    write_police_csv(folder / "police_uk" / "2022-01" / "2022-01-kent-street.csv", [police_row(x=575500, y=155500)])
    tiny_wards_geojson(folder / "boundaries" / "wards_2023" / "w.geojson")
    return folder


@pytest.fixture
def layout(tmp_path):
    project = tmp_path / "project"
    (project / "data").mkdir(parents=True)
    (project / "boundaries").mkdir()
    sample = _data_dir(tmp_path, "sample")
    return project, sample


def test_sample_bundle_is_the_last_resort(layout):
    project, sample = layout
    found = find_sources(env={}, project_root=project, sample_bundle=sample)
    assert found.origin == "sample bundle"
    assert found.crimes[0].is_relative_to(sample)
    assert found.boundaries == sample / "boundaries" / "wards_2023"


def test_project_data_folder_beats_the_sample(layout):
    project, sample = layout
    write_police_csv(project / "data" / "police_uk" / "x-street.csv", [police_row(x=1, y=1)])
    found = find_sources(env={}, project_root=project, sample_bundle=sample)
    assert found.origin == "data/"
    # data/ has no boundaries of its own: the next place that has them is used.
    assert found.boundaries == sample / "boundaries" / "wards_2023"


def test_environment_beats_data_and_flag_beats_environment(layout, tmp_path):
    project, sample = layout
    env_dir = _data_dir(tmp_path, "from_env")
    flag_dir = _data_dir(tmp_path, "from_flag")
    found = find_sources(env={ENV_DATA_DIR: str(env_dir)}, project_root=project, sample_bundle=sample)
    assert found.origin == ENV_DATA_DIR
    assert found.boundaries.is_relative_to(env_dir)
    found = find_sources(
        data_dir=flag_dir, env={ENV_DATA_DIR: str(env_dir)}, project_root=project, sample_bundle=sample
    )
    assert found.origin == "--data-dir"
    assert found.crimes[0].is_relative_to(flag_dir)


def test_explicit_crimes_and_boundaries(layout, tmp_path):
    project, sample = layout
    wards = tiny_wards_geojson(tmp_path / "mine.geojson")
    crimes = write_police_csv(tmp_path / "c.csv", [police_row(x=1, y=1)])
    found = find_sources(crimes=[crimes], boundaries=wards, env={}, project_root=project, sample_bundle=sample)
    assert found.crimes == (crimes,)
    assert found.boundaries == wards
    found = find_sources(env={ENV_BOUNDARIES: str(wards)}, project_root=project, sample_bundle=sample)
    assert found.boundaries == wards


def test_project_boundaries_folder_is_preferred(layout):
    project, sample = layout
    tiny_wards_geojson(project / "boundaries" / "wards_2024" / "fetched.geojson")
    found = find_sources(env={}, project_root=project, sample_bundle=sample)
    assert found.boundaries == project / "boundaries" / "wards_2024"


def test_nothing_found_says_how_to_get_data(tmp_path):
    with pytest.raises(DataNotFoundError, match=r"No police.uk crime files found.*data.police.uk"):
        find_sources(env={}, project_root=tmp_path, sample_bundle=tmp_path / "none")


def test_bad_flag_or_env_paths(tmp_path):
    with pytest.raises(DataNotFoundError, match="not a folder"):
        find_sources(data_dir=tmp_path / "missing", env={}, project_root=tmp_path)
    with pytest.raises(DataNotFoundError, match="not found"):
        find_sources(crimes=[tmp_path / "missing.csv"], env={}, project_root=tmp_path)


def test_a_register_of_institutions_is_found_beside_the_crime_files_or_in_data(layout, tmp_path):
    project, sample = layout
    assert find_sources(env={}, project_root=project, sample_bundle=sample).sites_register is None
    (project / "data" / "institutions.xlsx").write_bytes(b"")
    found = find_sources(env={}, project_root=project, sample_bundle=sample)
    assert found.sites_register == project / "data" / "institutions.xlsx"
    flag_dir = _data_dir(tmp_path, "flag")
    (flag_dir / "institutions.csv").write_text("name,site_type,x,y\n")
    found = find_sources(data_dir=flag_dir, env={}, project_root=project, sample_bundle=sample)
    assert found.sites_register == flag_dir / "institutions.csv"
