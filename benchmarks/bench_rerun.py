"""Rerun benchmark: what one rerun and one new session cost the server, with nobody else on it.

``bench_load.py`` measures a room, where reruns queue behind each other and the figures swing with the
machine's hour. This measures the server's own cost per rerun, which sets how long that queue is: one
session on a fresh ``python -m ui.serve`` server reruns a page unchanged (``--reruns`` times, after five
to warm up) over Streamlit's websocket, and the median is taken; then waves of ten new sessions open the
Overview at once, and the slowest of each wave is taken (the first wave apart: a fresh server's first
visitors).

Usage: python benchmarks/bench_rerun.py [--reruns 100] [--waves 4] [--write-docs]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from browser import served_app  # noqa: E402
from docs_blocks import write_figures  # noqa: E402
from streamlit_client import Session  # noqa: E402

from vrc_geo.config import find_sources  # noqa: E402
from vrc_geo.dataset.store import load_police  # noqa: E402

PAGES = {"Overview": "", "Hotspots": "hotspots"}
WAVE = 10


async def rerun_times(url: str, page: str, reruns: int) -> list[float]:
    """Seconds of each unchanged rerun of ``page`` by one session (after five to warm up)."""
    async with Session(url, page) as session:
        await session.run()
        for _ in range(5):
            await session.run()
        return [await session.run() for _ in range(reruns)]


async def wave(url: str) -> float:
    """Seconds until the last of ``WAVE`` sessions opening the Overview at once has its page."""
    began = time.perf_counter()

    async def one() -> None:
        async with Session(url, "") as session:
            await session.run()

    await asyncio.gather(*(one() for _ in range(WAVE)))
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reruns", type=int, default=100)
    parser.add_argument("--waves", type=int, default=4, help="waves of new sessions after the first")
    parser.add_argument("--write-docs", action="store_true", help="write the figures into benchmarks/README.md")
    args = parser.parse_args()
    load_police(find_sources())  # processed tables cached, as on a server that has run before
    with served_app() as url:
        first = asyncio.run(wave(url))
        later = [asyncio.run(wave(url)) for _ in range(args.waves)]
        reruns = {name: asyncio.run(rerun_times(url, page, args.reruns)) for name, page in PAGES.items()}
    lines = [f"one session alone on a fresh server, {args.reruns} unchanged reruns each (median, fastest)"]
    for name, times in reruns.items():
        lines.append(f"   {name:<10} {1000 * statistics.median(times):6.1f} ms   {1000 * min(times):6.1f} ms")
    lines.append(
        f"{WAVE} new sessions opening the Overview at once: first wave {first:.2f} s; "
        f"then {', '.join(f'{s:.2f}' for s in later)} s"
    )
    print("\n".join(lines))
    if args.write_docs:
        write_figures("bench-rerun", lines, "python benchmarks/bench_rerun.py --write-docs")


if __name__ == "__main__":
    main()
