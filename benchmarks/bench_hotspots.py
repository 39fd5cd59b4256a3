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

Usage: python benchmarks/bench_hotspots.py [--repeat 5]
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
sys.path.insert(0, str(ROOT))

from vrc_geo.config import find_sources  # noqa: E402
from vrc_geo.dataset.aggregate import make_selection  # noqa: E402
from vrc_geo.dataset.store import load_police  # noqa: E402
from vrc_geo.hotspots.rank import VIOLENCE_GROUP  # noqa: E402
from vrc_geo.hotspots.service import hotspots_for  # noqa: E402


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
    table = bundle.result.table
    print(f"hotspots on {len(dataset.months)} months, {len(table)} hotspots ({args.repeat} runs, median)")
    print(f"  library steps called directly        : {b:.2f} s")
    print(f"  vrc_geo find_hotspots + backtest     : {o:.2f} s  = {o / b:.2f}x direct")
    print(f"  whole command (warm cache, 3 runs)   : {c:.2f} s")


if __name__ == "__main__":
    main()
