"""Fetching against local servers that behave like ONS, police.uk and Fingertips (no internet)."""

from __future__ import annotations

import json
import time

import pandas as pd
import pytest
from fake_services import FakeServer, FakeState, load_sample

from vrc_geo.cli import main
from vrc_geo.config import find_sources
from vrc_geo.dataset.store import load_police
from vrc_geo.errors import ServiceError
from vrc_geo.fetch import (
    Client,
    available_months,
    fetch_boundaries,
    fetch_fingertips,
    fetch_force_area,
    fetch_police,
    read_manifest,
)
from vrc_geo.io.boundaries import read_boundaries

MONTH = "2022-06"


@pytest.fixture(scope="module")
def sample_state(sample_dir):
    state = FakeState()
    load_sample(state, sample_dir, months=[MONTH, "2022-07"])
    return state


@pytest.fixture
def fake(sample_state):
    sample_state.seen.clear()
    sample_state.status_counts.clear()
    sample_state.rate_limit_per_s = None
    sample_state.drop_first = 0
    sample_state.fail_months = set()
    sample_state.cap = 10_000
    with FakeServer(sample_state) as server:
        yield server


def client(**kw) -> Client:
    return Client(**({"backoff_s": 0.01, "max_per_s": 500, "timeout_s": 10, "retries": 4} | kw))


def test_ons_paging_and_fields(fake, tmp_path):
    written = fetch_boundaries(client(), tmp_path, year=2024, base_url=f"{fake.url}/arcgis/rest/services")
    assert [p.parent.name for p in written] == ["wards_2024", "districts_2024"]
    wards = read_boundaries(tmp_path / "wards_2024")
    assert wards.vintage == "WD24"
    assert len(wards.areas) == 305
    assert wards.areas["district_code"].nunique() == 13
    queries = [s for s in fake.state.seen if "Wards_December_2024" in s]
    assert len(queries) == 7  # 305 wards, 50 a page: the service's limit, not ours
    manifest = read_manifest(tmp_path / "wards_2024")
    assert manifest["features"] == 305
    assert manifest["licence"].startswith("Open Government Licence")
    assert manifest["files"][0]["sha256"]
    assert manifest["retrieved_at"]


def test_ons_error_leaves_earlier_data_intact(fake, tmp_path):
    folder = tmp_path / "wards_2030"
    folder.mkdir()
    earlier = folder / "wards_2030_kent_medway.geojson"
    earlier.write_text("earlier")
    with pytest.raises(ServiceError, match="answered with an error"):
        fetch_boundaries(
            client(), tmp_path, year=2030, base_url=f"{fake.url}/arcgis/rest/services", ward_service="No_Such_Service"
        )
    assert earlier.read_text() == "earlier"
    assert not list(folder.glob("*.part"))


def _ward_counts(dataset):
    rec = dataset.in_area
    return rec.groupby([rec["ward_code"].astype(str), rec["crime_type"].astype(str)]).size().sort_index()


def test_fetched_month_gives_the_same_ward_counts_as_the_download(fake, sample_dir, tmp_path):
    fake.state.cap = 3000  # force the 503 split path
    api = f"{fake.url}/api"
    area = fetch_force_area(client(), tmp_path / "boundaries", base_url=api)
    results = fetch_police(client(), tmp_path / "data", area, months=[MONTH], base_url=api)
    assert results[0].splits > 0
    assert fake.state.status_counts.get(503, 0) > 0
    fetched = tmp_path / "data" / "police_uk" / MONTH / f"{MONTH}-kent-street.csv"
    wards = sample_dir / "boundaries" / "wards_2013"
    ours = load_police(find_sources(crimes=[fetched], boundaries=wards), use_cache=False)
    bulk = load_police(
        find_sources(crimes=[sample_dir / "police_uk" / MONTH / f"{MONTH}-kent-street.csv"], boundaries=wards),
        use_cache=False,
    )
    pd.testing.assert_series_equal(_ward_counts(ours), _ward_counts(bulk))
    assert ours.reconciliation.no_location == bulk.reconciliation.no_location
    table = pd.read_csv(fetched, dtype=str)
    assert list(table.columns)[:3] == ["Crime ID", "Month", "Reported by"]
    assert not table["Crime ID"].fillna("").str.startswith("btp").any()  # British Transport Police left out


def test_incremental_manifest_and_refetch(fake, tmp_path):
    api = f"{fake.url}/api"
    area = fetch_force_area(client(), tmp_path / "b", base_url=api)
    months = available_months(client(), api)
    assert months == [MONTH, "2022-07"]
    first = fetch_police(client(), tmp_path / "d", area, months=months, base_url=api)
    assert [r.month for r in first] == months
    manifest = read_manifest(tmp_path / "d" / "police_uk")
    assert manifest["period"] == f"{MONTH} to 2022-07"
    assert {e["period"] for e in manifest["files"]} == set(months)
    fake.state.seen.clear()
    again = fetch_police(client(), tmp_path / "d", area, months=months, base_url=api)
    assert again == []
    assert not fake.state.seen  # nothing asked for: nothing was missing
    assert [
        r.month for r in fetch_police(client(), tmp_path / "d", area, months=[MONTH], base_url=api, force_refetch=True)
    ] == [MONTH]
    # The force area is fetched once and reused.
    fake.state.seen.clear()
    fetch_force_area(client(), tmp_path / "b", base_url=api)
    assert not fake.state.seen


def test_rate_limit_is_respected_and_429s_are_retried(fake, tmp_path):
    api = f"{fake.url}/api"
    fake.state.rate_limit_per_s = 15
    fast = client(max_per_s=1000)
    area = fetch_force_area(fast, tmp_path / "b", base_url=api)
    assert fake.state.status_counts.get(429, 0) > 0  # we went too fast, were told so, and got there anyway
    assert area.is_valid
    time.sleep(1.1)  # let the server's one-second window empty
    fake.state.status_counts.clear()
    polite = client(max_per_s=10)
    fetch_police(polite, tmp_path / "d", area, months=[MONTH], base_url=api)
    assert fake.state.status_counts.get(429, 0) == 0


def test_dropped_connections_are_retried(fake, tmp_path):
    fake.state.drop_first = 2
    path = fetch_fingertips(client(), tmp_path, base_url=fake.url)
    table = pd.read_csv(path, dtype=str)
    assert set(table["Area Code"]) == {"E06000035", "E07000114", "E10000016", "E92000001"}  # Bexley dropped
    assert read_manifest(tmp_path / "context")["files"][0]["rows"] == 4


def test_offline_gives_a_clear_message_and_keeps_data(tmp_path):
    folder = tmp_path / "context"
    folder.mkdir()
    keep = folder / "fingertips_11201_kent_medway.csv"
    keep.write_text("earlier")
    with pytest.raises(ServiceError, match="Could not reach OHID Fingertips after 2 attempts"):
        fetch_fingertips(client(retries=1, timeout_s=2), tmp_path, base_url="http://127.0.0.1:9")
    assert keep.read_text() == "earlier"


def test_a_failing_month_keeps_the_months_before_it(fake, tmp_path):
    api = f"{fake.url}/api"
    area = fetch_force_area(client(), tmp_path / "b", base_url=api)
    fake.state.fail_months = {"2022-07"}
    with pytest.raises(ServiceError, match="crimes-street"):
        fetch_police(client(retries=1), tmp_path / "d", area, months=[MONTH, "2022-07"], base_url=api)
    folder = tmp_path / "d" / "police_uk"
    assert (folder / MONTH / f"{MONTH}-kent-street.csv").exists()
    assert not (folder / "2022-07").exists()
    assert not list(folder.rglob("*.part"))
    assert [e["period"] for e in read_manifest(folder)["files"]] == [MONTH]


def test_fetch_command_end_to_end(fake, tmp_path, capsys):
    code = main(
        [
            "--quiet",
            "fetch",
            "--data-dir",
            str(tmp_path / "data"),
            "--boundaries-dir",
            str(tmp_path / "boundaries"),
            "--ons-url",
            f"{fake.url}/arcgis/rest/services",
            "--police-url",
            f"{fake.url}/api",
            "--police-stations-url",
            f"{fake.url}/api",
            "--fingertips-url",
            fake.url,
            "--from",
            MONTH,
            "--to",
            MONTH,
            "--max-per-second",
            "200",
        ]
    )
    out = capsys.readouterr()
    assert code == 0, out.err
    assert "police: 1 month fetched" in out.out
    assert "police-stations: 2 police stations" in out.out
    # The fetched data is what the tool now finds by itself in those folders.
    code = main(
        [
            "--quiet",
            "summary",
            "--json",
            "--data-dir",
            str(tmp_path / "data"),
            "--boundaries",
            str(tmp_path / "boundaries" / "wards_2024"),
        ]
    )
    facts = json.loads(capsys.readouterr().out)
    assert code == 0
    assert facts["period"]["months"] == [MONTH]
    assert facts["boundaries"]["vintage"] == "WD24"
    assert facts["rows_read"] == facts["in_area"] + facts["outside_area"] + facts["no_location"] + sum(
        facts["rejected"].values()
    )


def test_fetch_command_reports_failures(tmp_path, capsys):
    code = main(
        [
            "--quiet",
            "fetch",
            "--what",
            "fingertips",
            "--data-dir",
            str(tmp_path),
            "--fingertips-url",
            "http://127.0.0.1:9",
            "--retries",
            "0",
            "--timeout",
            "2",
        ]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert "fingertips: Could not reach OHID Fingertips" in err
    assert "Traceback" not in err


def test_sources_table_lists_fetched_sources(fake, tmp_path):
    from vrc_geo.outputs.catalogue import source_table

    fetch_fingertips(client(), tmp_path / "data", base_url=fake.url)
    fetch_boundaries(client(), tmp_path / "boundaries", base_url=f"{fake.url}/arcgis/rest/services")
    table = source_table(None, project_root=tmp_path)
    assert len(table) == 3
    assert (table["age_days"] == 0).all()
    assert table["refresh"].str.startswith("python -m vrc_geo fetch").all()
    assert table["period"].str.contains("2024").sum() == 2


def test_police_stations_are_fetched_once_each_and_read_as_institutions(fake, sample_dir, tmp_path):
    from vrc_geo.fetch.police_stations import fetch_police_stations
    from vrc_geo.io.institutions import read_public_register

    path = fetch_police_stations(client(), tmp_path / "data", base_url=f"{fake.url}/api")
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    # Two stations (one listed by two neighbourhoods), the community hub left out; the address on one line.
    assert table["name"].tolist() == ["Maidstone Police Station", "Medway Police Station"]
    assert table.loc[0, "address"] == "Palace Avenue, Maidstone"
    assert read_manifest(tmp_path / "data" / "institutions")["files"][0]["rows"] == 2
    register = read_public_register([tmp_path / "data", sample_dir])
    police = register.sites[register.sites["site_type"] == "police"].set_index("name")
    assert police.loc["Medway Police Station", ["x", "y"]].tolist() == [577349, 169462]  # by its postcode
    assert abs(police.loc["Maidstone Police Station", "x"] - 576161) < 150  # its own coordinates
    assert set(police["source"]) == {"police.uk neighbourhood police stations"}


def test_police_stations_refused_when_police_uk_lists_none(fake, sample_state, tmp_path):
    from vrc_geo.fetch.police_stations import fetch_police_stations

    saved = dict(sample_state.locations)
    sample_state.locations.clear()
    try:
        with pytest.raises(ServiceError, match="list no police station"):
            fetch_police_stations(client(), tmp_path, base_url=f"{fake.url}/api")
    finally:
        sample_state.locations.update(saved)
    assert not (tmp_path / "institutions").exists()  # nothing half-written
