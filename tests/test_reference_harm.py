"""Harm weights: the documented derivation reproduced from the two published tables, by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from vrc_geo.errors import DataNotFoundError, SchemaError
from vrc_geo.io.context import parse_csp_crime, read_csp_crime, read_severity_weights
from vrc_geo.io.context import read_harm_weights as harm_weights


@pytest.fixture(scope="module")
def weights(sample_dir):
    return harm_weights(sample_dir)


def _css(sample_dir, code):
    table = read_severity_weights(sample_dir)
    return float(table.loc[table["code"] == code, "weight"].iloc[0])


def test_csp_table_reads_as_published(sample_dir):
    csp = read_csp_crime(sample_dir)
    kent = csp[csp["pfa_name"] == "Kent"]
    force = kent[kent["csp_name"] == ""].iloc[0]
    assert force["violence_against_the_person"] == 67_038
    assert force["violence_with_injury"] == 15_791
    assert force["sexual_offences"] == 6_748
    # The violence subgroups add up to violence against the person in every Kent row.
    parts = ["homicide", "death_or_serious_injury_caused_by_illegal_driving", "violence_with_injury",
             "violence_without_injury", "stalking_and_harassment"]  # fmt: skip
    assert (kent[parts].sum(axis=1) == kent["violence_against_the_person"]).all()
    assert csp.attrs["period"] == "year ending June 2025"
    assert "Dartford and Gravesham" in set(kent["csp_name"])
    assert "Unassigned Kent" in set(kent["csp_name"])


def test_violence_weight_is_the_partnership_mix(weights, sample_dir):
    homicide = _css(sample_dir, "1, 4.1/2/10")
    driving = _css(sample_dir, "4.4")
    vwi, vwoi = _css(sample_dir, "8N"), _css(sample_dir, "105A")
    sh = sorted([_css(sample_dir, c) for c in ("8L", "8Q", "8R")])[1]
    table = read_severity_weights(sample_dir)
    sexual = float(table.loc[table["counts_category"] == "sexual offences", "weight"].median())
    counts = [14, 104, 15_791, 30_979, 20_150, 6_748]  # Kent force row, year ending June 2025
    by_hand = sum(c * w for c, w in zip(counts, [homicide, driving, vwi, vwoi, sh, sexual], strict=True)) / sum(counts)
    assert weights.county["Violence and sexual offences"] == pytest.approx(by_hand)
    # Dartford and Gravesham share one partnership, so one weight; Medway has its own.
    v = weights.by_district["Violence and sexual offences"]
    assert v["E07000107"] == v["E07000109"]
    assert set(v) == {
        "E06000035", "E07000105", "E07000106", "E07000107", "E07000108", "E07000109", "E07000110",
        "E07000111", "E07000112", "E07000113", "E07000114", "E07000115", "E07000116",
    }  # fmt: skip
    medway = [1, 6, 2_614, 5_641, 3_519, 1_240]
    expected = sum(c * w for c, w in zip(medway, [homicide, driving, vwi, vwoi, sh, sexual], strict=True)) / sum(medway)
    assert v["E06000035"] == pytest.approx(expected)


def test_other_categories_follow_the_documented_rule(weights, sample_dir):
    assert weights.county["Robbery"] == pytest.approx(_css(sample_dir, "34A"))
    assert weights.county["Possession of weapons"] == pytest.approx(_css(sample_dir, "10D"))
    assert weights.county["Public order"] == pytest.approx(_css(sample_dir, "9A"))
    assert weights.county["Shoplifting"] == pytest.approx(_css(sample_dir, "46"))
    assert weights.county["Anti-social behaviour"] == 0.0
    burglary = (3_941 * _css(sample_dir, "28E") + 1_414 * _css(sample_dir, "30C")) / (3_941 + 1_414)
    assert weights.county["Burglary"] == pytest.approx(burglary)
    derivation = weights.derivation
    assert {"category", "area", "part", "weight", "rule"} == set(derivation.columns)
    # 6 subgroups, 12 partnerships (Dartford and Gravesham as one) and the force row.
    assert (derivation["category"] == "Violence and sexual offences").sum() == 6 + 12 + 1


def test_record_weights_by_category_and_district(weights):
    types = pd.Series(
        ["Violence and sexual offences", "Violence and sexual offences", "Robbery", "Anti-social behaviour"]
    )
    districts = pd.Series(["E06000035", "E99999999", "E07000114", "E07000114"])
    w = weights.record_weights(types, districts)
    v = weights.by_district["Violence and sexual offences"]
    assert w.tolist() == pytest.approx(
        [v["E06000035"], weights.county["Violence and sexual offences"], weights.county["Robbery"], 0.0]
    )


def test_missing_tables_and_a_changed_table(tmp_path):
    with pytest.raises(DataNotFoundError, match="Crime Severity Score"):
        harm_weights(tmp_path)
    with pytest.raises(SchemaError, match="Table C2"):
        parse_csp_crime(b"just,some,columns\n1,2,3\n", source="bad.csv")
