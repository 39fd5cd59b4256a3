"""App benchmark: time to first map in a real browser, and the warm re-render after a filter change.

Starts the app headless as deployed (``python -m ui.serve``; processed tables already cached, as on a
server that has run before), opens it in Debian's headless Chromium and measures, as a user sees it:

* first map: from navigation to the deck.gl canvas drawn with its legend (includes loading the data
  into the fresh server process once);
* warm rerun: after choosing another district (a filter change), until the new figures are on screen;
* the page's own content: until the text written after the map is on screen (what the server sent), so
  the map component's start-up is told apart from the server's work.

Usage: python benchmarks/bench_app.py [--repeat 5] [--write-docs]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from browser import MAP, chromium, served_app  # noqa: E402
from docs_blocks import replace_block  # noqa: E402

from vrc_geo.config import find_sources  # noqa: E402
from vrc_geo.dataset.store import load_police  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--write-docs", action="store_true", help="write the figures into benchmarks/README.md")
    args = parser.parse_args()
    load_police(find_sources())  # make sure the processed tables are cached, as after a first run
    (ROOT / "artifacts").mkdir(exist_ok=True)
    firsts, reruns, contents = [], [], []
    with served_app() as url, chromium() as browser:
        for i in range(args.repeat):
            page = browser.new_page(viewport={"width": 1440, "height": 1000})
            page.set_default_timeout(180_000)
            start = time.perf_counter()
            page.goto(url)
            page.get_by_text("Ward detail").first.wait_for()  # written after the map: the page is all there
            contents.append(time.perf_counter() - start)
            page.wait_for_selector(MAP)
            page.get_by_text("Records — ").wait_for()
            firsts.append(time.perf_counter() - start)
            districts = ["Thanet", "Dover", "Swale", "Ashford", "Medway", "Dartford"]
            district = districts[i % len(districts)]
            field = page.locator("[data-testid='stSidebar'] [data-testid='stMultiSelect'] input").first
            field.click()
            field.fill(district)
            start = time.perf_counter()
            field.press("Enter")
            page.get_by_text(f"{district} · Violence and sexual offences").wait_for()
            page.wait_for_selector(MAP)
            reruns.append(time.perf_counter() - start)
            page.close()
    lines = [
        f"app in headless Chromium, 1440x1000 ({args.repeat} runs, median; the first run includes the server's "
        "data load)",
        f"  time to first map           : {statistics.median(firsts):.2f} s (first visit {firsts[0]:.2f} s; "
        "target < 3 s)",
        f"  rerun after a filter change : {statistics.median(reruns):.2f} s",
        f"  of the first map, the page's own content (figures, legend, the text after the map) was on screen "
        f"after {statistics.median(contents):.2f} s; the rest is the map component (Streamlit's deck.gl) "
        "starting and drawing in software-rendered Chromium",
    ]
    print("\n".join(lines))
    if args.write_docs:
        body = "```\n" + "\n".join(lines) + "\n```\n\n(`python benchmarks/bench_app.py --write-docs`)"
        replace_block(ROOT / "benchmarks" / "README.md", "figures", "bench-app", body)


if __name__ == "__main__":
    main()
