"""Ten years of data: cold and warm ward export, ``hotspots``, one added month — time and peak memory.

The script builds the ten years itself: the sample's months on police.uk's current snap-point map
(2022-07 to 2023-01) repeated under new month labels, ``--months`` of them (120: about 2 million rows),
as ``police_uk/YYYY-MM/YYYY-MM-kent-street.csv`` in a scratch folder, with the sample's boundaries and
reference tables. Every step runs as its own process (``/usr/bin/time -v`` reads its peak resident
memory), against the notebook an analyst would write (pandas.read_csv of every month, geopandas.sjoin
within the wards, groupby-count: :data:`bench_ingest.BASELINE`), on the same files, the same hour:

* cold export — ``export-wards`` with an empty cache (read, check, place, reconcile, cache, count);
* warm export — the same again, tables cached;
* ``hotspots --no-backtest`` on the cached tables (the whole ranked list of ten years);
* one added month — a 121st month dropped into the folder, then ``export-wards``: only the new month is
  read and placed (the months already processed are reused from the store, :mod:`vrc_geo.dataset.parts`);
  reported against the cold build, and as its cost over the warm export (what the export itself costs
  whatever the store holds);
* the store alone — the processed store (``load_police`` and its ward-month counts) brought up to date
  after the added month, and the same store built from nothing, each timed inside its own process once
  the libraries are imported: what adding a month costs, without the start-up and CSV writing every
  command pays.

The notebook, the cold and warm exports and the added month run ``--repeat`` times (3) each (the store
of the ten years restored before each added month), and the run with the median time is shown (this
machine's timings vary by a fifth from run to run).

Usage: python benchmarks/bench_scale.py [--months 120] [--repeat 3] [--folder DIR] [--write-docs]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "scripts"), str(ROOT / "benchmarks")]

from bench_ingest import BASELINE  # noqa: E402
from docs_blocks import replace_block  # noqa: E402

SAMPLE = ROOT.parent / "shared" / "data" / "kent"
SOURCE_MONTHS = ("2022-07", "2022-08", "2022-09", "2022-10", "2022-11", "2022-12", "2023-01")


def month_labels(n: int, last: str = "2022-12") -> list[str]:
    """``n`` consecutive months ending at ``last``."""
    year, month = (int(v) for v in last.split("-"))
    out = []
    for _ in range(n):
        out.append(f"{year:04d}-{month:02d}")
        month -= 1
        if month == 0:
            year, month = year - 1, 12
    return out[::-1]


def build(folder: Path, months: list[str], *, first: int = 0) -> int:
    """The scratch data folder: each month a copy of a sample month with its labels changed; returns rows.

    ``first`` is the index of ``months[0]`` among all the months built, so that every copy's Crime IDs differ.
    """
    rows = 0
    for i, label in enumerate(months, start=first):
        source = SAMPLE / "police_uk" / SOURCE_MONTHS[i % len(SOURCE_MONTHS)]
        text = next(source.glob("*-street.csv")).read_text(encoding="utf-8")
        # police.uk identifies a record by its Crime ID: each copy gets its own (the month's index
        # written over the first eight hex digits), or the loader would rightly drop them as repeats.
        text = re.sub(r"(?m)^(?:[0-9a-f]{8})([0-9a-f]{56}),\d{4}-\d{2},", rf"{i:08x}\g<1>,{label},", text)
        text = re.sub(r"(?m)^,\d{4}-\d{2},", f",{label},", text)
        target = folder / "police_uk" / label / f"{label}-kent-street.csv"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        rows += text.count("\n") - 1
    return rows


def measure(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, peak resident MB) of a command run as its own process."""
    start = time.perf_counter()
    done = subprocess.run(
        ["/usr/bin/time", "-v", *cmd], env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:6])} failed:\n{done.stderr[-2000:]}")
    peak_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr).group(1))
    return wall, peak_kb / 1024


STORE = """
import sys, time
import geopandas, pyarrow.feather, pyarrow.parquet, pyproj, shapely  # the libraries, before the clock
from vrc_geo.config import find_sources
from vrc_geo.dataset.store import load_police
start = time.perf_counter()
dataset = load_police(find_sources(data_dir=sys.argv[1]))
dataset.ward_month_counts
print(time.perf_counter() - start)
"""


def measure_inside(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(seconds the command reports on its last line of output, peak resident MB) of its own process."""
    done = subprocess.run(["/usr/bin/time", "-v", *cmd], env=env, cwd=ROOT, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:6])} failed:\n{done.stderr[-2000:]}")
    peak_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr).group(1))
    return float(done.stdout.strip().splitlines()[-1]), peak_kb / 1024


def _median(runs: list[tuple[float, float]]) -> tuple[float, float]:
    """The run with the median wall time (its own peak memory), so one noisy run does not decide."""
    return sorted(runs)[len(runs) // 2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--months", type=int, default=120)
    parser.add_argument("--repeat", type=int, default=3, help="runs of the notebook and the cold export (median)")
    parser.add_argument("--folder", help="build (or reuse) the ten years here instead of a scratch folder")
    parser.add_argument("--write-docs", action="store_true", help="write the table into benchmarks/README.md")
    args = parser.parse_args()
    scratch = Path(args.folder) if args.folder else Path(tempfile.mkdtemp(prefix="vrc_scale_"))
    try:
        months = month_labels(args.months + 1)
        shutil.rmtree(scratch / "police_uk" / months[-1], ignore_errors=True)  # a month added by a run before
        if not (scratch / "police_uk" / months[-2]).is_dir():
            rows = build(scratch, months[:-1])
        else:
            rows = sum(p.read_text().count("\n") - 1 for p in (scratch / "police_uk").rglob("*-street.csv"))
        shutil.copytree(SAMPLE / "boundaries", scratch / "boundaries", dirs_exist_ok=True)
        cache = scratch / "cache"
        shutil.rmtree(cache, ignore_errors=True)
        env = {**os.environ, "VRC_GEO_CACHE_DIR": str(cache)}
        py = sys.executable
        out = scratch / "wards.csv"
        ours = [py, "-m", "vrc_geo", "--quiet", "export-wards", "--out", str(out), "--data-dir", str(scratch)]
        notebook = [py, "-c", BASELINE, str(scratch), str(scratch / "baseline.csv")]
        hotspots = [py, "-m", "vrc_geo", "--quiet", "hotspots", "--no-backtest", "--data-dir", str(scratch)]
        hotspots += ["--out", str(scratch / "hotspots.csv")]
        results = {"notebook": _median([measure(notebook, env) for _ in range(args.repeat)])}
        colds = []
        for _ in range(args.repeat):
            shutil.rmtree(cache, ignore_errors=True)
            colds.append(measure(ours, env))
        results["cold export"] = _median(colds)
        results["warm export"] = _median([measure(ours, env) for _ in range(args.repeat)])
        results["hotspots --no-backtest"] = measure(hotspots, env)
        kept = scratch / "cache-before"  # the store of the ten years, restored before each added month
        shutil.rmtree(kept, ignore_errors=True)
        shutil.copytree(cache, kept)
        build(scratch, [months[-1]], first=len(months) - 1)
        added = []
        for _ in range(args.repeat):
            shutil.rmtree(cache, ignore_errors=True)
            shutil.copytree(kept, cache)
            added.append(measure(ours, env))
        results["one month added, export"] = _median(added)
        store = [py, "-c", STORE, str(scratch)]
        updates = []
        for _ in range(args.repeat):
            shutil.rmtree(cache, ignore_errors=True)
            shutil.copytree(kept, cache)
            updates.append(measure_inside(store, env))
        shutil.rmtree(kept, ignore_errors=True)
        stores = []  # the same store (all the months, the added one too) built from nothing
        for _ in range(args.repeat):
            shutil.rmtree(cache, ignore_errors=True)
            stores.append(measure_inside(store, env))
        results["store alone, cold build"] = _median(stores)
        results["store alone, one month added"] = _median(updates)
    finally:
        if not args.folder:
            shutil.rmtree(scratch, ignore_errors=True)
    base_wall = results["notebook"][0]
    cold_wall = results["cold export"][0]
    lines = [
        f"{args.months} months ({rows:,} rows), each step its own process (all but hotspots: the median of "
        f"{args.repeat} runs):",
        "",
    ]
    lines.append("| step | wall s | peak MB | against |")
    lines.append("|---|---|---|---|")
    for name, (wall, peak) in results.items():
        against = ""
        if name == "cold export":
            against = f"{wall / base_wall:.2f}x the notebook (target ≤ 1.0x; peak target ≤ 1,000 MB)"
        elif name == "warm export":
            against = f"{wall / base_wall:.2f}x the notebook"
        elif name.startswith("hotspots"):
            against = "peak target ≤ 1,500 MB"
        elif name.startswith("one month"):
            extra = wall - results["warm export"][0]
            against = (
                f"{100 * wall / cold_wall:.0f} % of the cold build (target ≤ 10 %); over the warm export it "
                f"costs {extra:.1f} s = {100 * extra / cold_wall:.0f} % of the cold build"
            )
        elif name == "store alone, cold build":
            against = "timed inside its process, after the imports"
        elif name == "store alone, one month added":
            store_cold = results["store alone, cold build"][0]
            against = f"{100 * wall / store_cold:.0f} % of the store's cold build (target ≤ 10 %)"
        lines.append(f"| {name} | {wall:.1f} | {peak:,.0f} | {against} |")
    text = "\n".join(lines)
    print(text)
    if args.write_docs:
        body = text + "\n\n(`python benchmarks/bench_scale.py --write-docs`)"
        replace_block(ROOT / "benchmarks" / "README.md", "figures", "bench-scale", body)


if __name__ == "__main__":
    main()
