"""One call for the faces: did violence in the target areas fall after the start, more than expected?

:func:`evaluate_targets` builds the panel (:mod:`.panel`), fits the difference-in-differences model
(:mod:`.did`) pooled and per target, tests both against placebo places (:mod:`.placebo`), and reads the
buffer for displacement (:mod:`.displacement`). :class:`EvaluationResult` holds the table
(:data:`EVALUATION_COLUMNS`: one row per target and one, ``area = "all"``, pooled), the monthly series
for a chart and the answer in plain words.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import shapely

from ..base.months import month_words, period_words
from ..base.params import Param, validate_params
from ..errors import ParameterError
from ..io.targets import TargetAreas
from ..reference.taxonomy import GROUP_LABELS, SELECTIONS, resolve_crime_types
from .did import DiDPoisson
from .displacement import wdd, wdq
from .panel import build_panel
from .placebo import PlaceboTest

if TYPE_CHECKING:
    import geopandas as gpd

    from ..dataset.store import PoliceDataset

__all__ = ["EVALUATION_COLUMNS", "EVALUATION_PARAMS", "EvaluationResult", "evaluate_targets"]

#: Options of an evaluation, declared once (the CLI's flags and the page's inputs follow them).
EVALUATION_PARAMS: dict[str, Param] = {
    "buffer_m": Param(
        low=0, high=5000, default=200.0, help="width of the ring round the targets, metres", flag="--buffer-m"
    ),
    "measure": Param(
        choices=("count", "harm"), default="count", help="count records, or weigh them by crime harm", flag="--measure"
    ),
    "placebos": Param(
        low=19, high=100_000, integer=True, default=199, help="placebo sets for the p-value", flag="--placebos"
    ),
    "seed": Param(integer=True, optional=True, default=0, help="random seed of the placebo draws", flag="--seed"),
}

EVALUATION_COLUMNS = [
    "area",
    "before_per_month",
    "after_per_month",
    "expected_after_per_month",
    "effect_pct",
    "ci_low_pct",
    "ci_high_pct",
    "p_value",
    "buffer_before_per_month",
    "buffer_after_per_month",
    "buffer_effect_pct",
    "buffer_p_value",
    "wdq",
    "wdd",
    "wdd_p_value",
    "months_before",
    "months_after",
    "start",
    "group",
    "measure",
    "method",
]
ALPHA = 0.05  #: the level of the placebo test and of its 95 % interval
METHOD = "difference in differences (Poisson, area and month effects); placebo-place inference"


@dataclass
class EvaluationResult:
    """The evaluation's table, its monthly series (pooled) and what it means."""

    table: pd.DataFrame
    series: pd.DataFrame  #: month, targets, expected, buffer, buffer_expected (a month, pooled)
    parameters: dict[str, Any]
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def pooled(self) -> pd.Series:
        return self.table.set_index("area").loc["all"]

    @property
    def beyond_chance(self) -> bool:
        """The pooled change is beyond what untouched places show by chance: p <= 0.05, exactly when its
        95 % interval leaves out no change (:mod:`.placebo`)."""
        return bool(self.pooled["p_value"] <= ALPHA)

    def sentence(self) -> str:
        """The answer in plain words, with its interval and what the buffer shows."""
        row = self.pooled
        what = self.parameters["group_label"]
        effect, low, high = row["effect_pct"], row["ci_low_pct"], row["ci_high_pct"]
        if not math.isfinite(effect):
            return f"{what} in the target areas could not be compared with what was expected."
        direction = "lower" if effect < 0 else "higher"
        interval = f" (95 % interval {_range_words(low, high)})" if math.isfinite(low) and math.isfinite(high) else ""
        sets, p = self.parameters["placebo_sets"], row["p_value"]
        start = self.parameters["start"]
        change = f"{what} in the target areas: {abs(effect):.0f} % {direction} than expected since {month_words(start)}"
        if self.beyond_chance:
            verdict = (
                f"Beyond chance. {change}{interval}. Comparable places nobody worked in seldom changed this much "
                f"(p = {p:.3f}, from {sets} sets of such places)."
            )
        else:
            verdict = (
                f"No clear change. {change}{interval}, but comparable places nobody worked in often changed as "
                f"much (p = {p:.3f}, from {sets} sets of such places): the data cannot tell it from no change."
            )
        return f"{verdict} {self._buffer_words(row)}"

    def _buffer_words(self, row: pd.Series) -> str:
        """What the buffer shows: displacement only when its rise is beyond chance and did not begin
        before the start; a rise within chance said as such (not as "no displacement" beside a rise)."""
        change, p, quotient = row["buffer_effect_pct"], row["buffer_p_value"], row["wdq"]
        if not math.isfinite(change):
            return "No buffer was evaluated."
        ring = f"The ring round the targets (the buffer, {self.parameters['buffer_m']:.0f} m)"
        if change > 0:
            earlier = self._buffer_rise_before(change)
            if earlier:
                return (
                    f"{ring} rose {change:.0f} % against expected (p = {p:.3f}), but it had already risen before "
                    f"the start ({earlier}): the rise may not come from the work, so it is not read as displacement."
                )
            if p < 0.05:
                words = f"{ring} rose {change:.0f} % against expected (p = {p:.3f}): violence may have moved there."
                return f"{words} {_quotient_words(quotient)}".rstrip()  # no quotient where the targets rose
            return (
                f"{ring} rose {change:.0f} % against expected, within what chance gives (p = {p:.3f}): no clear "
                "sign that violence moved there."
            )
        if math.isfinite(quotient) and quotient > 0:
            return f"{ring} improved too ({change:+.0f} % against expected): the benefit spread. " + _quotient_words(
                quotient
            )
        return f"{ring} was {change:+.0f} % against expected: no sign that violence moved there."

    def _buffer_rise_before(self, change_pct: float) -> str:
        """The ring's excess over expected just before the start, in words, when the last one, two or three
        months before it were already at least half as far above expected as the months after, beyond what
        chance gives (one-sided Poisson, p < 0.05): then the rise began before the work did."""
        from scipy.stats import poisson

        before = self.series[~self.series["after_start"].astype(bool)]
        found = None
        for months in (1, 2, 3):
            window = before.tail(months)
            observed, expected = float(window["buffer"].sum()), float(window["buffer_expected"].sum())
            if len(window) < months or not math.isfinite(expected) or expected <= 0:
                break
            excess = 100 * (observed / expected - 1)
            beyond = excess >= change_pct / 2 and poisson.sf(observed - 1, expected) < ALPHA
            if beyond and (found is None or excess >= found[0]):  # on a tie the longer window
                found = (excess, window["month"].astype(str))
        if found is None:
            return ""
        excess, labels = found
        return f"{excess:+.0f} % against expected in {period_words(labels.iloc[0], labels.iloc[-1])}"


def _quotient_words(quotient: float) -> str:
    """The weighted displacement quotient (WDQ) in words: the ring's change against the targets' fall,
    both against the rest of the area (docs/methods/evaluation.md)."""
    if not math.isfinite(quotient):
        return ""
    if quotient > 0:
        return f"Weighted displacement quotient {quotient:.2f} (above 0: the benefit spread beyond the targets)."
    if quotient > -1:
        return (
            f"Weighted displacement quotient {quotient:.2f} (between 0 and -1: less moved than was prevented, a net "
            "gain)."
        )
    return f"Weighted displacement quotient {quotient:.2f} (below -1: more moved than was prevented, a net loss)."


def evaluate_targets(
    dataset: PoliceDataset,
    targets: TargetAreas,
    *,
    start: str,
    end: str | None = None,
    group: str = "serious_violence",
    controls: gpd.GeoDataFrame | None = None,
    **params: Any,
) -> EvaluationResult:
    """Evaluate the ``targets`` from ``start`` (to ``end``, default the last month) for an offence
    ``group`` (a group or selection name: ``serious_violence``, ``violence``, ``robbery``, …), against
    the ``controls`` (``name, geometry``; default the wards). Options: :data:`EVALUATION_PARAMS`."""
    unknown = set(params) - set(EVALUATION_PARAMS)
    if unknown:
        raise ParameterError(f"Unknown option(s) {sorted(unknown)}; allowed: {sorted(EVALUATION_PARAMS)}.")
    p = validate_params({**{k: v.default for k, v in EVALUATION_PARAMS.items()}, **params}, EVALUATION_PARAMS)
    months = [m for m in dataset.months if end is None or m <= end]
    if end is not None and (not months or end < start):
        raise ParameterError(f"The end month {end} must come after the start {start}, within the data.")
    types = resolve_crime_types([group])
    records = dataset.in_area.dropna(subset=["x", "y"])
    records = records[records["crime_type"].isin(types) & records["month"].astype(str).isin(months)]
    if records.empty:
        raise ParameterError(f"No {group} records in {months[0]} to {months[-1]}.")
    weight = np.ones(len(records))
    if p["measure"] == "harm":
        from ..io.context import read_harm_weights

        harm = read_harm_weights(dataset.wards.reference)
        weight = harm.record_weights(records["crime_type"], records["district_code"])
    wards = dataset.wards.wards
    if controls is None:
        controls = wards[["name", "geometry"]].assign(name=wards["name"].astype(str) + " (" + wards["code"] + ")")
    land = shapely.union_all(wards.geometry.to_numpy())
    panel = build_panel(
        records,
        weight,
        months,
        start=start,
        targets=targets.areas,
        controls=controls,
        land=land,
        buffer_m=p["buffer_m"],
    )
    k, n_c = len(panel.target_names), len(panel.control_names)
    has_buffer = p["buffer_m"] > 0 and panel.buffer.sum() > 0
    units = [panel.controls, panel.targets] + ([panel.buffer[None, :]] if has_buffer else [])
    counts = np.vstack(units)
    control = np.full(n_c, -1)
    buffer_group = [1] if has_buffer else []
    pooled = DiDPoisson().fit(counts, np.r_[control, np.zeros(k, dtype=np.int64), buffer_group], panel.post)
    single = DiDPoisson().fit(counts, np.r_[control, np.arange(k), [k] if has_buffer else []], panel.post)
    test = PlaceboTest(placebos=p["placebos"], seed=p["seed"]).fit(panel, buffer_m=p["buffer_m"])
    table = _table(panel, pooled, single, test, has_buffer, start=start, group=group, measure=p["measure"])
    series = _series(panel, pooled, n_c, k, has_buffer)
    label = " and ".join(GROUP_LABELS.get(g, g) for g in SELECTIONS.get(group, (group,)))
    parameters = {**p, "start": start, "end": months[-1], "group": group, "group_label": _label(group, label)}
    parameters["placebo_sets"] = test.sets_
    result = EvaluationResult(table, series, parameters, notes=list(targets.notes) + panel.notes)
    result.warnings += _too_few(result, test)
    return result


def _label(group: str, label: str) -> str:
    return "Violence, robbery and weapons offences" if group == "serious_violence" else label


def _table(panel, pooled, single, test: PlaceboTest, has_buffer: bool, *, start, group, measure) -> pd.DataFrame:
    post = panel.post
    n_c, k = len(panel.control_names), len(panel.target_names)
    n_a = int(post.sum())
    control = panel.controls.sum(axis=0)
    rows = []
    for i, name in enumerate(panel.target_names):
        expected = single.expected_[n_c + i, post].sum() / n_a
        draws = test.per_target_[:, i] if len(test.per_target_) else np.zeros(0)
        low, high = test.interval(single.log_effect_[i], draws)
        p = test.p_value(single.log_effect_[i], draws)
        rows.append(
            {"area": name, **_effect(expected, single.effect_[i], low, high, p)}
            | _areas(panel.targets[i], panel.rings[i], control, post, None, pooled.dispersion_)
        )
    expected = pooled.expected_[n_c : n_c + k][:, post].sum() / n_a
    low, high = test.interval(pooled.log_effect_[0])
    buffer_effect = pooled.effect_[1] if has_buffer else math.nan
    rows.append(
        {"area": "all", **_effect(expected, pooled.effect_[0], low, high, test.p_value(pooled.log_effect_[0]))}
        | _areas(panel.targets.sum(axis=0), panel.buffer, control, post, buffer_effect, pooled.dispersion_)
    )
    table = pd.DataFrame(rows)
    table["months_before"], table["months_after"] = int((~post).sum()), n_a
    table["start"], table["group"], table["measure"], table["method"] = start, group, measure, METHOD
    return table[EVALUATION_COLUMNS]


def _effect(expected: float, effect: float, low: float, high: float, p: float) -> dict[str, Any]:
    return {
        "expected_after_per_month": round(float(expected), 3),
        "effect_pct": round(100 * float(effect), 1),
        "ci_low_pct": round(float(low), 1),
        "ci_high_pct": round(float(high), 1),
        "p_value": round(float(p), 4),
    }


def _areas(target, ring, control, post, buffer_effect, dispersion: float) -> dict[str, Any]:
    """Rates a month before and after; the WDQ on them; the WDD on equal windows either side of the start,
    the control (the rest of the area) scaled to the target's and the buffer's own baselines; the buffer's
    own change tested the same way. Variances are Poisson times the over-dispersion of the control areas
    (Wheeler & Ratcliffe assume Poisson; police counts are not)."""
    n_b, n_a = int((~post).sum()), int(post.sum())
    a0, a1 = target[~post].sum() / n_b, target[post].sum() / n_a
    b0, b1 = ring[~post].sum() / n_b, ring[post].sum() / n_a
    c0, c1 = control[~post].sum() / n_b, control[post].sum() / n_a
    span = min(n_b, n_a)
    first = int(np.argmax(post))
    before, after = slice(first - span, first), slice(first, first + span)
    t0, t1, d0, d1 = target[before].sum(), target[after].sum(), ring[before].sum(), ring[after].sum()
    k0, k1 = control[before].sum(), control[after].sum()
    trend = k1 / k0 if k0 > 0 else 1.0
    scale_t, scale_d = (t0 / k0, d0 / k0) if k0 > 0 else (0.0, 0.0)
    test = wdd(
        t0, t1, t0, t0 * trend, d0, d1, d0, d0 * trend,
        var_c=scale_t**2 * (k0 + k1), var_cd=scale_d**2 * (k0 + k1), dispersion=dispersion,
    )  # fmt: skip
    ring_test = wdd(0, 0, 0, 0, d0, d1, d0, d0 * trend, var_c=0.0, var_cd=scale_d**2 * (k0 + k1), dispersion=dispersion)
    effect = 100 * float(buffer_effect) if buffer_effect is not None and math.isfinite(buffer_effect) else math.nan
    return {
        "before_per_month": round(float(a0), 3),
        "after_per_month": round(float(a1), 3),
        "buffer_before_per_month": round(float(b0), 3),
        "buffer_after_per_month": round(float(b1), 3),
        "buffer_effect_pct": round(effect, 1),
        "buffer_p_value": round(ring_test.p, 4) if math.isfinite(ring_test.p) else math.nan,
        "wdq": round(wdq(a0, a1, b0, b1, c0, c1), 3),
        "wdd": round(test.wdd, 1),
        "wdd_p_value": round(test.p, 4) if math.isfinite(test.p) else math.nan,
    }


def _series(panel, pooled, n_c: int, k: int, has_buffer: bool) -> pd.DataFrame:
    out = pd.DataFrame(
        {
            "month": panel.months,
            "targets": panel.targets.sum(axis=0),
            "expected": pooled.expected_[n_c : n_c + k].sum(axis=0),
            "buffer": panel.buffer,
        }
    )
    out["buffer_expected"] = pooled.expected_[n_c + k] if has_buffer else np.nan
    out["after_start"] = panel.post
    return out


def _too_few(result: EvaluationResult, test: PlaceboTest) -> list[str]:
    row = result.pooled
    out = []
    expected = row["expected_after_per_month"] * row["months_after"]
    if expected < 30:
        out.append(
            f"Only about {expected:.0f} records were expected in the targets after the start: too few to tell a "
            "change of less than about half from chance. Evaluate more areas or a longer period."
        )
    if test.sets_ < 19:
        out.append(f"Only {test.sets_} placebo sets could be drawn: the p-value is rough.")
    if math.isfinite(row["ci_low_pct"]) and row["ci_high_pct"] - row["ci_low_pct"] > 80:
        out.append("The interval is very wide: the data cannot say much about the size of the change.")
    return out


def _range_words(low: float, high: float) -> str:
    def words(v: float) -> str:
        return f"{abs(v):.0f} % {'lower' if v < 0 else 'higher'}"

    return f"{words(low)} to {words(high)}"
