"""Backtest: hand-checked scores, the naive peer at the same area, too-short periods."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import shapely

from vrc_geo.errors import ParameterError
from vrc_geo.hotspots import hotspot_backtest
from vrc_geo.hotspots.backtest import grid_cells, score_areas


def test_score_areas_by_hand():
    land_km2 = 100.0
    shape = shapely.box(0, 0, 1000, 1000)  # 1 km2 = 1 % of the land
    train = np.array([[500, 500]] * 4 + [[5000, 5000]] * 4, dtype=float)
    test = np.array([[500, 500]] * 3 + [[5000, 5000]] * 7, dtype=float)
    card = score_areas("x", shape, land_km2=land_km2, train_xy=train, test_xy=test, best_pai=60.0)
    assert card.hits == 3
    assert card.hit_rate == pytest.approx(0.3)
    assert card.area_share == pytest.approx(0.01)
    assert card.pai == pytest.approx(30.0)
    assert card.pei == pytest.approx(0.5)
    assert card.rri == pytest.approx((3 / 4) / (10 / 8))


def test_grid_cells_counts():
    counts = grid_cells(np.array([10.0, 20, 260, -5]), np.array([10.0, 10, 10, 10]), 250)
    assert counts.to_dict() == {(-1, 0): 1, (0, 0): 2, (1, 0): 1}


def _months(n: int) -> list[str]:
    return [f"2022-{m:02d}" for m in range(1, n + 1)]


def test_stable_hotspot_beats_a_scattered_peer():
    # A street of snap points (a line, 20 m apart) holds most violence every month; noise elsewhere.
    rng = np.random.default_rng(0)
    street = np.c_[np.arange(2000, 2400, 20.0), np.full(20, 3000.0)]
    rows = []
    for month in _months(12):
        for x, y in street[rng.integers(0, 20, 40)]:
            rows.append((x, y, month))
        for x, y in rng.uniform(0, 10000, (60, 2)):
            rows.append((x, y, month))
    records = pd.DataFrame(rows, columns=["x", "y", "month"])
    land = shapely.box(0, 0, 10000, 10000)
    result = hotspot_backtest(records, land, test_months=3, min_records=50)
    assert result.train_months == _months(9)
    assert result.test_months == _months(12)[9:]
    assert result.ours.hit_rate > 0.35
    # Whole 250 m cells: the naive area is the closest a number of cells can get to ours.
    assert abs(result.naive.area_km2 - result.ours.area_km2) <= 0.0625 / 2
    assert result.ours.pai >= result.naive.pai
    assert "PAI" in result.sentence()
    assert list(result.table()["method"]) == [result.ours.method, result.naive.method]


def test_too_few_months():
    records = pd.DataFrame({"x": [1.0, 2.0], "y": [1.0, 2.0], "month": ["2022-01", "2022-02"]})
    with pytest.raises(ParameterError, match="more months"):
        hotspot_backtest(records, shapely.box(0, 0, 10, 10), test_months=3)
    with pytest.raises(ParameterError, match="test_months"):
        hotspot_backtest(records, shapely.box(0, 0, 10, 10), test_months=0)
