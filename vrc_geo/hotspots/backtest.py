"""How good are the hotspots? Build them on earlier months, score them on later ones.

Measures (Chainey, Tompson & Uhlig 2008; Levine 2008), for a set of hotspot areas and the later period:

* hit rate = share of later records inside the hotspots;
* area share = share of the study area (the land of the selected wards) the hotspots cover;
* PAI = hit rate / area share;
* PEI = PAI / the best PAI any set of 250 m cells of the same area could have reached on the later
  records (on the grid, so a finer footprint can score above 1);
* RRI = (hotspot records later / earlier) / (all records later / earlier).

The naive peer is what an analyst would do without us: the 250 m grid cells with the most earlier
records, taken in order (ties: lower cell index) until they cover the same area as our hotspots. Cell
areas are clipped to land on both sides, so coastal cells are not penalised for the sea.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import shapely

from ..errors import ParameterError
from ..validation import Param, validate_params
from .clusters import DensityClusters, default_min_records

__all__ = ["BacktestResult", "ScoreCard", "grid_cells", "hotspot_backtest", "score_areas"]


@dataclass(frozen=True)
class ScoreCard:
    """Scores of one set of hotspot areas on the later period."""

    method: str
    hit_rate: float
    area_share: float
    area_km2: float
    pai: float
    pei: float
    rri: float
    hits: int

    def as_dict(self) -> dict[str, float | str | int]:
        return dict(vars(self))


@dataclass
class BacktestResult:
    """Our hotspots against the naive peer, trained on ``train_months``, scored on ``test_months``."""

    train_months: list[str]
    test_months: list[str]
    ours: ScoreCard
    naive: ScoreCard
    test_records: int
    train_records: int
    study_area_km2: float
    parameters: dict[str, float | int] = field(default_factory=dict)

    def table(self) -> pd.DataFrame:
        return pd.DataFrame([self.ours.as_dict(), self.naive.as_dict()])

    def sentence(self) -> str:
        o, n = self.ours, self.naive
        return (
            f"Built on {self.train_months[0]}–{self.train_months[-1]} and tested on "
            f"{self.test_months[0]}–{self.test_months[-1]}, our hotspots cover {100 * o.area_share:.2f}% of "
            f"the area and held {100 * o.hit_rate:.1f}% of later violence (PAI {o.pai:.1f}); the busiest "
            f"250 m cells of the same area held {100 * n.hit_rate:.1f}% (PAI {n.pai:.1f})."
        )


def grid_cells(x: np.ndarray, y: np.ndarray, cell_size_m: float) -> pd.Series:
    """Records per grid cell, indexed by (column, row) of cells anchored at the grid origin."""
    cols = np.floor(np.asarray(x) / cell_size_m).astype(np.int64)
    rows = np.floor(np.asarray(y) / cell_size_m).astype(np.int64)
    counts = pd.Series(1, index=pd.MultiIndex.from_arrays([cols, rows], names=["col", "row"]))
    return counts.groupby(level=["col", "row"]).sum()


def _cell_shapes(index: pd.MultiIndex, cell_size_m: float) -> np.ndarray:
    cols = index.get_level_values("col").to_numpy(dtype="float64")
    rows = index.get_level_values("row").to_numpy(dtype="float64")
    return shapely.box(cols * cell_size_m, rows * cell_size_m, (cols + 1) * cell_size_m, (rows + 1) * cell_size_m)


def score_areas(
    method: str,
    shape: shapely.Geometry,
    *,
    land_km2: float,
    train_xy: np.ndarray,
    test_xy: np.ndarray,
    best_pai: float,
) -> ScoreCard:
    """Hit rate, area share, PAI, PEI and RRI of one (multi)polygon."""
    area_km2 = shape.area / 1e6 if not shape.is_empty else 0.0
    shapely.prepare(shape)
    hits = int(shapely.contains_xy(shape, test_xy[:, 0], test_xy[:, 1]).sum()) if len(test_xy) else 0
    earlier = int(shapely.contains_xy(shape, train_xy[:, 0], train_xy[:, 1]).sum()) if len(train_xy) else 0
    hit_rate = hits / len(test_xy) if len(test_xy) else 0.0
    share = area_km2 / land_km2 if land_km2 else 0.0
    pai = hit_rate / share if share else 0.0
    rri = (hits / earlier) / (len(test_xy) / len(train_xy)) if earlier and len(train_xy) else 0.0
    pei = pai / best_pai if best_pai else 0.0
    return ScoreCard(method, hit_rate, share, area_km2, pai, pei, rri, hits)


_PARAMS = {
    "test_months": Param(low=1, integer=True),
    "cell_size_m": Param(low=10, high=5000),
    "eps_m": Param(low=1, high=5000),
    "footprint_radius_m": Param(low=1, high=5000),
    "min_records": Param(low=2, integer=True, optional=True),
}


def hotspot_backtest(
    records: pd.DataFrame,
    land: shapely.Geometry,
    *,
    test_months: int = 3,
    cell_size_m: float = 250.0,
    eps_m: float = 150.0,
    footprint_radius_m: float = 40.0,
    min_records: int | None = None,
) -> BacktestResult:
    """Backtest cluster footprints against the naive grid peer on ``records`` (``x, y, month``)."""
    params = validate_params(
        {
            "test_months": test_months,
            "cell_size_m": cell_size_m,
            "eps_m": eps_m,
            "footprint_radius_m": footprint_radius_m,
            "min_records": min_records,
        },
        _PARAMS,
    )
    located = records.dropna(subset=["x", "y"])
    months = sorted(located["month"].astype(str).unique())
    if len(months) <= test_months:
        raise ParameterError(
            f"The backtest needs more months than the {test_months} it tests on; the selection has {len(months)}."
        )
    train_months, later = months[:-test_months], months[-test_months:]
    month = located["month"].astype(str)
    train = located[month.isin(train_months)]
    test = located[month.isin(later)]
    train_xy, test_xy = train[["x", "y"]].to_numpy(), test[["x", "y"]].to_numpy()
    params["min_records"] = min_records or default_min_records(len(train_months))
    model = DensityClusters(eps_m=eps_m, min_records=params["min_records"], footprint_radius_m=footprint_radius_m).fit(
        train_xy[:, 0], train_xy[:, 1], land=land
    )
    ours_shape = shapely.union_all(model.clusters_.geometry.to_numpy())
    land_km2 = land.area / 1e6
    shapely.prepare(land)

    # Naive peer and the grid optimum, both with land-clipped cell areas.
    train_cells = grid_cells(train_xy[:, 0], train_xy[:, 1], cell_size_m)
    test_cells = grid_cells(test_xy[:, 0], test_xy[:, 1], cell_size_m)
    target_km2 = ours_shape.area / 1e6 if not ours_shape.is_empty else 0.0
    naive_shape = _top_cells(train_cells, land, cell_size_m, target_km2)
    best_shape = _top_cells(test_cells, land, cell_size_m, target_km2)
    best_hits = shapely.contains_xy(best_shape, test_xy[:, 0], test_xy[:, 1]).sum() if len(test_xy) else 0
    best_share = (best_shape.area / 1e6) / land_km2
    best_pai = (best_hits / len(test_xy)) / best_share if best_share and len(test_xy) else 0.0
    common = {"land_km2": land_km2, "train_xy": train_xy, "test_xy": test_xy, "best_pai": best_pai}
    return BacktestResult(
        train_months=train_months,
        test_months=later,
        ours=score_areas("hotspots (density clusters)", ours_shape, **common),
        naive=score_areas(f"naive top {cell_size_m:g} m cells", naive_shape, **common),
        test_records=len(test_xy),
        train_records=len(train_xy),
        study_area_km2=land_km2,
        parameters=params | {"eps_m": eps_m, "footprint_radius_m": footprint_radius_m, "cell_size_m": cell_size_m},
    )


def _clip_to_land(cells: np.ndarray, land: shapely.Geometry) -> np.ndarray:
    """Cells clipped to land; cells wholly inside land (most of them) skip the costly intersection."""
    shapely.prepare(land)
    inside = shapely.contains_properly(land, cells)
    out = cells.copy()
    if (~inside).any():
        out[~inside] = shapely.intersection(cells[~inside], land)
    return out


def _top_cells(counts: pd.Series, land: shapely.Geometry, cell_size_m: float, target_km2: float) -> shapely.Geometry:
    """Busiest cells (ties: lower column, then row) until their land area is closest to ``target_km2``."""
    if target_km2 <= 0 or counts.empty:
        return shapely.Polygon()
    frame = counts.rename("n").reset_index().sort_values(["n", "col", "row"], ascending=[False, True, True])
    index = pd.MultiIndex.from_frame(frame[["col", "row"]])
    cell_km2 = cell_size_m**2 / 1e6
    take = min(len(index), int(np.ceil(target_km2 / cell_km2)) * 2 + 10)
    while True:
        shapes = _clip_to_land(_cell_shapes(index[:take], cell_size_m), land)
        cumulative = np.cumsum(shapely.area(shapes) / 1e6)
        if cumulative[-1] >= target_km2 or take == len(index):
            break
        take = min(len(index), take * 2)
    n = int(np.argmin(np.abs(cumulative - target_km2))) + 1
    return shapely.union_all(shapes[:n])
