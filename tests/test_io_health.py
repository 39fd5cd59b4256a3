"""Health extracts: both schemas, good and bad rows, every row accounted for."""

from __future__ import annotations

import pandas as pd
import pytest

from vrc_geo.errors import InputFileError, SchemaError
from vrc_geo.io.health import REASONS, parse_period, read_health

KNOWN = {
    "E01024400": "E07000110",
    "E05005093": "E07000114",
    "E02005068": "E07000110",
    "E07000110": "E07000110",
}


def _write(path, rows, columns):
    pd.DataFrame(rows, columns=columns).to_csv(path, index=False)
    return path


INC = ["record_id", "incident_date", "incident_time", "latitude", "longitude", "area_code", "weapon", "sex"]


def test_incidents_good_and_bad_rows(tmp_path):
    rows = [
        ["A1", "2022-03-05", "23:10", "51.2727", "0.5219", "", "knife or sharp object", "male"],
        ["A2", "2022-03-06", "", "", "", "E01024400", "", ""],  # area code only
        ["A3", "2022-02-30", "", "51.27", "0.52", "", "", ""],  # no such date
        ["A4", "05/03/2022", "", "51.27", "0.52", "", "", ""],  # wrong date format
        ["A5", "2022-03-05", "25:00", "51.27", "0.52", "", "", ""],  # bad time
        ["A6", "2022-03-05", "", "", "", "E01999999", "", ""],  # unknown code
        ["A1", "2022-03-05", "", "51.27", "0.52", "", "", ""],  # duplicate id
        ["", "2022-03-05", "", "51.27", "0.52", "", "", ""],  # no id
        ["A7", "2022-03-05", "", "95", "0.52", "", "", ""],  # impossible latitude
        ["A8", "2022-03-05", "", "51.27", "0.52", "", "sword", ""],  # not in the weapon list
        ["A9", "2022-03-05", "", "", "", "", "", ""],  # no location at all: kept, no location
        ["A10", "2022-03-05", "", "", "", "E09000004", "", ""],  # well-formed, not ours, not a district
        ["A11", "2022-03-05", "", "", "", "E07000223", "", ""],  # a district outside Kent
    ]
    read = read_health([_write(tmp_path / "ed.csv", rows, INC)], known_codes=KNOWN)
    assert read.shape == "incidents"
    assert read.rows_read == 13
    reasons = read.rejects.set_index("source_line")["reason"].to_dict()
    assert reasons == {
        4: REASONS["date"],
        5: REASONS["date"],
        6: REASONS["time"],
        7: REASONS["code"],
        8: REASONS["duplicate"],
        9: REASONS["id"],
        10: REASONS["coords"],
        11: REASONS["category"],
        13: REASONS["code"],
    }
    assert len(read.records) + len(read.rejects) == read.rows_read
    status = read.records.set_index("record_id")["area_status"]
    assert status["A9"] == "blank"
    assert status["A11"] == "outside"
    assert read.records.set_index("record_id").loc["A1", "month"] == "2022-03"


def test_month_only_dates_and_easting_northing(tmp_path):
    path = _write(
        tmp_path / "m.csv",
        [["B1", "2022-04", "575000", "155000"], ["B2", "2022-13", "575000", "155000"]],
        ["record_id", "incident_month", "easting", "northing"],
    )
    read = read_health([path])
    assert read.records["month"].tolist() == ["2022-04"]
    assert read.rejects["reason"].tolist() == [REASONS["date"]]


COUNTS = ["area_code", "period", "admissions", "sex"]


def test_counts_good_and_bad_rows(tmp_path):
    rows = [
        ["E05005093", "2022-06", "12", ""],
        ["E01024400", "2022-Q2", "3", "female"],
        ["E02005068", "2022/23", "40", ""],
        ["E07000110", "2022", "*", ""],  # suppressed at source: kept, value unknown
        ["E05005093", "June 2022", "4", ""],  # bad period
        ["E05005093", "2022-07", "-1", ""],  # negative
        ["E05005093", "2022-08", "2.5", ""],  # not whole
        ["E05005093", "2022-06", "7", ""],  # duplicate of the first (same area, period, age, sex)
        ["X123", "2022-06", "4", ""],  # not a code
        ["", "2022-06", "4", ""],  # no area: no location
    ]
    read = read_health([_write(tmp_path / "hes.csv", rows, COUNTS)], known_codes=KNOWN)
    assert read.shape == "counts"
    reasons = read.rejects["reason"].tolist()
    assert reasons == [
        REASONS["period"],
        REASONS["count"],
        REASONS["count"],
        REASONS["duplicate"],
        REASONS["code"],
    ]
    recs = read.records
    assert recs["suppressed_at_source"].tolist() == [False, False, False, True, False]
    assert recs["period_start"].tolist()[:4] == ["2022-06", "2022-04", "2022-04", "2022-01"]
    assert recs["period_end"].tolist()[:4] == ["2022-06", "2022-06", "2023-03", "2022-12"]
    assert len(recs) + len(read.rejects) == read.rows_read == 10


def test_periods():
    assert parse_period("2022-Q4") == ("2022-10", "2022-12")
    assert parse_period("2021/22") == ("2021-04", "2022-03")
    assert parse_period("2021/23") is None
    assert parse_period("2022-00") is None


def test_missing_columns_and_unknown_shape(tmp_path):
    with pytest.raises(SchemaError, match="missing column"):
        read_health([_write(tmp_path / "a.csv", [["A1", "2022-01-01"]], ["record_id", "incident_date"])])
    with pytest.raises(SchemaError, match="missing column.*admissions"):
        read_health([_write(tmp_path / "b.csv", [["E05005093", "2022-01"]], ["area_code", "period"])])
    with pytest.raises(SchemaError, match="neither health schema"):
        read_health([_write(tmp_path / "c.csv", [[1, 2]], ["foo", "bar"])])


def test_mixed_shapes_empty_and_unreadable_files(tmp_path):
    inc = _write(
        tmp_path / "i.csv",
        [["A1", "2022-01-01", "51.3", "0.5"]],
        ["record_id", "incident_date", "latitude", "longitude"],
    )
    cnt = _write(tmp_path / "c.csv", [["E05005093", "2022-01", "9"]], ["area_code", "period", "admissions"])
    with pytest.raises(SchemaError, match="cannot be read together"):
        read_health([inc, cnt])
    empty = tmp_path / "e.csv"
    empty.write_text("")
    with pytest.raises(InputFileError, match="Cannot read e.csv"):
        read_health([empty])
    with pytest.raises(InputFileError, match="not found"):
        read_health([tmp_path / "missing.csv"])
    other = tmp_path / "x.json"
    other.write_text("{}")
    with pytest.raises(InputFileError, match=r"\.csv or \.xlsx"):
        read_health([other])


def test_xlsx_extract(tmp_path):
    path = tmp_path / "hes.xlsx"
    pd.DataFrame({"Area Code": ["E05005093"], "Period": ["2022-06"], "Admissions": [11]}).to_excel(path, index=False)
    read = read_health([path], known_codes=KNOWN)
    assert read.records["admissions"].tolist() == [11]
