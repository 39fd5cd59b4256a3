"""A differencing attacker against every health table the tool can publish from one fixed extract.

The attacker asks for cumulative periods, single months, every single district and every district but
one — and asks again after each monthly refresh of the police data (the same extract published while the
police data reach November, December and January) — collects every ward table, totals table and About
sheet, and solves the linear programme of all the numbers they were shown. No count from 1 to 7 may come
out pinned (or narrower than the audit's minimum width), and no view may show a number another view hides.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linprog

from vrc_geo.dataset.aggregate import make_selection
from vrc_geo.health.disclosure import SUPPRESSED
from vrc_geo.health.periods import HealthPeriodError
from vrc_geo.health.service import health_for
from vrc_geo.health.synthetic import generate_incidents
from vrc_geo.reference.area import DISTRICTS

MAX_SMALL = 7


def _views(dataset, frames):
    """Every table the tool will publish for this extract: each period, all districts, each district,
    every district but one. Requests for other periods are refused (collected as errors)."""
    first = health_for(dataset, make_selection(), frames=frames)
    shown, refused = [], []
    months = dataset.months
    asks = [(months[0], m) for m in months] + [(m, m) for m in months] + [(m, months[-1]) for m in months]
    for start, end in asks:
        try:
            bundle = health_for(dataset, make_selection(start=start, end=end), frames=frames)
        except HealthPeriodError:
            refused.append((start, end))
            continue
        shown.append(bundle)
    for period in first.periods:
        selections = [None] + [[d] for d in DISTRICTS] + [[c for c in DISTRICTS if c != d] for d in DISTRICTS]
        for districts in selections:
            shown.append(
                health_for(
                    dataset,
                    make_selection(start=period.start, end=period.end, districts=districts),
                    frames=frames,
                )
            )
    return first, shown, refused


def _collect(bundles):
    """What the attacker learns, per period: node -> shown value (or None when hidden)."""
    seen: dict[str, dict[tuple, object]] = {}
    for bundle in bundles:
        book = seen.setdefault(bundle.period.label, {})
        for row in bundle.published().itertuples():
            _note(book, ("ward", row.ward_code), row.admissions)
        for row in bundle.published_totals().itertuples():
            if row.area == "Kent & Medway":
                _note(book, ("total", ""), row.admissions)
            else:
                code = next(c for c, n in DISTRICTS.items() if n == row.area)
                _note(book, ("district", code), row.admissions)
                _note(book, ("held", code), row.held_at_district)
    return seen


def _note(book, node, value):
    value = None if value == SUPPRESSED else int(value)
    if node in book:
        assert book[node] == value, f"{node} is shown as {book[node]} in one view and {value} in another"
    book[node] = value


def _solve(bundle, book):
    """For every small count of the raw table: the interval an LP attacker can narrow it to."""
    view = bundle.view
    raw = {("ward", r.ward_code): int(r.admissions) for r in view.wards.itertuples()}
    for r in view.districts.itertuples():
        raw[("held", r.district_code)] = int(r.held_at_district)
        raw[("district", r.district_code)] = int(r.admissions)
    raw[("total", "")] = int(view.districts["admissions"].sum())
    nodes = list(raw)
    index = {n: i for i, n in enumerate(nodes)}
    rows = []
    for code, group in view.wards.groupby("district_code"):
        row = np.zeros(len(nodes))
        row[index[("district", code)]] = -1
        row[index[("held", code)]] = 1
        for ward in group["ward_code"]:
            row[index[("ward", ward)]] = 1
        rows.append(row)
    row = np.zeros(len(nodes))
    row[index[("total", "")]] = -1
    for code in view.districts["district_code"]:
        row[index[("district", code)]] = 1
    rows.append(row)
    bounds = []
    for node in nodes:
        if book.get(node) is not None:
            bounds.append((book[node], book[node]))
        else:
            bounds.append((0, None))  # hidden: a small count, a zero or a large count, as far as anyone knows
    out = {}
    for node, value in raw.items():
        if not 1 <= value <= MAX_SMALL:
            continue
        assert book.get(node) is None, f"{node} = {value} is shown"
        c = np.zeros(len(nodes))
        c[index[node]] = 1
        lo = linprog(c, A_eq=rows, b_eq=np.zeros(len(rows)), bounds=bounds, method="highs")
        hi = linprog(-c, A_eq=rows, b_eq=np.zeros(len(rows)), bounds=bounds, method="highs")
        out[node] = (lo.fun, np.inf if hi.status == 3 else -hi.fun)  # status 3: unbounded above
    return out


@pytest.fixture(scope="module")
def demo_frames(sample_dataset):
    records = generate_incidents(sample_dataset, months=sample_dataset.months, seed=5)
    return [("partner extract", records.assign(source="partner"))]


def test_the_differencing_attacker_recovers_no_small_count(sample_dataset, demo_frames):
    first, bundles, refused = _views(sample_dataset, demo_frames)
    # Cumulative periods and single months other than the fixed periods are refused, not computed.
    assert ("2022-01", "2022-03") in refused and ("2022-01", "2022-04") in refused
    assert ("2022-04", "2022-04") in refused
    assert [p.label for p in first.periods] == ["2022"]  # 2023 is not whole: not published at all
    books = _collect(bundles)
    by_period = {b.period.label: b for b in bundles}
    small = 0
    for label, book in books.items():
        for node, (lo, hi) in _solve(by_period[label], book).items():
            small += 1
            assert hi - lo >= by_period[label].view.min_width - 1e-6, f"{label} {node}: {lo}..{hi}"
    assert small > 100  # the attacker had plenty to try


def test_a_six_record_extract_gives_nothing_away(sample_dataset, tmp_path):
    wards = sample_dataset.wards.wards
    thanet = wards[wards["district_code"] == "E07000114"]["code"].tolist()
    rows = [
        {"record_id": f"r{i}", "incident_date": f"2022-{1 + 2 * i:02d}-{10 + i:02d}", "area_code": thanet[i % 2]}
        for i in range(5)
    ]
    rows.append({"record_id": "r5", "incident_date": "2022-12-03", "area_code": thanet[0]})
    path = tmp_path / "six.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    bundle = health_for(sample_dataset, make_selection(), admissions=[path])
    published = bundle.published()
    assert (published["admissions"] == SUPPRESSED).sum() >= 2
    totals = bundle.published_totals().set_index("area")
    assert totals.loc["Kent & Medway", "admissions"] == SUPPRESSED
    assert totals.loc["Thanet", "admissions"] == SUPPRESSED
    about = " ".join(str(v) for v in bundle.metadata().values())
    assert "fewer than 10" in about
    for number in ("5", "6", "1"):
        assert f" {number}," not in about and f"={number}" not in about and f"{number} row" not in about
    books = _collect([bundle])
    for node, (lo, hi) in _solve(bundle, books[bundle.period.label]).items():
        assert hi - lo >= bundle.view.min_width - 1e-6, f"{node}: {lo}..{hi}"


def _police_until(dataset, last: str):
    """The same police data as it stood when ``last`` was its newest month (an earlier refresh)."""
    keep = dataset.records["month"].astype(str) <= last
    return dataset.with_records(dataset.records[keep.to_numpy()])


def test_a_refresh_of_the_police_data_recovers_nothing(sample_dataset, demo_frames):
    """The attack that worked on the earlier version: one extract published while the police data reached
    November ("2022 (January-November)") and again after December arrived ("2022"); subtracting gave
    December's counts. Now a year is published only when whole, and the same year's table is the same
    table whatever the police data's extent."""
    for last in ("2022-10", "2022-11"):
        with pytest.raises(HealthPeriodError, match="whole years only"):
            _views(_police_until(sample_dataset, last), demo_frames)
    bundles = []
    for last in ("2022-12", "2023-01"):
        bundles += _views(_police_until(sample_dataset, last), demo_frames)[1]
    assert {b.period.label for b in bundles} == {"2022"}
    books = _collect(bundles)  # _note fails if one refresh shows a number another hides or changes
    for label, book in books.items():
        bundle = next(b for b in bundles if b.period.label == label)
        for node, (lo, hi) in _solve(bundle, book).items():
            assert hi - lo >= bundle.view.min_width - 1e-6, f"{label} {node}: {lo}..{hi}"


def test_months_missing_from_the_police_data_are_never_published(sample_dataset, demo_frames):
    """With January and March but not February, 2022 is not whole: nothing is published for it."""

    months = sample_dataset.records["month"].astype(str)
    gap = sample_dataset.with_records(sample_dataset.records[(months != "2022-02").to_numpy()])
    with pytest.raises(HealthPeriodError, match="whole years only"):
        health_for(gap, make_selection(), frames=demo_frames)
