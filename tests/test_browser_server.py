"""Tests that start their own server (fresh, with sign-in, or to end a session): kept apart from the
shared served app of ``test_browser.py`` (one Playwright at a time)."""

from __future__ import annotations

import time

import pytest
from browser import EXCEPTION, chromium, served_app
from test_browser import SHOTS, _clean, _need_browser

pytestmark = pytest.mark.browser


def test_upload_folder_goes_when_the_session_ends(tmp_path):
    """An upload lives in its session's private folder, which is removed when the session ends."""
    from ui.uploads import UPLOAD_ROOT

    _need_browser()
    path = tmp_path / "2022-01-kent-street.csv"
    path.write_text("Crime ID,Month\n")
    with served_app() as url, chromium() as browser:
        context = browser.new_context(viewport={"width": 1366, "height": 768})
        tab = context.new_page()
        tab.set_default_timeout(120_000)
        tab.goto(f"{url}/data")
        tab.get_by_role("heading", name="Data: sources, checks and uploads").wait_for()
        tab.locator("[data-testid='stFileUploaderDropzoneInput']").first.set_input_files(str(path))
        tab.get_by_text("is not a police.uk street-level CSV").wait_for()
        mine = list(UPLOAD_ROOT.glob(f"{url.pid}-*"))
        assert len(mine) == 1 and list(mine[0].rglob("*.csv"))
        context.close()  # the person closes the tab: the session ends
        for _ in range(60):
            if not mine[0].exists():
                break
            time.sleep(0.5)
        assert not mine[0].exists(), "the session's upload folder outlived the session"


def test_several_sessions_at_once_on_a_fresh_server():
    """Four people open four pages of a server that has just started, at the same moment."""
    _need_browser()
    paths = ["/", "/hotspots", "/health?h=demo", "/trends"]
    with served_app() as url, chromium() as browser:
        tabs = [browser.new_page(viewport={"width": 1366, "height": 768}) for _ in paths]
        for tab, path in zip(tabs, paths, strict=True):
            tab.set_default_timeout(240_000)
            tab.evaluate(f"window.location.href = '{url}{path}'")  # no waiting: all four at once
        for tab in tabs:
            tab.get_by_role("heading", level=1).first.wait_for()
            tab.wait_for_timeout(2000)
            assert tab.locator(EXCEPTION).count() == 0
            assert tab.get_by_text("This app has encountered an error").count() == 0
            # A page file run on its own hands over to the app's navigation: its titles, not file names.
            nav = tab.locator("[data-testid='stSidebarNav']")
            assert nav.get_by_text("What violence is", exact=True).count() == 1
            assert nav.get_by_text("app", exact=True).count() == 0
        log = url.log.read_text()
    assert "ImportError" not in log and "Traceback" not in log, log[-2000:]


def test_sign_in_gates_every_page_and_names_the_briefing(tmp_path):
    """With [auth] configured, the real OpenID Connect flow against a local provider."""
    from browser import free_port
    from oidc_provider_mock import User, run_server_in_thread

    _need_browser()
    person = User(sub="alex", claims={"name": "Alex Analyst", "email": "alex@example.org"})
    with run_server_in_thread(user_claims=[person]) as provider:
        port = free_port()
        secrets = tmp_path / "secrets.toml"
        secrets.write_text(
            "[auth]\n"
            f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
            'cookie_secret = "a-test-cookie-secret-of-enough-length-0123456789"\n'
            'client_id = "vrc-explorer"\n'
            'client_secret = "test-client-secret"\n'
            f'server_metadata_url = "http://localhost:{provider.server_port}/.well-known/openid-configuration"\n'
        )
        with served_app(args=("--secrets.files", str(secrets)), port=port) as url, chromium() as browser:
            tab = browser.new_page(viewport={"width": 1366, "height": 768})
            tab.set_default_timeout(120_000)
            tab.goto(f"{url}/hotspots")
            tab.get_by_role("button", name="Sign in").wait_for()
            assert tab.get_by_role("heading", name="Violence hotspots").count() == 0
            assert tab.locator("[data-testid='stSidebarNav']").count() == 0
            tab.screenshot(path=str(SHOTS / "sign-in.png"))
            tab.get_by_role("button", name="Sign in").click()
            tab.get_by_role("button", name="alex").click()  # the provider's sign-in form
            tab.wait_for_url(f"{url}/**")
            tab.get_by_text("Signed in as Alex Analyst").wait_for()
            tab.goto(f"{url}/briefing")
            tab.get_by_role("heading", name="One-page briefing").wait_for()
            tab.frame_locator("iframe").get_by_text("Prepared by Alex Analyst").wait_for()
            _clean(tab, "briefing-signed-in")


def test_a_crafted_ward_name_shows_as_text_once_escaped(tmp_path):
    """A ward named with an apostrophe and markup: the tooltip shows it exactly as written ("St John's",
    not "St John&#x27;s"), and the markup never runs."""
    import json
    import math

    import geopandas as gpd
    from conftest import police_row, tiny_wards_geojson, write_police_csv

    from vrc_geo.io.boundaries import read_boundaries
    from vrc_geo.outputs.maps import MAP_HEIGHT_PX, view_for

    _need_browser()
    evil = 'St John\'s <img src=x onerror="window.__pwned=1">'
    data = tmp_path / "data"
    wards = tiny_wards_geojson(data / "boundaries" / "wards_2023" / "tiny.geojson")
    collection = json.loads(wards.read_text())
    collection["features"][0]["properties"]["WD23NM"] = evil
    wards.write_text(json.dumps(collection))
    rows = [police_row(x=575500, y=155500, month=f"2022-0{m}") for m in (1, 2) for _ in range(5)]
    write_police_csv(data / "police_uk" / "2022-01" / "2022-01-kent-street.csv", rows)
    areas = read_boundaries(wards).areas
    ward = areas[areas["name"] == evil].iloc[0]
    point = gpd.GeoSeries([ward.geometry.representative_point()], crs=areas.crs).to_crs("EPSG:4326").iloc[0]
    bounds = tuple(gpd.GeoSeries(areas.geometry, crs=areas.crs).to_crs("EPSG:4326").total_bounds)
    lat0, lon0, zoom = view_for(bounds)
    env = {"VRC_GEO_DATA_DIR": str(data), "VRC_GEO_CACHE_DIR": str(tmp_path / "cache")}
    with served_app(env=env) as url, chromium() as browser:
        tab = browser.new_page(viewport={"width": 1366, "height": 768})
        tab.set_default_timeout(120_000)
        tab.goto(url)
        tab.locator("[data-testid='stDeckGlJsonChart'] canvas").first.wait_for()
        tab.wait_for_timeout(2500)
        chart = tab.locator("[data-testid='stDeckGlJsonChart']").first
        chart.scroll_into_view_if_needed()
        box = chart.bounding_box()
        scale = 512 * 2**zoom

        def merc(lat: float) -> float:
            return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

        x = box["x"] + box["width"] / 2 + (point.x - lon0) * scale / 360
        y = box["y"] + MAP_HEIGHT_PX / 2 - (merc(point.y) - merc(lat0)) * scale / (2 * math.pi)
        tab.mouse.move(x, y)
        tooltip = tab.locator(".deck-tooltip")
        tooltip.get_by_text("St John's", exact=False).wait_for(timeout=15_000)
        shown = tooltip.inner_text()
        assert evil in shown and "&#x27;" not in shown and "&amp;" not in shown
        assert tab.evaluate("() => window.__pwned === undefined")
        assert tooltip.locator("img").count() == 0
