"""The whole real sample: every row accounted for, counts checked against independent computations."""

from __future__ import annotations

import csv
from collections import Counter

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from vrc_geo.dataset.aggregate import make_selection, select_records
from vrc_geo.dataset.geography import place_records


@pytest.fixture(scope="module")
def raw_rows(sample_dir) -> dict[str, list[dict]]:
    """Every data row of every sample file, read with the csv module (no code of ours)."""
    out = {}
    for path in sorted((sample_dir / "police_uk").rglob("*-street.csv")):
        with open(path, newline="", encoding="utf-8") as handle:
            out[str(path)] = list(csv.DictReader(handle))
    return out


def test_reconciliation_balances_exactly(sample_dataset, raw_rows):
    rec = sample_dataset.reconciliation
    assert rec.rows_read == sum(len(rows) for rows in raw_rows.values()) == 215_518
    assert rec.rows_read == rec.in_area + rec.outside_area + rec.no_location + rec.rejected_total
    assert rec.rejected == {"duplicate Crime ID": 1}
    assert rec.no_location == 2243  # rows with neither coordinates nor LSOA
    by_file = rec.by_file.set_index("file")
    for path, rows in raw_rows.items():
        row = by_file.loc[path]
        assert row["rows_read"] == len(rows)
        assert row["in_area"] + row["outside_area"] + row["no_location"] + row["rejected"] == len(rows)


def test_totals_per_month_match_the_raw_files(sample_dataset, raw_rows):
    raw = Counter(r["Month"] for rows in raw_rows.values() for r in rows)
    ours = Counter(sample_dataset.records["month"].astype(str))
    file_month = {path: rows[0]["Month"] for path, rows in raw_rows.items()}
    assert all(len({r["Month"] for r in rows}) == 1 for rows in raw_rows.values())
    ours.update(file_month[f] for f in sample_dataset.rejects["source_file"])
    assert ours == raw
    assert len(raw) == 13


def test_ward_counts_match_an_independent_sjoin(sample_dataset, sample_dir):
    frames = [pd.read_csv(p) for p in sorted((sample_dir / "police_uk").rglob("*-street.csv"))]
    crimes = pd.concat(frames, ignore_index=True)
    has_id = crimes["Crime ID"].notna()
    crimes = crimes[~(has_id & crimes["Crime ID"].duplicated(keep="first"))]
    crimes = crimes.dropna(subset=["Longitude", "Latitude"])
    points = gpd.GeoDataFrame(
        crimes, geometry=gpd.points_from_xy(crimes["Longitude"], crimes["Latitude"]), crs="EPSG:4326"
    ).to_crs("EPSG:27700")
    wards = pd.concat(
        [gpd.read_file(p) for p in sorted((sample_dir / "boundaries" / "wards_2013").glob("*.json"))]
    ).to_crs("EPSG:27700")
    joined = gpd.sjoin(points, wards[["WD13CD", "geometry"]], predicate="intersects")
    joined = joined.reset_index().sort_values("WD13CD").drop_duplicates("index")  # edge: lowest code
    expected = joined["WD13CD"].value_counts().sort_index()

    records = sample_dataset.records
    by_point = records[records["placement"] == "point"]
    ours = by_point["ward_code"].astype(str).value_counts().sort_index()
    pd.testing.assert_series_equal(ours, expected, check_names=False)
    assert (records["placement"] == "nearest_ward").sum() < 100  # the coast rule is a small correction


@pytest.mark.parametrize(
    ("place", "lon", "lat", "ward", "district"),
    [
        ("Maidstone town centre (High Street)", 0.5219, 51.2727, "High Street", "Maidstone"),
        ("Margate (Cecil Square)", 1.3838, 51.3893, "Margate Central", "Thanet"),
        ("Chatham (High Street)", 0.5290, 51.3790, "Chatham Central", "Medway"),
        ("Canterbury (Westgate)", 1.0800, 51.2795, "Westgate", "Canterbury"),
        ("Gravesend town centre", 0.3700, 51.4419, "Central", "Gravesham"),
        ("Folkestone town centre", 1.1800, 51.0800, "Folkestone Harvey Central", "Folkestone and Hythe"),
    ],
)
def test_known_places_land_in_the_right_ward(sample_dataset, place, lon, lat, ward, district):
    wards = sample_dataset.wards.wards
    record = pd.DataFrame({"lon": [lon], "lat": [lat], "lsoa_code": [None], "lsoa_name": [None]})
    placed = place_records(record, wards)
    code = placed["ward_code"].astype(str).item()
    row = wards.set_index("code").loc[code]
    assert (row["name"], row["district_name"]) == (ward, district), place
    assert (sample_dataset.in_area["ward_code"] == code).sum() > 100  # busy places have records


def test_lsoa_names_agree_with_ward_districts(sample_dataset):
    placed = sample_dataset.in_area.dropna(subset=["lsoa_name"])
    stem = placed["lsoa_name"].astype(str).str.replace(r"\s+\d{3}[A-Z]$", "", regex=True)
    stem = stem.replace({"Shepway": "Folkestone and Hythe"})
    names = placed["district_code"].map(
        sample_dataset.wards.wards.set_index("district_code")["district_name"].drop_duplicates()
    )
    agree = np.mean(stem.to_numpy() == names.astype(str).to_numpy())
    assert agree > 0.995


def test_filters_give_the_right_totals(sample_dataset, raw_rows):
    sel = make_selection(start="2022-06", end="2022-08", districts=["Thanet"], crime_types=["drugs"])
    ours = len(select_records(sample_dataset.records, sel))
    raw = sum(
        1
        for rows in raw_rows.values()
        for r in rows
        if "2022-06" <= r["Month"] <= "2022-08" and r["Crime type"] == "Drugs" and r["LSOA name"].startswith("Thanet")
    )
    assert abs(ours - raw) <= 2  # LSOA names vs ward polygons: only snap points on district edges differ
    assert ours > 50


def test_rows_without_coordinates_are_placed_through_their_lsoa(sample_dataset, sample_sources):
    from vrc_geo.dataset.geography import best_fit_wards
    from vrc_geo.io.reference import read_lsoa_history

    wards = sample_dataset.wards
    overlaps = wards.overlaps
    lsoa11 = set(overlaps["lsoa_code"])
    placed = sample_dataset.in_area.dropna(subset=["lsoa_code"]).sample(2000, random_state=1)
    stripped = placed.assign(lon=np.nan, lat=np.nan)
    again = place_records(
        stripped[["lon", "lat", "lsoa_code", "lsoa_name"]],
        wards.wards,
        lsoa_to_ward=best_fit_wards(overlaps),
        local_lsoa_codes=frozenset(lsoa11),
    )
    known = stripped["lsoa_code"].isin(lsoa11).to_numpy()
    assert (again["placement"].astype(str).to_numpy()[known] == "lsoa").all()
    same = again["ward_code"].astype(str).to_numpy()[known] == placed["ward_code"].astype(str).to_numpy()[known]
    assert same.mean() > 0.95  # LSOAs nest in 2011-era wards; snap points near edges may differ
    # A 2021-only LSOA code (a split of a 2011 LSOA) has no 2011 polygon: counted as no location.
    history = read_lsoa_history(sample_sources.reference)
    new_2021 = sorted(set(history.loc[history["start_date"] >= "2021", "LSOACD"]) - lsoa11)
    assert new_2021
    record = pd.DataFrame({"lon": [np.nan], "lat": [np.nan], "lsoa_code": [new_2021[0]], "lsoa_name": ["Swale 099Z"]})
    out = place_records(
        record,
        wards.wards,
        lsoa_to_ward=best_fit_wards(overlaps),
        local_lsoa_codes=frozenset(history["LSOACD"]),
    )
    assert out["placement"].astype(str).item() == "lsoa_unplaced"
    assert out["status"].astype(str).item() == "no_location"
