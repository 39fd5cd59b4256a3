"""Writers: formats by extension, determinism, GeoJSON and XLSX content."""

from __future__ import annotations

import io
import json

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from vrc_geo.errors import ParameterError
from vrc_geo.io.writers import format_of, guard_frame, table_bytes, write_table

FRAME = pd.DataFrame({"rank": [1, 2], "name": ["Café", "B"], "flag": [True, False], "value": [1.5, float("nan")]})
GEOM = gpd.GeoSeries([shapely.box(575000, 155000, 575100, 155100), shapely.Point(576000, 156000)], crs="EPSG:27700")


def test_format_of():
    assert format_of("a/b.CSV") == ".csv"
    assert format_of("x.json") == ".geojson"
    with pytest.raises(ParameterError, match=r"\.csv, \.xlsx, \.geojson"):
        format_of("x.parquet")


def test_csv_lowercase_booleans_and_utf8():
    text = table_bytes(FRAME, ".csv").decode("utf-8")
    assert text.splitlines()[0] == "rank,name,flag,value"
    assert text.splitlines()[1] == "1,Café,true,1.5"
    assert text.splitlines()[2] == "2,B,false,"


def test_xlsx_is_deterministic_and_has_about_sheet():
    meta = {"period": "2022-01 to 2022-12", "method": "Gi*"}
    a = table_bytes(FRAME, ".xlsx", metadata=meta)
    b = table_bytes(FRAME, ".xlsx", metadata=meta)
    assert a == b
    sheets = pd.read_excel(io.BytesIO(a), sheet_name=None)
    assert list(sheets) == ["data", "About"]
    assert sheets["data"]["name"].tolist() == ["Café", "B"]
    assert sheets["About"].set_index("item")["value"]["method"] == "Gi*"


def test_xlsx_shows_fractions_as_percentages_and_numbers_with_sensible_decimals_keeping_every_digit():
    """The workbook shows 0.0053 as 0.53 % and 447.9559 as 448, as the app does; the cells keep the values."""
    import openpyxl

    frame = pd.DataFrame(
        {
            "share_of_violence": [0.0053, 0.012],
            "pai": [447.9559, 12.3],
            "expected_per_month": [13.551, 4.13],
            "rank": [1, 2],
            "name": ["a", "b"],
        }
    )
    book = openpyxl.load_workbook(io.BytesIO(table_bytes(frame, ".xlsx")))
    row = book["data"][2]
    assert [c.number_format for c in row] == ["0.00%", "#,##0", "#,##0.0", "General", "General"]
    assert [c.value for c in row][:3] == [0.0053, 447.9559, 13.551]


def test_a_share_outside_zero_to_one_is_not_called_a_percentage():
    from vrc_geo.io.writers import display_format

    assert display_format(pd.Series([12.5, 40.0]), "share_of_records") == "#,##0.0"
    assert display_format(pd.Series([1, 2]), "share") is None


def test_geojson_in_wgs84_with_metadata():
    data = json.loads(table_bytes(FRAME, ".geojson", geometry=GEOM, metadata={"source": "test"}))
    assert data["type"] == "FeatureCollection"
    assert data["metadata"] == {"source": "test"}
    first = data["features"][0]
    assert first["properties"] == {"rank": 1, "name": "Café", "flag": True, "value": 1.5}
    assert data["features"][1]["properties"]["value"] is None
    lon, lat = first["geometry"]["coordinates"][0][0]
    assert 0.4 < lon < 0.7 and 51.1 < lat < 51.4
    assert len(str(lon).split(".")[1]) <= 6
    back = gpd.read_file(io.BytesIO(table_bytes(FRAME, ".geojson", geometry=GEOM)))
    assert back.crs.to_epsg() == 4326 and len(back) == 2


def test_geojson_needs_geometry():
    with pytest.raises(ParameterError, match="needs geometry"):
        table_bytes(FRAME, ".geojson")


def test_write_table_is_atomic_and_creates_folders(tmp_path):
    path = write_table(FRAME, tmp_path / "deep" / "out.csv")
    assert path.read_bytes() == table_bytes(FRAME, ".csv")
    assert [p.name for p in path.parent.iterdir()] == ["out.csv"]


def test_guard_frame_equals_guarding_every_cell():
    """The vectorised guard gives what guarding each cell gives, whatever the column's dtype."""
    from vrc_geo.io.writers import guard_formula

    frame = pd.DataFrame(
        {
            "text": ["=1+1", "ok", None, "-x", 3],
            "labels": pd.Categorical(["@a", "b", "@a", "c", "'@a"]),  # guarding '@a' would collide: falls back
            "clean_labels": pd.Categorical(["=x", "y", "=x", "y", "x"]),
            "numbers": [1.0, 2, 3, 4, 5],
            "mixed": [True, False, None, "+", 1],
            "strings": pd.Series(["=a", "b", "\tc", "d", "e"], dtype="string"),
        }
    )
    guarded = guard_frame(frame).astype(object).map(repr)
    expected = frame.astype(object).map(guard_formula).map(repr)
    assert guarded.equals(expected), guarded.compare(expected)


def _csv_through_pandas(frame: pd.DataFrame) -> bytes:
    """The CSV as pandas writes it after the guard: what the quick writer must equal."""
    out = guard_frame(frame)
    for col in out.columns:
        if pd.api.types.is_bool_dtype(out[col]):
            out[col] = out[col].map({True: "true", False: "false"})
        elif out[col].dtype == object:
            out[col] = [("true" if v else "false") if isinstance(v, bool) else v for v in out[col]]
    return out.to_csv(index=False, lineterminator="\r\n").encode("utf-8")


def test_csv_of_labels_equals_pandas_byte_for_byte_on_hostile_text():
    """Commas, quotes, line breaks, formula starts, blanks, yes/no and large whole numbers, in every kind
    of text column, with awkward column names: the quick writer gives pandas' bytes, or steps aside."""
    import numpy as np

    from vrc_geo.io.writers import _csv_of_labels

    pool = ["a", "b,c", 'say "hi"', "=SUM(A1)", "+1", "-x", "@me", "\tt", "\rr", "two\nlines", "", "é ü", " s ", None]
    rng = np.random.default_rng(0)
    quick = 0
    for _ in range(200):
        n = int(rng.integers(1, 25))
        pick = [pool[i] for i in rng.integers(0, len(pool), n)]
        columns = {
            "ward,code": pick,
            'say "n"': pd.Series(pick, dtype="string"),
            "labels": pd.Categorical([p or "x" for p in pick]),
            "count": rng.integers(-5, 10**12, n),
            "flag": rng.random(n) < 0.5,
            "mixed": [[True, False, "x,y", None][i] for i in rng.integers(0, 4, n)],
        }
        frame = pd.DataFrame({k: columns[k] for k in rng.permutation(list(columns))[: int(rng.integers(2, 7))]})
        got = _csv_of_labels(frame)
        if got is not None:
            quick += 1
            assert got == _csv_through_pandas(frame), frame
    assert quick == 200
    assert _csv_of_labels(pd.DataFrame({"a": ["x"], "rate": [0.5]})) is None  # decimals: pandas writes them
    assert _csv_of_labels(pd.DataFrame({"a": ["x"], "n": [1]}, dtype=object)) is None  # a number among text
    assert _csv_of_labels(pd.DataFrame({"only": ["", "x"]})) is None  # one column: csv quotes a lone blank
