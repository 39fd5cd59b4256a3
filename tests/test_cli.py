"""The command line on the real sample: JSON summary, exports in three formats, clear errors."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import geopandas as gpd
import pandas as pd
import pytest

from vrc_geo.cli import build_parser, main
from vrc_geo.dataset.aggregate import LONG_COLUMNS, make_selection, select_records


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["--quiet", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_summary_json_balances(capsys, sample_dir):
    code, out, _ = run(capsys, "summary", "--json", "--data-dir", str(sample_dir))
    assert code == 0
    facts = json.loads(out)
    for key in ("rows_read", "in_area", "outside_area", "no_location"):
        assert isinstance(facts[key], int)
    assert facts["rows_read"] == (
        facts["in_area"] + facts["outside_area"] + facts["no_location"] + sum(facts["rejected"].values())
    )
    assert facts["period"]["first_month"] == "2022-01" and facts["period"]["last_month"] == "2023-01"
    assert len(facts["by_district"]) == 13
    assert sum(facts["by_crime_type"].values()) == facts["in_area"]


def test_summary_text(capsys, sample_dir):
    code, out, _ = run(capsys, "summary", "--data-dir", str(sample_dir))
    assert code == 0
    assert "Where every row went" in out and "Folkestone and Hythe" in out and "215,518" in out
    assert "police.uk data, Jan 2022 to Jan 2023 (13 months)" in out


def test_summary_of_one_month_says_month(capsys, sample_dir):
    one = sample_dir / "police_uk" / "2022-01"
    code, out, _ = run(
        capsys, "summary", "--crimes", str(one), "--boundaries", str(sample_dir / "boundaries" / "wards_2013")
    )
    assert code == 0
    assert "police.uk data, Jan 2022 (1 month);" in out


@pytest.mark.parametrize("ext", [".csv", ".xlsx", ".geojson"])
def test_export_wards_formats_and_filters(capsys, sample_dir, sample_dataset, tmp_path, ext):
    out = tmp_path / f"wards{ext}"
    code, _, err = run(
        capsys,
        "export-wards",
        "--out",
        str(out),
        "--data-dir",
        str(sample_dir),
        "--from",
        "2022-06",
        "--to",
        "2022-08",
        "--district",
        "Thanet",
        "Medway",
        "--crime-type",
        "violence",
        "drugs",
    )
    assert code == 0, err
    if ext == ".csv":
        table = pd.read_csv(out)
    elif ext == ".xlsx":
        table = pd.read_excel(out, sheet_name="data")
    else:
        table = gpd.read_file(out)
        assert table.crs.to_epsg() == 4326
        assert table.geometry.notna().all() and table.geom_type.isin(["Polygon", "MultiPolygon"]).all()
    assert list(table.columns[: len(LONG_COLUMNS)]) == LONG_COLUMNS
    assert set(table["district_name"]) == {"Thanet", "Medway"}
    assert set(table["crime_type"]) == {"Violence and sexual offences", "Drugs"}
    assert set(table["month"].astype(str)) == {"2022-06", "2022-07", "2022-08"}
    sel = make_selection(
        start="2022-06", end="2022-08", districts=["Thanet", "Medway"], crime_types=["violence", "drugs"]
    )
    assert table["count"].sum() == len(select_records(sample_dataset.records, sel))
    assert (table["count"] > 0).all()


def test_export_wards_with_zeros(capsys, sample_dir, tmp_path):
    out = tmp_path / "z.csv"
    code, _, _ = run(
        capsys,
        "export-wards",
        "--out",
        str(out),
        "--data-dir",
        str(sample_dir),
        "--from",
        "2022-01",
        "--to",
        "2022-02",
        "--district",
        "Dover",
        "--crime-type",
        "robbery",
        "--include-zeros",
    )
    assert code == 0
    table = pd.read_csv(out)
    assert len(table) == 21 * 2  # 21 Dover wards (2013) x 2 months x 1 type
    assert (table["count"] == 0).any()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["export-wards", "--out", "x.csv", "--from", "2022-13"], "YYYY-MM"),
        (["export-wards", "--out", "x.csv", "--district", "Narnia"], "Unknown district"),
        (["export-wards", "--out", "x.pdf"], "extension must be one of"),
        (["export-wards", "--out", "x.csv", "--crime-type", "knives"], "Unknown crime type"),
        (["export-wards", "--out", "x.csv", "--from", "2022-05", "--to", "2022-01"], "after it ends"),
    ],
)
def test_bad_options_are_clear_errors(capsys, sample_dir, tmp_path, args, message):
    args = [a if a not in {"x.csv", "x.pdf"} else str(tmp_path / a) for a in args]
    code, _, err = run(capsys, *args, "--data-dir", str(sample_dir))
    assert code == 2
    assert message in err
    assert "Traceback" not in err


def test_no_data_is_a_clear_error(capsys, tmp_path):
    code, _, err = run(capsys, "summary", "--data-dir", str(tmp_path))
    assert code == 2
    assert "No police.uk crime files found" in err


def test_bad_crime_file_is_a_clear_error(capsys, sample_dir, tmp_path):
    bad = tmp_path / "2022-01-kent-street.csv"
    bad.write_text("a,b\n1,2\n")
    code, _, err = run(
        capsys, "summary", "--crimes", str(bad), "--boundaries", str(sample_dir / "boundaries" / "wards_2013")
    )
    assert code == 2
    assert "not a police.uk street-level CSV" in err


def test_every_command_has_help():
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    assert {"summary", "export-wards", "hotspots", "health"} <= set(sub.choices)
    for name, command in sub.choices.items():
        text = command.format_help()
        assert command.description, name
        for action in command._actions:
            if action.dest != "help":
                assert action.help, f"{name} {action.dest} has no help"
        assert "usage" in text


def test_module_entry_point_runs():
    result = subprocess.run([sys.executable, "-m", "vrc_geo", "--help"], capture_output=True, text=True, check=False)
    assert result.returncode == 0
    assert "export-wards" in result.stdout


def test_progress_goes_to_stderr_not_stdout(sample_dir):
    result = subprocess.run(
        [sys.executable, "-m", "vrc_geo", "summary", "--json", "--data-dir", str(sample_dir)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0
    json.load(io.StringIO(result.stdout))


def test_hotspots_command(capsys, sample_dir, tmp_path):
    out = tmp_path / "h.geojson"
    code, stdout, err = (
        main(
            [
                "hotspots",
                "--out",
                str(out),
                "--data-dir",
                str(sample_dir),
                "--district",
                "Thanet",
                "--top",
                "3",
            ]
        ),
        *capsys.readouterr(),
    )
    assert code == 0, err
    assert "Wrote 3 hotspots" in stdout
    assert "PAI" in stdout
    frame = gpd.read_file(out)
    assert len(frame) == 3
    assert frame["rank"].tolist() == [1, 2, 3]
    assert (frame["district_name"] == "Thanet").all()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--top", "0"], "--top must be at least 1"),
        (["--min-rate", "-1"], "min_rate_per_month"),
        (["--footprint-radius-m", "900"], "footprint_radius_m"),
        (["--half-life-months", "0"], "half_life_months"),
        (["--gi-permutations", "5"], "gi_permutations"),
        (["--from", "2023-01", "--to", "2023-01", "--test-months", "3"], "No backtest"),
    ],
)
def test_hotspots_bad_options(capsys, sample_dir, tmp_path, args, message):
    code = main(["hotspots", "--out", str(tmp_path / "h.csv"), "--data-dir", str(sample_dir), *args])
    err = capsys.readouterr().err
    if message == "No backtest":
        assert code == 0  # a short period still lists hotspots; the backtest says why it is missing
    else:
        assert code == 2
    assert message in err


def test_health_synthetic_demo_command(capsys, sample_dir, tmp_path):
    out, records = tmp_path / "h.csv", tmp_path / "syn.csv"
    code = main(
        [
            "health",
            "--synthetic-demo",
            "--out",
            str(out),
            "--data-dir",
            str(sample_dir),
            "--write-synthetic",
            str(records),
        ]
    )
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "SYNTHETIC" in captured.err
    table = pd.read_csv(out, dtype=str)
    assert len(table) == 305
    assert (table["data_source"].str.startswith("synthetic")).all()
    # The saved records read back through the partner-file path give the same table.
    again = tmp_path / "again.csv"
    assert main(["health", "--admissions", str(records), "--out", str(again), "--data-dir", str(sample_dir)]) == 0
    capsys.readouterr()
    second = pd.read_csv(again, dtype=str)
    assert second.drop(columns="data_source").equals(table.drop(columns="data_source"))
    assert (second["data_source"] == "synthetic").all()


def test_health_periods_are_fixed_and_a_low_threshold_warns(capsys, sample_dir, tmp_path):
    out = tmp_path / "h.csv"
    base = ["health", "--synthetic-demo", "--out", str(out), "--data-dir", str(sample_dir)]
    assert main([*base, "--from", "2022-01", "--to", "2022-04"]) == 2
    err = capsys.readouterr().err
    assert "fixed, non-overlapping periods" in err and "2022: Jan to Dec 2022" in err
    assert main([*base, "--period", "2022", "--district", "Thanet"]) == 0
    captured = capsys.readouterr()
    table = pd.read_csv(out, dtype=str)
    assert len(table) == 23 and set(table["period"]) == {"2022"}
    assert "fewer than 10" not in captured.out and "about " in captured.out
    assert main([*base, "--period", "1999"]) == 2
    assert "not a publication period" in capsys.readouterr().err
    assert main(["--quiet", *base, "--suppress-up-to", "3"]) == 0
    assert "WARNING: counts are suppressed only up to 3" in capsys.readouterr().err


def test_health_bad_input(capsys, sample_dir, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("foo,bar\n1,2\n")
    code = main(["health", "--admissions", str(bad), "--out", str(tmp_path / "x.csv"), "--data-dir", str(sample_dir)])
    err = capsys.readouterr().err
    assert code == 2
    assert "neither health schema" in err
    code = main(["health", "--synthetic-demo", "--out", str(tmp_path / "x.csv"), "--suppress-up-to", "-1"])
    assert code == 2
    assert "--suppress-up-to" in capsys.readouterr().err


def test_hotspots_with_a_register_of_institutions(capsys, sample_dir, tmp_path):
    # "Park Lane", Sevenoaks heads the list on the sample (one point, 96 % violence): a partner's register
    # entry there makes it a site. A bad register row is refused with its line and reason; a file that
    # is not a register stops the command with a clear message.
    register = tmp_path / "institutions.csv"
    register.write_text(
        "name,site_type,latitude,longitude\nSecure unit,hospital,51.273388,0.225836\nOops,school,51.3,0.5\n"
    )
    out = tmp_path / "h.csv"
    base = ["hotspots", "--out", str(out), "--data-dir", str(sample_dir), "--no-backtest", "--kind", "place"]
    assert main([*base, "--sites-file", str(register)]) == 0
    err = capsys.readouterr().err
    assert "institutions.csv: 1 of 2 institutions used, 1 refused (line 3: site_type must be one of" in err
    frame = pd.read_csv(out)
    assert not frame["top_locations"].str.startswith("Park Lane (109)").any()  # other Park Lanes stay
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("place,count\nA,1\n")
    assert main([*base, "--sites-file", str(wrong)]) == 2
    assert "is not a register of institutions" in capsys.readouterr().err
