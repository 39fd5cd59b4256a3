"""The deck the pages draw: a basemap only when asked for (no call to Carto's servers otherwise)."""

from __future__ import annotations

import json

import pydeck as pdk

from vrc_geo.outputs.maps import PICK_ID, build_deck, line_segments, with_segments

WARD = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "properties": {"code": "E05000001", "fill": [200, 0, 0, 180]},
            "geometry": {"type": "Polygon", "coordinates": [[[0.5, 51.2], [0.6, 51.2], [0.6, 51.3], [0.5, 51.2]]]},
        }
    ],
}


def _spec(**options) -> dict:
    return json.loads(build_deck({PICK_ID: WARD}, tooltip_html="{code}", **options).to_json())


def test_no_basemap_sends_no_style_to_fetch():
    # Streamlit's map fetches Carto's style whenever mapStyle is empty; pydeck's "no style chosen" marker
    # is the one value it draws with no basemap at all.
    spec = _spec()
    assert spec["mapStyle"] == "__MAP_STYLE__"
    assert spec.get("mapProvider") is None
    assert "cartocdn" not in json.dumps(spec)


def test_basemap_when_asked_is_carto_light():
    spec = _spec(basemap=True)
    assert spec["mapProvider"] == "carto"
    assert "positron" in spec["mapStyle"] or "light" in spec["mapStyle"]


def test_deck_json_is_compact_and_kept():
    deck = build_deck({PICK_ID: WARD}, tooltip_html="{code}")
    text = deck.to_json()
    assert "\n" not in text and ", " not in text
    assert deck.to_json() is text
    # written at once, the same text as pydeck's own (indented) JSON made compact
    pydeck_text = pdk.Deck.to_json(build_deck({PICK_ID: WARD}, tooltip_html="{code}"))
    assert text == json.dumps(json.loads(pydeck_text), separators=(",", ":"), sort_keys=True)


def test_outlines_are_plain_segments_each_drawn_once():
    lines = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"district_code": "E07000110"},
                "geometry": {"type": "MultiLineString", "coordinates": [[[0.5, 51.2], [0.6, 51.2], [0.6, 51.3]]]},
            }
        ],
    }
    assert line_segments(lines) == [[0.5, 51.2, 0.6, 51.2], [0.6, 51.2, 0.6, 51.3]]
    # worked out once per feature (the server's layers), the same segments for any subset drawn later
    known = with_segments(lines)
    assert known["features"][0]["segments"] == line_segments(lines) and "segments" not in lines["features"][0]
    known["features"][0]["geometry"] = None  # never walked again
    assert line_segments(known) == line_segments(lines)
    assert len(line_segments(WARD)) == 3  # a polygon's ring: three sides
    spec = json.loads(build_deck({PICK_ID: WARD, "ward_lines": lines}, tooltip_html="{code}").to_json())
    kinds = {layer["id"]: layer["@@type"] for layer in spec["layers"]}
    assert kinds == {PICK_ID: "GeoJsonLayer", "ward_lines": "LineLayer"}
    (outline,) = [layer for layer in spec["layers"] if layer["id"] == "ward_lines"]
    assert outline["data"] == line_segments(lines)
    (fill,) = [layer for layer in spec["layers"] if layer["id"] == PICK_ID]
    assert fill["stroked"] is False  # the borders are the line layer's, not drawn twice
    assert fill["pickable"] is True  # the seen wards answer clicks and hovers: no second, hidden copy


def test_pydeck_looks_for_its_jupyter_widget_once():
    # a failed import, searched for again on every Deck made: the answer cannot change in a process
    from pydeck.bindings import deck as pydeck_deck

    build_deck({PICK_ID: WARD}, tooltip_html="{code}")
    first = pydeck_deck.has_jupyter_extra
    build_deck({PICK_ID: WARD}, tooltip_html="{code}")
    assert pydeck_deck.has_jupyter_extra is first and first.cache_info().currsize == 1
