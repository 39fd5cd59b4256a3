"""The Hotspots map's markers (``ui.maps.hotspot_deck``): every rank fits inside its dot, however many
places are shown (a rank of 1,338 overflowed a dot sized for two digits)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from ui import maps
from ui.data import browser_layers


def _layers(dataset, result, keep, **options) -> dict[str, dict]:
    """The Hotspots map of the rows ``keep`` of the list, its layers by id (as the page builds it)."""
    deck = maps.hotspot_deck(
        browser_layers(dataset, dataset.key),
        result.wards,
        result.table[keep],
        result.footprints[keep.to_numpy()],
        basemap=False,
        filtered=False,
        **options,
    )
    return {layer["id"]: layer for layer in json.loads(deck.to_json())["layers"]}


def test_every_marker_is_wide_enough_for_its_rank(sample_dataset, sample_hotspots):
    result = sample_hotspots.result
    keep = result.table["kind"].eq("place")
    listed = result.table[keep]
    layer = _layers(sample_dataset, result, keep)["markers"]
    dots = [f["properties"] for f in layer["data"]["features"] if f["properties"]["label"]]
    assert len(dots) == len(listed) and max(len(d["label"]) for d in dots) == 4
    for dot in dots:
        assert 2 * dot["radius_px"] >= maps.RANK_DIGIT_PX * len(dot["label"]) + 4, dot["label"]
    first = next(d for d in dots if d["label"] == "1")
    assert first["radius_px"] == 16.0  # the busiest place: sized by its records, as before


def test_a_zone_close_up_names_its_streets_beside_their_markers(sample_dataset, sample_hotspots):
    """No basemap by default: the close-up names each street once, next to its best-ranked place."""
    result = sample_hotspots.result
    zone = result.zones.iloc[0]["zone_id"]
    keep = result.table["zone_id"].eq(zone)
    listed = result.table[keep]
    layers = _layers(sample_dataset, result, keep, zones=result.zones[result.zones["zone_id"] == zone], focus=zone)
    names = [f["properties"]["text"] for f in layers["street_names"]["data"]["features"]]
    streets = [s for s in dict.fromkeys(listed["top_locations"].str.split(" \\(").str[0]) if not s.startswith("(")]
    assert len(names) >= 2 and names == [s for s in streets if s in set(names)]  # each once, in rank order
    dots = {f["properties"]["label"]: f for f in layers["markers"]["data"]["features"] if f["properties"]["label"]}
    rank_of: dict[str, int] = {}
    for street, rank in zip(listed["top_locations"].str.split(" \\(").str[0], listed["rank"], strict=True):
        rank_of.setdefault(street, rank)  # a street is named beside its best-ranked place
    for feature in layers["street_names"]["data"]["features"]:
        dot = dots[str(int(rank_of[feature["properties"]["text"]]))]
        assert feature["geometry"]["coordinates"] == dot["geometry"]["coordinates"]
        assert feature["properties"]["offset"] == [dot["properties"]["radius_px"] + 4, 0]
    # the county view names districts only
    first_30 = pd.Series(np.arange(len(result.table)) < 30, index=result.table.index)
    assert "street_names" not in _layers(sample_dataset, result, first_30)


def test_markers_on_the_edge_of_a_district_stay_whole_inside_the_map(sample_dataset, sample_hotspots):
    """Thanet's busiest places sit on its coast, the selection's edge: each dot lies within the map as the
    page draws it (``MAP_WIDTH_PX`` x ``MAP_HEIGHT_PX``), its whole radius included."""
    from vrc_geo.outputs.maps import MAP_HEIGHT_PX, MAP_WIDTH_PX

    result = sample_hotspots.result
    thanet = result.table["district_name"].eq("Thanet") & result.table["kind"].eq("place")
    keep = thanet & (result.table["rank"] <= result.table.loc[thanet, "rank"].nsmallest(30).max())
    wards = result.wards[result.wards["district_code"] == "E07000114"]  # Thanet
    deck = maps.hotspot_deck(
        browser_layers(sample_dataset, sample_dataset.key),
        wards,
        result.table[keep],
        result.footprints[keep.to_numpy()],
        basemap=False,
        filtered=True,
    )
    spec = json.loads(deck.to_json())
    view = spec["initialViewState"]
    scale = 512 * 2 ** view["zoom"]

    def pixel(lon: float, lat: float) -> tuple[float, float]:
        x = scale * (lon + 180) / 360
        y = scale * (1 - np.log(np.tan(np.pi / 4 + np.radians(lat) / 2)) / np.pi) / 2
        return x, y

    cx, cy = pixel(view["longitude"], view["latitude"])
    markers = next(layer for layer in spec["layers"] if layer["id"] == "markers")
    dots = [f for f in markers["data"]["features"] if f["properties"]["label"]]
    assert len(dots) == 30
    for dot in dots:
        x, y = pixel(*dot["geometry"]["coordinates"])
        r = dot["properties"]["radius_px"]
        assert abs(x - cx) + r <= MAP_WIDTH_PX / 2 and abs(y - cy) + r <= MAP_HEIGHT_PX / 2, dot["properties"]["label"]
