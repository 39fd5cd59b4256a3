"""The hotspot pipeline: planted truth in synthetic data, and the real sample checked independently."""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from conftest import police_row, write_police_csv

from vrc_geo.aggregate import make_selection
from vrc_geo.config import find_sources
from vrc_geo.errors import ParameterError
from vrc_geo.hotspots import HOTSPOT_COLUMNS, find_hotspots
from vrc_geo.hotspots.service import hotspots_for
from vrc_geo.store import load_police

X0, Y0 = 570000, 150000
PLACES = {
    "drug_violence": (X0 + 1000, Y0 + 1000),
    "violence_only": (X0 + 5000, Y0 + 5000),
    "drugs_only": (X0 + 1000, Y0 + 5000),
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
    snaps = {k: np.array(c) + rng.normal(0, 30, (8, 2)).round() for k, c in PLACES.items()}
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


def _nearest(table, result, place):
    x, y = PLACES[place]
    geoms = result.footprints
    clusters = table["kind"] == "cluster"
    dist = geoms[clusters.to_numpy()].distance(shapely.Point(x, y))
    return table[clusters].iloc[int(np.argmin(dist.to_numpy()))], float(dist.min())


def test_planted_clusters_found_and_labelled(planted):
    result = find_hotspots(planted, make_selection(), permutations=499)
    table = result.table
    assert list(table.columns) == HOTSPOT_COLUMNS
    clusters = table[table["kind"] == "cluster"]
    assert len(clusters) == 2
    drug, d1 = _nearest(table, result, "drug_violence")
    plain, d2 = _nearest(table, result, "violence_only")
    assert d1 == 0
    assert d2 == 0
    assert bool(drug["drug_related"])
    assert not bool(plain["drug_related"])
    assert drug["drugs_count"] >= 70
    assert plain["drugs_count"] <= 3
    # The drugs-only place has no violence cluster.
    x, y = PLACES["drugs_only"]
    assert result.footprints[(table["kind"] == "cluster").to_numpy()].distance(shapely.Point(x, y)).min() > 1000
    assert table["rank"].tolist() == list(range(1, len(table) + 1))
    assert set(clusters["first_month"]) == {"2022-01"}
    assert drug["top_locations"].startswith("drug_violence")


def test_same_answer_for_shuffled_files(planted, tmp_path):
    shuffled = load_police(build_planted(tmp_path, shuffle=True), use_cache=False)
    a = find_hotspots(planted, make_selection(), permutations=199).table
    b = find_hotspots(shuffled, make_selection(), permutations=199).table
    cols = ["kind", "violence_count", "drugs_count", "drug_related", "colocation_quotient", "area_km2"]
    pd.testing.assert_frame_equal(a[cols], b[cols])


def test_bad_options(planted):
    with pytest.raises(ParameterError, match="Unknown hotspot option"):
        find_hotspots(planted, make_selection(), radius=3)
    with pytest.raises(ParameterError, match="eps_m"):
        find_hotspots(planted, make_selection(), eps_m=-5)
    with pytest.raises(ParameterError, match="kinds"):
        find_hotspots(planted, make_selection(), kinds=("hexagon",))
    with pytest.raises(ParameterError, match="No crime records"):
        find_hotspots(planted, make_selection(start="2023-01"))
    with pytest.raises(ParameterError, match="population"):
        find_hotspots(planted, make_selection(), measure="rate")


# --- the real sample -------------------------------------------------------------------------------

TOWN_CENTRES = {
    "Margate": (1.3838, 51.3893),
    "Maidstone": (0.5219, 51.2727),
    "Chatham": (0.5290, 51.3790),
    "Canterbury": (1.0800, 51.2795),
    "Gravesend": (0.3700, 51.4419),
}


@pytest.fixture(scope="module")
def sample_hotspots(sample_dataset):
    return hotspots_for(sample_dataset, make_selection())


def test_top_hotspots_are_the_town_centres(sample_hotspots):
    table = sample_hotspots.result.table
    top = sample_hotspots.result.footprints.iloc[:12].to_crs("EPSG:4326")
    assert (table["kind"].iloc[:12] == "cluster").all()
    for town, (lon, lat) in TOWN_CENTRES.items():
        point = gpd.GeoSeries([shapely.Point(lon, lat)], crs="EPSG:4326").to_crs("EPSG:27700").iloc[0]
        distances = top.to_crs("EPSG:27700").distance(point)
        assert distances.min() < 500, f"{town} is not among the top 12 hotspots"


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


def test_backtest_beats_the_naive_peer(sample_hotspots):
    bt = sample_hotspots.backtest
    assert bt is not None
    assert bt.ours.pai >= bt.naive.pai
    assert 0 < bt.ours.area_share < 0.02
    assert bt.test_months == ["2022-11", "2022-12", "2023-01"]


def test_files_in_three_formats(sample_hotspots, tmp_path):
    csv = sample_hotspots.file_bytes(".csv", top=5).decode()
    assert csv.splitlines()[0].split(",") == HOTSPOT_COLUMNS
    assert len(csv.splitlines()) == 6
    data = json.loads(sample_hotspots.file_bytes(".geojson"))
    assert len(data["features"]) == len(sample_hotspots.result.table)
    assert data["features"][0]["geometry"]["type"] in {"Polygon", "MultiPolygon"}
    assert set(HOTSPOT_COLUMNS) <= set(data["features"][0]["properties"])
    assert "Backtest" in data["metadata"]
    path = tmp_path / "h.xlsx"
    path.write_bytes(sample_hotspots.file_bytes(".xlsx"))
    sheets = pd.read_excel(path, sheet_name=None)
    assert list(sheets) == ["hotspots", "About"]
    about = sheets["About"].set_index("item")["value"]
    assert about["Data period"] == "2022-01 to 2023-01 (13 months)"
    for key in ("Method", "Parameters", "Caveats", "Backtest"):
        assert len(about[key]) > 40
