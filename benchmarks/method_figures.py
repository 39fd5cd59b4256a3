"""Figures of each method on the sample, written into its page under docs/methods/ (nothing typed by hand).

Runs the ranked list (seeds 0, 1 and 2 for what depends on a seed), the SYNTHETIC health demo and the
violence profile on the data found by the usual search order, and prints (or, with ``--write-docs``,
writes) one short block per method page.

Usage: python benchmarks/method_figures.py [--write-docs]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

from docs_blocks import replace_block  # noqa: E402

from vrc_geo.config import find_sources  # noqa: E402
from vrc_geo.dataset.aggregate import make_selection  # noqa: E402
from vrc_geo.dataset.store import load_police  # noqa: E402
from vrc_geo.health.service import health_for  # noqa: E402
from vrc_geo.hotspots.rank import VIOLENCE_GROUP, find_hotspots  # noqa: E402
from vrc_geo.hotspots.stats.gistar import GiStar, confidence_bins  # noqa: E402
from vrc_geo.io.context import read_harm_weights  # noqa: E402
from vrc_geo.profile.violence_profile import violence_profile  # noqa: E402
from vrc_geo.reference.area import AREA, DISTRICTS  # noqa: E402

PAGES = ROOT / "docs" / "methods"


def _n(value: float) -> str:
    return f"{value:,.0f}"


def figures() -> dict[str, str]:
    dataset = load_police(find_sources())
    months = dataset.months
    where = f"{AREA.name}, {months[0]} to {months[-1]} ({len(months)} months), default options"
    runs = {seed: find_hotspots(dataset, make_selection(), seed=seed) for seed in (0, 1, 2)}
    result = runs[0]
    table, places = result.table, result.places
    out: dict[str, str] = {}

    points = places.points
    out["micro-places"] = (
        f"{where}: {_n(len(points))} snap points with violence-group records; prior strength estimated at "
        f"{places.prior_strength_months:.2f} months; expected records a month over all snap points "
        f"{points['expected_per_month'].sum():,.0f} (the last month held "
        f"{_n(_last_month_records(dataset))})."
    )

    epochs = places.epochs
    moved = f"{epochs.moved:,} earlier records counted at a current snap point, {epochs.kept:,} kept theirs"
    out["snap-epochs"] = f"{where}: new snap-point map from {', '.join(epochs.starts) or 'none'}; {moved}." + _redraw(
        dataset, epochs.starts
    )

    rows = places.footprints
    patrol = rows[rows["kind"] == "place"]
    circles = places.discs[places.discs["footprint"].isin(patrol["footprint"])]
    covered = points[points["footprint"].isin(patrol["footprint"])].groupby("footprint").size()
    first100 = patrol["footprint"].head(100)
    out["patrol-circles"] = (
        f"{where}: {_n(len(patrol))} places to patrol ({_n((patrol['route'] == 'rate').sum())} single circles, "
        f"{_n((patrol['route'] == 'local').sum())} quiet-area concentrations drawn as {_n(len(circles))} circles "
        f"in all) covering {patrol['area_km2'].sum():.2f} km²; {100 * (covered >= 2).mean():.0f} % of places cover "
        f"two or more snap points ({int((covered.reindex(first100) >= 2).sum())} of the first 100)."
    )
    local = patrol[patrol["route"] == "local"]
    held = local["records"]
    out["local-excess"] = (
        f"{where}: {len(local)} quiet-area concentrations listed, holding {_n(held.sum())} violence-group "
        f"records ({_range(held, '{:,.0f}')} each)."
    )

    zones = result.zones
    first30 = table[table["kind"] == "place"].head(30)
    held = first30["zone_id"].value_counts()
    out["patrol-zones"] = (
        f"{where}: {_n(len(zones))} patrol zones for {_n(zones['places'].sum())} places "
        f"({int((zones['places'] >= 2).sum())} with two or more; widest {zones['width_m'].max():,} m); the first 30 "
        f"places fall in {len(held)} zones, {int((held >= 2).sum())} of them holding two or more; "
        f"{int(zones['drug_related'].sum())} zones drug-related. First zone: {zones.iloc[0]['zone_name']} "
        f"({zones.iloc[0]['places']} places, about {zones.iloc[0]['expected_per_month']:.0f} records a month)."
    )

    sites = table[table["kind"] == "site"]
    by_type = sites["site_type"].value_counts()
    out["sites"] = (
        f"{where}: {len(sites)} sites listed apart — "
        + ", ".join(f"{n} {t}" for t, n in by_type.items())
        + ". No place to patrol is headed by a named police station, prison or hospital (a test checks)."
    )

    wards = result.wards
    same = all(runs[s].wards[["code", "gi_bin"]].equals(wards[["code", "gi_bin"]]) for s in (1, 2))
    analytic = _analytic_classes(dataset, result)
    out["gistar"] = (
        f"{where}: {int((wards['gi_bin'] > 0).sum())} hot and {int((wards['gi_bin'] < 0).sum())} cold wards of "
        f"{len(wards)} by permutation inference (9,999 conditional permutations, exact p-values where in doubt, "
        f"FDR); {'identical' if same else 'not identical'} for seeds 0, 1 and 2. With the analytic (normal) "
        f"p-values and FDR instead: {analytic[0]} hot, {analytic[1]} cold."
    )

    flagged = {s: set(runs[s].table.loc[runs[s].table["drug_related"], "hotspot_id"]) for s in runs}
    out["colocation"] = (
        f"{where}: {len(flagged[0])} drug-related rows for seed 0, {len(flagged[1])} for seed 1, {len(flagged[2])} "
        f"for seed 2 ({'the same rows' if flagged[0] == flagged[1] == flagged[2] else 'not the same rows'}); "
        f"co-location ratio of the flagged places {_range(table.loc[table['drug_related'], 'colocation_ratio'])}."
    )

    classes = wards["trend_class"].value_counts()
    out["emerging"] = f"{where}: " + ", ".join(f"{n} {c}" for c, n in classes.items()) + f" (of {len(wards)} wards)."

    harm = read_harm_weights(dataset.wards.reference)
    violence = harm.by_district.get("Violence and sexual offences", {})
    out["harm"] = (
        f"Violence and sexual offences: {harm.county['Violence and sexual offences']:.1f} for {AREA.name}, "
        f"{min(violence.values()):.1f} ({DISTRICTS[min(violence, key=violence.get)]}) to "
        f"{max(violence.values()):.1f} ({DISTRICTS[max(violence, key=violence.get)]}) by district; "
        f"possession of weapons {harm.county['Possession of weapons']:.1f}, robbery {harm.county['Robbery']:.1f}, "
        f"drugs {harm.county['Drugs']:.1f}; weights from {harm.period}."
    )

    demo = health_for(dataset, make_selection(), synthetic_demo=True, seed=0)
    published = demo.published()
    small = published["admissions"].astype(str).eq("[c]").sum()
    out["disclosure"] = (
        f"SYNTHETIC demo (seed 0), {demo.period.label}: {small} of {len(published)} ward counts shown as [c] "
        f"(small counts and the counts hidden to protect them)."
    )
    model = demo.view.model
    flags = published["underreporting_flag"].astype(str).eq("True").sum()
    out["under-reporting"] = f"SYNTHETIC demo (seed 0), {demo.period.label}: {flags} wards flagged; {model.describe()}"

    out["evaluation"] = _evaluation_figures(dataset)

    profile = violence_profile(dataset.wards.reference)
    share = profile.table.set_index("area_name")["share_with_injury"]
    parts = share.drop(AREA.name)
    out["violence-profile"] = (
        f"{profile.period}: {AREA.name} {100 * share[AREA.name]:.1f} % of violence against the person with injury, "
        f"from {100 * parts.min():.1f} % ({parts.idxmin()}) to {100 * parts.max():.1f} % ({parts.idxmax()})."
    )
    return out


def _evaluation_figures(dataset) -> str:
    """A planted fall of 40 % in six busy places from 2022-09, and the same places untouched."""

    import geopandas as gpd
    import shapely

    from vrc_geo.evaluation.service import evaluate_targets
    from vrc_geo.io.targets import targets_from_frame

    # Chosen as a partnership would choose them: busiest before the start (choosing on the months after
    # would pick places that rose, whatever was done there).
    located = dataset.in_area.dropna(subset=["x", "y"])
    before = located["month"].astype(str) < "2022-09"
    violent = located[located["crime_type"].isin(VIOLENCE_GROUP) & before]
    busy = violent.groupby(["x", "y"]).size().sort_values(ascending=False)
    chosen: list[tuple[float, float]] = []
    for x, y in busy.index:
        if all(np.hypot(x - a, y - b) > 1500 for a, b in chosen):
            chosen.append((x, y))
        if len(chosen) == 6:
            break
    shapes = [shapely.Point(x, y).buffer(300) for x, y in chosen]
    targets = targets_from_frame(
        gpd.GeoDataFrame({"area": [f"T{i + 1}" for i in range(6)]}, geometry=shapes, crs="EPSG:27700"), "six"
    )
    r = dataset.records
    inside = np.zeros(len(r), dtype=bool)
    for x, y in chosen:
        inside |= (np.hypot(r["x"] - x, r["y"] - y) <= 300).fillna(False).to_numpy()
    late = (r["month"].astype(str) >= "2022-09").to_numpy() & r["crime_type"].isin(VIOLENCE_GROUP).to_numpy()
    drop = inside & late & (np.random.default_rng(0).random(len(r)) < 0.4)
    planted = evaluate_targets(dataset.with_records(r[~drop]), targets, start="2022-09")
    untouched = evaluate_targets(dataset, targets, start="2022-09")
    p, u = planted.pooled, untouched.pooled
    return (
        f"The six places busiest before 2022-09 at least 1.5 km apart (300 m circles), from 2022-09: with 40 % "
        f"of their violence-group records removed, {p['effect_pct']:+.1f} % (95 % interval {p['ci_low_pct']:+.1f} to "
        f"{p['ci_high_pct']:+.1f} %, p = {p['p_value']:.3f}, {planted.parameters['placebo_sets']} placebo sets); "
        f"untouched, {u['effect_pct']:+.1f} % ({u['ci_low_pct']:+.1f} to {u['ci_high_pct']:+.1f} %, p = "
        f"{u['p_value']:.3f})."
    )


def _last_month_records(dataset) -> int:
    r = dataset.in_area
    return int((r["crime_type"].isin(VIOLENCE_GROUP) & (r["month"].astype(str) == dataset.months[-1])).sum())


def _redraw(dataset, starts: tuple[str, ...]) -> str:
    if not starts:
        return ""
    r = dataset.in_area.dropna(subset=["x", "y"])
    month = r["month"].astype(str)
    before = month.map(lambda m: m < starts[-1]).to_numpy()
    first = r[month == starts[-1]][["x", "y"]].drop_duplicates().to_numpy()
    earlier = r[before][["x", "y"]].drop_duplicates().to_numpy()
    seen = {tuple(p) for p in earlier}
    new = np.mean([tuple(p) not in seen for p in first])
    dist, _ = cKDTree(earlier).query(first, k=1)
    return (
        f" In {starts[-1]}, {100 * new:.0f} % of the snap points used had never been used before; median distance "
        f"to the nearest earlier point {np.median(dist):.0f} m."
    )


def _analytic_classes(dataset, result) -> tuple[int, int]:
    from vrc_geo.hotspots.stats.spatial_weights import contiguity_weights

    wards = dataset.wards.wards.sort_values("code").reset_index(drop=True)
    counts = result.wards.set_index("code")["violence_records"].reindex(wards["code"]).fillna(0).to_numpy()
    fit = GiStar(inference="analytic", permutations=0).fit(counts, contiguity_weights(wards))
    bins = confidence_bins(fit.z_, fit.q_value_)
    return int((bins > 0).sum()), int((bins < 0).sum())


def _range(values: pd.Series, fmt: str = "{:.2f}") -> str:
    return f"{fmt.format(values.min())}–{fmt.format(values.max())}" if len(values) else "none"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write-docs", action="store_true", help="write each block into its docs/methods page")
    args = parser.parse_args()
    for name, text in figures().items():
        print(f"[{name}] {text}\n")
        if args.write_docs:
            replace_block(PAGES / f"{name}.md", "figures", name, text + "\n\n(`python benchmarks/method_figures.py`)")


if __name__ == "__main__":
    main()
