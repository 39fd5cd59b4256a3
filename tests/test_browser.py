"""The served app in a real browser: the map draws, no exception box, every page opens, bad uploads explain.

Screenshots are kept in ``artifacts/screenshots/`` as test artefacts.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from browser import CHROMIUM, EXCEPTION, MAP, ROOT, chromium, served_app

pytestmark = pytest.mark.browser
SHOTS = ROOT / "artifacts" / "screenshots"


def _need_browser() -> None:
    if not Path(CHROMIUM).exists():
        message = f"Debian's chromium is not installed at {CHROMIUM} (bash scripts/setup.sh --browser installs it)."
        if os.environ.get("VRC_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture(scope="module")
def page():
    _need_browser()
    SHOTS.mkdir(parents=True, exist_ok=True)
    with served_app() as url, chromium() as browser:
        tab = browser.new_page(viewport={"width": 1440, "height": 1000})
        tab.set_default_timeout(120_000)
        tab.base_url = url
        yield tab


def _clean(tab, name: str) -> None:
    tab.wait_for_timeout(1500)
    tab.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    assert tab.locator(EXCEPTION).count() == 0, f"exception box on {name}"
    assert tab.get_by_text("Traceback").count() == 0


def test_overview_draws_the_map(page):
    elsewhere = []  # with the basemap off, the page asks nothing of any other server (e.g. Carto's tiles)

    def note(request) -> None:
        if not request.url.startswith(("data:", "blob:", page.base_url)):
            elsewhere.append(request.url)

    page.on("request", note)
    page.goto(page.base_url)
    page.wait_for_selector(MAP)
    page.get_by_text("Violence and crime in Kent & Medway").wait_for()
    page.get_by_text("Records, Jan 2022 to Jan 2023").wait_for()
    _clean(page, "overview")
    page.remove_listener("request", note)
    assert elsewhere == []


@pytest.mark.parametrize(
    ("link", "heading", "has_map"),
    [
        ("Hotspots", "Violence hotspots", True),
        ("Health", "Police violence and hospital admissions for assault", False),
        ("What violence is", "What “violent crime” is made of", False),
        ("Trends", "Trends by district", False),
        ("Briefing", "One-page briefing", False),
        ("Data", "Data: sources, checks and uploads", False),
    ],
)
def test_click_through_the_pages(page, link, heading, has_map):
    page.goto(page.base_url)
    page.wait_for_selector(MAP)
    page.locator("[data-testid='stSidebarNav']").get_by_text(link, exact=True).click()
    page.get_by_role("heading", name=heading).wait_for()
    if has_map:
        page.wait_for_selector(MAP)
    _clean(page, link.lower())


def test_health_demo_shows_the_synthetic_banner(page):
    page.goto(f"{page.base_url}/health?h=demo")
    page.get_by_text("SYNTHETIC health data").first.wait_for()
    page.wait_for_selector(MAP)
    _clean(page, "health-demo")


def test_violence_profile_chart_draws(page):
    page.goto(f"{page.base_url}/violence")
    page.get_by_role("heading", name="How much of it involves injury, partnership by partnership").wait_for()
    page.locator("[data-testid='stVegaLiteChart'] canvas, [data-testid='stVegaLiteChart'] svg").first.wait_for()
    page.get_by_text("Dartford and Gravesham are one Community Safety Partnership").wait_for()
    _clean(page, "violence-profile")


def test_presentation_mode(page):
    page.goto(f"{page.base_url}/?present=1")
    page.wait_for_selector(MAP)
    page.get_by_text("Exit presentation mode").wait_for()
    assert not page.locator("[data-testid='stSidebar']").is_visible()
    _clean(page, "presentation")


def test_bad_upload_gets_a_clear_message(page, tmp_path):
    bad = tmp_path / "2022-01-kent-street.csv"
    bad.write_text("ward,count\nA,1\n")
    page.goto(f"{page.base_url}/data")
    page.get_by_role("heading", name="Data: sources, checks and uploads").wait_for()
    page.locator("[data-testid='stFileUploaderDropzoneInput']").first.set_input_files(str(bad))
    page.get_by_text("is not a police.uk street-level CSV").wait_for()
    _clean(page, "bad-upload")


def test_upload_with_bad_rows_lists_them(page, tmp_path):
    header = (
        "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,"
        "Crime type,Last outcome category,Context"
    )
    good = "a1,2022-01,Kent Police,Kent Police,0.5219,51.2727,On or near High Street,,,Drugs,,"
    swapped = "a2,2022-01,Kent Police,Kent Police,51.2727,0.5219,On or near High Street,,,Drugs,,"
    path = tmp_path / "2022-01-kent-street.csv"
    path.write_text("\n".join([header, good, swapped, "a3,2022-01,truncated"]) + "\n")
    page.goto(f"{page.base_url}/data")
    page.get_by_role("heading", name="Data: sources, checks and uploads").wait_for()
    page.locator("[data-testid='stFileUploaderDropzoneInput']").first.set_input_files(str(path))
    page.get_by_text("3 rows read, 1 usable, 2 refused").wait_for()
    page.get_by_text("Refused rows, by reason").wait_for()
    _clean(page, "upload-report")


def test_a_download_is_made_when_clicked(page, sample_dir, tmp_path):
    """Download buttons hand the browser the file only when clicked (made then, on the server); the file is
    the one the command line writes for the same view."""
    import subprocess
    import sys

    page.goto(page.base_url + "/hotspots")
    page.get_by_text("Violence hotspots").first.wait_for()
    button = page.get_by_role("button", name="Download CSV").first
    button.wait_for()
    with page.expect_download() as caught:
        button.click()
    got = tmp_path / caught.value.suggested_filename
    caught.value.save_as(got)
    assert got.name.startswith("hotspots_kent-medway_2022-01_2023-01") and got.suffix == ".csv"
    out = tmp_path / "cli.csv"
    cmd = [sys.executable, "-m", "vrc_geo", "--quiet", "hotspots", "--top", "30", "--out", str(out)]
    subprocess.run([*cmd, "--data-dir", str(sample_dir)], check=True, cwd=ROOT)
    assert got.read_bytes() == out.read_bytes()
    _clean(page, "hotspots-download")
