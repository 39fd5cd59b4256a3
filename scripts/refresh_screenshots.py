"""Copy the browser test's screenshots into the README's (docs/screenshots/, JPEG, 1600 px wide).

Run after ``pytest tests/test_browser_demo.py`` (which writes artifacts/screenshots/).
Usage: python scripts/refresh_screenshots.py
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "artifacts" / "screenshots"
OUT = ROOT / "docs" / "screenshots"
#: README name <- screenshot of the browser test.
CHOSEN = {
    "overview.jpg": "overview_normal_1920.png",
    "ward-selected.jpg": "ward-clicked_1920.png",
    "hotspots.jpg": "hotspots_normal_1920.png",
    "health-demo.jpg": "health_normal_1920.png",
    "presentation.jpg": "overview_presentation_1920.png",
    "presentation-laptop.jpg": "hotspots_presentation_1366.png",
    "trends.jpg": "trends_normal_1920.png",
    "briefing.jpg": "briefing_normal_1920.png",
    "data.jpg": "data_normal_1920.png",
}


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, source in CHOSEN.items():
        image = Image.open(SHOTS / source).convert("RGB")
        if image.width > 1600:
            image = image.resize((1600, round(image.height * 1600 / image.width)), Image.LANCZOS)
        image.save(OUT / name, quality=82, optimize=True)
        print(f"{OUT / name} <- {source}")


if __name__ == "__main__":
    main()
