"""Ingest benchmark: whole-process time of ``export-wards``, cold and warm, against a plain pipeline.

The baseline is what an analyst would write in a notebook: pandas.read_csv on every month,
geopandas.sjoin(predicate="within") against the ward polygons, groupby-count, to_csv. It does less
than we do (no validation, no reconciliation, no LSOA fallback, no coast rule, no cache) and is run
in the same environment, on the same files, as a separate Python process each time, like ours.

Usage: python benchmarks/bench_ingest.py [--data-dir ../shared/data/kent] [--repeat 5] [--write-docs]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

from docs_blocks import write_figures  # noqa: E402

BASELINE = r"""
import glob, sys
from pathlib import Path
import pandas as pd, geopandas as gpd
root, out = sys.argv[1], sys.argv[2]
crimes = pd.concat([pd.read_csv(f) for f in sorted(glob.glob(f"{root}/police_uk/*/*-street.csv"))],
                   ignore_index=True)
crimes = crimes.dropna(subset=["Longitude", "Latitude"])
points = gpd.GeoDataFrame(crimes, geometry=gpd.points_from_xy(crimes.Longitude, crimes.Latitude),
                          crs="EPSG:4326").to_crs("EPSG:27700")
wards = pd.concat([gpd.read_file(f).assign(district_code=Path(f).stem)
                   for f in sorted(glob.glob(f"{root}/boundaries/wards_2013/*.json"))]).to_crs("EPSG:27700")
joined = gpd.sjoin(points, wards[["WD13CD", "WD13NM", "district_code", "geometry"]], predicate="within")
counts = (joined.groupby(["WD13CD", "WD13NM", "district_code", "Month", "Crime type"]).size()
          .rename("count").reset_index())
counts.to_csv(out, index=False)
"""


def _time(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, env=env, cwd=ROOT, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=str(ROOT.parent / "shared" / "data" / "kent"))
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--write-docs", action="store_true", help="write the figures into benchmarks/README.md")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "VRC_GEO_CACHE_DIR": str(Path(tmp) / "cache")}
        out = str(Path(tmp) / "wards.csv")
        ours = [
            sys.executable,
            "-m",
            "vrc_geo",
            "--quiet",
            "export-wards",
            "--out",
            out,
            "--data-dir",
            args.data_dir,
        ]
        base = [sys.executable, "-c", BASELINE, args.data_dir, str(Path(tmp) / "base.csv")]
        _time(base, env)  # warm the OS file cache for everyone
        runs: dict[str, list[float]] = {"baseline": [], "cold": [], "warm": []}
        for _ in range(args.repeat):
            runs["baseline"].append(_time(base, env))
            runs["cold"].append(_time([*ours, "--no-cache"], env))
            runs["warm"].append(_time(ours, env))
    med = {k: statistics.median(v) for k, v in runs.items()}
    lines = [
        f"export-wards on {Path(args.data_dir).name} ({args.repeat} runs each, median wall time, each its own process)",
        f"  baseline pandas + geopandas.sjoin : {med['baseline']:.2f} s",
        f"  vrc_geo cold (--no-cache)         : {med['cold']:.2f} s  = "
        f"{med['cold'] / med['baseline']:.2f}x baseline (target <= 1.5x)",
        f"  vrc_geo warm (cached tables)      : {med['warm']:.2f} s  = "
        f"{med['warm'] / med['baseline']:.2f}x baseline (target <= 0.6x, goal 0.4x)",
    ]
    print("\n".join(lines))
    if args.write_docs:
        write_figures("bench-ingest", lines, "python benchmarks/bench_ingest.py --write-docs")


if __name__ == "__main__":
    main()
