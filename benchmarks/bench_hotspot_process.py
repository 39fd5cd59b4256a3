"""Hotspot processes benchmark: a new selection on the Hotspots page worked out by the server's hotspot
processes (``ui.hotspot_process``: the places and the backtest at once, then the list and the zones at
once, one per process) against the same selection worked out in the server's own process, as before and
as with ``VRC_GEO_HOTSPOT_PROCESSES=0``.

Both in this process, on the same cached data, one selection at a time (a presenter changing the period
or the districts with no one else using the server); each selection is new to both (the statistics the
selections share were built first in both by one warm-up selection). Under load, see ``bench_load.py``.

Usage: python benchmarks/bench_hotspot_process.py [--write-docs]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

from docs_blocks import write_figures  # noqa: E402

from ui import hotspot_process  # noqa: E402
from vrc_geo.config import find_sources  # noqa: E402
from vrc_geo.dataset.aggregate import Selection  # noqa: E402
from vrc_geo.dataset.store import load_police  # noqa: E402
from vrc_geo.reference.area import DISTRICTS  # noqa: E402

WARM = Selection("2022-02", "2023-01", None, None)
SELECTIONS = [
    Selection("2022-05", "2022-12", None, None),
    Selection("2022-03", "2022-11", None, None),
    Selection("2022-02", "2022-09", None, None),
    Selection("2022-04", "2023-01", ("E07000110",), None),
    Selection("2022-01", "2022-10", ("E07000112", "E07000107"), None),
    Selection("2022-06", "2023-01", ("E06000035",), None),
]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write-docs", action="store_true", help="write the figures into benchmarks/README.md")
    args = parser.parse_args()
    dataset = load_police(find_sources())
    workers = hotspot_process.start({"data_dir": None, "crimes": None, "boundaries": None}, processes=2)
    if workers != 2 or hotspot_process.compute(dataset, WARM, {}, None) is None:
        sys.exit("the hotspot processes did not start")
    hotspot_process.hotspots_here(dataset, WARM, {}, None)
    rows = []
    for selection in SELECTIONS:
        start = time.perf_counter()
        hotspot_process.compute(dataset, selection, {}, None)
        there = time.perf_counter() - start
        start = time.perf_counter()
        hotspot_process.hotspots_here(dataset, selection, {}, None)
        rows.append((selection, there, time.perf_counter() - start))
    hotspot_process.stop()
    lines = [
        f"a new Hotspots selection, {len(dataset.months)} months of data: two hotspot processes (places and backtest, "
        "then list and zones, at once) vs the server's own process",
        "   selection                                          processes   server's process   ratio",
    ]
    for selection, there, here in rows:
        where = ", ".join(DISTRICTS[c] for c in selection.districts) if selection.districts else "Kent and Medway"
        label = f"{where}, {selection.start} to {selection.end}"
        lines.append(f"   {label:<50} {there:>7.2f} s {here:>14.2f} s {there / here:>9.2f}x")
    ratios = [there / here for _, there, here in rows]
    lines.append(f"   median ratio {statistics.median(ratios):.2f}x")
    print("\n".join(lines))
    if args.write_docs:
        write_figures("bench-hotspot-process", lines, "python benchmarks/bench_hotspot_process.py --write-docs")


if __name__ == "__main__":
    main()
