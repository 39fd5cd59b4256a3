"""App benchmark: time to first map in a real browser, a filter change, and the Hotspots page.

Starts the app headless as deployed (``python -m ui.serve``: processed tables already cached, as on a
server that has run before; the server works out the opening views before it lets anyone in), opens it
in Debian's headless Chromium and measures, as a user sees it:

* first map: from navigation to the deck.gl canvas drawn with its legend;
* rerun after a filter change: choosing a district in the sidebar, until the new figures are on screen;
* the Hotspots page: clicking its link (with that district chosen) until its map and backtest are shown;
* the page's own content: until the text written after the map is on screen (what the server sent), so
  the map component's start-up is told apart from the server's work.

This machine has no graphics card, so WebGL is drawn in software, and each step is measured in two
Chromiums: with ``--disable-gpu`` (the browser tests' flags) and with Chromium's own software WebGL,
SwiftShader (``--use-angle=swiftshader --enable-unsafe-swiftshader``), which draws deck.gl faster here. A
person's laptop draws with its graphics card, faster than either.

``--data-dir DIR`` serves another data folder (e.g. the ten years ``bench_scale.py --folder DIR`` builds),
its figures written to their own block.

Usage: python benchmarks/bench_app.py [--repeat 5] [--data-dir DIR] [--write-docs]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from browser import CHROMIUM, EXCEPTION, FLAGS, MAP, served_app  # noqa: E402
from docs_blocks import write_figures  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from vrc_geo.config import find_sources  # noqa: E402
from vrc_geo.dataset.store import load_police  # noqa: E402

RENDERERS = {
    "--disable-gpu": FLAGS,
    "SwiftShader": [f for f in FLAGS if f != "--disable-gpu"]
    + ["--use-angle=swiftshader", "--enable-unsafe-swiftshader", "--ignore-gpu-blocklist"],
}
DISTRICTS = [
    "Thanet",
    "Dover",
    "Swale",
    "Ashford",
    "Medway",
    "Dartford",
    "Canterbury",
    "Maidstone",
    "Gravesham",
    "Sevenoaks",
]


def visit(browser, url: str, district: str) -> tuple[float, float, float, float]:
    """(page content, first map, filter change, Hotspots page) seconds for one person's visit."""
    page = browser.new_page(viewport={"width": 1440, "height": 1000})
    page.set_default_timeout(600_000)
    start = time.perf_counter()
    page.goto(url)
    page.get_by_text("Ward detail").first.wait_for()  # written after the map: the page is all there
    content = time.perf_counter() - start
    page.wait_for_selector(MAP)
    page.get_by_text("Records — ").wait_for()
    first = time.perf_counter() - start
    field = page.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect'] input").first
    field.click()
    field.fill(district)
    start = time.perf_counter()
    field.press("Enter")
    page.get_by_text(f"{district} · Violence and sexual offences").wait_for()
    page.wait_for_selector(MAP)
    rerun = time.perf_counter() - start
    start = time.perf_counter()
    page.locator("[data-testid='stSidebarNav']").get_by_text("Hotspots", exact=True).click()
    page.get_by_text("How good are these hotspots?").wait_for()
    page.wait_for_selector(MAP)
    hotspots = time.perf_counter() - start
    if page.locator(EXCEPTION).count():
        raise RuntimeError(f"exception box on the Hotspots page ({district})")
    page.close()
    return content, first, rerun, hotspots


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--data-dir", help="serve this data folder (its own figures block)")
    parser.add_argument("--write-docs", action="store_true", help="write the figures into benchmarks/README.md")
    args = parser.parse_args()
    env = {"VRC_GEO_DATA_DIR": str(Path(args.data_dir).resolve())} if args.data_dir else {}
    if args.data_dir and not os.environ.get("VRC_GEO_CACHE_DIR"):
        env["VRC_GEO_CACHE_DIR"] = str(Path(args.data_dir).resolve() / "cache")
    os.environ.update(env)
    dataset = load_police(find_sources())  # make sure the processed tables are cached, as after a first run
    (ROOT / "artifacts").mkdir(exist_ok=True)
    rows = {}
    started = time.perf_counter()
    with served_app(env=env, timeout_s=1800) as url:
        ready = time.perf_counter() - started
        with sync_playwright() as p:
            for r, (name, flags) in enumerate(RENDERERS.items()):
                browser = p.chromium.launch(executable_path=CHROMIUM, args=flags)
                # each visit a district not chosen before (none of its hotspots already worked out)
                chosen = [DISTRICTS[(r * args.repeat + i) % len(DISTRICTS)] for i in range(args.repeat)]
                try:
                    runs = [visit(browser, url, district) for district in chosen]
                finally:
                    browser.close()
                rows[name] = [statistics.median(column) for column in zip(*runs, strict=True)]
    lines = [
        f"app in headless Chromium, 1440x1000, {len(dataset.months)} months of data ({len(dataset.records):,} rows); "
        f"server ready (data loaded, opening views worked out) {ready:.1f} s after it was started; "
        f"{args.repeat} visits per browser, medians",
        "   browser WebGL     page content   first map   filter change   Hotspots page (that district)",
    ]
    for name, (content, first, rerun, hotspots) in rows.items():
        lines.append(f"   {name:<16}{content:>9.2f} s{first:>10.2f} s{rerun:>13.2f} s{hotspots:>14.2f} s")
    lines.append("   (target: first map < 3 s)")
    print("\n".join(lines))
    if args.write_docs:
        flags = f" --data-dir {args.data_dir}" if args.data_dir else ""
        block = "bench-app-data" if args.data_dir else "bench-app"
        write_figures(block, lines, f"python benchmarks/bench_app.py{flags} --write-docs")


if __name__ == "__main__":
    main()
