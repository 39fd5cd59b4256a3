"""Synthetic generator, under-reporting flag, and suppression in every published format."""

from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd
import pytest

from vrc_geo.aggregate import make_selection
from vrc_geo.errors import ParameterError
from vrc_geo.health.analysis import HEALTH_COLUMNS, underreporting
from vrc_geo.health.disclosure import SUPPRESSED
from vrc_geo.health.service import health_for
from vrc_geo.health.synthetic import SYNTHETIC, expected_count, generate_incidents


def test_underreporting_flags_the_planted_areas_and_no_others():
    rng = np.random.default_rng(7)
    n = 200
    population = rng.integers(3000, 15000, n).astype(float)
    police_rate = rng.lognormal(3.3, 0.6, n)  # per 1,000
    expected_rate = 0.0004 * police_rate**0.8  # admissions per resident
    admissions = rng.poisson(expected_rate * population).astype(float)
    planted = [5, 50, 150]
    admissions[planted] = np.round(admissions[planted] * 4 + 25)
    out = underreporting(admissions, police_rate, population)
    assert sorted(np.flatnonzero(out["flag"].to_numpy())) == planted
    assert out["expected"].notna().all()


def test_underreporting_needs_data():
    out = underreporting(np.array([np.nan, 1.0]), np.array([1.0, 1.0]), np.array([10.0, 10.0]))
    assert not out["flag"].any()


@pytest.fixture(scope="module")
def demo(sample_dataset):
    return health_for(sample_dataset, make_selection(), synthetic_demo=True, seed=3)


def test_generator_is_reproducible_and_calibrated(sample_dataset):
    months = sample_dataset.months
    a = generate_incidents(sample_dataset, months=months, seed=11)
    b = generate_incidents(sample_dataset, months=months, seed=11)
    c = generate_incidents(sample_dataset, months=months, seed=12)
    pd.testing.assert_frame_equal(a, b)
    assert not a.equals(c)
    residents = sample_dataset.wards.population["population"].sum()
    assert len(a) == expected_count(40, residents, len(months))
    per_100k_year = len(a) / residents * 100_000 * 12 / len(months)
    assert per_100k_year == pytest.approx(40, abs=0.1)
    assert (a["source"] == SYNTHETIC).all()
    assert a["record_id"].is_unique


def test_generator_has_night_weekend_peaks_and_a_weapon_mix(sample_dataset):
    a = generate_incidents(sample_dataset, months=sample_dataset.months, seed=1, rate_per_100k=200)
    hours = a["incident_time"].str[:2].astype(int)
    night = hours.isin([22, 23, 0, 1, 2]).mean()
    assert night > 5 / 24 * 1.5
    weekday = pd.to_datetime(a["incident_date"]).dt.day_of_week
    assert weekday.isin([4, 5, 6]).mean() > 3 / 7 * 1.2
    assert a["weapon"].value_counts(normalize=True)["body"] == pytest.approx(0.58, abs=0.05)
    with pytest.raises(ParameterError):
        generate_incidents(sample_dataset, months=sample_dataset.months, rate_per_100k=0)


def test_demo_finds_its_planted_under_reported_wards(demo, sample_dataset):
    planted = generate_incidents(sample_dataset, months=sample_dataset.months, seed=3).attrs["under_reported_wards"]
    flagged = set(demo.view.wards.loc[demo.view.wards["underreporting_flag"], "ward_code"])
    assert set(planted) <= flagged
    assert len(flagged) <= len(planted) + 4


def test_demo_accounts_for_every_row(demo):
    acc = demo.account
    assert acc.rows_read == acc.in_area + acc.outside_area + acc.no_location + acc.rejected_total
    assert demo.synthetic
    assert demo.view.data_source.startswith(SYNTHETIC)


def _numeric(values) -> np.ndarray:
    return pd.to_numeric(pd.Series(list(values)).replace(SUPPRESSED, np.nan), errors="coerce").to_numpy()


@pytest.mark.parametrize("fmt", [".csv", ".xlsx", ".geojson"])
def test_suppression_holds_in_every_format(demo, fmt):
    data = demo.file_bytes(fmt)
    if fmt == ".csv":
        table = pd.read_csv(io.BytesIO(data), dtype=str)
    elif fmt == ".xlsx":
        sheets = pd.read_excel(io.BytesIO(data), sheet_name=None, dtype=str)
        table, totals = sheets["health"], sheets["Totals"]
        assert list(sheets) == ["health", "Totals", "About"]
        assert "SYNTHETIC" in sheets["About"].set_index("item")["value"]["WARNING"]
        shown = _numeric(totals["admissions"])
        assert not ((shown >= 1) & (shown <= 7)).any()
    else:
        doc = json.loads(data)
        assert "SYNTHETIC" in doc["metadata"]["WARNING"]
        table = pd.DataFrame([f["properties"] for f in doc["features"]]).astype(str)
    assert list(table.columns) == HEALTH_COLUMNS
    adm = _numeric(table["admissions"])
    assert not ((adm >= 1) & (adm <= 7)).any()
    hidden = table["admissions"] == SUPPRESSED
    assert hidden.any()
    assert (table.loc[hidden, "admissions_rate_per_1000"] == SUPPRESSED).all()
    assert (table.loc[hidden, "underreporting_flag"] == SUPPRESSED).all()
    assert table["data_source"].str.startswith("synthetic").all()


def test_published_totals_do_not_reveal_a_suppressed_ward(demo):
    wards = demo.view.published()
    totals = demo.view.published_totals().set_index("area")
    raw = demo.view.wards.set_index("ward_code")
    for district, group in wards.groupby("district_name"):
        total = totals.loc[district, "admissions"]
        held = totals.loc[district, "held_at_district"]
        hidden = group["admissions"] == SUPPRESSED
        if total == SUPPRESSED or held == SUPPRESSED or not hidden.any():
            continue
        remainder = int(total) - int(held) - group.loc[~hidden, "admissions"].astype(int).sum()
        small = raw.loc[group.loc[hidden, "ward_code"], "admissions"].between(1, 7)
        # What is left to share among the hidden wards never pins a small one down.
        assert hidden.sum() >= 2 or not small.any()
        assert remainder == raw.loc[group.loc[hidden, "ward_code"], "admissions"].sum()


def test_area_counts_end_to_end(sample_dataset, tmp_path):
    wards = sample_dataset.wards.wards
    thanet = wards[wards["district_code"] == "E07000114"]["code"].tolist()
    rows = [{"area_code": code, "period": "2022", "admissions": 20} for code in thanet]
    rows[0]["admissions"] = 3  # small: must be suppressed
    rows.append({"area_code": "E02005068", "period": "2022", "admissions": 15})  # an MSOA: district level
    rows.append({"area_code": "E05005093", "period": "2023-Q1", "admissions": 5})  # outside the period
    rows.append({"area_code": "E05005094", "period": "2022/23", "admissions": 9})  # straddles its end
    path = tmp_path / "hes.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    bundle = health_for(sample_dataset, make_selection(start="2022-01", end="2022-12"), admissions=[path])
    assert not bundle.synthetic
    assert bundle.account.rows_read == len(rows)
    assert bundle.account.in_area == len(rows)
    assert any("1 count row(s) cover periods not wholly inside" in n for n in bundle.view.notes)
    assert any("1 health row(s) fall outside" in n for n in bundle.view.notes)
    published = bundle.view.published().set_index("ward_code")
    assert published.loc[thanet[0], "admissions"] == SUPPRESSED
    assert bundle.view.districts.set_index("district_code").loc["E07000110", "held_at_district"] == 15
    assert published["data_source"].str.startswith("HES-style").all()
