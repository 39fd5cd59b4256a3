"""Backtest: disc coverage against exact geometry, the peers at the same area, cuts, PEI, harm weights."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely

from vrc_geo.errors import ParameterError
from vrc_geo.hotspots import hotspot_backtest
from vrc_geo.hotspots.evaluate.backtest import CUTS, DISCS, OURS, grid_cells
from vrc_geo.hotspots.evaluate.coverage import DiscCoverage


def test_disc_coverage_agrees_with_exact_geometry():
    rng = np.random.default_rng(2)
    centres = rng.uniform(0, 2000, (60, 2))
    land = shapely.box(0, 0, 1500, 2000)  # some discs cross the coast at x = 1500
    later = rng.uniform(0, 2000, (500, 2))
    area, (hits,) = DiscCoverage(land, radius_m=40).curve(centres[:, 0], centres[:, 1], later)
    for k in (1, 10, 30, 60):
        discs = shapely.buffer(shapely.points(centres[:k]), 40, quad_segs=64)
        shape = shapely.intersection(shapely.union_all(discs), land)
        assert area[k - 1] == pytest.approx(shape.area / 1e6, rel=0.015)
        within = np.hypot(*(later[:, None, :] - centres[None, :k, :]).transpose(2, 0, 1)).min(axis=1) <= 40
        assert hits[k - 1] == within.sum()
    # Weighted hits sum the weights; every record counted once even when discs overlap.
    _, (weighted,) = DiscCoverage(None, radius_m=40).curve(
        np.array([0.0, 10.0]), np.array([0.0, 0.0]), (np.array([[5.0, 0.0], [5.0, 0.0]]), np.array([2.0, 3.0]))
    )
    assert weighted.tolist() == [5.0, 5.0]


def test_grid_cells_counts_and_weights():
    counts = grid_cells(np.array([10.0, 20, 260, -5]), np.array([10.0, 10, 10, 10]), 250)
    assert counts.to_dict() == {(-1, 0): 1, (0, 0): 2, (1, 0): 1}
    weighted = grid_cells(np.array([10.0, 20]), np.array([10.0, 10]), 250, np.array([1.5, 2.5]))
    assert weighted.to_dict() == {(0, 0): 4.0}


def _months(n: int) -> list[str]:
    return [f"2022-{m:02d}" for m in range(1, n + 1)]


def _street_and_noise(seed: int = 0) -> pd.DataFrame:
    """A street of 12 snap points 20 m apart holding 30 records a month, and noise over 100 km²."""
    rng = np.random.default_rng(seed)
    street = np.c_[np.arange(2000, 2240, 20.0), np.full(12, 3000.0)]
    noise = rng.uniform(0, 10000, (3000, 2)).round()
    rows = []
    for month in _months(12):
        for x, y in street[rng.integers(0, 12, 30)]:
            rows.append((x, y, month, "On or near Station Road"))
        for x, y in noise[rng.integers(0, 3000, 80)]:
            rows.append((x, y, month, "On or near Some Road"))
    return pd.DataFrame(rows, columns=["x", "y", "month", "location"])


def test_peers_get_the_same_area_and_a_stable_street_is_found():
    records = _street_and_noise()
    land = shapely.box(0, 0, 10000, 10000)
    result = hotspot_backtest(records, land, test_months=3)
    assert result.train_months == _months(9)
    assert result.test_months == _months(12)[9:]
    table = result.table()
    assert set(table["cut"]) == set(CUTS)
    assert set(table["method"]) == {OURS, DISCS, "busiest 250 m cells", "busiest 100 m cells"}
    for cut in CUTS:
        ours = result.card(OURS, cut)
        # Peers are given the area of our list at that cut (discs: the closest whole number of discs).
        assert result.card(DISCS, cut).area_km2 == pytest.approx(ours.area_km2, abs=0.006)
        # Whole cells: the closest number of them, and at least one.
        assert abs(result.card("busiest 250 m cells", cut).area_km2 - ours.area_km2) <= 0.0625 + 1e-9
    assert result.ours.hit_rate > 0.2
    assert result.ours.pai >= result.naive.pai
    # PEI at the list's own resolution: the best 40 m discs on the later records bound our PAI.
    assert 0 < result.ours.pei <= 1.0 + 1e-9
    assert result.ratios().shape == (3, 3)
    assert "PAI" in result.sentence()


def test_harm_weights_make_it_a_harm_backtest():
    records = _street_and_noise(1)
    weight = np.where(records["location"].str.contains("Station"), 1.0, 50.0)  # noise is the harmful part
    land = shapely.box(0, 0, 10000, 10000)
    plain = hotspot_backtest(records, land, test_months=3)
    harmed = hotspot_backtest(records, land, test_months=3, weight=weight)
    assert harmed.parameters["weighted"] and not plain.parameters["weighted"]
    assert "harm" in harmed.sentence()
    # Hit rates now share out harm: the street holds little of it.
    assert harmed.card(DISCS).hit_rate < plain.card(DISCS).hit_rate


def test_too_few_months_and_bad_options():
    records = pd.DataFrame({"x": [1.0, 2.0], "y": [1.0, 2.0], "month": ["2022-01", "2022-02"], "location": ["a", "b"]})
    with pytest.raises(ParameterError, match="more months"):
        hotspot_backtest(records, shapely.box(0, 0, 10, 10), test_months=3)
    with pytest.raises(ParameterError, match="test_months"):
        hotspot_backtest(records, shapely.box(0, 0, 10, 10), test_months=0)
    with pytest.raises(ParameterError, match="cell_size_m"):
        hotspot_backtest(records, shapely.box(0, 0, 10, 10), test_months=1, cell_sizes_m=(1.0,))
