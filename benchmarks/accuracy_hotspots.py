"""Accuracy of the ranked list on months it never saw, against every simple peer, at equal land.

For each split of the data in time (build on the first months, score on the next ones) the list of
places is built from the build months only and cut where operations cut it — its first 10 and first 30
rows, its top tenth, top third and all of it — and at each cut every peer of
:mod:`vrc_geo.hotspots.evaluate.peers` is given exactly the same land: busiest snap points (all build
months; police.uk's current map only; current map with the list's institutional sites left out — the
sharp peer), busiest 250 m and 100 m cells, prospective hotspotting and a kernel density surface. The
ratio printed is the list's PAI over the peer's (= later records held, at equal land).

Usage: python benchmarks/accuracy_hotspots.py [--splits 10:3 9:3 ...] [--method expected]
       [--data-dir DIR] [--no-public-registers] [--write-docs]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

from docs_blocks import replace_block  # noqa: E402

from vrc_geo.config import find_sources  # noqa: E402
from vrc_geo.dataset.store import load_police  # noqa: E402
from vrc_geo.hotspots.evaluate import peers  # noqa: E402
from vrc_geo.hotspots.evaluate.coverage import DiscCoverage  # noqa: E402
from vrc_geo.hotspots.methods import METHODS  # noqa: E402
from vrc_geo.hotspots.places import find_places  # noqa: E402
from vrc_geo.hotspots.rank import VIOLENCE_GROUP  # noqa: E402
from vrc_geo.hotspots.snap.epochs import find_epochs  # noqa: E402
from vrc_geo.reference.taxonomy import ASB  # noqa: E402

CUTS = ("first 10", "first 30", "top tenth", "top third", "all")
SHARP = "current map, sites out"
PEERS = (
    SHARP,
    "current map",
    "all months",
    "250 m cells",
    "100 m cells",
    "prospective",
    "kernel density",
)
DEFAULT = "expected"
SPLITS = ["10:3", "9:3", "8:3", "7:3", "12:1", "11:2", "6:7", "4:3"]


def score_split(
    violent, context, land, build, later, *, method: str, registers, public: bool, options: dict | None = None
) -> pd.DataFrame:
    """One row per cut: our PAI and its ratio to each peer's, for the list built on ``build``."""
    vm, cm = violent["month"].astype(str), context["month"].astype(str)
    train, test = violent[vm.isin(build)], violent[vm.isin(later)]
    ctx = context[cm.isin(build)]
    places = find_places(
        train,
        months=build,
        land=land,
        context=ctx,
        institutions=registers,
        method=method,
        public_registers=public,
        **(options or {}),
    )
    patrol = places.footprints[places.footprints["kind"] == "place"]
    circles = places.discs[places.discs["footprint"].isin(patrol["footprint"])]
    coverage = DiscCoverage(land, radius_m=places.parameters["footprint_radius_m"])
    test_xy, train_xy = test[["x", "y"]].to_numpy(dtype="float64"), train[["x", "y"]].to_numpy(dtype="float64")
    ours = peers.disc_curve("ours", circles[["x", "y"]].to_numpy(), test_xy, coverage)
    ends = np.cumsum(circles.groupby("footprint", sort=False).size().reindex(patrol["footprint"]).to_numpy()) - 1
    n = len(patrol)
    rows = {"first 10": 10, "first 30": 30, "top tenth": round(0.1 * n), "top third": round(n / 3), "all": n}
    area = {cut: float(ours.area_km2[ends[min(r, n) - 1]]) for cut, r in rows.items()}
    starts, _ = find_epochs(ctx["x"].to_numpy(), ctx["y"].to_numpy(), ctx["month"].astype(str).to_numpy(), build)
    now = peers.current_map(train["month"].astype(str).to_numpy(), starts)
    sites = places.points[places.points["site_type"] != ""]
    site_keys = set(zip(sites["x"], sites["y"], strict=True))
    current = peers.busiest_points(train_xy[now])
    sharp = current[[(x, y) not in site_keys for x, y in current]]
    top = max(area.values()) * 1.05
    index = {m: i for i, m in enumerate(build)}
    before = len(build) - 1 - train["month"].astype(str).map(index).to_numpy()
    curves = {
        SHARP: peers.disc_curve(SHARP, sharp, test_xy, coverage),
        "current map": peers.disc_curve("current map", current, test_xy, coverage),
        "all months": peers.disc_curve("all months", peers.busiest_points(train_xy), test_xy, coverage),
        "250 m cells": peers.cell_curve("250", peers.count_cells(train_xy, 250), 250, test_xy, land, max_km2=top),
        "100 m cells": peers.cell_curve("100", peers.count_cells(train_xy, 100), 100, test_xy, land, max_km2=top),
        "prospective": peers.cell_curve(
            "pro", peers.prospective_cells(train_xy, before), 50, test_xy, land, max_km2=top
        ),
        "kernel density": peers.cell_curve("kde", peers.kde_cells(train_xy), 50, test_xy, land, max_km2=top),
    }
    land_km2 = land.area / 1e6
    out = []
    for cut in CUTS:
        held = ours.at(area[cut])
        row = {"cut": cut, "rows": min(rows[cut], n), "area_km2": area[cut]}
        row["pai"] = (held / len(test_xy)) / (area[cut] / land_km2) if area[cut] else 0.0
        for name, curve in curves.items():
            theirs = curve.at(area[cut])
            row[name] = held / theirs if theirs else np.inf
        out.append(row)
    return pd.DataFrame(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--splits", nargs="+", default=SPLITS, help="build:test months, counted from the start")
    parser.add_argument("--method", default="expected", choices=list(METHODS), help="ranking method (expected)")
    parser.add_argument("--data-dir", help="a data folder with later months (default: the usual search order)")
    parser.add_argument("--no-public-registers", action="store_true", help="leave the public registers out")
    parser.add_argument("--option", nargs="*", default=[], metavar="NAME=VALUE", help="place options to try")
    parser.add_argument("--write-docs", action="store_true", help="write the tables into the docs")
    args = parser.parse_args()
    dataset = load_police(find_sources(data_dir=args.data_dir))
    records = dataset.in_area
    months = dataset.months
    land = shapely.union_all(dataset.wards.wards.geometry.to_numpy())
    context = records[records["crime_type"] != ASB].dropna(subset=["x", "y"])
    violent = context[context["crime_type"].isin(VIOLENCE_GROUP)]
    registers = dataset.institutions.sites
    options = {k: float(v) for k, v in (o.split("=", 1) for o in args.option)}
    started = time.perf_counter()

    def run(method: str) -> dict[str, pd.DataFrame]:
        tables = {}
        for split in args.splits:
            n_train, n_test = (int(v) for v in split.split(":"))
            if n_train + n_test > len(months):
                print(f"{split}: skipped ({len(months)} months held)")
                continue
            build, later = months[:n_train], months[n_train : n_train + n_test]
            table = score_split(
                violent,
                context,
                land,
                build,
                later,
                method=method,
                registers=registers,
                public=not args.no_public_registers,
                options=options,
            )
            tables[f"{build[0]}..{build[-1]} → {later[0]}..{later[-1]}"] = table
            print(f"\n{split} ({method}): built on {build[0]} to {build[-1]}, scored on {later[0]} to {later[-1]}")
            print(table.round(3).to_string(index=False))
        return tables

    tables = run(args.method)
    print(f"\n{len(tables)} splits in {time.perf_counter() - started:.0f} s, method {args.method!r}")
    summary = _summary(tables)
    print(summary.round(3).to_string())
    text = _markdown(tables, summary, args.method)
    if args.method != DEFAULT:
        text += "\n\n" + _decision(tables, run(DEFAULT))
    print("\n" + text)
    if args.write_docs:
        # Each ranking method's page shows its own figures; the default's go to the backtest and README too.
        page = ROOT / METHODS[args.method].docs
        replace_block(page, "figures", f"accuracy-{args.method}", text)
        if args.method == "expected":
            replace_block(ROOT / "docs" / "methods" / "backtest.md", "figures", "accuracy", text)
            replace_block(ROOT / "benchmarks" / "README.md", "figures", "accuracy", text)


def _summary(tables: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Per peer and cut: the lowest ratio over the splits, and the mean."""
    stacked = pd.concat([t.assign(split=s) for s, t in tables.items()]).replace(np.inf, np.nan)
    low = stacked.groupby("cut")[list(PEERS)].min().reindex(list(CUTS)).T
    mean = stacked.groupby("cut")[list(PEERS)].mean().reindex(list(CUTS)).T
    return pd.concat({"lowest": low, "mean": mean}, axis=1)


def _decision(tables: dict[str, pd.DataFrame], default: dict[str, pd.DataFrame]) -> str:
    """Whether the method tried may be the default: better than the default's ranking on every split at the
    first 10 and 30 rows, and on average there (the rule of docs/methods/learned-forecast.md)."""
    lines, wins = [], True
    for cut in ("first 10", "first 30"):
        ours = np.array([t.set_index("cut").loc[cut, SHARP] for t in tables.values()])
        base = np.array([default[s].set_index("cut").loc[cut, SHARP] for s in tables])
        better = int((ours > base).sum())
        wins &= better == len(ours) and ours.mean() > base.mean()
        lines.append(
            f"at the {cut} rows it beat `{DEFAULT}` on {better} of {len(ours)} splits (mean ratio to the sharp "
            f"peer {ours.mean():.2f} against {base.mean():.2f})"
        )
    verdict = "it may be the default." if wins else f"`{DEFAULT}` stays the default."
    return f"Against the default ranking (`{DEFAULT}`): " + "; ".join(lines) + f" — {verdict}"


def _ratio(value: float) -> str:
    """A ratio for the docs ("—" where the peer held nothing at that land)."""
    return f"{value:.2f}" if np.isfinite(value) else "—"


def _markdown(tables: dict[str, pd.DataFrame], summary: pd.DataFrame, method: str) -> str:
    head = "| split | " + " | ".join(CUTS) + " |\n|---|" + "---|" * len(CUTS)
    rows = [
        f"| {split} | " + " | ".join(_ratio(v) for v in t.set_index("cut")[SHARP].reindex(list(CUTS))) + " |"
        for split, t in tables.items()
    ]
    peer_head = "| peer | " + " | ".join(f"{c} (lowest / mean)" for c in CUTS) + " |\n|---|" + "---|" * len(CUTS)
    peer_rows = [
        f"| {peer} | "
        + " | ".join(
            f"{_ratio(summary.loc[peer, ('lowest', c)])} / {_ratio(summary.loc[peer, ('mean', c)])}" for c in CUTS
        )
        + " |"
        for peer in PEERS
    ]
    return (
        f"Ranking method `{method}`. The list's PAI over the sharp peer's (busiest snap points of police.uk's "
        "current map, the list's sites left out, at equal land), per split (build months → scored months):\n\n"
        + head
        + "\n"
        + "\n".join(rows)
        + "\n\nEvery peer, over all splits:\n\n"
        + peer_head
        + "\n"
        + "\n".join(peer_rows)
        + "\n\n(`python benchmarks/accuracy_hotspots.py --write-docs`)"
    )


if __name__ == "__main__":
    main()
