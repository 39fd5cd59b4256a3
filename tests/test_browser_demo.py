"""A live demo, in a real browser at a laptop's 1366 x 768 and a projector's 1920 x 1080: the Months
slider keeps what it is moved to, a ward click selects the ward, a click on the Hotspots map leaves it
unfaded, the county (and a two-district
selection) sits inside the map, presentation type is large, the briefing prints on one page, an upload
with a bad file names it. Screenshots of every page, normal and presenting, go to artifacts/screenshots/.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from browser import EXCEPTION, MAP, chromium, served_app
from test_browser import SHOTS, _need_browser

from vrc_geo.outputs.maps import MAP_HEIGHT_PX, view_for
from vrc_geo.reference.kinds import MARKER_COLOURS

pytestmark = pytest.mark.browser
SIZES = [(1366, 768), (1920, 1080)]
PAGES = [
    ("", "overview"),
    ("hotspots", "hotspots"),
    ("health", "health"),
    ("violence", "violence"),
    ("trends", "trends"),
    ("evaluate", "evaluate"),
    ("briefing", "briefing"),
    ("data", "data"),
]
THANET_DOVER = "E07000114,E07000108"


@pytest.fixture(scope="module")
def browser_app():
    _need_browser()
    SHOTS.mkdir(parents=True, exist_ok=True)
    with served_app() as url, chromium() as browser:
        yield url, browser


@pytest.fixture(params=SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def tab(request, browser_app):
    url, browser = browser_app
    width, height = request.param
    page = browser.new_page(viewport={"width": width, "height": height})
    page.set_default_timeout(120_000)
    page.base_url = url
    page.size = (width, height)
    yield page
    page.close()


def _laptop_page(browser):
    page = browser.new_page(viewport={"width": 1366, "height": 768})
    page.set_default_timeout(120_000)
    return page


def _ready(tab, path: str = "", *, map_: bool = True) -> None:
    tab.goto(f"{tab.base_url}/{path}")
    tab.get_by_role("heading", level=1).first.wait_for()
    if map_:
        tab.wait_for_selector(MAP)
    _idle(tab)


def _idle(tab) -> None:
    tab.wait_for_timeout(800)
    tab.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')")
    tab.wait_for_timeout(1500)
    assert tab.locator(EXCEPTION).count() == 0
    assert tab.get_by_text("Something went wrong").count() == 0


def _inside_the_map(tab) -> None:
    """The map's outer 6 px hold no ward colour: nothing of the selection is cut off by its edges (and
    there is a map: its middle is coloured)."""
    chart = tab.locator("[data-testid='stDeckGlJsonChart']").first
    chart.scroll_into_view_if_needed()
    tab.wait_for_timeout(1500)
    from io import BytesIO

    from PIL import Image

    image = np.asarray(Image.open(BytesIO(chart.screenshot())).convert("RGB")).astype(int)
    h, w, _ = image.shape
    ink = np.abs(image - 255).sum(axis=2) > 40  # anything not white
    ink[:60, w - 60 :] = False  # the zoom buttons
    edge = np.zeros_like(ink)
    edge[:6, :], edge[-6:, :], edge[:, :6], edge[:, -6:] = True, True, True, True
    assert ink[h // 4 : 3 * h // 4, w // 4 : 3 * w // 4].mean() > 0.2, "no map drawn"
    assert not (ink & edge).any(), f"the selection touches the map's edge at {np.argwhere(ink & edge)[:3].tolist()}"


def test_the_county_and_a_two_district_selection_fit_the_map(tab):
    _ready(tab)
    _inside_the_map(tab)
    _ready(tab, f"?d={THANET_DOVER}")
    tab.get_by_role("heading", name="Violence and crime in Thanet and Dover").wait_for()
    _inside_the_map(tab)


def test_the_months_slider_keeps_its_value_from_keyboard_and_drag(tab):
    _ready(tab)
    thumbs = tab.locator("[data-testid='stSidebar'] [data-testid='stSlider'] input[type='range']")
    assert thumbs.count() == 2
    thumbs.nth(1).focus()
    tab.keyboard.press("ArrowLeft")
    tab.keyboard.press("ArrowLeft")
    tab.wait_for_url(re.compile(r"to=2022-11"))
    _idle(tab)
    assert "to=2022-11" in tab.url  # kept after the rerun, not snapped back
    assert thumbs.nth(1).get_attribute("aria-valuetext") == "Nov 2022"
    tab.get_by_text("Records, Jan to Nov 2022").wait_for()
    # Drag the first thumb right by about two months' width, as a person would with the mouse.
    thumb = thumbs.nth(0).locator("xpath=../..")
    track = thumb.locator("xpath=..").bounding_box()
    box = thumb.bounding_box()
    step = track["width"] / 12
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    tab.mouse.move(x, y)
    tab.mouse.down()
    for i in range(1, 11):
        tab.mouse.move(x + 2.1 * step * i / 10, y)
    tab.mouse.up()
    tab.wait_for_url(re.compile(r"from=2022-03"))
    _idle(tab)
    assert "from=2022-03" in tab.url and "to=2022-11" in tab.url
    assert thumbs.nth(0).get_attribute("aria-valuetext") == "Mar 2022"
    tab.get_by_text("Records, Mar to Nov 2022").wait_for()
    tab.screenshot(path=str(SHOTS / f"months-moved_{tab.size[0]}.png"))


def test_a_ward_click_selects_and_outlines_the_ward(tab, sample_dataset):
    import geopandas as gpd

    _ready(tab)
    wards = sample_dataset.wards.wards
    big = wards.loc[wards.geometry.area.idxmax()]
    point = gpd.GeoSeries([big.geometry.representative_point()], crs=wards.crs).to_crs("EPSG:4326").iloc[0]
    bounds = tuple(gpd.GeoSeries(wards.geometry, crs=wards.crs).to_crs("EPSG:4326").total_bounds)
    lat0, lon0, zoom = view_for(bounds)
    chart = tab.locator("[data-testid='stDeckGlJsonChart']").first
    chart.scroll_into_view_if_needed()
    box = chart.bounding_box()
    scale = 512 * 2**zoom

    def merc(lat: float) -> float:
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

    x = box["x"] + box["width"] / 2 + (point.x - lon0) * scale / 360
    y = box["y"] + MAP_HEIGHT_PX / 2 - (merc(point.y) - merc(lat0)) * scale / (2 * math.pi)
    tab.mouse.move(x, y)
    tab.locator(".deck-tooltip").get_by_text(str(big["name"])).wait_for(timeout=10_000)  # hover: quick
    tab.mouse.click(x, y)
    tab.wait_for_url(re.compile(f"ward={big['code']}"), timeout=30_000)
    _idle(tab)
    tab.get_by_text("records in the selection").first.wait_for()
    assert big["name"] in tab.locator("[data-testid='stMarkdown']").all_inner_texts().__str__()
    tab.screenshot(path=str(SHOTS / f"ward-clicked_{tab.size[0]}.png"))


def test_screenshots_of_every_page_normal_and_presenting(tab):
    width = tab.size[0]
    for path, name in PAGES:
        for mode, query in (("normal", "?h=demo"), ("presentation", "?h=demo&present=1")):
            _ready(tab, path + query, map_=name in ("overview", "hotspots", "health"))
            tab.screenshot(path=str(SHOTS / f"{name}_{mode}_{width}.png"))
            if mode == "presentation":
                # Page links inside presentation mode, the Data page's too; no sidebar.
                assert tab.get_by_role("link", name="Hotspots").count() >= 1
                assert not tab.locator("[data-testid='stSidebar']").is_visible()
                if width == 1920:
                    small = tab.evaluate(SMALL_TEXT_JS)
                    assert not small, f"text under 20 px when presenting {name}: {small[:5]}"
                if name == "briefing":  # the preview on the projector, inside its frame
                    frames = [f for f in tab.frames if f != tab.main_frame]
                    frames[0].wait_for_selector("h1")
                    small = frames[0].evaluate(SMALL_TEXT_JS.replace('[data-testid="stMain"]', "body"))
                    assert not small, f"briefing text under 20 px when presenting: {small[:5]}"
            if "h=demo" in query and name in ("health", "briefing"):
                banner = tab.locator(".vrc-synthetic")
                assert banner.is_visible()
                tab.mouse.move(width - 20, tab.size[1] // 2)  # over the page's margin: not the map, not the sidebar
                tab.mouse.wheel(0, 2000)
                tab.wait_for_timeout(500)
                assert tab.evaluate("document.querySelector('[data-testid=stMain]').scrollTop") > 300
                box = banner.bounding_box()  # pinned while scrolling: a band across the page, text under it
                assert banner.is_visible() and box["y"] < 10 and box["width"] > 0.6 * width


SMALL_TEXT_JS = """() => {
  const main = document.querySelector('[data-testid="stMain"]');
  const out = [];
  const walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const text = node.textContent.trim();
    const el = node.parentElement;
    const skip = 'svg, canvas, iframe, [role="tooltip"], [data-testid="stDeckGlJsonChart"]';
    if (!text || !el || el.closest(skip)) continue;
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || style.display === 'none') continue;
    const size = parseFloat(style.fontSize);
    if (size < 19.5) out.push(text.slice(0, 40) + ' ' + size + 'px');
  }
  return out;
}"""


def test_did_it_work_answers_for_wards_chosen_by_hand(browser_app):
    """At 1366 x 768: choose "Wards", type two ward names, and read the answer, the chart and the files."""
    url, browser = browser_app
    page = _laptop_page(browser)
    page.goto(f"{url}/evaluate")
    page.get_by_role("heading", name="Did it work?").wait_for()
    page.get_by_text("Wards", exact=True).click()
    wards = page.locator("[data-testid='stMain'] [data-testid='stMultiSelect'] input").first
    for name in ("Margate Central", "Cliftonville West"):
        wards.click()
        wards.fill(name)
        page.get_by_role("option", name=re.compile(name)).first.click()
    page.keyboard.press("Escape")
    page.get_by_text("than expected since").first.wait_for(timeout=120_000)
    _idle(page)
    assert page.locator("[data-testid='stVegaLiteChart'], [data-testid='stArrowVegaLiteChart']").count() >= 1
    assert page.locator("[data-testid='stDownloadButton']").count() == 2
    page.screenshot(path=str(SHOTS / "evaluate-wards_1366.png"), full_page=True)
    page.close()


@pytest.mark.parametrize(
    ("query", "title"),
    [(f"d={THANET_DOVER}&", "Violence hotspots — Thanet, Dover"), ("", "Violence hotspots — Kent & Medway")],
    ids=["thanet-dover", "county"],
)
def test_the_briefing_prints_on_one_page(browser_app, query, title):
    """Two districts, and the whole county (thirteen district health rows), with the SYNTHETIC health
    figures: one A4 page when printed."""
    url, browser = browser_app
    page = _laptop_page(browser)
    page.goto(f"{url}/briefing?{query}h=demo")
    page.get_by_role("heading", name="One-page briefing").wait_for()
    frame = page.frame_locator("iframe")
    frame.get_by_text(title).first.wait_for()
    html = page.locator("iframe").first.get_attribute("srcdoc")
    printer = browser.new_page()
    printer.set_content(html)
    pdf = printer.pdf(format="A4", print_background=True)
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert pages == 1, f"the briefing prints on {pages} pages"
    printer.close()
    page.close()


def test_an_upload_with_a_bad_file_names_it_and_the_good_one_stays(browser_app, tmp_path):
    url, browser = browser_app
    page = _laptop_page(browser)
    header = (
        "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,LSOA name,"
        "Crime type,Last outcome category,Context"
    )
    good = tmp_path / "2022-01-kent-street.csv"
    good.write_text(header + "\na1,2022-01,Kent Police,Kent Police,0.5219,51.2727,On or near High Street,,,Drugs,,\n")
    bad = tmp_path / "notes.csv"
    bad.write_text("ward,count\nA,1\n")
    page.goto(f"{url}/data")
    page.get_by_role("heading", name="Data: sources, checks and uploads").wait_for()
    page.locator("[data-testid='stFileUploaderDropzoneInput']").first.set_input_files([str(good), str(bad)])
    page.get_by_text("notes.csv: ").first.wait_for()
    page.get_by_text("Checked 1 file (1 file left out, above)").wait_for()
    text = page.locator("[data-testid='stMain']").inner_text()
    assert "vrc_uploads" not in text and "/tmp" not in text  # no server paths
    page.get_by_role("button", name="Use these files for this session").click()
    page.get_by_text("is in use for this session: Jan 2022 (1 month)").wait_for()
    page.wait_for_timeout(2000)
    assert page.get_by_text("(1 month)").count() >= 1  # still there after the rerun
    page.screenshot(path=str(SHOTS / "upload-in-use.png"), full_page=True)
    page.get_by_role("button", name="Back to the server data").click()
    page.get_by_text("server data").first.wait_for()
    page.wait_for_timeout(2000)
    assert page.get_by_role("button", name="Back to the server data").count() == 0
    page.close()


def test_the_overview_answers_at_its_own_address(browser_app):
    url, browser = browser_app
    page = _laptop_page(browser)
    page.goto(f"{url}/overview?d=E07000114")
    page.get_by_role("heading", name="Violence and crime in Thanet").wait_for()
    assert page.get_by_text("Page not found").count() == 0
    page.close()


def test_a_click_on_a_hotspot_leaves_the_map_as_it_was(browser_app):
    """Streamlit fades every other shape of a clicked map to 40 % until the chart restarts: the Hotspots
    map restarts after any click (a zone, a ward, a numbered dot), not only a zone's."""
    import io

    from PIL import Image

    url, browser = browser_app
    page = _laptop_page(browser)
    page.base_url = url
    _ready(page, "hotspots")
    chart = page.locator("[data-testid='stDeckGlJsonChart']").first
    chart.scroll_into_view_if_needed()
    page.mouse.move(1, 1)
    page.wait_for_timeout(500)
    box = chart.bounding_box()
    before = np.asarray(Image.open(io.BytesIO(chart.screenshot())).convert("RGB")).astype(int)
    # a numbered dot: a pixel of the "other" markers' fill colour (the middle one of those found)
    other = np.array(MARKER_COLOURS["other"])
    ys, xs = np.nonzero(np.abs(before - other).sum(axis=2) <= 6)
    assert len(xs), "no numbered dot found on the Hotspots map"
    x, y = box["x"] + float(xs[len(xs) // 2]), box["y"] + float(ys[len(ys) // 2])
    page.mouse.click(x, y)
    _idle(page)
    page.mouse.move(1, 1)
    page.wait_for_timeout(1000)
    chart = page.locator("[data-testid='stDeckGlJsonChart']").first
    after = np.asarray(Image.open(io.BytesIO(chart.screenshot())).convert("RGB")).astype(int)
    assert after.shape == before.shape
    assert np.abs(after - before).mean() < 3  # left faded (the commit before), it differed by 7.6 on average
    page.close()
