"""How good is the ranked list? Build it on earlier months, score it on later ones, against simple peers.

Measures (Chainey, Tompson & Uhlig 2008; Levine 2008; Hunt 2016), for a set of areas and the later
period:

* hit rate = share of later records inside; area share = share of the study area's land covered;
* PAI = hit rate / area share;
* PEI = PAI / the best PAI reachable with the same area *at the method's own resolution* (Hunt 2016):
  for disc-based lists (ours and the snap-point peer), 40 m discs on later snap points chosen greedily
  by the later records each adds (:func:`.coverage.order_by_capture`, near-best, not provably best:
  PEI is capped at 1); for the grid peers the 250 m or 100 m cells with most later records (exact);
* RRI = (records inside later / earlier) / (all records later / earlier).

The list is cut where operations would cut it — its top tenth, top third and all of it (by rows) — and
at each cut every peer is given the same land area, built from the earlier months only:

* **busiest 40 m discs**: discs round the snap points with most earlier records, taken until they cover
  the same area (every snap point, institutions included: what an analyst would do by hand);
* **busiest 250 m cells** and **busiest 100 m cells** of the earlier records (clipped to land).

Areas of discs come from :class:`.coverage.DiscCoverage` (5 m raster), cells are exact squares.

With a ``weight`` per record (crime harm, for a list ranked by harm), every measure sums the weight
instead of counting records ("hit rate" becomes the share of later harm), and the peers rank their
snap points and cells by past harm: like is compared with like.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import shapely

from ...base.categories import text_of
from ...base.decimals import percent_text
from ...base.months import period_words
from ...base.params import Param, validate_params
from ...errors import ParameterError
from ..places import find_places
from .calibration import calibration_table
from .coverage import DiscCoverage, order_by_capture

__all__ = ["BACKTEST_PARAMS", "CUTS", "BacktestResult", "ScoreCard", "grid_cells", "hotspot_backtest"]

#: Options of the backtest, declared once.
BACKTEST_PARAMS: dict[str, Param] = {
    "test_months": Param(
        low=1, integer=True, default=3, help="latest months held out and scored on", flag="--test-months"
    ),
}

#: Where the ranked list is cut (share of its rows).
CUTS = {"top tenth": 0.1, "top third": 1 / 3, "all": 1.0}
OURS = "our ranked list"
DISCS = "busiest snap points (40 m discs)"


def _cells(size: float) -> str:
    return f"busiest {size:g} m cells"


@dataclass(frozen=True)
class ScoreCard:
    """Scores of one set of areas on the later period."""

    method: str
    cut: str
    rows: int
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
    """Our list and its peers at each cut, trained on ``train_months``, scored on ``test_months``."""

    train_months: list[str]
    test_months: list[str]
    cards: list[ScoreCard]
    test_records: int
    train_records: int
    study_area_km2: float
    parameters: dict[str, Any] = field(default_factory=dict)
    #: places by decile of their stated expectation (calibrated on the earlier months only) against
    #: what the later months held: ``decile, places, expected, observed, ratio`` (records a month)
    calibration: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: the list as built on the build months (its sites are what a like-for-like peer leaves out)
    places: Any = None

    def table(self) -> pd.DataFrame:
        """One row per cut and method: ``method, cut, rows, hit_rate, area_share, area_km2, pai, pei,
        rri, hits``."""
        return pd.DataFrame([c.as_dict() for c in self.cards])

    def card(self, method: str, cut: str = "all") -> ScoreCard:
        for c in self.cards:
            if c.method == method and c.cut == cut:
                return c
        raise KeyError((method, cut))

    @property
    def ours(self) -> ScoreCard:
        return self.card(OURS)

    @property
    def naive(self) -> ScoreCard:
        """The 250 m grid peer over the whole list's area."""
        return self.card(_cells(250))

    @property
    def discs(self) -> ScoreCard:
        return self.card(DISCS)

    def peers(self) -> list[str]:
        return [m for m in dict.fromkeys(c.method for c in self.cards) if m != OURS]

    def ratios(self) -> pd.DataFrame:
        """Our PAI divided by each peer's, per cut (``cut`` x peer)."""
        table = self.table().pivot(index="cut", columns="method", values="pai").reindex(list(CUTS))
        with np.errstate(divide="ignore", invalid="ignore"):
            return table[self.peers()].rdiv(table[OURS], axis=0)

    def beats_peers(self) -> bool:
        """True when our PAI is at least every peer's at every cut."""
        return bool((self.ratios().fillna(np.inf) >= 1 - 1e-9).all().all())

    @property
    def unit(self) -> str:
        """What the hit rate shares out: later violence-group records, or their crime harm."""
        return "violence harm (crime severity)" if self.parameters.get("weighted") else "violence"

    def sentence(self) -> str:
        """The result in plain words (one paragraph)."""
        if not self.cards:
            return "No backtest: the list built on the earlier months was empty."
        ours, discs, cells = (self.card(method, "top tenth") for method in (OURS, DISCS, _cells(250)))
        verdict = (
            f"It did at least as well as all {len(self.peers())} simple peers at every cut."
            if self.beats_peers()
            else "At some cut a simple peer did better: read the table before relying on the list's order."
        )
        # Built again on the earlier months only, so its length differs from the page's list: said first.
        return (
            f"Built again from {period_words(self.train_months[0], self.train_months[-1])} only, the list's top "
            f"tenth ({ours.rows:,} places, {percent_text(ours.area_share)} of the land) held "
            f"{100 * ours.hit_rate:.1f}% of the {self.unit} of "
            f"{period_words(self.test_months[0], self.test_months[-1])}, {ours.pai:.0f} times its share of the "
            f"land (PAI); the busiest snap points on the same land held {100 * discs.hit_rate:.1f}%, the busiest "
            f"250 m cells {100 * cells.hit_rate:.1f}%. " + verdict
        )


def grid_cells(x: np.ndarray, y: np.ndarray, cell_size_m: float, weight: np.ndarray | None = None) -> pd.Series:
    """Records (or summed weights) per grid cell, indexed by (column, row) of cells anchored at the
    grid origin."""
    cols = np.floor(np.asarray(x) / cell_size_m).astype(np.int64)
    rows = np.floor(np.asarray(y) / cell_size_m).astype(np.int64)
    values = 1 if weight is None else np.asarray(weight, dtype="float64")
    counts = pd.Series(values, index=pd.MultiIndex.from_arrays([cols, rows], names=["col", "row"]))
    return counts.groupby(level=["col", "row"]).sum()


def hotspot_backtest(
    records: pd.DataFrame,
    land: shapely.Geometry,
    *,
    test_months: int = 3,
    cell_sizes_m: tuple[float, ...] = (250.0, 100.0),
    place_params: dict[str, Any] | None = None,
    context: pd.DataFrame | None = None,
    weight: np.ndarray | None = None,
    register: pd.DataFrame | None = None,
    institutions: pd.DataFrame | None = None,
) -> BacktestResult:
    """Backtest the ranked list of :func:`.find_places` on violence-group ``records`` (``x, y, month,
    location``) against the snap-point and grid peers (see the module docstring). ``context``: every
    crime record of the same selection (for the site rules' crime mix), when available; ``weight``: a
    harm weight per record, to rank and score by harm; ``register``: institutions kept by partners (left
    out of the list as in the list itself); ``institutions``: the public registers, whose claims are read
    on the build months only, as everything else the list learns."""
    validate_params({"test_months": test_months}, BACKTEST_PARAMS)
    for size in cell_sizes_m:
        validate_params({"cell_size_m": size}, {"cell_size_m": Param(low=10, high=5000)})
    records = records.assign(_w=1.0 if weight is None else np.asarray(weight, dtype="float64"))
    located = records.dropna(subset=["x", "y"])
    months = sorted(pd.unique(text_of(located["month"])))
    if len(months) <= test_months:
        raise ParameterError(
            f"The backtest needs more months than the {test_months} it tests on; the selection has {len(months)}."
        )
    train_months, later = months[:-test_months], months[-test_months:]
    month = located["month"]
    train, test = located[month.isin(train_months)], located[month.isin(later)]
    train_xy, test_xy = train[["x", "y"]].to_numpy(), test[["x", "y"]].to_numpy()
    train_w, test_w = train["_w"].to_numpy(), test["_w"].to_numpy()
    params = dict(place_params or {})
    before = None if context is None else context[context["month"].isin(train_months)]
    places = find_places(
        train.drop(columns="_w"),
        months=train_months,
        land=land,
        context=before,
        weight=None if weight is None else train_w,
        rank_by="records" if weight is None else "value",
        register=register,
        institutions=institutions,
        **params,
    )
    radius = places.parameters["footprint_radius_m"]
    land_km2 = land.area / 1e6
    coverage = DiscCoverage(land, radius_m=radius)

    clusters = places.footprints[places.footprints["kind"] == "place"]
    circles = places.discs[places.discs["footprint"].isin(clusters["footprint"])]  # in list order
    later_set, earlier_set = (test_xy, test_w), (train_xy, train_w)
    ours_area, (ours_test, ours_train) = coverage.curve(circles["x"], circles["y"], later_set, earlier_set)
    ends = np.cumsum(circles.groupby("footprint").size().reindex(clusters["footprint"]).to_numpy()) - 1

    peer = _stack(train_xy, train_w)
    reach = float(ours_area[-1]) if len(ours_area) else 0.0  # the peers are read at the list's areas only
    peer_area, (peer_test, peer_train) = coverage.curve_to(
        peer[:, 0], peer[:, 1], later_set, earlier_set, area_km2=reach
    )
    best = order_by_capture(test_xy, test_w, radius_m=radius)
    best_area, (best_test,) = coverage.curve_to(best[:, 0], best[:, 1], later_set, area_km2=reach)
    total_test, total_train = float(test_w.sum()), float(train_w.sum())

    def card(method: str, cut: str, rows: int, area: float, hits: float, earlier: float, best_pai: float):
        n_test, n_train = total_test, total_train
        hit_rate = hits / n_test if n_test else 0.0
        share = area / land_km2 if land_km2 else 0.0
        pai = hit_rate / share if share else 0.0
        rri = (hits / earlier) / (n_test / n_train) if earlier and n_train and n_test else 0.0
        pei = min(1.0, pai / best_pai) if best_pai else 0.0
        return ScoreCard(method, cut, rows, hit_rate, share, area, pai, pei, rri, round(hits))

    def pai_of(area: float, hits: float) -> float:
        return (hits / total_test) / (area / land_km2) if area and total_test else 0.0

    per_place = np.diff(np.r_[0.0, ours_test[ends]]) if len(ends) else np.zeros(0)
    raw = places.points.groupby("footprint")["estimate_per_month"].sum().reindex(clusters["footprint"]).to_numpy()
    calibration = calibration_table(clusters["expected_per_month"].to_numpy(), per_place / len(later), order=raw)
    cards: list[ScoreCard] = []
    n_rows = len(clusters)
    for cut, share in CUTS.items() if n_rows else []:
        rows = max(1, round(share * n_rows))
        end = ends[rows - 1]
        area = float(ours_area[end])
        i_best = _closest(best_area, area)
        disc_best = pai_of(best_area[i_best], best_test[i_best])
        cards.append(card(OURS, cut, rows, area, ours_test[end], ours_train[end], disc_best))
        i = _closest(peer_area, area)
        cards.append(card(DISCS, cut, 0, float(peer_area[i]), peer_test[i], peer_train[i], disc_best))
        for size in cell_sizes_m:
            shape = _top_cells(grid_cells(train_xy[:, 0], train_xy[:, 1], size, train_w), land, size, area)
            optimum = _top_cells(grid_cells(test_xy[:, 0], test_xy[:, 1], size, test_w), land, size, area)
            inside = _hits(shape, test_xy, test_w), _hits(shape, train_xy, train_w)
            cell_best = pai_of(optimum.area / 1e6, _hits(optimum, test_xy, test_w))
            cards.append(card(_cells(size), cut, 0, shape.area / 1e6, inside[0], inside[1], cell_best))
    return BacktestResult(
        places=places,
        train_months=train_months,
        test_months=later,
        cards=cards,
        test_records=len(test_xy),
        train_records=len(train_xy),
        study_area_km2=land_km2,
        parameters={
            **places.parameters,
            "test_months": test_months,
            "cell_sizes_m": list(cell_sizes_m),
            "weighted": weight is not None,
        },
        calibration=calibration,
    )


def _stack(xy: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Distinct points, busiest (most records, or most weight) first; ties: lower x, then y."""
    if len(xy) == 0:
        return np.zeros((0, 2))
    points, inverse = np.unique(xy, axis=0, return_inverse=True)
    totals = np.bincount(inverse.ravel(), weights=weight)
    order = np.lexsort((points[:, 1], points[:, 0], -np.round(totals, 9)))
    return points[order]


def _closest(cumulative: np.ndarray, target: float) -> int:
    """Index of the cumulative area closest to ``target`` (the first of equals)."""
    if len(cumulative) == 0:
        return 0
    return int(np.argmin(np.abs(cumulative - target)))


def _hits(shape: shapely.Geometry, xy: np.ndarray, weight: np.ndarray) -> float:
    if shape.is_empty or len(xy) == 0:
        return 0.0
    shapely.prepare(shape)
    return float(weight[shapely.intersects_xy(shape, xy[:, 0], xy[:, 1])].sum())  # edges count


def _cell_shapes(index: pd.MultiIndex, cell_size_m: float) -> np.ndarray:
    cols = index.get_level_values("col").to_numpy(dtype="float64")
    rows = index.get_level_values("row").to_numpy(dtype="float64")
    return shapely.box(cols * cell_size_m, rows * cell_size_m, (cols + 1) * cell_size_m, (rows + 1) * cell_size_m)


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
