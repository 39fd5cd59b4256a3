"""Patrol places: planted busy streets and a quiet-area concentration, splitting, sites, invariance."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely
from scipy import stats

from vrc_geo.errors import ParameterError
from vrc_geo.hotspots import LocalExcess, find_places
from vrc_geo.hotspots.places import group_points

MONTHS = [f"2022-{m:02d}" for m in range(1, 13)] + ["2023-01"]
LAND = shapely.box(0, 0, 20000, 20000)
QUIET = (15000.0, 15000.0)
STREET = (5000.0, 5000.0)


def planted(seed: int = 0) -> pd.DataFrame:
    """13 months: a busy street (8 snap points over 210 m, 40 records a month in all), a quiet-area
    concentration (~75 records over 13 months on 8 snap points within 120 m, no point busy on its own),
    a prison (busy, named), and thin background violence over 400 km²."""
    rng = np.random.default_rng(seed)
    street = np.c_[STREET[0] + np.arange(8) * 30.0, np.full(8, STREET[1])]
    quiet = np.array(QUIET) + rng.uniform(-80, 80, (8, 2)).round()
    background = rng.uniform(0, 20000, (4000, 2)).round()
    rows = []
    for m, month in enumerate(MONTHS):
        for x, y in street[rng.integers(0, 8, 40)]:
            rows.append((x, y, month, "On or near Station Road"))
        for x, y in quiet[rng.integers(0, 8, 5 + (m % 3 == 0))]:
            rows.append((x, y, month, "On or near Quiet Lane"))
        for _ in range(20):
            rows.append((9000.0, 9000.0, month, "On or near Prison"))
        for x, y in background[rng.integers(0, 4000, 12)]:
            rows.append((x, y, month, "On or near Some Road"))
    return pd.DataFrame(rows, columns=["x", "y", "month", "location"])


@pytest.fixture(scope="module")
def places():
    return find_places(planted(), months=MONTHS, land=LAND)


def _footprint_at(result, xy, kind="place"):
    fp = result.footprints
    fp = fp[fp["kind"] == kind]
    return fp[fp.geometry.distance(shapely.Point(*xy)) < 150]


def test_busy_street_is_covered_by_the_first_patrol_circles(places):
    # 8 snap points 30 m apart: circles of 40 m (points within 38 m) cover it in three, none overlapping,
    # and they head the list (densest first).
    street = _footprint_at(places, (STREET[0] + 105, STREET[1]))
    assert sorted(street["footprint"]) == [0, 1, 2]
    assert (street["route"] == "rate").all()
    assert street["records"].sum() == 40 * 13
    assert street["snap_points"].sum() == 8
    circles = places.discs[places.discs["footprint"].isin(street["footprint"])]
    assert len(circles) == 3
    gaps = np.diff(np.sort(circles["x"].to_numpy()))
    assert (gaps >= 80 - 1e-6).all()
    assert shapely.union_all(street.geometry.to_numpy()).area == pytest.approx(street.geometry.area.sum(), rel=1e-9)


def test_quiet_area_concentration_is_found_by_the_local_test(places):
    quiet = _footprint_at(places, QUIET)
    assert len(quiet) == 1
    row = quiet.iloc[0]
    assert row["route"] == "local"
    assert row["records"] >= 0.8 * 70
    # Most of its snap points are not busy on their own: the rate route alone would have missed them.
    members = places.points[places.points["footprint"] == row["footprint"]]
    assert len(members) >= 5
    assert (members["expected_per_month"] < 1).sum() >= 3


def test_the_prison_is_a_site_not_a_patrol_place(places):
    assert _footprint_at(places, (9000, 9000)).empty
    site = _footprint_at(places, (9000, 9000), kind="site")
    assert site["site_type"].tolist() == ["prison / young offender institution"]
    with_sites = find_places(planted(), months=MONTHS, land=LAND, include_sites=True)
    assert len(_footprint_at(with_sites, (9000, 9000))) == 1


def test_background_is_not_listed(places):
    clusters = places.footprints[places.footprints["kind"] == "place"]
    assert len(clusters) <= 4  # the street, the quiet place, maybe a chance pair of background points
    assert places.footprints["area_km2"].sum() < 0.1


def test_row_order_and_stacking_do_not_change_the_list():
    records = planted(3)
    a = find_places(records, months=MONTHS, land=LAND)
    b = find_places(records.sample(frac=1, random_state=1), months=MONTHS, land=LAND)
    pd.testing.assert_frame_equal(a.points, b.points)
    cols = ["kind", "route", "snap_points", "records", "expected_per_month", "area_km2"]
    pd.testing.assert_frame_equal(a.footprints[cols], b.footprints[cols])
    assert all(x.equals(y) for x, y in zip(a.footprints.geometry, b.footprints.geometry, strict=True))


def test_wide_groups_are_split_for_site_footprints():
    xy = np.c_[np.arange(0, 1000, 25.0), np.zeros(40)]  # a kilometre of snap points 25 m apart
    labels = group_points(xy, link_m=40, max_span_m=250)
    spans = [np.ptp(xy[labels == g, 0]) for g in np.unique(labels)]
    assert len(spans) >= 4
    assert max(spans) <= 250
    # Points further apart than the link stay apart; labels follow first appearance.
    assert group_points(np.array([[0.0, 0], [500, 0], [10, 0]]), link_m=40, max_span_m=250).tolist() == [0, 1, 0]


def test_local_excess_by_hand():
    # 30 records at one point, 10 at a point 500 m away (in its ring): expected = 10 * r^2 / (R^2 - r^2).
    x = np.array([0.0, 500.0])
    y = np.array([0.0, 0.0])
    test = LocalExcess(window_m=150, background_m=1500, min_records_per_month=1, min_relative_risk=2).fit(
        x, y, np.array([30, 10]), n_periods=12
    )
    w = test.windows_
    expected = 10 * 150**2 / (1500**2 - 150**2)
    assert w["expected"].iloc[0] == pytest.approx(expected)
    assert w["relative_risk"].iloc[0] == pytest.approx(30 / expected)
    assert w["p_value"].iloc[0] == pytest.approx(stats.poisson.sf(29, expected))
    assert bool(w["excess"].iloc[0])
    # 10 records in 12 months is under 1 a month: not tested (p = 1), whatever its surroundings.
    assert w["p_value"].iloc[1] == 1.0
    assert not bool(w["excess"].iloc[1])
    # Far above its surroundings, but not 1,000 times: not an excess at that bar.
    strict = LocalExcess(window_m=150, background_m=1500, min_records_per_month=1, min_relative_risk=1000)
    assert not strict.fit(x, y, np.array([30, 10]), n_periods=12).windows_["excess"].any()


def test_a_concentration_point_no_circle_can_hold_stays_out():
    # A quiet concentration at Q whose only circle would hold a site: a police station 70 m east, and a
    # point 35 m east that touches it (so it is a site too). No patrol circle may hold either, so Q is
    # left out (not listed as a footprint it lies outside of) — and nothing fails.
    q = np.array([15000.0, 15000.0])
    rng = np.random.default_rng(0)
    background = rng.uniform(0, 20000, (4000, 2)).round()
    rows = []
    for m, month in enumerate(MONTHS):
        if m % 3 != 2:
            rows.append((*q, month, "On or near Quiet Lane"))
        rows += [(*(q + (70.0, 0)), month, "On or near Police Station")] * 6
        rows += [(x, y, month, "On or near Some Road") for x, y in background[rng.integers(0, 4000, 12)]]
    rows.append((*(q + (35.0, 0)), MONTHS[0], "On or near Back Lane"))
    result = find_places(pd.DataFrame(rows, columns=["x", "y", "month", "location"]), months=MONTHS, land=LAND)
    points = result.points.set_index(["x", "y"])
    assert points.loc[tuple(q), "footprint"] == -1
    for fid, row in result.footprints.iterrows():
        members = result.points[result.points["footprint"] == row["footprint"]]
        assert shapely.contains_xy(row.geometry, members["x"], members["y"]).all(), fid


def test_bad_arguments():
    records = planted().head(50)
    with pytest.raises(ParameterError, match="Unknown place option"):
        find_places(records, months=MONTHS, radius=3)
    with pytest.raises(ParameterError, match="min_rate_per_month"):
        find_places(records, months=MONTHS, min_rate_per_month=0)
    with pytest.raises(ParameterError, match="outside the months"):
        find_places(records, months=["2030-01"])
    with pytest.raises(ParameterError, match="margin_m"):
        find_places(records, months=MONTHS, margin_m=0.1)  # covered points could fall outside the drawn circle
    with pytest.raises(ParameterError, match="margin_m"):
        find_places(records, months=MONTHS, margin_m=45)
    with pytest.raises(ParameterError, match="rank_by"):
        find_places(records, months=MONTHS, rank_by="beauty")
    with pytest.raises(ParameterError, match="background_m"):
        LocalExcess(window_m=500, background_m=400).fit(np.zeros(1), np.zeros(1), np.ones(1), n_periods=1)


def test_list_falls_by_estimate_and_by_stated_figure(places):
    list_ = places.footprints[places.footprints["kind"] == "place"]
    points = places.points
    raw = points[points["footprint"] >= 0].groupby("footprint")["estimate_per_month"].sum()
    circles = list_["circles"].to_numpy()
    assert (np.diff((raw.reindex(list_["footprint"]).to_numpy() / circles).round(9)) <= 0).all()
    assert (np.diff((list_["expected_per_month"].to_numpy() / circles).round(9)) <= 1e-9).all()
    stated = points[points["footprint"] >= 0].groupby("footprint")["expected_per_month"].sum()
    np.testing.assert_allclose(stated.reindex(list_["footprint"]).to_numpy(), list_["expected_per_month"])
