"""Every hostile case of the second audit, run as a user would: exit code, peak memory, first message line.

Each case runs ``python -m vrc_geo …`` in a fresh process on files this script makes (in a temporary
folder) and the sample bundle, and reports the process's peak resident memory. With ``--server`` the app
is also served and a spreadsheet bomb uploaded on the Data page in headless Chromium, reporting the
server's peak memory (``VmHWM``). The table is what the notes of issue 22 quote.

Usage: python benchmarks/hostile_cases.py [--server]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

SAMPLE = ROOT.parent / "shared" / "data" / "kent"


def run(args: list[str], env: dict[str, str] | None = None) -> tuple[int, float, str]:
    """(exit code, peak MB, first line of stderr or stdout) of ``python -m vrc_geo ARGS``."""
    probe = (
        "import resource, subprocess, sys; "
        "p = subprocess.run([sys.executable, '-m', 'vrc_geo', '--quiet', *sys.argv[1:]], "
        "capture_output=True, text=True); "
        "line = (p.stderr.strip() or p.stdout.strip() or '').splitlines(); "
        "print(p.returncode); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024); "
        "print(line[0] if line else '')"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
    )
    code, peak, first = (done.stdout.splitlines() + ["", "", ""])[:3]
    return int(code or 1), float(peak or 0), first


def cases(tmp: Path) -> list[tuple[str, list[str], dict[str, str] | None]]:
    import openpyxl
    import shapely
    from conftest import HEADER, TINY_WARDS, police_row, tiny_wards_geojson, write_police_csv
    from test_hostile_round2 import _xlsx_bomb

    out: list[tuple[str, list[str], dict[str, str] | None]] = []
    data = ["--data-dir", str(SAMPLE)]
    out.append(
        (
            "XLSX, one cell of 600 MB (0.6 MB on disk), as a health extract",
            [
                "health",
                "--admissions",
                str(_xlsx_bomb(tmp / "cell.xlsx", cell_mb=600)),
                "--out",
                str(tmp / "h.csv"),
                *data,
            ],
            None,
        )
    )
    out.append(
        (
            "XLSX, 600 MB of whitespace between rows, as a health extract",
            [
                "health",
                "--admissions",
                str(_xlsx_bomb(tmp / "gap.xlsx", gap_mb=600)),
                "--out",
                str(tmp / "h.csv"),
                *data,
            ],
            None,
        )
    )
    out.append(
        (
            "the same bomb as --sites-file",
            [
                "hotspots",
                "--sites-file",
                str(_xlsx_bomb(tmp / "institutions.xlsx", cell_mb=600)),
                "--out",
                str(tmp / "x.csv"),
                "--no-backtest",
                *data,
            ],
            None,
        )
    )
    crimes = write_police_csv(
        tmp / "p" / "police_uk" / "2022-01" / "2022-01-kent-street.csv",
        [police_row(x=575500, y=155500) for _ in range(20)]
        + [police_row(x=575500, y=155500, month="2099-12"), police_row(x=575500, y=155500, month="0000-01")],
    )
    wards = tiny_wards_geojson(tmp / "w" / "tiny.geojson")
    out.append(
        (
            "records dated 2099-12 and 0000-01 among 20 good ones",
            ["summary", "--crimes", str(crimes), "--boundaries", str(wards), "--no-cache"],
            None,
        )
    )
    big = json.loads(wards.read_text())
    big["features"].append(
        {
            "type": "Feature",
            "properties": {"WD23CD": "E05999999", "WD23NM": "Everywhere", "LAD23CD": "E07000110"},
            "geometry": json.loads(shapely.to_geojson(shapely.box(574000, 154000, 578000, 158000))),
        }
    )
    county = tmp / "county" / "wards.geojson"
    county.parent.mkdir()
    county.write_text(json.dumps(big))
    out.append(
        (
            "an extra polygon covering every ward",
            ["summary", "--crimes", str(crimes), "--boundaries", str(county), "--no-cache"],
            None,
        )
    )
    mixed = tmp / "mixed"
    tiny_wards_geojson(mixed / "a.geojson", code_col="WD13CD", name_col="WD13NM")
    newer = tiny_wards_geojson(mixed / "b.geojson")
    coll = json.loads(newer.read_text())
    for i, f in enumerate(coll["features"]):
        f["properties"]["WD23CD"] = f"E0591000{i}"
    newer.write_text(json.dumps(coll))
    out.append(
        (
            "wards of two vintages in one folder",
            ["summary", "--crimes", str(crimes), "--boundaries", str(mixed), "--no-cache"],
            None,
        )
    )
    swapped = tmp / "swapped.geojson"
    coll = json.loads(tiny_wards_geojson(tmp / "s0.geojson").read_text())
    from conftest import bng_to_lonlat

    for f, (_, _, _, x0, y0) in zip(coll["features"], TINY_WARDS, strict=True):
        corners = [
            bng_to_lonlat(x, y)
            for x, y in ((x0, y0), (x0 + 1000, y0), (x0 + 1000, y0 + 1000), (x0, y0 + 1000), (x0, y0))
        ]
        f["geometry"]["coordinates"] = [[[lat, lon] for lon, lat in corners]]
    coll["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}}
    swapped.write_text(json.dumps(coll))
    out.append(
        (
            "boundaries with latitude and longitude swapped",
            ["summary", "--crimes", str(crimes), "--boundaries", str(swapped), "--no-cache"],
            None,
        )
    )
    # 5 million police rows (about 1 GB in 17 files of 60 MB): refused before anything is read.
    many = tmp / "many" / "police_uk"
    row = (",".join(police_row(x=575500, y=155500, crime_id="x" * 64)) + "\r\n").encode()
    per_file = 300_000
    for i in range(17):
        path = many / f"{2000 + i + 11}-01" / f"{2000 + i + 11}-01-kent-street.csv"
        path.parent.mkdir(parents=True)
        with open(path, "wb") as handle:
            handle.write((",".join(HEADER) + "\r\n").encode())
            handle.write(row * per_file)
    out.append(
        (
            "5.1 million police rows (17 files, 1.0 GB)",
            ["summary", "--crimes", str(many), "--boundaries", str(wards), "--no-cache"],
            None,
        )
    )
    book = openpyxl.Workbook()
    first = book.active
    first.title = "old"
    first.append(["record_id", "incident_date", "area_code"])
    first.append(["decoy", "2021-01-01", "E05005072"])
    first.sheet_state = "hidden"
    import datetime as dt

    sheet = book.create_sheet("latest")
    sheet.append(["record_id", "incident_date", "incident_time", "area_code"])
    for m in range(1, 13):
        for d in range(1, 29, 3):
            sheet.append([f"r{m}-{d}", dt.datetime(2022, m, d), dt.time(22, 30), "E05005072"])
    hidden = tmp / "hidden.xlsx"
    book.save(hidden)
    out.append(
        (
            "XLSX with a hidden first sheet and Excel date/time cells",
            ["health", "--admissions", str(hidden), "--out", str(tmp / "h2.csv"), *data],
            None,
        )
    )
    bad = tmp / "bad.csv"
    bad.write_text("record_id,incident_date,area_code\na,31/02/2022,x\nb,yesterday,y\n")
    out.append(
        (
            "an extract whose every row is refused",
            ["health", "--admissions", str(bad), "--out", str(tmp / "h3.csv"), *data],
            None,
        )
    )
    planted = tmp / "planted"
    planted.mkdir()
    planted.chmod(0o777)
    out.append(("cache folder open to everyone (planted)", ["summary", *data], {"VRC_GEO_CACHE_DIR": str(planted)}))
    folder = tmp / "out.csv"
    folder.mkdir()
    out.append(("--out naming a folder", ["export-wards", "--out", str(folder), *data], None))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--server", action="store_true", help="also upload a bomb to a served app")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        print("| input | exit | peak MB | first line |")
        print("|---|---|---|---|")
        for label, argv, env in cases(Path(tmp)):
            code, peak, first = run(argv, env)
            print(f"| {label} | {code} | {peak:,.0f} | {first[:160].replace('|', '/')} |", flush=True)
        if args.server:
            peak = server_bomb(Path(tmp))
            print(f"| Data page: the 600 MB cell bomb uploaded as a health extract | server peak {peak:,.0f} MB | |")


def server_bomb(tmp: Path) -> float:
    """Serve the app, upload the bomb on the Data page, return the server's peak memory (MB)."""
    from browser import chromium, served_app
    from test_hostile_round2 import _xlsx_bomb

    bomb = _xlsx_bomb(tmp / "upload.xlsx", cell_mb=600)
    with served_app() as url, chromium() as browser:
        tab = browser.new_page(viewport={"width": 1366, "height": 768})
        tab.set_default_timeout(180_000)
        tab.goto(f"{url}/data")
        tab.get_by_role("heading", name="Data: sources, checks and uploads").wait_for()
        tab.get_by_text("health extract (CSV or XLSX)").click()
        tab.wait_for_timeout(2000)
        tab.locator("[data-testid='stFileUploaderDropzoneInput']").first.set_input_files(str(bomb))
        tab.locator("[data-testid='stAlert']", has_text="unpacks to more than").wait_for()
        status = Path(f"/proc/{url.pid}/status").read_text()
    peak_kb = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM"))
    return peak_kb / 1024


if __name__ == "__main__":
    main()
