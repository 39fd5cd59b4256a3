"""What violence is made of: the profile equals the Home Office table, the CLI file, the app page."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from vrc_geo.cli import main
from vrc_geo.io.context import read_csp_crime
from vrc_geo.profile.violence_profile import PROFILE_COLUMNS, district_context, violence_profile


@pytest.fixture(scope="module")
def profile(sample_dir):
    return violence_profile(sample_dir)


def test_profile_matches_the_csp_table_exactly(profile, sample_dir):
    table = profile.table
    assert list(table.columns) == PROFILE_COLUMNS
    csp = read_csp_crime(sample_dir)
    kent = csp[(csp["pfa_name"] == "Kent") & ~csp["csp_name"].str.startswith("Unassigned")]
    assert len(table) == len(kent) == 13
    for row in kent.itertuples():
        mine = table[table["area_code"] == (row.csp_code or row.pfa_code)].iloc[0]
        assert mine["violence_with_injury"] == row.violence_with_injury
        assert mine["sexual_offences"] == row.sexual_offences
        assert mine["share_with_injury"] == pytest.approx(
            row.violence_with_injury / row.violence_against_the_person, abs=5e-5
        )
    county = table.iloc[-1]
    assert county["area_name"] == "Kent & Medway"
    assert county["violence_against_the_person"] == 67_038
    assert county["share_with_injury"] == pytest.approx(15_791 / 67_038, abs=5e-5)
    assert "Dartford and Gravesham" in set(table["area_name"])
    assert any("Unassigned Kent" in n for n in profile.notes)
    assert any("Periods differ" in n for n in profile.notes)


def test_severity_total_uses_the_documented_weights(profile):
    weights = dict(zip(profile.weights["subgroup"], profile.weights["weight"], strict=True))
    row = profile.table.iloc[-1]
    expected = (
        row["homicide"] * weights["Homicide"]
        + row["death_or_serious_injury_driving"] * weights["Death or serious injury by illegal driving"]
        + row["violence_with_injury"] * weights["Violence with injury"]
        + row["violence_without_injury"] * weights["Violence without injury"]
        + row["stalking_and_harassment"] * weights["Stalking and harassment"]
        + row["sexual_offences"] * weights["Sexual offences"]
    )
    assert row["severity_weighted_total"] == pytest.approx(expected, abs=0.1)


def test_district_context_counts_police_uk_violence(sample_dataset):
    context = district_context(sample_dataset, None)
    assert len(context) == 13
    records = sample_dataset.in_area
    thanet = int(
        ((records["district_code"] == "E07000114") & (records["crime_type"] == "Violence and sexual offences")).sum()
    )
    assert context.set_index("district_code").loc["E07000114", "policeuk_violence_and_sexual_offences"] == thanet
    assert set(context.loc[context["district_code"].isin(["E07000107", "E07000109"]), "partnership"]) == {
        "Dartford and Gravesham"
    }
    fingertips = pd.DataFrame(
        {
            "Area Code": ["E07000114"],
            "Time period": ["2020/21 - 22/23"],
            "Sex": ["Persons"],
            "Count": ["150"],
            "Value": ["42.5"],
        }
    )
    with_ft = district_context(sample_dataset, fingertips).set_index("district_code")
    assert with_ft.loc["E07000114", "fingertips_rate_per_100k"] == 42.5


def test_cli_writes_the_profile(capsys, sample_dir, tmp_path):
    out = tmp_path / "profile.xlsx"
    assert main(["violence-profile", "--out", str(out), "--data-dir", str(sample_dir)]) == 0
    assert "23.6% with injury" in capsys.readouterr().out
    sheets = pd.read_excel(out, sheet_name=None)
    assert list(sheets) == ["violence profile", "Districts", "Weights", "About"]
    csv = tmp_path / "profile.csv"
    assert main(["--quiet", "violence-profile", "--out", str(csv), "--data-dir", str(sample_dir)]) == 0
    table = pd.read_csv(io.BytesIO(csv.read_bytes()))
    assert list(table.columns) == PROFILE_COLUMNS
    assert main(["violence-profile", "--out", str(tmp_path / "p.geojson"), "--data-dir", str(sample_dir)]) == 2
