"""Load benchmark: N people using one server at once, each changing filters, over Streamlit's websocket.

Serves ``app.py`` (processed tables cached, as on a server that has run before) and, for N = 1, 5, 10, 20,
opens N sessions at once over the websocket the browser uses (``/_stcore/stream``, protobuf messages),
each first opening the Overview and then making ``--changes`` filter changes as a person would with the
sidebar: another period on the Months slider, one or two districts, another map measure. The Hotspots
page is opened by one session in five. Each change is timed from the message that sends it to the
server's "script finished"; an exception box or a run that does not finish counts as an error.

Reports p50 and p95 of rerun time, errors and the server's peak resident memory (``VmHWM``, with its
hotspot processes: ``ui.hotspot_process``), measured per N on a freshly started server; and, under the
table, how long the N pages took to open (the same timing, for each person's first run).

With ``--processes 2`` the same people are spread over two servers, each person kept on one (what nginx
does with sticky sessions, docs/deploy.md); the peak is the servers' sum.

Usage: python benchmarks/bench_load.py [--sessions 1 5 10 20] [--changes 4] [--seed 0] [--processes 1]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
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
from streamlit_client import MEASURES, WIDGETS, Session  # noqa: E402

from ui import hotspot_process  # noqa: E402
from vrc_geo.config import find_sources  # noqa: E402
from vrc_geo.dataset.store import load_police  # noqa: E402
from vrc_geo.reference.area import DISTRICTS  # noqa: E402


async def person(
    url: str, page: str, changes: int, rng: random.Random, times: list[float], errors: list[str], opens: list[float]
) -> None:
    try:
        async with Session(url, page) as s:
            opens.append(await s.run())  # opening the page
            names = list(DISTRICTS.values())
            for _ in range(changes):
                label = rng.choice([w for w in WIDGETS if w in s.ids])
                if label == "Months":
                    a, b = sorted(rng.sample(range(len(s.months)), 2))
                    value: object = [s.months[a], s.months[b]]
                elif label.startswith("Districts"):
                    value = rng.sample(names, rng.choice([0, 1, 1, 2]))
                else:
                    value = rng.choice(MEASURES)
                times.append(await s.run({label: value}))
            errors.extend(s.errors)
    except Exception as exc:  # a dropped or refused session is an error, not a crash of the benchmark
        errors.append(f"{type(exc).__name__}: {exc}")


def peak_rss_mb(pid: int) -> float:
    """Peak resident memory of a server with its hotspot processes (``VmHWM`` of each, summed: an upper
    bound, as pages the workers share with the process they were forked from count once per process)."""
    total = 0.0
    for proc in (pid, *_descendants(pid)):
        with contextlib.suppress(FileNotFoundError, ProcessLookupError):  # a process that just left
            for line in Path(f"/proc/{proc}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1]) / 1024
    return total


def _descendants(pid: int) -> list[int]:
    try:
        tasks = list(Path(f"/proc/{pid}/task").iterdir())
    except (FileNotFoundError, ProcessLookupError):  # the process left meanwhile
        return []
    found = []
    for task in tasks:
        try:
            children = (task / "children").read_text().split()
        except (FileNotFoundError, ProcessLookupError):  # a thread that ended between the two reads
            continue
        for child in children:
            found += [int(child), *_descendants(int(child))]
    return found


async def load(urls: list[str], n: int, changes: int, seed: int) -> tuple[list[float], list[str], float, list[float]]:
    """N people at once; person i on server ``i % len(urls)`` (sticky sessions behind a balancer). Returns
    the changes' times, the errors, the wall time and the times the pages took to open."""
    times: list[float] = []
    errors: list[str] = []
    opens: list[float] = []
    rngs = [random.Random(seed * 1000 + i) for i in range(n)]
    pages = ["hotspots" if i % 5 == 4 else "" for i in range(n)]
    start = time.perf_counter()
    people = (person(urls[i % len(urls)], pages[i], changes, rngs[i], times, errors, opens) for i in range(n))
    await asyncio.gather(*people)
    return times, errors, time.perf_counter() - start, opens


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, nargs="+", default=[1, 5, 10, 20])
    parser.add_argument("--changes", type=int, default=4)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--processes", type=int, default=1, help="servers, each person kept on one (sticky sessions); peak: their sum"
    )
    parser.add_argument("--write-docs", action="store_true", help="write the table into benchmarks/README.md")
    args = parser.parse_args()
    load_police(find_sources())  # processed tables cached, as on a server that has run before
    lines = [
        f"load: N sessions at once, each opens a page then makes {args.changes} filter changes (websocket), "
        f"{args.processes} fresh `python -m ui.serve` server{'s' if args.processes > 1 else ''} per N"
        + (" (each person kept on one: sticky sessions)" if args.processes > 1 else "")
        + f", {hotspot_process.wanted_processes()} hotspot processes per server",
        "   N   changes   p50 s   p95 s   max s   errors   wall s   server peak MB",
    ]
    print("\n".join(lines))
    opened = []
    for n in args.sessions:
        with contextlib.ExitStack() as stack:
            urls = [stack.enter_context(served_app()) for _ in range(args.processes)]
            times, errors, wall, opens = asyncio.run(load(urls, n, args.changes, args.seed))
            peak = sum(peak_rss_mb(url.pid) for url in urls)
        p50 = statistics.median(times) if times else float("nan")
        p95 = statistics.quantiles(times, n=20, method="inclusive")[-1] if len(times) >= 2 else float("nan")
        worst = max(times) if times else float("nan")
        cells = f"{n:4d}   {len(times):7d}   {p50:5.2f}   {p95:5.2f}   {worst:5.2f}   {len(errors):6d}"
        lines.append(f"{cells}   {wall:6.1f}   {peak:8.0f}")
        print(lines[-1])
        for e in errors[:3]:
            print(f"        error: {e}")
        if opens:
            opened.append(f"N={n}: p50 {statistics.median(opens):.2f} s, slowest {max(opens):.2f} s")
    lines.append(f"   the page opening, everyone at once on the fresh server: {'; '.join(opened)}")
    print(lines[-1])
    if args.write_docs:
        flags = f" --sessions {' '.join(map(str, args.sessions))} --changes {args.changes}"
        flags += "" if args.processes == 1 else f" --processes {args.processes}"
        name = "bench-load" if args.processes == 1 else f"bench-load-{args.processes}"
        write_figures(name, lines, f"python benchmarks/bench_load.py{flags} --write-docs")


if __name__ == "__main__":
    main()
