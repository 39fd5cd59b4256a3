"""The hotspot pipeline: planted truth in synthetic data, and the real sample checked independently."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from conftest import police_row, write_police_csv

from vrc_geo.config import find_sources
from vrc_geo.dataset.aggregate import make_selection
from vrc_geo.dataset.store import load_police
from vrc_geo.errors import ParameterError
from vrc_geo.hotspots import HOTSPOT_COLUMNS, find_hotspots

X0, Y0 = 570000, 150000
PLACES = {
    "drug_violence": (X0 + 1000, Y0 + 1000),
    "violence_only": (X0 + 5000, Y0 + 5000),
    "drugs_only": (X0 + 1000, Y0 + 5000),
    "quiet": (X0 + 4500, Y0 + 1500),
}


def _wards_file(path):
    features = []
    for i in range(3):
        for j in range(3):
            x, y = X0 + 2000 * i, Y0 + 2000 * j
            ring = [[x, y], [x + 2000, y], [x + 2000, y + 2000], [x, y + 2000], [x, y]]
            features.append(
                {
                    "type": "Feature",
                    "properties": {
                        "WD22CD": f"E059990{i}{j}",
                        "WD22NM": f"Ward {i}{j}",
                        "LAD22CD": "E07000110",
                    },
                    "geometry": {"type": "Polygon", "coordinates": [ring]},
                }
            )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::27700"}},
                "features": features,
            }
        )
    )


def build_planted(root, *, seed=0, shuffle=False):
    rng = np.random.default_rng(seed)
    order_rng = np.random.default_rng(seed + 1)  # shuffling must not change the data drawn
    snaps = {k: np.array(c) + rng.normal(0, 15, (8, 2)).round() for k, c in PLACES.items()}
    # A quiet place: ~72 violence records over the year on 10 snap points within 100 m, none busy alone.
    snaps["quiet"] = np.array(PLACES["quiet"]) + rng.uniform(-70, 70, (10, 2)).round()
    for m in range(1, 13):
        month = f"2022-{m:02d}"
        rows = []

        def at(place, kind, n, month=month, rows=rows):
            for x, y in snaps[place][rng.integers(0, 8, n)]:
                rows.append(police_row(month=month, x=x, y=y, crime_type=kind, location=f"On or near {place}"))

        at("drug_violence", "Violence and sexual offences", 15)
        at("drug_violence", "Drugs", 6)
        at("violence_only", "Violence and sexual offences", 15)
        at("violence_only", "Shoplifting", 6)
        at("drugs_only", "Drugs", 12)
        at("drugs_only", "Shoplifting", 2)
        for x, y in snaps["quiet"][rng.integers(0, 10, 6)]:
            rows.append(police_row(month=month, x=x, y=y, location="On or near Quiet Lane"))
        kinds = rng.choice(
            ["Violence and sexual offences", "Drugs", "Shoplifting", "Burglary"],
            120,
            p=[0.5, 0.05, 0.25, 0.2],
        )
        for kind, (x, y) in zip(kinds, rng.uniform([X0, Y0], [X0 + 6000, Y0 + 6000], (120, 2)), strict=True):
            rows.append(police_row(month=month, x=x, y=y, crime_type=kind))
        if shuffle:
            rows = [rows[i] for i in order_rng.permutation(len(rows))]
        write_police_csv(root / "police_uk" / month / f"{month}-kent-street.csv", rows)
    _wards_file(root / "boundaries" / "wards_2022" / "w.geojson")
    return find_sources(data_dir=root, env={}, project_root=root, sample_bundle=root / "none")


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    root = tmp_path_factory.mktemp("planted")
    return load_police(build_planted(root), use_cache=False)


def _near(table, result, place, radius=150):
    x, y = PLACES[place]
    clusters = (table["kind"] == "place").to_numpy()
    dist = result.footprints.distance(shapely.Point(x, y)).to_numpy()
    return table[clusters & (dist < radius)]


def test_planted_places_found_and_labelled(planted):
    result = find_hotspots(planted, make_selection(), permutations=499)
    table = result.table
    assert list(table.columns) == HOTSPOT_COLUMNS
    drug, plain, quiet = (_near(table, result, p) for p in ("drug_violence", "violence_only", "quiet"))
    assert len(drug) >= 1 and len(plain) >= 1
    assert drug["drug_related"].all()
    assert not plain["drug_related"].any()
    assert drug["drugs_count"].sum() >= 60
    assert plain["drugs_count"].sum() <= 3
    assert (drug["colocation_ratio"] > 1).all()
    # The quiet-area concentration (~72 records in a year, no snap point busy on its own) is found.
    assert len(quiet) == 1
    assert quiet["violence_count"].iloc[0] >= 50
    # The drugs-only place has no violence place.
    assert _near(table, result, "drugs_only", radius=1000).empty
    assert table["rank"].tolist() == list(range(1, len(table) + 1))
    assert drug["top_locations"].iloc[0].startswith("drug_violence")
    clusters = table[table["kind"] == "place"]
    assert (clusters["expected_per_month"] / clusters["circles"]).round(2).is_monotonic_decreasing
    assert set(table["period"]) == {"2022-01 to 2022-12"}
    assert set(table["selection"]) == {"Kent & Medway"}


def test_same_answer_for_shuffled_files(planted, tmp_path):
    shuffled = load_police(build_planted(tmp_path, shuffle=True), use_cache=False)
    a = find_hotspots(planted, make_selection(), permutations=199).table
    b = find_hotspots(shuffled, make_selection(), permutations=199).table
    cols = ["kind", "violence_count", "drugs_count", "drug_related", "colocation_quotient", "area_km2"]
    pd.testing.assert_frame_equal(a[cols], b[cols])


def test_bad_options(planted):
    with pytest.raises(ParameterError, match="Unknown hotspot option"):
        find_hotspots(planted, make_selection(), radius=3)
    with pytest.raises(ParameterError, match="min_rate_per_month"):
        find_hotspots(planted, make_selection(), min_rate_per_month=-5)
    with pytest.raises(ParameterError, match="kinds"):
        find_hotspots(planted, make_selection(), kinds=("hexagon",))
    with pytest.raises(ParameterError, match="measure"):
        find_hotspots(planted, make_selection(), measure="beauty")
    with pytest.raises(ParameterError, match="No crime records"):
        find_hotspots(planted, make_selection(start="2023-01"))
    with pytest.raises(ParameterError, match="population"):
        find_hotspots(planted, make_selection(), measure="rate")
    with pytest.raises(ParameterError, match="background_m"):
        find_hotspots(planted, make_selection(), window_m=500, background_m=400)


# --- the real sample -------------------------------------------------------------------------------

TOWN_CENTRES = {
    "Margate": (1.3838, 51.3893),
    "Maidstone": (0.5219, 51.2727),
    "Chatham": (0.5290, 51.3790),
    "Canterbury": (1.0800, 51.2795),
    "Gravesend": (0.3700, 51.4419),
}


def test_town_centres_are_among_the_first_places(sample_hotspots):
    table = sample_hotspots.result.table
    first = sample_hotspots.result.footprints.iloc[:100]
    assert (table["kind"].iloc[:100] == "place").all()
    for town, (lon, lat) in TOWN_CENTRES.items():
        point = gpd.GeoSeries([shapely.Point(lon, lat)], crs="EPSG:4326").to_crs("EPSG:27700").iloc[0]
        assert first.distance(point).min() < 500, f"{town} is not among the first 100 places"


def test_no_institution_heads_a_patrol_place(sample_hotspots):
    from vrc_geo.hotspots.snap.sites import site_of_name

    table = sample_hotspots.result.table
    clusters = table[table["kind"] == "place"]
    busiest = clusters["top_locations"].str.split(r" \(").str[0].fillna("")
    assert not any(site_of_name(name) for name in busiest), busiest[[bool(site_of_name(n)) for n in busiest]]
    sites = table[table["kind"] == "site"]
    labels = set(sites["site_type"])
    assert {"prison / young offender institution", "hospital", "police station / custody"} <= labels
    # Sylewood Close (Cookham Wood young offender institution) and Escape Lane (Dover's docks).
    assert sites["top_locations"].str.contains("Sylewood Close").any()
    assert sites["top_locations"].str.contains("Escape Lane").any()
    assert not clusters["top_locations"].str.contains("Sylewood Close|Escape Lane").any()


def test_institutions_are_known_in_months_without_their_names(sample_dataset):
    # police.uk's names for institutions stopped with its July 2022 map. Darent Valley Hospital's records
    # then sat at a new point named "Laurence Rise", 327 m from the old "Hospital" point; Cookham Wood
    # young offender institution's at "Sylewood Close"; Margate's hospital at "Drapers Avenue". Selected
    # alone, the later months still know them as sites (learnt from every month available).
    result = find_hotspots(sample_dataset, make_selection(start="2022-08"), kinds=("place", "site"))
    table = result.table
    busiest = table["top_locations"].str.split(r" \(").str[0]
    for street, label in (
        ("Laurence Rise", "hospital"),
        ("Sylewood Close", "prison / young offender institution"),
        ("Drapers Avenue", "hospital"),
    ):
        rows = table[busiest == street]
        assert set(rows["kind"]) == {"site"}, (street, rows[["kind", "site_type"]])
        assert set(rows["site_type"]) == {label}
    labels = table.loc[table["kind"] == "site", "site_type"].value_counts()
    assert labels["hospital"] >= 10 and labels["police station / custody"] >= 10
    assert any("recognised from all 13 months held" in note for note in result.notes)


def test_counts_match_an_independent_count(sample_hotspots, sample_dir):
    raw = pd.concat([pd.read_csv(p) for p in sorted((sample_dir / "police_uk").rglob("*-street.csv"))])
    raw = raw[~(raw["Crime ID"].notna() & raw["Crime ID"].duplicated())].dropna(subset=["Longitude"])
    violence = raw[raw["Crime type"] == "Violence and sexual offences"]
    points = gpd.GeoDataFrame(
        geometry=gpd.points_from_xy(violence["Longitude"], violence["Latitude"]), crs="EPSG:4326"
    ).to_crs("EPSG:27700")
    result = sample_hotspots.result
    footprints = gpd.GeoDataFrame(
        {"rank": result.table["rank"]}, geometry=result.footprints.to_numpy(), crs="EPSG:27700"
    )
    top = footprints.iloc[:8]
    joined = gpd.sjoin(points, top, predicate="intersects")
    expected = joined.groupby("rank").size().reindex(top["rank"]).fillna(0).astype(int)
    assert expected.tolist() == result.table["violence_count"].iloc[:8].tolist()


def test_backtest_beats_both_peers_at_every_cut(sample_hotspots):
    bt = sample_hotspots.backtest
    assert bt is not None
    assert bt.test_months == ["2022-11", "2022-12", "2023-01"]
    ratios = bt.ratios()
    assert list(ratios.index) == ["top tenth", "top third", "all"]
    assert bt.beats_peers(), ratios
    assert 0 < bt.ours.area_share < 0.01


def test_hot_wards_do_not_depend_on_the_seed(sample_dataset):
    from vrc_geo.hotspots.rank import VIOLENCE_GROUP
    from vrc_geo.hotspots.ward_stats import ward_statistics

    violent = sample_dataset.in_area[sample_dataset.in_area["crime_type"].isin(VIOLENCE_GROUP)]
    classes = [
        ward_statistics(
            violent,
            sample_dataset,
            months=sample_dataset.months,
            measure="count",
            weight=None,
            permutations=9999,
            seed=seed,
        )[["code", "gi_bin", "hotspot_class"]]
        for seed in (0, 1, 2)
    ]
    for other in classes[1:]:
        pd.testing.assert_frame_equal(classes[0], other)
    assert (classes[0]["gi_bin"] >= 1).sum() >= 5


def test_district_selection_filters_the_county_statistics(sample_hotspots, sample_dataset):
    # Thanet and Sevenoaks do not touch: their wards keep the classes of the county-wide analysis.
    part = find_hotspots(sample_dataset, make_selection(districts=["Thanet", "Sevenoaks"]), kinds=("ward",))
    whole = sample_hotspots.result.wards.set_index("code")
    mine = part.wards.set_index("code")
    assert set(mine["district_code"]) == {"E07000114", "E07000111"}
    pd.testing.assert_series_equal(mine["gi_bin"], whole.loc[mine.index, "gi_bin"])
    assert set(part.table["selection"]) <= {"Sevenoaks, Thanet", "Thanet, Sevenoaks"}


def test_files_in_three_formats(sample_hotspots, tmp_path):
    csv = sample_hotspots.file_bytes(".csv", top=5).decode()
    assert csv.splitlines()[0].split(",") == HOTSPOT_COLUMNS
    assert len(csv.splitlines()) == 6
    plain = sample_hotspots.file_bytes(".csv", top=1, plain=True).decode()
    assert plain.splitlines()[0].startswith("Rank,Hotspot,")
    data = json.loads(sample_hotspots.file_bytes(".geojson"))
    assert len(data["features"]) == len(sample_hotspots.result.table)
    assert data["features"][0]["geometry"]["type"] in {"Polygon", "MultiPolygon"}
    assert set(HOTSPOT_COLUMNS) <= set(data["features"][0]["properties"])
    assert "Backtest" in data["metadata"]
    path = tmp_path / "h.xlsx"
    path.write_bytes(sample_hotspots.file_bytes(".xlsx"))
    sheets = pd.read_excel(path, sheet_name=None)
    assert list(sheets) == [
        "hotspots",
        "Labels",
        "Zones",
        "Backtest",
        "Calibration",
        "Institutions",
        "Harm weights",
        "About",
    ]
    assert sheets["Institutions"]["Institution"].str.contains("Maidstone Hospital").any()
    about = sheets["About"].set_index("item")["value"]
    assert about["Data period"] == "Jan 2022 to Jan 2023 (13 months)"
    for key in ("Method", "Parameters", "Caveats", "Backtest", "PEI"):
        assert len(about[key]) > 40
    sites = sample_hotspots.file_bytes(".csv", kind="site").decode().splitlines()
    assert all(",site," in line for line in sites[1:])
    name = sample_hotspots.file_name(".csv", kind="site", top=10)
    assert name == "hotspots_kent-medway_2022-01_2023-01_sites_top10.csv"


def test_harm_measure_ranks_by_harm(sample_dataset):
    result = find_hotspots(sample_dataset, make_selection(start="2022-07"), measure="harm", kinds=("place",))
    table = result.table
    assert table["harm_per_month"].notna().all()
    # Ranked by expected harm per patrol circle (areas are rounded to 4 decimals in the table).
    np.testing.assert_allclose(table["density_per_km2"] * table["area_km2"], table["harm_per_month"], rtol=0.02)
    # (harm is rounded to 0.1 a row: a row of 8 circles and its neighbours may differ by that, no more)
    assert (np.diff((table["harm_per_month"] / table["circles"]).astype(float)) <= 0.1).all()


def test_a_period_s_ward_statistics_are_computed_once(planted, monkeypatch):
    """Another choice of districts over the same period reads the kept statistics; they equal a fresh run."""
    import vrc_geo.hotspots.rank as rank
    import vrc_geo.hotspots.ward_stats as ward_stats

    dataset = planted
    monkeypatch.setattr(ward_stats, "_PERIODS", ward_stats.KeptResults(16))
    calls = []
    original = rank.ward_statistics
    monkeypatch.setattr(rank, "ward_statistics", lambda *a, **k: calls.append(1) or original(*a, **k))
    first = find_hotspots(dataset, make_selection(), kinds=("ward",), seed=3)
    again = find_hotspots(dataset, make_selection(), kinds=("ward",), seed=3)
    assert len(calls) == 1
    pd.testing.assert_frame_equal(first.table, again.table)
    find_hotspots(dataset, make_selection(start=dataset.months[1]), kinds=("ward",), seed=3)
    find_hotspots(dataset, make_selection(), kinds=("ward",), seed=None)
    find_hotspots(dataset, make_selection(), kinds=("ward",), seed=None)
    assert len(calls) == 4  # another period, and a new draw each time without a seed
