"""Synthetic generator, under-reporting flag, and suppression in every published format."""

from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from vrc_geo.dataset.aggregate import make_selection
from vrc_geo.errors import ParameterError
from vrc_geo.health.analysis import HEALTH_COLUMNS
from vrc_geo.health.disclosure import SUPPRESSED
from vrc_geo.health.service import health_for
from vrc_geo.health.synthetic import SYNTHETIC, expected_count, generate_incidents
from vrc_geo.health.under_reporting import fit_underreporting


def _planted_wards(seed: int, *, n: int = 300, slope: float = 0.6, per_100k: float = 40.0):
    """Wards at realistic rates: ~40 admissions a year per 100,000 residents, rising with police violence."""
    rng = np.random.default_rng(seed)
    population = rng.integers(3000, 15000, n).astype(float)
    police_rate = rng.lognormal(3.0, 0.7, n)  # per 1,000 residents
    x = np.log(police_rate + 0.1)
    rate = np.exp(slope * (x - x.mean())) * per_100k / 100_000
    return population, police_rate, rng.poisson(rate * population).astype(float)


def test_the_model_fits_at_realistic_rates_and_recovers_the_slope():
    slopes = []
    for seed in range(5):
        population, police_rate, admissions = _planted_wards(seed)
        model = fit_underreporting(admissions, police_rate, population)
        assert model.converged
        assert abs(model.slope - 0.6) < 3 * model.slope_se
        slopes.append(model.slope)
        # Expected admissions per resident rise with the police rate.
        expected = model.table["expected"] / population
        assert stats.spearmanr(expected, police_rate).statistic > 0.99
    assert np.mean(slopes) == pytest.approx(0.6, abs=0.08)


def _nb2_wards(seed: int, *, alpha: float = 0.5, n: int = 300):
    """Wards whose admissions vary more than chance: gamma heterogeneity of variance ``alpha``."""
    rng = np.random.default_rng(seed)
    population, police_rate, _ = _planted_wards(seed, n=n)
    x = np.log(police_rate + 0.1)
    mean = population * np.exp(0.6 * (x - x.mean())) * 40 / 100_000 * 4  # four years of admissions
    gamma = rng.gamma(1 / alpha, alpha, n)
    return population, police_rate, rng.poisson(mean * gamma).astype(float)


def _nb2_by_hand(admissions, police_rate, population):
    """An independent NB2 maximum-likelihood fit: scipy's optimiser on the log-likelihood written out."""
    from scipy.optimize import minimize
    from scipy.special import gammaln

    x = np.c_[np.ones(len(admissions)), np.log(police_rate + 0.1)]
    y, offset = admissions, np.log(population)

    def nll(theta):
        beta, alpha = theta[:2], np.exp(theta[2])
        mu = np.exp(x @ beta + offset)
        r = 1 / alpha
        ll = gammaln(y + r) - gammaln(r) - gammaln(y + 1) + r * np.log(r / (r + mu)) + y * np.log(mu / (r + mu))
        return -ll.sum()

    start = np.array([np.log(y.sum() / population.sum()), 0.0, np.log(0.3)])
    fit = minimize(nll, start, method="Nelder-Mead", options={"xatol": 1e-9, "fatol": 1e-9, "maxiter": 20000})
    return fit.x[0], fit.x[1], float(np.exp(fit.x[2]))


def test_the_fit_equals_an_independent_nb2_on_the_same_input():
    population, police_rate, admissions = _nb2_wards(11)
    model = fit_underreporting(admissions, police_rate, population)
    b0, b1, alpha = _nb2_by_hand(admissions, police_rate, population)
    assert [model.intercept, model.slope] == pytest.approx([b0, b1], abs=1e-3)
    assert model.alpha == pytest.approx(alpha, rel=1e-2)
    assert model.overdispersed and 0.3 < model.alpha < 0.8  # the planted heterogeneity: 0.5


def test_planted_under_reporting_is_flagged_and_nothing_else():
    population, police_rate, admissions = _planted_wards(7)
    planted = [5, 50, 150]
    admissions[planted] += 25
    model = fit_underreporting(admissions, police_rate, population)
    assert sorted(np.flatnonzero(model.table["flag"].to_numpy())) == planted


def test_limits_are_the_fitted_models_99_8_percent_and_exact_at_small_counts():
    for population, police_rate, admissions in (_planted_wards(3), _nb2_wards(3)):
        model = fit_underreporting(admissions, police_rate, population)
        e = model.table["expected"].to_numpy()
        if model.overdispersed:
            size = 1 / model.alpha
            dist = stats.nbinom(size, size / (size + e))
        else:
            dist = stats.poisson(e)
        np.testing.assert_array_equal(model.table["upper_limit"], dist.isf(0.001))
        np.testing.assert_array_equal(model.table["lower_limit"], dist.ppf(0.001))
        np.testing.assert_array_equal(model.table["flag"], dist.sf(admissions - 1) < 0.001)
    # The normal approximation's ±3.09 SD matches the exact limits only for large expectations.
    assert stats.norm.isf(0.001) == pytest.approx(3.09, abs=0.005)


def _real_wards(sample_dataset):
    """The sample's wards: residents and police violence rates a year, and the demo model's expectation."""
    pop = sample_dataset.wards.population.set_index("ward_code")["population"].astype(float)
    records = sample_dataset.in_area
    year = records[(records["crime_type"].astype(str) == "Violence and sexual offences")]
    year = year[year["month"].astype(str).str.startswith("2022")]
    rate = 1000 * year["ward_code"].astype(str).value_counts().reindex(pop.index).fillna(0) / pop
    expected = np.exp(np.log(pop.to_numpy()) - 9.72 + 0.51 * np.log(rate.to_numpy() + 0.1))
    return pop.to_numpy(), rate.to_numpy(), expected


def test_null_worlds_with_heterogeneity_flag_near_nominal_and_planted_wards_are_found(sample_dataset):
    """Simulated years over the real wards following the model, each ward's rate times a gamma of
    variance 0.25 (wards differing for reasons the model does not see): false flags stay near the nominal
    0.1 % a ward (0.3 a year over 305 wards; at most 0.6 on average), and three wards planted at 8 times
    their mean are found at least two times in three."""
    population, rate, expected = _real_wards(sample_dataset)
    rng = np.random.default_rng(2026)
    false_flags, found = [], []
    for _ in range(30):
        world = rng.poisson(expected * rng.gamma(4.0, 0.25, len(expected))).astype(float)
        planted = rng.choice(len(expected), 3, replace=False)
        false_flags.append(int(fit_underreporting(world, rate, population).table["flag"].sum()))
        world[planted] = rng.poisson(expected[planted] * 8)
        flags = fit_underreporting(world, rate, population).table["flag"].to_numpy()
        found += list(flags[planted])
    assert np.mean(false_flags) <= 0.6, false_flags
    assert np.mean(found) >= 2 / 3, np.mean(found)


def test_too_little_data_fits_nothing_and_flags_nothing():
    model = fit_underreporting(np.array([np.nan, 1.0]), np.array([1.0, 1.0]), np.array([10.0, 10.0]))
    assert not model.table["flag"].any()
    assert not model.converged
    population, police_rate, admissions = _planted_wards(1, n=40, per_100k=2)
    tiny = fit_underreporting(admissions, police_rate, population)
    assert not tiny.converged and "admissions" in tiny.describe()
    with pytest.raises(ParameterError):
        fit_underreporting(np.ones(3), np.ones(2), np.ones(3))


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
    assert flagged <= set(planted)
    assert len(flagged) >= 1


@pytest.mark.parametrize("seed", [0, 3])
def test_demo_model_rises_with_police_violence_and_spares_the_busiest_wards(sample_dataset, seed):
    bundle = health_for(sample_dataset, make_selection(), synthetic_demo=True, seed=seed)
    wards = bundle.view.wards
    assert bundle.view.model.converged
    assert 0.3 < bundle.view.model.slope < 0.9
    per_resident = wards["expected_admissions"] / wards["population"]
    assert stats.spearmanr(per_resident, wards["police_rate_per_1000"]).statistic >= 0.5
    top_tenth = wards["police_rate_per_1000"] >= wards["police_rate_per_1000"].quantile(0.9)
    assert not wards.loc[top_tenth, "underreporting_flag"].any()


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
        totals = sheets["Totals"]
        assert list(sheets) == ["health SYNTHETIC", "Totals", "About"]
        table = sheets["health SYNTHETIC"]
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
    wards = demo.published()
    totals = demo.published_totals().set_index("area")
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
    assert any("periods not wholly inside 2022" in n for n in bundle.view.notes)
    assert any("rows of other periods" in n for n in bundle.view.notes)
    published = bundle.published().set_index("ward_code")
    assert published.loc[thanet[0], "admissions"] == SUPPRESSED
    assert bundle.view.districts.set_index("district_code").loc["E07000110", "held_at_district"] == 15
    assert published["data_source"].str.startswith("HES-style").all()


def test_counts_by_home_area_get_no_under_reporting_flag(sample_dataset, demo, tmp_path):
    """HES-style counts are by the patient's home; police records by where the crime happened. Set side by
    side, a residential ward beside a town centre would read as "under-reported": no flag is made, and
    every surface says why."""
    raw = demo.view.wards[["ward_code", "admissions"]]
    counts = raw.assign(period="2022")[["ward_code", "period", "admissions"]].rename(columns={"ward_code": "area_code"})
    path = tmp_path / "hes.csv"
    counts.to_csv(path, index=False)
    bundle = health_for(sample_dataset, make_selection(), admissions=[path])
    published = bundle.published()
    assert set(published["underreporting_flag"].astype(str)) <= {"", SUPPRESSED}
    assert "home area" in bundle.metadata()["Under-reporting model"]
    assert demo.published()["underreporting_flag"].astype(str).isin(["True", "False", SUPPRESSED]).all()
    assert not bundle.view.flags_made and demo.view.flags_made  # the Health page says why, instead of "0"
