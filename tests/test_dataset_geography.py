"""Placing records in wards, and ward populations, on inputs with hand-derived answers."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from conftest import bng_to_lonlat

from vrc_geo.base.crs import project_lonlat
from vrc_geo.dataset.geography import (
    best_fit_wards,
    lsoa_ward_overlaps,
    place_records,
    ward_population,
)
from vrc_geo.errors import ParameterError
from vrc_geo.io.boundaries import read_boundaries


@pytest.fixture
def wards(tiny_wards):
    return read_boundaries(tiny_wards).areas


def _records(points: list[tuple], **extra) -> pd.DataFrame:
    rows = []
    for i, p in enumerate(points):
        lon, lat = bng_to_lonlat(*p) if p is not None else (np.nan, np.nan)
        rows.append(
            {
                "crime_id": f"id{i}",
                "month": "2022-01",
                "crime_type": "Drugs",
                "lon": lon,
                "lat": lat,
                "lsoa_code": extra.get("lsoa_code", [None] * len(points))[i],
                "lsoa_name": extra.get("lsoa_name", [None] * len(points))[i],
            }
        )
    return pd.DataFrame(rows)


def test_points_land_in_the_right_ward(wards):
    records = _records([(575500, 155500), (576500, 155500), (575500, 156500), (576500, 156500)])
    placed = place_records(records, wards)
    assert placed["ward_code"].astype(str).tolist() == [
        "E05900001",
        "E05900002",
        "E05900003",
        "E05900004",
    ]
    assert placed["district_code"].astype(str).tolist() == [
        "E07000110",
        "E07000105",
        "E07000110",
        "E07000105",
    ]
    assert placed["placement"].astype(str).eq("point").all()
    assert placed["status"].astype(str).eq("in_area").all()


def test_point_on_a_shared_corner_goes_to_lowest_code_whatever_the_order(wards):
    # x=576000,y=156000 touches all four wards; BNG->WGS84->BNG may move it by < 1 mm, so place the
    # point straight on the corner by giving exact projected coordinates back.
    corner_lon, corner_lat = bng_to_lonlat(576000, 156000)
    x, y = project_lonlat(np.array([corner_lon]), np.array([corner_lat]))
    hits = [w for w, g in zip(wards["code"], wards.geometry, strict=True) if g.intersects(shapely.Point(x[0], y[0]))]
    records = pd.DataFrame(
        {
            "crime_id": ["a"],
            "lon": [corner_lon],
            "lat": [corner_lat],
            "lsoa_code": [None],
            "lsoa_name": [None],
        }
    )
    placed = place_records(records, wards)
    placed_shuffled = place_records(records, wards.iloc[::-1])
    assert placed["ward_code"].astype(str).item() == min(hits)
    assert placed_shuffled["ward_code"].astype(str).item() == min(hits)


def test_outside_points_and_the_coast_rule(wards):
    records = _records(
        [(577200, 155500), (577200, 155500), (590000, 155500), (577200, 155500)],
        lsoa_code=["E01024400", "E01000001", "E01024400", None],
        lsoa_name=["Maidstone 001A", "Bexley 001A", "Maidstone 001A", None],
    )
    placed = place_records(records, wards, coast_tolerance_m=500)
    # 200 m east of Bravo with a Kent LSOA, or with none (API records): nearest ward. The same point with
    # an LSOA elsewhere, or 13 km away: outside.
    assert placed["placement"].astype(str).tolist() == ["nearest_ward", "outside", "outside", "nearest_ward"]
    assert placed["ward_code"].astype(str).tolist()[0] == "E05900002"
    assert placed["status"].astype(str).tolist() == ["in_area", "outside_area", "outside_area", "in_area"]
    strict = place_records(records, wards, coast_tolerance_m=0)
    assert strict["placement"].astype(str).tolist() == ["outside"] * 4


def test_rows_without_coordinates_use_their_lsoa(wards):
    lsoa_to_ward = pd.Series({"E01000001": "E05900003"})
    records = _records(
        [None, None, None, None],
        lsoa_code=["E01000001", "E01099999", "E01088888", None],
        lsoa_name=["Maidstone 001A", "Maidstone 099Z", "Bexley 001A", None],
    )
    placed = place_records(records, wards, lsoa_to_ward=lsoa_to_ward)
    assert placed["placement"].astype(str).tolist() == ["lsoa", "lsoa_unplaced", "outside", "no_location"]
    assert placed["status"].astype(str).tolist() == ["in_area", "no_location", "outside_area", "no_location"]
    assert placed["ward_code"].astype(str).tolist()[0] == "E05900003"


def test_row_order_invariance_and_input_untouched(wards):
    rng = np.random.default_rng(0)
    pts = [(float(x), float(y)) for x, y in rng.uniform([574500, 154500], [577500, 157500], (200, 2))]
    records = _records(pts)
    before = records.copy()
    a = place_records(records, wards)
    b = place_records(records.iloc[::-1].reset_index(drop=True), wards).iloc[::-1].reset_index(drop=True)
    pd.testing.assert_frame_equal(records, before)
    assert a["ward_code"].astype(str).tolist() == b["ward_code"].astype(str).tolist()
    assert a["status"].astype(str).value_counts().sum() == 200


def test_bad_arguments(wards):
    with pytest.raises(TypeError):
        place_records([1, 2], wards)
    with pytest.raises(ParameterError, match="coast_tolerance_m"):
        place_records(_records([(575500, 155500)]), wards, coast_tolerance_m=-1)


def test_area_weighted_population_by_hand(wards):
    # LSOA X covers Alpha entirely; LSOA Y straddles Alpha's neighbour Bravo (3/4) and Delta (1/4).
    lsoas = gpd.GeoDataFrame(
        {"code": ["X", "Y"]},
        geometry=[
            shapely.box(575000, 155000, 576000, 156000),
            shapely.box(576000, 155250, 577000, 156250),
        ],
        crs=wards.crs,
    )
    overlaps = lsoa_ward_overlaps(lsoas, wards)
    shares = overlaps.set_index(["lsoa_code", "ward_code"])["share"]
    assert shares[("X", "E05900001")] == pytest.approx(1.0)
    assert shares[("Y", "E05900002")] == pytest.approx(0.75)
    assert shares[("Y", "E05900004")] == pytest.approx(0.25)
    assert best_fit_wards(overlaps).to_dict() == {"X": "E05900001", "Y": "E05900002"}
    pop = ward_population(
        wards,
        overlaps=overlaps,
        lsoa_population=pd.DataFrame({"lsoa_code": ["X", "Y"], "population": [1000, 400]}),
    ).set_index("ward_code")
    assert pop.loc["E05900001", "population"] == 1000
    assert pop.loc["E05900002", "population"] == 300
    assert pop.loc["E05900004", "population"] == 100
    assert pd.isna(pop.loc["E05900003", "population"])


def test_mid2020_estimates_used_only_when_every_ward_has_one(wards):
    mid = pd.DataFrame({"ward_code": wards["code"].tolist(), "population": [5, 6, 7, 8]})
    pop = ward_population(wards, overlaps=None, lsoa_population=None, ward_population_2020=mid)
    assert pop["population"].tolist() == [5, 6, 7, 8]
    assert pop["population_source"].eq("ONS mid-2020 ward estimate").all()
    partial = ward_population(wards, overlaps=None, lsoa_population=None, ward_population_2020=mid.iloc[:2])
    assert partial["population"].isna().all()


def test_sample_population_matches_the_census_total(sample_dataset):
    pop = sample_dataset.wards.population
    assert pop["population"].notna().all()
    # Census 2011: 1,727,665 usual residents in Kent & Medway; rounding per ward moves it by a few.
    assert abs(pop["population"].sum() - 1_727_665) < 50
