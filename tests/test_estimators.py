"""Common checks over every estimator (scikit-learn's ``parametrize_with_checks`` idea).

Every subclass of :class:`vrc_geo.base.params.Estimator` in the package must have an example here (a
new estimator without one fails :func:`test_every_estimator_has_an_example`), and then:

* an unknown option, and a value outside each declared range or set of choices, is a ``ParameterError``
  naming the option and what is allowed;
* shuffling the input rows does not change the answer;
* the same seed (or no seed at all) gives the same answer twice, and the defaults are the declared ones.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pytest
import shapely
from test_hotspots_stats_gistar import grid

import vrc_geo
from vrc_geo.base.params import Estimator, Param
from vrc_geo.errors import ParameterError


def _all_estimators() -> list[type[Estimator]]:
    for info in pkgutil.walk_packages(vrc_geo.__path__, "vrc_geo."):
        if not info.name.endswith("__main__"):
            importlib.import_module(info.name)
    found, todo = [], list(Estimator.__subclasses__())
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo += cls.__subclasses__()
    return sorted({c for c in found if c.__module__.startswith("vrc_geo.")}, key=lambda c: c.__name__)


@dataclass
class Example:
    """How to fit an estimator on a small input: ``rows`` are shuffled together, ``fixed`` are not;
    ``answer`` turns the fitted estimator into something comparable whatever the row order."""

    make: Callable[[np.random.Generator], tuple[dict[str, Any], dict[str, Any]]]
    fit: Callable[[Estimator, dict[str, Any], dict[str, Any]], Estimator]
    answer: Callable[[Estimator, np.ndarray], Any]
    options: dict[str, Any] | None = None


def _points(rng: np.random.Generator, n: int = 300) -> tuple[np.ndarray, np.ndarray]:
    centres = rng.uniform(0, 3000, (25, 2)).round()
    pick = rng.integers(0, 25, n)
    xy = centres[pick] + rng.integers(-60, 60, (n, 2))
    return xy[:, 0].astype(float), xy[:, 1].astype(float)


def _sorted_frame(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(list(frame.columns)).reset_index(drop=True)


def _micro(rng):
    x, y = _points(rng)
    return {"x": x, "y": y, "period": rng.integers(0, 6, len(x))}, {"n_periods": 6}


def _discs(rng):
    x, y = _points(rng, 120)
    return {"x": x, "y": y, "value": rng.gamma(1.0, 2.0, len(x))}, {}


def _local(rng):
    x, y = _points(rng, 200)
    xy = np.unique(np.column_stack([x, y]), axis=0)
    return {"x": xy[:, 0], "y": xy[:, 1], "records": rng.integers(1, 30, len(xy))}, {"n_periods": 12}


def _colocation(rng):
    x, y = _points(rng, 400)
    kind = rng.integers(0, 3, len(x))
    frame = pd.DataFrame({"x": x, "y": y, "is_a": kind == 0, "is_b": kind == 1})
    shapes = [shapely.box(0, 0, 1500, 1500), shapely.box(1500, 1500, 3100, 3100)]
    return {"points": frame}, {"footprints": shapes}


def _areas(rng):
    areas = grid(6)
    values = rng.poisson(5, len(areas)).astype(float)
    values[[14, 15, 20, 21]] += 30
    return {"y": values, "areas": areas}, {}


def _gistar_fit(est, rows, fixed):
    from vrc_geo.hotspots.stats.spatial_weights import contiguity_weights

    return est.fit(rows["y"], contiguity_weights(rows["areas"].reset_index(drop=True)))


def _cube(rng):
    areas = grid(5)
    values = rng.poisson(4, (6, len(areas))).astype(float)
    values[:, [6, 7, 11, 12]] += np.arange(6)[:, None] * 4
    return {"values": values.T, "areas": areas}, {}  # rows: areas (values transposed back in fit)


def _emerging_fit(est, rows, fixed):
    from vrc_geo.hotspots.stats.spatial_weights import contiguity_weights

    return est.fit(rows["values"].T, contiguity_weights(rows["areas"].reset_index(drop=True)))


def _claims(rng):
    x, y = _points(rng, 300)
    xy = np.unique(np.column_stack([x, y]), axis=0)
    n = len(xy)
    records = rng.integers(0, 12, n)
    records[:5] = [90, 60, 45, 30, 25]  # a few institution-like points
    crime = records + rng.integers(0, 20, n)
    points = pd.DataFrame(
        {
            "x": xy[:, 0],
            "y": xy[:, 1],
            "records": records,
            "map_records": records,
            "map_months": np.minimum(6, records),
            "crime_records": crime,
            "acquisitive_records": rng.integers(0, 4, n),
        }
    )
    institutions = pd.DataFrame(
        {
            "name": ["A", "B", "C"],
            "site_type": ["hospital", "prison", "hospital"],
            "x": xy[:3, 0] + [30.0, -50.0, 400.0],
            "y": xy[:3, 1] + [10.0, 20.0, 0.0],
            "source": "register",
            "vintage": "2021",
        }
    )
    return {"points": points}, {"institutions": institutions, "n_months": 6}


def _zones(rng):
    x, y = _points(rng, 150)
    return {"x": x, "y": y, "place": np.arange(len(x)) // 2}, {}


def _did(rng):
    counts = rng.poisson(rng.uniform(5, 40, (30, 1)) * np.ones((1, 8)))
    group = np.full(30, -1)
    group[:4] = 0
    return {"counts": counts, "group": group}, {"post": np.arange(8) >= 5}


def _placebo(rng):
    import geopandas as gpd

    x, y = _points(rng, 3000)
    month = rng.integers(0, 8, len(x))
    records = pd.DataFrame({"x": x, "y": y, "month": [f"2022-{m + 1:02d}" for m in month]})
    targets = gpd.GeoDataFrame({"area": ["A"]}, geometry=[shapely.Point(x[0], y[0]).buffer(80)], crs="EPSG:27700")
    boxes = [
        shapely.box(i * 1000 - 200, j * 1000 - 200, i * 1000 + 800, j * 1000 + 800) for i in range(4) for j in range(4)
    ]
    controls = gpd.GeoDataFrame({"name": [f"c{i}" for i in range(16)]}, geometry=boxes, crs="EPSG:27700")
    return {"records": records}, {"targets": targets, "controls": controls}


def _placebo_fit(est, rows, fixed):
    from vrc_geo.evaluation.panel import build_panel

    records = rows["records"].reset_index(drop=True)
    months = [f"2022-{m:02d}" for m in range(1, 9)]
    panel = build_panel(
        records,
        np.ones(len(records)),
        months,
        start="2022-06",
        targets=fixed["targets"],
        controls=fixed["controls"],
        land=shapely.box(-1000, -1000, 5000, 5000),
        buffer_m=50.0,
    )
    return est.fit(panel, buffer_m=50.0)


def _unshuffle(values: np.ndarray, order: np.ndarray) -> np.ndarray:
    """Per-row results back in the original row order."""
    out = np.empty_like(values)
    out[order] = values
    return out


EXAMPLES: dict[str, Example] = {
    "MicroPlaceRates": Example(
        _micro,
        lambda e, r, f: e.fit(r["x"], r["y"], r["period"], **f),
        lambda e, _order: _sorted_frame(e.places_).round(9),
    ),
    "PatrolDiscs": Example(
        _discs,
        lambda e, r, f: e.fit(r["x"], r["y"], r["value"], **f),
        lambda e, _order: e.discs_.round(6),
    ),
    "LocalExcess": Example(
        _local,
        lambda e, r, f: e.fit(r["x"], r["y"], r["records"], **f),
        lambda e, _order: _sorted_frame(e.windows_).round(9),
        {"min_records_per_month": 0.5, "min_relative_risk": 2.0},
    ),
    "CoLocation": Example(
        _colocation,
        lambda e, r, f: e.fit(r["points"].reset_index(drop=True), f["footprints"]),
        lambda e, _order: (np.round(e.quotient_, 9), np.round(e.ratio_, 9), e.p_sim_),
        {"permutations": 99, "seed": 5},
    ),
    "GiStar": Example(
        _areas,
        _gistar_fit,
        lambda e, order: (np.round(_unshuffle(e.z_, order), 9), _unshuffle(e.gi_bin_, order)),
        {"inference": "analytic"},
    ),
    "InstitutionClaims": Example(
        _claims,
        lambda e, r, f: e.fit(r["points"], f["institutions"], n_months=f["n_months"]),
        lambda e, _order: (e.claims_.round(6), e.unclaimed_),
    ),
    "LearnedRates": Example(
        _micro,
        lambda e, r, f: e.fit(r["x"], r["y"], r["period"], **f),
        lambda e, _order: _sorted_frame(e.places_).round(9),
        {"min_samples_leaf": 10, "max_iter": 20},
    ),
    "DiDPoisson": Example(
        _did,
        lambda e, r, f: e.fit(r["counts"], r["group"], f["post"]),
        lambda e, _order: np.round(e.effect_, 9),
    ),
    "PlaceboTest": Example(
        _placebo,
        _placebo_fit,
        lambda e, _order: np.round(np.sort(e.pooled_), 9),
        {"placebos": 19, "candidates": 200},
    ),
    "PatrolZones": Example(
        _zones,
        lambda e, r, _f: e.fit(r["x"], r["y"], r["place"]),
        lambda e, _order: _sorted_frame(e.place_zone_.rename("zone").reset_index()),
    ),
    "EmergingHotSpots": Example(
        _cube,
        _emerging_fit,
        lambda e, order: list(_unshuffle(np.asarray(e.classes_, dtype=object), order)),
    ),
}

ESTIMATORS = _all_estimators()


def _shuffle(rows: dict[str, Any], order: np.ndarray) -> dict[str, Any]:
    out = {}
    for name, value in rows.items():
        if isinstance(value, pd.DataFrame):
            out[name] = value.iloc[order]
        else:
            out[name] = np.asarray(value)[order]
    return out


def _fit(cls: type[Estimator], example: Example, rng_seed: int = 0, order: np.ndarray | None = None, **options):
    rows, fixed = example.make(np.random.default_rng(rng_seed))
    n = len(next(iter(rows.values())))
    order = np.arange(n) if order is None else order
    estimator = cls(**{**(example.options or {}), **options})
    return example.answer(example.fit(estimator, _shuffle(rows, order), fixed), order), n


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, pd.DataFrame):
        return a.equals(b)
    if isinstance(a, tuple | list):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b, strict=True))
    return np.array_equal(np.asarray(a), np.asarray(b), equal_nan=np.asarray(a).dtype.kind == "f")


def test_every_estimator_has_an_example():
    assert len(ESTIMATORS) >= 6
    missing = [c.__name__ for c in ESTIMATORS if c.__name__ not in EXAMPLES]
    assert not missing, f"add an example to tests/test_estimators.py for {missing}"


@pytest.mark.parametrize("cls", ESTIMATORS, ids=lambda c: c.__name__)
def test_declared_defaults_and_unknown_options(cls):
    made = cls()
    assert made.get_params() == {n: p.default for n, p in cls.params.items()}
    assert all(p.help for p in cls.params.values()), "every option says what it does"
    with pytest.raises(ParameterError, match="no option"):
        cls(not_an_option=1)


def _bad_values(rule: Param) -> list[object]:
    choices = rule.allowed_choices()
    if choices is not None:
        return ["certainly-not-allowed"]
    bad: list[object] = []
    if rule.low is not None:
        bad.append(rule.low - 1 if rule.low_inclusive else rule.low)
    if rule.high is not None:
        bad.append(rule.high + 1)
    if rule.integer:
        bad.append(2.5)
    return bad


@pytest.mark.parametrize("cls", ESTIMATORS, ids=lambda c: c.__name__)
def test_bad_values_name_the_option_and_what_is_allowed(cls):
    example = EXAMPLES[cls.__name__]
    for name, rule in cls.params.items():
        for value in _bad_values(rule):
            with pytest.raises((ParameterError, TypeError), match=name):
                _fit(cls, example, **{name: value})


@pytest.mark.parametrize("cls", ESTIMATORS, ids=lambda c: c.__name__)
def test_row_order_does_not_change_the_answer(cls):
    example = EXAMPLES[cls.__name__]
    first, n = _fit(cls, example)
    for seed in (1, 2):
        order = np.random.default_rng(seed).permutation(n)
        again, _ = _fit(cls, example, order=order)
        assert _equal(first, again), f"{cls.__name__}: shuffled rows gave another answer"


@pytest.mark.parametrize("cls", ESTIMATORS, ids=lambda c: c.__name__)
def test_same_seed_same_answer(cls):
    example = EXAMPLES[cls.__name__]
    first, _ = _fit(cls, example)
    second, _ = _fit(cls, example)
    assert _equal(first, second)
