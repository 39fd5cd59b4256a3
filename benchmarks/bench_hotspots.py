"""Hotspot benchmark: ``hotspots`` on the 13 sample months against the library steps called directly.

"Direct" is the minimum an analyst would call by hand for the same answers: libpysal Queen weights and
esda G_Local (9,999 permutations) on ward counts, esda G_Local per month (analytic) plus scipy's Kendall
tau for the trend, per-snap-point counts with a scipy cKDTree neighbourhood sum (the empirical-Bayes
prior), shapely buffers for the footprints, a cKDTree neighbourhood count for co-location, and the
250 m grid counts and busiest snap points for the peers. It skips what we add (validation, FDR and
exact p-values where the class is in doubt, island joining, recency weights, sites, the local test,
permutation inference of the co-location, footprint description, ranking, the backtest's own list on
the earlier months), so the ratio is the price of those. Both run in this process on the same cached
records; the whole command is also timed.

Also timed, for what the list now adds: the patrol zones (clustering, naming and their co-location test)
as a share of the whole list, and the learned forecast's fit against the empirical-Bayes estimate it
starts from (same records, same process).

Usage: python benchmarks/bench_hotspots.py [--repeat 5] [--write-docs]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import shapely
from esda.getisord import G_Local
from libpysal.weights import Queen
from scipy import stats
from scipy.spatial import cKDTree

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

from docs_blocks import write_figures  # noqa: E402

from vrc_geo.config import find_sources  # noqa: E402
from vrc_geo.dataset.aggregate import make_selection  # noqa: E402
from vrc_geo.dataset.store import load_police  # noqa: E402
from vrc_geo.hotspots.rank import FOOTPRINT_TYPES, VIOLENCE_GROUP  # noqa: E402
from vrc_geo.hotspots.service import hotspots_for  # noqa: E402
from vrc_geo.hotspots.stats.learned_rates import LearnedRates  # noqa: E402
from vrc_geo.hotspots.stats.micro_places import MicroPlaceRates  # noqa: E402
from vrc_geo.hotspots.zones import describe_zones  # noqa: E402
from vrc_geo.reference.taxonomy import ASB  # noqa: E402


def direct(records: pd.DataFrame, wards) -> None:
    violent = records[records["crime_type"].isin(VIOLENCE_GROUP) & (records["status"] == "in_area")]
    w = Queen.from_dataframe(wards, use_index=False, silence_warnings=True)
    counts = violent["ward_code"].astype(str).value_counts().reindex(wards["code"]).fillna(0).to_numpy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        G_Local(counts, w, transform="B", star=True, permutations=9999, seed=0, n_jobs=1)
        monthly = violent.groupby(["month", "ward_code"], observed=True).size().unstack(fill_value=0)
        monthly = monthly.reindex(columns=wards["code"], fill_value=0).to_numpy(dtype=float)
        z = np.vstack([G_Local(row, w, transform="B", star=True, permutations=0).Zs for row in monthly])
    for j in range(z.shape[1]):
        stats.kendalltau(np.arange(len(z)), z[:, j])
    snaps = violent.groupby(["x", "y"]).size().reset_index(name="n")
    xy = snaps[["x", "y"]].to_numpy()
    pairs = cKDTree(xy).query_pairs(250, output_type="ndarray")
    prior = np.zeros(len(snaps))
    np.add.at(prior, pairs[:, 0], snaps["n"].to_numpy()[pairs[:, 1]])
    busy = snaps[snaps["n"] >= 13]
    footprints = list(shapely.buffer(shapely.points(busy["x"], busy["y"]), 40))
    crimes = records[records["status"] == "in_area"].dropna(subset=["x"])
    tree = cKDTree(crimes[["x", "y"]].to_numpy())
    drugs = (crimes["crime_type"] == "Drugs").to_numpy()
    for hood in tree.query_ball_point(violent[["x", "y"]].to_numpy(), r=50):
        drugs[hood].sum()
    cells = (violent["x"] // 250).astype(int) * 100000 + (violent["y"] // 250).astype(int)
    cells.value_counts()
    return footprints


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--write-docs", action="store_true", help="write the figures into benchmarks/README.md")
    args = parser.parse_args()
    dataset = load_police(find_sources())
    records, wards = dataset.records, dataset.wards.wards
    selection = make_selection()
    hotspots_for(dataset, selection)  # warm caches (imports, population)
    ours, base = [], []
    for _ in range(args.repeat):
        start = time.perf_counter()
        bundle = hotspots_for(dataset, selection)
        ours.append(time.perf_counter() - start)
        start = time.perf_counter()
        direct(records, wards)
        base.append(time.perf_counter() - start)
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-m", "vrc_geo", "--quiet", "hotspots", "--out", str(Path(tmp) / "h.csv")]
        env = dict(os.environ)
        subprocess.run(cmd, check=True, cwd=ROOT, env=env)  # cache warm
        whole = []
        for _ in range(3):
            start = time.perf_counter()
            subprocess.run(cmd, check=True, cwd=ROOT, env=env)
            whole.append(time.perf_counter() - start)
    o, b, c = statistics.median(ours), statistics.median(base), statistics.median(whole)
    z = statistics.median(_time_zones(bundle, dataset) for _ in range(args.repeat))
    eb, learned = _time_methods(dataset)
    table = bundle.result.table
    lines = [
        f"hotspots on {len(dataset.months)} months, {len(table)} hotspots ({args.repeat} runs, median)",
        f"  library steps called directly        : {b:.2f} s",
        f"  vrc_geo find_hotspots + backtest     : {o:.2f} s  = {o / b:.2f}x direct",
        f"  of which the patrol zones            : {z:.2f} s  = {100 * z / o:.0f} % of the list",
        f"  whole command (warm cache, 3 runs)   : {c:.2f} s",
        f"  empirical-Bayes estimate (default)   : {eb:.2f} s",
        f"  learned forecast (--method learned)  : {learned:.2f} s  = {learned / eb:.0f}x the estimate it starts from",
    ]
    print("\n".join(lines))
    if args.write_docs:
        write_figures("bench-hotspots", lines, "python benchmarks/bench_hotspots.py --write-docs")


def _time_zones(bundle, dataset) -> float:
    result = bundle.result
    records = dataset.in_area
    records = records[records["crime_type"] != ASB]
    wards = dataset.wards.wards
    options = {k: result.parameters[k] for k in ("near_m", "k", "min_bandwidth_m", "permutations", "seed", "alpha")}
    start = time.perf_counter()
    describe_zones(
        result.places,
        records,
        types=FOOTPRINT_TYPES,
        violence_types=VIOLENCE_GROUP,
        ward_names=wards.set_index(wards["code"].astype(str))["name"],
        options={**options, "refine_permutations": result.parameters["refine_permutations"]},
    )
    return time.perf_counter() - start


def _time_methods(dataset) -> tuple[float, float]:
    crime = dataset.in_area[dataset.in_area["crime_type"] != ASB].dropna(subset=["x", "y"])
    violent = crime[crime["crime_type"].isin(VIOLENCE_GROUP)]
    index = {m: i for i, m in enumerate(dataset.months)}
    args = (violent["x"].to_numpy(), violent["y"].to_numpy(), violent["month"].astype(str).map(index).to_numpy())
    times = []
    for method in (MicroPlaceRates(), LearnedRates()):
        start = time.perf_counter()
        method.fit(*args, n_periods=len(dataset.months), context=crime)
        times.append(time.perf_counter() - start)
    return times[0], times[1]


if __name__ == "__main__":
    main()
