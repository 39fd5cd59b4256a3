"""Boundary reading: any ONS vintage, repair, districts, and clear errors."""

from __future__ import annotations

import json

import geopandas as gpd
import pytest
import shapely
from conftest import tiny_wards_geojson

from vrc_geo.errors import BoundaryError
from vrc_geo.io.boundaries import BNG, read_boundaries


def test_detects_vintage_codes_names_and_district(tiny_wards):
    result = read_boundaries(tiny_wards)
    areas = result.areas
    assert result.level == "ward"
    assert result.vintage == "WD23"
    assert areas.crs == BNG
    assert areas["code"].tolist() == ["E05900001", "E05900002", "E05900003", "E05900004"]
    assert areas["district_name"].tolist() == ["Maidstone", "Ashford", "Maidstone", "Ashford"]
    assert areas.geometry.area.round().tolist() == [1e6] * 4


@pytest.mark.parametrize(
    ("code_col", "name_col", "vintage"),
    [("WD13CD", "WD13NM", "WD13"), ("wd24cd", "wd24nm", "WD24"), ("ward_code", "ward_name", "ward")],
)
def test_any_vintage_column_style(tmp_path, code_col, name_col, vintage):
    path = tiny_wards_geojson(tmp_path / "w.geojson", code_col=code_col, name_col=name_col)
    result = read_boundaries(path)
    assert result.vintage == vintage
    assert len(result.areas) == 4


def test_lsoa_level_is_detected_and_checked(tmp_path):
    path = tiny_wards_geojson(tmp_path / "l.geojson", code_col="LSOA11CD", name_col="LSOA11NM")
    assert read_boundaries(path, level="lsoa").level == "lsoa"
    with pytest.raises(BoundaryError, match="holds lsoa boundaries, but ward boundaries are needed"):
        read_boundaries(path, level="ward")


def test_invalid_geometry_is_repaired(tmp_path):
    bowtie = shapely.Polygon([(575000, 155000), (576000, 156000), (576000, 155000), (575000, 156000)])
    frame = gpd.GeoDataFrame(
        {"WD22CD": ["E05900001"], "WD22NM": ["Bow"], "LAD22CD": ["E07000110"]},
        geometry=[bowtie],
        crs=BNG,
    )
    assert not bowtie.is_valid
    path = tmp_path / "bow.gpkg"
    frame.to_file(path)
    result = read_boundaries(path)
    geom = result.areas.geometry.iloc[0]
    assert geom.is_valid
    assert geom.geom_type in {"Polygon", "MultiPolygon"}
    assert geom.area == pytest.approx(500_000)
    assert any("Repaired 1" in n for n in result.notes)


def test_areas_outside_kent_are_left_out_with_a_note(tmp_path):
    path = tiny_wards_geojson(tmp_path / "w.geojson")
    data = json.loads(path.read_text())
    data["features"][0]["properties"]["LAD23CD"] = "E09000004"  # Bexley
    path.write_text(json.dumps(data))
    result = read_boundaries(path)
    assert len(result.areas) == 3
    assert any("outside the 13" in n for n in result.notes)


def test_district_from_per_district_file_names(tmp_path):
    folder = tmp_path / "wards"
    for shift, lad in enumerate(("E07000110", "E07000105")):
        path = tiny_wards_geojson(folder / f"{lad}.json")
        data = json.loads(path.read_text())
        for i, feature in enumerate(data["features"]):
            del feature["properties"]["LAD23CD"]
            feature["properties"]["WD23CD"] = f"E0599{lad[-2:]}{i:02d}"
            ring = feature["geometry"]["coordinates"][0]
            feature["geometry"]["coordinates"][0] = [[x + 3000 * shift, y] for x, y in ring]  # side by side
        path.write_text(json.dumps(data))
    areas = read_boundaries(folder).areas
    assert sorted(areas["district_name"].unique()) == ["Ashford", "Maidstone"]
    assert len(areas) == 8


def test_unreadable_file_is_a_clear_error(tmp_path):
    path = tmp_path / "broken.geojson"
    path.write_text('{"type": "FeatureCollection", "features": [')
    with pytest.raises(BoundaryError, match=r"Cannot read boundary file broken\.geojson"):
        read_boundaries(path)


def test_no_code_column_is_a_clear_error(tmp_path):
    path = tiny_wards_geojson(tmp_path / "w.geojson", code_col="foo", name_col="bar")
    with pytest.raises(BoundaryError, match="no area code column"):
        read_boundaries(path)


def test_empty_folder_is_a_clear_error(tmp_path):
    with pytest.raises(BoundaryError, match="No boundary files"):
        read_boundaries(tmp_path)


def test_sample_wards_2013(sample_dir):
    result = read_boundaries(sample_dir / "boundaries" / "wards_2013", reference=sample_dir)
    areas = result.areas
    assert len(areas) == 305
    assert result.vintage == "WD13"
    assert areas["district_code"].nunique() == 13
    # Shepway's wards carry today's name for E07000112.
    assert set(areas.loc[areas["district_code"] == "E07000112", "district_name"]) == {"Folkestone and Hythe"}
    assert areas.is_valid.all()


def test_names_only_lgbce_map_gets_ons_codes(sample_dir):
    result = read_boundaries(sample_dir / "boundaries" / "medway_wards_2023" / "Medway.geojson", reference=sample_dir)
    areas = result.areas
    assert len(areas) == 24
    assert areas["district_name"].eq("Medway").all()
    assert areas.loc[areas["name"] == "Wayfield & Weeds Wood", "code"].item() == "E05014472"
    assert result.vintage.startswith("WD23")


def test_names_only_without_lookup_is_a_clear_error(sample_dir):
    with pytest.raises(BoundaryError, match="no ONS codes"):
        read_boundaries(sample_dir / "boundaries" / "medway_wards_2023" / "Medway.geojson")
