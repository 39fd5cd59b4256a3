"""Hostile inputs, round 2 (issue 22): one test per finding of the second attacker's audit.

1. differencing across data extents: tests/test_health_attack.py (a refresh of the police data);
2. spreadsheet bombs; 3. stale data; 4. boundaries that cannot be right; 5. impossible months;
6. no cap on total input; 7. spreadsheet meaning (hidden sheets, Excel dates); 8. cache trust;
9. outputs (a folder, a full disk, permissions, another user's file). Tooltips: test_app_isolation.py
and the browser test.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import shapely
from conftest import ROOT, TINY_WARDS, police_row, tiny_wards_geojson, write_police_csv
from test_hostile import one_line_error, run, tiny_sources

from vrc_geo.config import find_sources
from vrc_geo.dataset.store import load_police, sources_fingerprint
from vrc_geo.errors import BoundaryError, InputFileError, OutputError
from vrc_geo.io.boundaries import read_boundaries
from vrc_geo.io.health import read_table
from vrc_geo.io.police import read_police

# -- 2. spreadsheet bombs ---------------------------------------------------------------------------------


def _xlsx_bomb(path: Path, *, cell_mb: int = 0, gap_mb: int = 0) -> Path:
    """A real workbook whose sheet XML holds one huge cell, or megabytes of whitespace between rows."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["record_id", "incident_date", "area_code"])
    sheet.append(["r1", "2022-01-03", "E05005072"])
    book.save(path)
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    xml = parts["xl/worksheets/sheet1.xml"].decode()
    if cell_mb:
        xml = xml.replace(">r1<", ">" + "A" * (cell_mb * 2**20) + "<")
    if gap_mb:
        xml = xml.replace("</row>", "</row>" + " " * (gap_mb * 2**20), 1)
    parts["xl/worksheets/sheet1.xml"] = xml.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return path


@pytest.mark.parametrize(("cell_mb", "gap_mb"), [(120, 0), (0, 120)])
def test_spreadsheet_bomb_is_refused_before_parsing(tmp_path, cell_mb, gap_mb):
    bomb = _xlsx_bomb(tmp_path / "extract.xlsx", cell_mb=cell_mb, gap_mb=gap_mb)
    assert bomb.stat().st_size < 1_000_000  # small on disk
    with pytest.raises(InputFileError, match="unpacks to more than"):
        read_table(bomb)


def _peak_mb_of(args: list[str]) -> tuple[int, str, float]:
    """Exit code, stderr and peak memory (MB) of ``python -m vrc_geo ARGS`` in a fresh process."""
    code = (
        "import resource, subprocess, sys; "
        "p = subprocess.run([sys.executable, '-m', 'vrc_geo', *sys.argv[1:]], capture_output=True, text=True); "
        "print(p.returncode); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024); "
        "sys.stderr.write(p.stderr)"
    )
    run_ = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=ROOT, check=True)
    exit_code, peak = run_.stdout.split()
    return int(exit_code), run_.stderr, float(peak)


def test_a_bomb_on_the_command_line_exits_2_in_bounded_memory(tmp_path, sample_dir):
    bomb = _xlsx_bomb(tmp_path / "extract.xlsx", cell_mb=600)
    code, err, peak = _peak_mb_of(
        ["health", "--admissions", str(bomb), "--out", str(tmp_path / "h.csv"), "--data-dir", str(sample_dir)]
    )
    assert code == 2 and "unpacks to more than" in err and "Traceback" not in err
    assert peak < 1000, f"peak {peak:.0f} MB"
    register = _xlsx_bomb(tmp_path / "institutions.xlsx", gap_mb=600)
    code, err, peak = _peak_mb_of(
        ["hotspots", "--out", str(tmp_path / "x.csv"), "--sites-file", str(register), "--data-dir", str(sample_dir)]
    )
    assert code == 2 and "unpacks to more than" in err and peak < 1000


# -- 3. stale data ----------------------------------------------------------------------------------------


def test_a_file_edited_in_place_with_the_same_size_and_time_is_a_new_version(tmp_path, tiny_wards):
    crimes = write_police_csv(
        tmp_path / "police_uk" / "2022-01" / "2022-01-kent-street.csv", [police_row(x=575500, y=155500)]
    )
    sources = find_sources(crimes=[crimes], boundaries=tiny_wards)
    before = sources_fingerprint(sources)
    info = crimes.stat()
    data = crimes.read_bytes()
    crimes.write_bytes(data.replace(b"Test Street", b"Best Street"))  # same length
    os.utime(crimes, ns=(info.st_atime_ns, info.st_mtime_ns))  # and the same modification time
    assert crimes.stat().st_size == info.st_size and crimes.stat().st_mtime_ns == info.st_mtime_ns
    assert sources_fingerprint(sources) != before


# -- 4. boundaries that cannot be right -------------------------------------------------------------------


def _collection(path: Path) -> dict:
    return json.loads(path.read_text())


def test_a_polygon_over_the_whole_area_is_refused(tmp_path, tiny_wards):
    data = _collection(tiny_wards)
    county = shapely.box(574000, 154000, 578000, 158000)
    extra = {
        "type": "Feature",
        "properties": {"WD23CD": "E05999999", "WD23NM": "Everywhere", "LAD23CD": "E07000110"},
        "geometry": json.loads(shapely.to_geojson(county)),
    }
    data["features"].append(extra)
    tiny_wards.write_text(json.dumps(data))
    with pytest.raises(BoundaryError, match="overlap.*E05999999 Everywhere"):
        read_boundaries(tiny_wards)


def test_two_vintages_in_one_folder_are_refused(tmp_path):
    folder = tmp_path / "wards"
    tiny_wards_geojson(folder / "old.geojson", code_col="WD13CD", name_col="WD13NM")
    newer = tiny_wards_geojson(folder / "new.geojson")
    data = _collection(newer)
    for i, feature in enumerate(data["features"]):
        feature["properties"]["WD23CD"] = f"E0591000{i}"
    newer.write_text(json.dumps(data))
    with pytest.raises(BoundaryError, match="mixes boundaries of WD13, WD23"):
        read_boundaries(folder)


def test_a_code_in_two_files_is_refused(tmp_path):
    folder = tmp_path / "wards"
    first = tiny_wards_geojson(folder / "a.geojson")
    second = tiny_wards_geojson(folder / "b.geojson")
    data = _collection(second)
    for feature in data["features"]:
        ring = feature["geometry"]["coordinates"][0]
        feature["geometry"]["coordinates"][0] = [[x + 5000, y] for x, y in ring]  # elsewhere, same codes
    second.write_text(json.dumps(data))
    assert first.exists()
    with pytest.raises(BoundaryError, match=r"E05900001 \(in a.geojson and b.geojson\)"):
        read_boundaries(folder)


@pytest.mark.parametrize("declared", [True, False])
def test_swapped_coordinates_are_refused(tmp_path, declared):
    from conftest import bng_to_lonlat

    features = []
    for code, name, lad, x0, y0 in TINY_WARDS:
        corners = [bng_to_lonlat(x, y) for x, y in ((x0, y0), (x0 + 1000, y0), (x0 + 1000, y0 + 1000), (x0, y0 + 1000))]
        ring = [[lat, lon] for lon, lat in [*corners, corners[0]]]  # latitude first
        features.append(
            {
                "type": "Feature",
                "properties": {"WD23CD": code, "WD23NM": name, "LAD23CD": lad},
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
        )
    collection = {"type": "FeatureCollection", "features": features}
    if declared:
        collection["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}}
    path = tmp_path / "swapped.geojson"
    path.write_text(json.dumps(collection))
    with pytest.raises(BoundaryError, match="swapped|outside Great Britain"):
        read_boundaries(path)


# -- 5. impossible months ---------------------------------------------------------------------------------


@pytest.mark.parametrize("month", ["2099-12", "0000-01", "2010-11"])
def test_an_impossible_month_is_a_rejected_row(tmp_path, tiny_wards, month):
    rows = [police_row(x=575500, y=155500) for _ in range(3)] + [police_row(x=575500, y=155500, month=month)]
    crimes = write_police_csv(tmp_path / "police_uk" / "2022-01" / "2022-01-kent-street.csv", rows)
    read = read_police([crimes])
    assert len(read.records) == 3
    assert read.rejects["reason"].tolist() == ["month outside police.uk's range (December 2010 to this month)"]
    dataset = load_police(find_sources(crimes=[crimes], boundaries=tiny_wards), use_cache=False)
    assert dataset.months == ["2022-01"]


# -- 6. total input ---------------------------------------------------------------------------------------


def test_input_over_the_total_cap_is_refused_before_reading(capsys, tmp_path, monkeypatch):
    rows = [police_row(x=575500, y=155500) for _ in range(200)]
    crimes, wards = tiny_sources(tmp_path, rows)
    monkeypatch.setenv("VRC_GEO_MAX_INPUT_MB", "0.01")
    code, _, err = run(capsys, "summary", "--crimes", str(crimes), "--boundaries", str(wards), "--no-cache")
    one_line_error(code, err)
    assert "over the limit of 0 MiB" in err and "VRC_GEO_MAX_INPUT_MB" in err


def test_an_upload_over_the_cap_is_refused(monkeypatch):
    import ui.uploads as uploads

    class Upload:
        def __init__(self, name: str, size: int) -> None:
            self.name, self._data = name, b"x" * size

        def getvalue(self) -> bytes:
            return self._data

    monkeypatch.setattr(uploads, "UPLOAD_LIMIT_BYTES", 1000)
    session = uploads.SessionUploads()
    try:
        with pytest.raises(InputFileError, match="over the 0 MiB an upload may hold"):
            session.save([Upload(f"2022-0{i}-kent-street.csv", 400) for i in range(1, 4)])
        assert not list(session.folder.iterdir())  # nothing written
    finally:
        session.remove()


# -- 7. spreadsheet meaning -------------------------------------------------------------------------------


def test_the_visible_sheet_is_read_and_excel_dates_are_understood(capsys, sample_dir, sample_dataset, tmp_path):
    ward = sample_dataset.wards.wards["code"].iloc[0]
    book = openpyxl.Workbook()
    hidden = book.active
    hidden.title = "old"
    hidden.append(["record_id", "incident_date", "area_code"])
    hidden.append(["decoy", "2021-01-01", ward])
    hidden.sheet_state = "hidden"
    sheet = book.create_sheet("latest")
    sheet.append(["record_id", "incident_date", "incident_time", "area_code"])
    for day in range(1, 13):
        sheet.append([f"r{day}", dt.datetime(2022, day, 3), dt.time(22, 30), ward])  # real Excel date cells
    path = tmp_path / "extract.xlsx"
    book.save(path)
    frame = read_table(path)
    assert frame.attrs["note"] == "extract.xlsx: read the sheet 'latest'; hidden sheet(s) not read: old."
    assert frame["incident_date"].tolist()[:2] == ["2022-01-03", "2022-02-03"]
    assert frame["incident_time"].iloc[0] == "22:30"
    from vrc_geo.health.placement import known_area_codes
    from vrc_geo.io.health import read_health

    read = read_health([path], known_codes=known_area_codes(sample_dataset.wards))
    assert len(read.records) == 12 and len(read.rejects) == 0
    assert any("hidden sheet" in n for n in read.notes)


def test_an_extract_whose_every_row_is_refused_exits_2(capsys, sample_dir, tmp_path):
    path = tmp_path / "extract.csv"
    pd.DataFrame(
        {"record_id": ["a", "b"], "incident_date": ["31/02/2022", "yesterday"], "area_code": ["x", "y"]}
    ).to_csv(path, index=False)
    code, _, err = run(
        capsys, "health", "--admissions", str(path), "--out", str(tmp_path / "h.csv"), "--data-dir", str(sample_dir)
    )
    one_line_error(code, err)
    assert "every row was refused" in err and not (tmp_path / "h.csv").exists()


# -- 8. cache trust ---------------------------------------------------------------------------------------


def test_a_cache_folder_others_can_write_is_not_used(tmp_path, monkeypatch):
    from vrc_geo.config import cache_dir

    planted = tmp_path / "planted"
    planted.mkdir()
    planted.chmod(0o777)
    chosen = cache_dir({"VRC_GEO_CACHE_DIR": str(planted)})
    assert chosen != planted
    assert stat.S_IMODE(chosen.stat().st_mode) & 0o077 == 0 and chosen.stat().st_uid == os.getuid()


def test_the_fallback_cache_folder_is_this_users_own(tmp_path, monkeypatch):
    import tempfile

    from vrc_geo.config import cache_dir

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    fixed = tmp_path / "vrc_geo_cache"  # the fixed name the earlier version used, planted open to all
    fixed.mkdir(mode=0o777)
    fixed.chmod(0o777)
    blocked = tmp_path / "not-writable"
    blocked.write_text("a file where the cache folder should be")
    chosen = cache_dir({"VRC_GEO_CACHE_DIR": str(blocked / "cache")})
    assert chosen != fixed and chosen.name.startswith(f"vrc_geo_cache-{os.getuid()}")
    assert stat.S_IMODE(chosen.stat().st_mode) == 0o700


def test_a_schema_damaged_cached_table_is_rebuilt(tmp_path, tiny_wards, monkeypatch):
    monkeypatch.setenv("VRC_GEO_CACHE_DIR", str(tmp_path / "cache"))
    crimes = write_police_csv(
        tmp_path / "police_uk" / "2022-01" / "2022-01-kent-street.csv", [police_row(x=575500, y=155500)]
    )
    sources = find_sources(crimes=[crimes], boundaries=tiny_wards)
    load_police(sources)
    records = next((tmp_path / "cache").glob("police-parts/*/records.arrow"))
    pd.DataFrame({"nothing": [1]}).to_feather(records)  # readable, but not the table it should be
    again = load_police(sources)
    assert not again.from_cache and len(again.in_area) == 1
    assert any("unreadable and was rebuilt" in n for n in again.notes)


def test_a_stray_marker_does_not_crash_rates(capsys, tmp_path, sample_dir, monkeypatch):
    monkeypatch.setenv("VRC_GEO_CACHE_DIR", str(tmp_path / "cache"))
    code, _, _ = run(capsys, "summary", "--data-dir", str(sample_dir))
    assert code == 0
    for folder in (tmp_path / "cache").glob("wards-*"):
        (folder / "population.parquet").unlink(missing_ok=True)
        (folder / "population.parquet.none").touch()
    out = tmp_path / "h.csv"
    code, _, err = run(
        capsys, "hotspots", "--out", str(out), "--measure", "rate", "--no-backtest", "--data-dir", str(sample_dir)
    )
    assert code == 0, err


# -- 9. outputs --------------------------------------------------------------------------------------------


def test_out_naming_a_folder_exits_2(capsys, tmp_path, tiny_wards):
    crimes = write_police_csv(
        tmp_path / "police_uk" / "2022-01" / "2022-01-kent-street.csv", [police_row(x=575500, y=155500)]
    )
    folder = tmp_path / "wards.csv"  # a folder with a file's name
    folder.mkdir()
    code, _, err = run(
        capsys, "export-wards", "--out", str(folder), "--crimes", str(crimes), "--boundaries", str(tiny_wards)
    )
    one_line_error(code, err)
    assert "is a folder" in err


def test_a_full_disk_exits_2_and_leaves_nothing(capsys, tmp_path, tiny_wards, monkeypatch):
    import errno

    from vrc_geo.base import atomic

    crimes = write_police_csv(
        tmp_path / "police_uk" / "2022-01" / "2022-01-kent-street.csv", [police_row(x=575500, y=155500)]
    )
    out = tmp_path / "out" / "wards.csv"

    class Full:
        def __init__(self, fd: int, _mode: str) -> None:
            self.fd = fd

        def __enter__(self):
            return self

        def __exit__(self, *exc) -> None:
            os.close(self.fd)

        def write(self, _data: bytes) -> int:
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomic.os, "fdopen", Full)
    code, _, err = run(
        capsys, "export-wards", "--out", str(out), "--crimes", str(crimes), "--boundaries", str(tiny_wards)
    )
    one_line_error(code, err)
    assert "No space left on device" in err
    assert not out.exists() and not list(out.parent.iterdir())


def test_outputs_keep_the_umask_and_an_existing_files_mode(tmp_path):
    from vrc_geo.base.atomic import write_atomically

    new = write_atomically(tmp_path / "new.csv", b"x")
    assert stat.S_IMODE(new.stat().st_mode) == 0o666 & ~_umask()
    kept = tmp_path / "kept.csv"
    kept.write_bytes(b"old")
    kept.chmod(0o640)
    write_atomically(kept, b"new")
    assert stat.S_IMODE(kept.stat().st_mode) == 0o640 and kept.read_bytes() == b"new"


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_another_users_file_is_not_replaced(tmp_path, monkeypatch):
    from vrc_geo.base import atomic

    theirs = tmp_path / "theirs.csv"
    theirs.write_bytes(b"their work")
    monkeypatch.setattr(atomic.os, "getuid", lambda: theirs.stat().st_uid + 1)
    with pytest.raises(OutputError, match="belongs to another user"):
        atomic.write_atomically(theirs, b"mine")
    assert theirs.read_bytes() == b"their work"


def test_a_zipped_boundary_bomb_is_refused_before_it_is_opened(tmp_path, monkeypatch):
    from vrc_geo.io import boundaries

    monkeypatch.setattr(boundaries, "MAX_ZIP_BYTES", 8 * 2**20)
    path = tmp_path / "wards.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("wards.shp", b"\0" * (64 * 2**20))  # 64 MB of nothing in ~60 KB
    assert path.stat().st_size < 200_000
    with pytest.raises(InputFileError, match="wards.shp unpacks to more than"):
        read_boundaries(path)
