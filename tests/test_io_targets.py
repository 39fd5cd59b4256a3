"""Target areas from files: polygons kept, other shapes counted, hostile or wrong files refused."""

from __future__ import annotations

import json

import geopandas as gpd
import pytest
import shapely

from vrc_geo.errors import BoundaryError, InputFileError
from vrc_geo.io.targets import read_targets


def _write(tmp_path, features, name="t.geojson"):
    path = tmp_path / name
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def _feature(geometry, **props):
    return {"type": "Feature", "properties": props, "geometry": geometry}


SQUARE = {
    "type": "Polygon",
    "coordinates": [[[0.52, 51.27], [0.53, 51.27], [0.53, 51.28], [0.52, 51.28], [0.52, 51.27]]],
}


def test_polygons_become_areas_named_by_their_column(tmp_path):
    point = {"type": "Point", "coordinates": [0.5, 51.3]}
    path = _write(tmp_path, [_feature(SQUARE, zone_id="Z001"), _feature(point, zone_id="Z002")])
    read = read_targets(path)
    assert read.areas["area"].tolist() == ["Z001"]
    assert read.areas.crs.to_epsg() == 27700 and 500_000 < read.areas.geometry.iloc[0].centroid.x < 600_000
    assert "1 row without an area (points, lines or empty) was left out" in read.notes[0]


def test_files_that_cannot_be_targets_are_refused(tmp_path):
    with pytest.raises(InputFileError, match="no polygons"):
        read_targets(_write(tmp_path, [_feature({"type": "Point", "coordinates": [0.5, 51.3]})]))
    with pytest.raises(InputFileError, match="appear twice"):
        read_targets(_write(tmp_path, [_feature(SQUARE, name="A"), _feature(SQUARE, name="A")], "d.geojson"))
    swapped = {"type": "Polygon", "coordinates": [[[51.27, 0.52], [51.27, 0.53], [51.28, 0.53], [51.27, 0.52]]]}
    with pytest.raises(BoundaryError, match="outside Great Britain"):
        read_targets(_write(tmp_path, [_feature(swapped)], "s.geojson"))
    bad = tmp_path / "x.geojson"
    bad.write_text("not json")
    with pytest.raises(InputFileError, match="Cannot read target file x.geojson"):
        read_targets(bad)
    with pytest.raises(InputFileError, match="not found"):
        read_targets(tmp_path / "missing.gpkg")


def test_a_hotspot_export_is_a_target_file(tmp_path):
    frame = gpd.GeoDataFrame(
        {"hotspot_id": ["P001", "P002"]},
        geometry=[shapely.Point(576000, 155800).buffer(40), shapely.Point(577000, 155800).buffer(40)],
        crs="EPSG:27700",
    ).to_crs("EPSG:4326")
    path = tmp_path / "h.geojson"
    frame.to_file(path)
    assert read_targets(path).areas["area"].tolist() == ["P001", "P002"]


def test_wards_as_targets_are_named_as_people_know_them():
    """Ward and district, not the ONS code; the code only where two chosen wards would read alike."""
    from vrc_geo.io.targets import wards_as_targets

    square = shapely.box(575000, 155000, 576000, 156000)
    wards = gpd.GeoDataFrame(
        {
            "code": ["E05000001", "E05000002", "E05000003", "E05000004"],
            "name": ["Margate Central", "Park", "Park", "Cliftonville West"],
            "district_name": ["Thanet", "Dover", "Dover", "Thanet"],
        },
        geometry=[square] * 4,
        crs="EPSG:27700",
    )
    targets = wards_as_targets(wards, ["E05000001", "E05000004"])
    assert targets.areas["area"].tolist() == ["Margate Central (Thanet)", "Cliftonville West (Thanet)"]
    assert "E05000001" in targets.label  # the codes stay in the description, for the files
    alike = wards_as_targets(wards, ["E05000002", "E05000003"])
    assert alike.areas["area"].tolist() == ["Park (Dover, E05000002)", "Park (Dover, E05000003)"]
