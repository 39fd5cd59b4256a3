"""The Hotspots map's markers (``ui.maps.hotspot_deck``): every rank fits inside its dot, however many
places are shown (a rank of 1,338 overflowed a dot sized for two digits)."""

from __future__ import annotations

import json

from ui import maps
from ui.data import browser_layers


def test_every_marker_is_wide_enough_for_its_rank(sample_dataset, sample_hotspots):
    result = sample_hotspots.result
    keep = result.table["kind"].eq("place")
    listed = result.table[keep]
    deck = maps.hotspot_deck(
        browser_layers(sample_dataset, sample_dataset.key),
        result.wards,
        listed,
        result.footprints[keep.to_numpy()],
        basemap=False,
        filtered=False,
    )
    layer = next(layer for layer in json.loads(deck.to_json())["layers"] if layer["id"] == "markers")
    dots = [f["properties"] for f in layer["data"]["features"] if f["properties"]["label"]]
    assert len(dots) == len(listed) and max(len(d["label"]) for d in dots) == 4
    for dot in dots:
        assert 2 * dot["radius_px"] >= maps.RANK_DIGIT_PX * len(dot["label"]) + 4, dot["label"]
    first = next(d for d in dots if d["label"] == "1")
    assert first["radius_px"] == 16.0  # the busiest place: sized by its records, as before
