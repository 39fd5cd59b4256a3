"""A register of institutions kept by partners: reading, refusing bad rows, and its effect on the list."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely

from vrc_geo.base.crs import project_lonlat
from vrc_geo.errors import SchemaError
from vrc_geo.hotspots import find_places
from vrc_geo.io.site_register import DEFAULT_RADIUS_M, read_site_register


def _write(tmp_path, text, name="register.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_rows_used_or_refused_with_their_reasons(tmp_path):
    path = _write(
        tmp_path,
        "Name,Site Type,Latitude,Longitude,radius_m\n"
        "Darent Valley Hospital,hospital,51.4377,0.2593,300\n"
        "Medway custody suite,police station / custody,51.3950,0.5410,\n"
        "Library,library,51.2,0.5,\n"
        "Nowhere,prison,40.0,0.5,\n"
        ",port,51.12,1.33,\n"
        "Huge,port,51.12,1.33,5000\n"
        "Words,prison,north,east,\n",
    )
    read = read_site_register(path)
    assert read.rows_read == 7
    assert read.sites["site_type"].tolist() == ["hospital", "police"]
    assert read.sites["radius_m"].tolist() == [300.0, DEFAULT_RADIUS_M]
    x, y = project_lonlat(np.array([0.2593]), np.array([51.4377]))
    assert read.sites.loc[0, ["x", "y"]].tolist() == pytest.approx([x[0], y[0]])
    reasons = dict(zip(read.rejects["source_line"], read.rejects["reason"], strict=True))
    assert reasons[4].startswith("site_type must be one of")
    assert "Great Britain" in reasons[5] and "Great Britain" in reasons[8]
    assert reasons[6] == "name is blank"
    assert reasons[7].startswith("radius_m")
    assert len(read.sites) + len(read.rejects) == read.rows_read  # every row accounted for


def test_british_national_grid_and_missing_columns(tmp_path):
    read = read_site_register(_write(tmp_path, "name,site_type,x,y\nHMP Elmley,prison,596500,168900\n"))
    assert read.sites[["x", "y"]].values.tolist() == [[596500.0, 168900.0]]
    with pytest.raises(SchemaError, match="latitude \\+ longitude or x \\+ y"):
        read_site_register(_write(tmp_path, "name,site_type,easting\nA,prison,1\n", "bad.csv"))
    with pytest.raises(SchemaError, match="name, site_type"):
        read_site_register(_write(tmp_path, "place,x,y\nA,1,2\n", "worse.csv"))


def test_a_registered_institution_is_a_site_not_a_place_to_patrol():
    # A point with 12 violence records a month and a street name: a place to patrol, until a register
    # says an institution stands there.
    months = [f"2022-{m:02d}" for m in range(1, 13)]
    rng = np.random.default_rng(0)
    background = rng.uniform(0, 10000, (2000, 2)).round()
    rows = []
    for month in months:
        rows += [(5000.0, 5000.0, month, "On or near Park Lane")] * 12
        rows += [(x, y, month, "On or near Some Road") for x, y in background[rng.integers(0, 2000, 10)]]
    records = pd.DataFrame(rows, columns=["x", "y", "month", "location"])
    land = shapely.box(0, 0, 10000, 10000)
    plain = find_places(records, months=months, land=land)
    assert plain.footprints.iloc[0]["kind"] == "place"
    assert plain.footprints.iloc[0].geometry.distance(shapely.Point(5000, 5000)) == 0
    register = pd.DataFrame({"site_type": ["hospital"], "x": [5060.0], "y": [5000.0], "radius_m": [100.0]})
    listed = find_places(records, months=months, land=land, register=register)
    clusters = listed.footprints[listed.footprints["kind"] == "place"]
    assert not (clusters.distance(shapely.Point(5000, 5000)) <= 40).any()
    sites = listed.footprints[listed.footprints["kind"] == "site"]
    assert sites["site_type"].tolist() == ["hospital"]
