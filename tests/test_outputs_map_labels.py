"""Markers that never overlap at the opening zoom, and place names on the maps."""

from __future__ import annotations

import json

import numpy as np
import pytest
from test_app_pages import app, clean

from vrc_geo.outputs.map_labels import declutter, from_pixels, to_pixels


def test_pixels_round_trip_and_match_deck_gl():
    x, y = to_pixels(np.array([0.0, 1.2]), np.array([0.0, 51.3]), 8)
    assert x[0] == pytest.approx(256 * 2**8) and y[0] == pytest.approx(256 * 2**8)  # (0, 0): the world's middle
    lon, lat = from_pixels(x, y, 8)
    assert lon == pytest.approx([0.0, 1.2]) and lat == pytest.approx([0.0, 51.3])


def test_declutter_moves_only_what_overlaps_and_keeps_rank_order():
    lon = np.array([0.5, 0.5, 0.5001, 1.5])  # three on top of each other, one far away
    lat = np.array([51.2, 51.2, 51.2, 51.4])
    radii = np.array([10.0, 8.0, 8.0, 8.0])
    new_lon, new_lat = declutter(lon, lat, radii, zoom=9)
    assert (new_lon[0], new_lat[0]) == pytest.approx((lon[0], lat[0]))  # the first-ranked never moves
    assert (new_lon[3], new_lat[3]) == pytest.approx((lon[3], lat[3]))  # nothing near: stays
    x, y = to_pixels(new_lon, new_lat, 9)
    for i in range(4):
        for j in range(i):
            assert np.hypot(x[i] - x[j], y[i] - y[j]) >= radii[i] + radii[j] + 2 - 1e-6
    moved = np.hypot(*(np.subtract(to_pixels(new_lon, new_lat, 9), to_pixels(lon, lat, 9))))
    assert moved[1] <= 4 * (radii[0] + radii[1])  # the nearest free spot, not anywhere


def _deck(at) -> dict:
    return json.loads(at.get("deck_gl_json_chart")[0].proto.json)


def _layer(deck: dict, layer_id: str) -> dict | None:
    return next((layer for layer in deck["layers"] if layer.get("id") == layer_id), None)


@pytest.mark.parametrize("query", [{}, {"d": "E07000110"}], ids=["county", "maidstone"])  # Maidstone: crowded
def test_hotspot_markers_never_overlap_and_all_carry_their_rank(query):
    at = app(**query).run()
    at.switch_page("pages/hotspots.py").run()
    clean(at)
    deck = _deck(at)
    zoom = deck["initialViewState"]["zoom"]
    points = [f for f in _layer(deck, "markers")["data"]["features"] if f["geometry"]["type"] == "Point"]
    assert points and all(f["properties"]["label"] for f in points)
    xy = np.array([f["geometry"]["coordinates"] for f in points])
    x, y = to_pixels(xy[:, 0], xy[:, 1], zoom)
    r = np.array([f["properties"]["radius_px"] for f in points])
    gaps = np.hypot(x[:, None] - x[None, :], y[:, None] - y[None, :]) - (r[:, None] + r[None, :])
    np.fill_diagonal(gaps, np.inf)
    assert gaps.min() >= 0, f"markers overlap by {-gaps.min():.1f} px"


def test_the_overview_map_names_its_districts():
    at = app(d="E07000114,E07000108").run()  # Thanet and Dover
    clean(at)
    names = _layer(_deck(at), "place_names")
    assert {f["properties"]["text"] for f in names["data"]["features"]} == {"Thanet", "Dover"}


def test_a_name_under_a_marker_moves_clear_of_it():
    from vrc_geo.outputs.map_labels import place_names_clear

    names = [{"text": "Maidstone", "lon": 0.52, "lat": 51.27}, {"text": "Dover", "lon": 1.3, "lat": 51.13}]
    moved = place_names_clear(names, np.array([0.52]), np.array([51.27]), np.array([12.0]), zoom=10)
    assert moved[1] == names[1]  # nothing on Dover: it stays
    x, y = to_pixels(np.array([moved[0]["lon"]]), np.array([moved[0]["lat"]]), 10)
    mx, my = to_pixels(np.array([0.52]), np.array([51.27]), 10)
    half_w, half_h = 8.0 * len("Maidstone") / 2, 8.0
    nx, ny = np.clip(mx, x - half_w, x + half_w), np.clip(my, y - half_h, y + half_h)
    assert np.hypot(mx - nx, my - ny)[0] > 12


def test_count_legends_read_as_whole_numbers():
    """Sparse counts: "0", "1", "2 to 3", "4 or more", never "up to 0.0 / 0.0 to 1.0"."""
    from vrc_geo.outputs.maps import classify

    legend = [text for text, _ in classify([0] * 50 + [1, 2, 3, 12, 30], kind="magnitude", units="Records").legend()]
    assert legend == ["0", "1", "2", "3", "4 or more"]
    wide = [text for text, _ in classify(list(range(100, 1200, 7)), kind="magnitude", units="Records").legend()]
    assert wide[0] == "0 to 320" and wide[-1] == "980 or more" and all(".0" not in t for t in wide)
    rates = [text for text, _ in classify([0.1, 0.5, 1.2, 3.3], kind="magnitude", units="per 1,000").legend()]
    assert rates[0] == "up to 0.3"


def test_names_beside_markers_keep_clear_of_markers_and_of_better_ranked_names():
    from vrc_geo.outputs.map_labels import beside_names_clear

    zoom = 16.0
    # markers at pixel (0, 0), (200, 0) and (60, 4); names start 14 px right of theirs, about 7 px a character
    xs, ys = from_pixels(np.array([0.0, 200.0, 60.0]), np.array([0.0, 0.0, 4.0]), zoom)
    names = [
        {"lon": xs[0], "lat": ys[0], "text": "High Street", "offset_px": 14},  # runs into the marker at 60 px
        {"lon": xs[1], "lat": ys[1], "text": "Bank Street", "offset_px": 14},  # clear
        {"lon": xs[2], "lat": ys[2], "text": "Week Street", "offset_px": 14},  # clear of markers and names
        {"lon": xs[1], "lat": ys[1], "text": "Gabriel's Hill", "offset_px": 14},  # on Bank Street's name
    ]
    kept = beside_names_clear(names, xs, ys, np.array([10.0, 10.0, 10.0]), zoom=zoom)
    assert [n["text"] for n in kept] == ["Bank Street", "Week Street"]
