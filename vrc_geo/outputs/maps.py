"""Pure builders of map data and pydeck decks (no Streamlit): classes, colours, legends, layers.

Text properties are sent as they are: Streamlit's map escapes every value it puts into a tooltip's HTML,
so escaping here too would show "St John&#x27;s" (one escaping step, Streamlit's). Geometry for the browser is
simplified (``tolerance_m`` in British National Grid), converted to WGS84
and rounded to 5 decimals (~1 m); its size is reported so the app can show it. No basemap is needed:
the ward and district layers are the map, a basemap tile layer is added only when asked for.
"""

from __future__ import annotations

import functools
import html
import json
import math
from collections.abc import Sequence
from itertools import pairwise
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import shapely

from .map_classes import Classes, classify

if TYPE_CHECKING:
    import geopandas as gpd
    import pydeck as pdk

__all__ = [
    "Classes",
    "browser_geojson",
    "build_deck",
    "classify",
    "line_segments",
    "with_segments",
]

# Police violence rate x admissions rate, each against the area's rate.
BIVARIATE = {
    "low police, low health": (232, 232, 232),
    "high police, low health": (100, 172, 190),
    "low police, high health": (200, 90, 90),
    "high police, high health": (87, 67, 113),
}


def browser_geojson(
    areas: gpd.GeoDataFrame, *, tolerance_m: float = 30.0, keep: Sequence[str] = ("code",), decimals: int = 5
) -> dict:
    """Simplified WGS84 GeoJSON of areas (EPSG:27700 in), properties ``keep``, coordinates rounded to
    ``decimals`` (5: about 1 m; 4: about 10 m, enough for a layer that only answers clicks)."""
    geoms = areas.geometry.simplify(tolerance_m, preserve_topology=True) if tolerance_m > 0 else areas.geometry
    geoms = geoms.to_crs("EPSG:4326").to_numpy()
    geoms = shapely.transform(geoms, lambda xy: np.round(xy, decimals))
    texts = shapely.to_geojson(geoms)
    features = []
    for i, text in enumerate(texts):
        props = {k: _jsonable(areas[k].iloc[i]) for k in keep}
        features.append({"type": "Feature", "properties": props, "geometry": json.loads(text)})
    return {"type": "FeatureCollection", "features": features}


def _jsonable(value: Any) -> Any:
    if isinstance(value, (list, tuple, np.ndarray)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return None if math.isnan(value) else float(value)
    if value is None or value is pd.NA:
        return None
    if isinstance(value, (bool, int)):
        return value
    # Text goes into the tooltip's HTML through Streamlit's own escaping (every {value} of the template),
    # so a crafted name (a police.uk "Location", a ward name from an uploaded file) shows as text.
    return value if isinstance(value, str) else str(value)


def with_values(collection: dict, table: pd.DataFrame, *, key: str = "code") -> dict:
    """A copy of ``collection`` whose feature properties gain the columns of ``table`` (matched on
    ``key``); features without a row keep their own properties only."""
    rows = table.set_index(key).to_dict(orient="index")
    features = []
    for feature in collection["features"]:
        props = dict(feature["properties"])
        props.update({k: _jsonable(v) for k, v in rows.get(props.get(key), {}).items()})
        features.append({"type": "Feature", "properties": props, "geometry": feature["geometry"]})
    return {"type": "FeatureCollection", "features": features}


#: The map's size on a 1366 x 768 laptop with the sidebar open (the smallest screen it is fitted for); wider
#: screens show more round the same view.
MAP_WIDTH_PX = 860
MAP_HEIGHT_PX = 500
TEXT_FONT = (
    "'Helvetica, Arial, sans-serif'"  # quoted: pydeck reads bare strings as expressions; deck.gl's own is Monaco
)
PICK_ID = "wards"  # the ward layer clicks and hovers land on (see build_deck)


def build_deck(
    layers_data: dict[str, dict],
    *,
    tooltip_html: str,
    view: tuple[float, float, float] = (51.22, 0.75, 8.6),
    basemap: bool = False,
    markers: list[dict] | None = None,
    names: list[dict] | None = None,
    street_names: list[dict] | None = None,
    text_px: int = 12,
    watermark: str | None = None,
) -> pdk.Deck:
    """A deck from FeatureCollections whose features carry ``fill`` colours, drawn in this order:

    * ``wards`` (:data:`PICK_ID`): the wards, fill only, with the tooltip's fields; clicks and hovers land
      on them (never highlighted: the chosen ward is the ``selected`` outline);
    * ``ward_lines``, ``districts``: the borders between wards (each once, ``map_outlines``) and the
      district outlines, as plain line segments (:data:`OUTLINES`);
    * ``selected``: the chosen ward, outlined thick;
    * ``zones``: patrol zone outlines (pickable: a click picks the zone);
    * ``hotspots``: footprints (seen when zoomed in), then ``markers``: one dot per hotspot sized by its
      records (``lon, lat, radius_px, fill, label`` and tooltip fields), numbered, legible at county zoom;
    * ``names``: place names (``lon, lat, text``) in dark type with a white halo, under the markers; a
      marker moved off its place (``true_lon, true_lat``) gets a leader line back to it;
    * ``street_names``: a place's street beside its marker (``lon, lat, text, offset_px``: the text starts
      that many pixels to the right of the point), for a close-up where no basemap names the streets;
    * ``watermark``: large red text near the top of the view, part of the map itself (so it stays in
      screenshots and prints), e.g. SYNTHETIC.
    """
    import pydeck as pdk

    styles = {
        PICK_ID: {
            "pickable": True,
            "filled": True,
            "stroked": False,
            "get_fill_color": "properties.fill",
            "highlight_color": [0, 0, 0, 0],
        },
        "ward_lines": OUTLINES["ward_lines"],
        "districts": OUTLINES["districts"],
        "selected": {
            "pickable": False,
            "filled": False,
            "get_line_color": [0, 160, 255, 255],
            "line_width_min_pixels": 4,
        },
        # Patrol zones: outlined, lightly filled so a click inside one picks it.
        "zones": {
            "pickable": True,
            "filled": True,
            "get_fill_color": [30, 90, 160, 28],
            "get_line_color": [30, 90, 160, 230],
            "line_width_min_pixels": 2,
            "highlight_color": [30, 90, 160, 60],
            "auto_highlight": True,
        },
        "hotspots": {
            "pickable": True,
            "filled": True,
            "get_fill_color": "properties.fill",
            "get_line_color": [20, 20, 20, 255],
            "line_width_min_pixels": 1.5,
        },
    }
    layers = [
        _outline_layer(layer_id, layers_data[layer_id], **style)
        if layer_id in OUTLINES
        else pdk.Layer("GeoJsonLayer", id=layer_id, data=layers_data[layer_id], **{"stroked": True, **style})
        for layer_id, style in styles.items()
        if layer_id in layers_data
    ]
    if names:
        points = [(n["lon"], n["lat"], {"text": n["text"]}) for n in names]
        layers.append(_halo_text("place_names", points, size_px=13, colour=[25, 25, 25, 255], weight=700))
    if street_names:
        points = [(n["lon"], n["lat"], {"text": n["text"], "offset": [n["offset_px"], 0]}) for n in street_names]
        layers.append(
            _halo_text(
                "street_names",
                points,
                size_px=12,
                colour=[40, 40, 40, 255],
                weight=600,
                get_text_anchor="'start'",
                get_text_pixel_offset="properties.offset",
            )
        )
    if markers:
        # Points as GeoJSON (circle + text in one GeoJsonLayer): a separate ScatterplotLayer beside the
        # GeoJSON layers held a software-rendered browser's first frame back by some 20 s. Leader lines
        # (a marker moved off its place) go first, so the circles sit on them.
        skip = ("lon", "lat", "true_lon", "true_lat")
        leaders = [
            {
                "type": "Feature",
                "geometry": {
                    "type": "LineString",
                    "coordinates": [[m["true_lon"], m["true_lat"]], [m["lon"], m["lat"]]],
                },
                "properties": {"line": [60, 60, 60, 220], "label": "", "radius_px": 0, "fill": [0, 0, 0, 0]},
            }
            for m in markers
            if "true_lon" in m and (m["true_lon"], m["true_lat"]) != (m["lon"], m["lat"])
        ]
        points = {
            "type": "FeatureCollection",
            "features": leaders
            + [
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [m["lon"], m["lat"]]},
                    "properties": {"line": [255, 255, 255, 255], **{k: v for k, v in m.items() if k not in skip}},
                }
                for m in markers
            ],
        }
        layers.append(
            pdk.Layer(
                "GeoJsonLayer",
                id="markers",
                data=points,
                pickable=True,
                stroked=True,
                filled=True,
                point_type="'circle+text'",  # quoted: pydeck reads bare strings as expressions
                get_point_radius="properties.radius_px",
                point_radius_units="'pixels'",
                get_fill_color="properties.fill",
                get_line_color="properties.line",
                line_width_min_pixels=1.5,
                get_text="properties.label",
                get_text_size=text_px,
                get_text_color=[255, 255, 255, 255],
                text_font_weight=700,
                text_font_family=TEXT_FONT,
                text_size_units="'pixels'",
            )
        )
    lat, lon, zoom = view
    if watermark:
        # A third of the way from the centre to the top edge of the map (deck.gl: 512 * 2**zoom px a world).
        lat_top = lat + (MAP_HEIGHT_PX / 3) * 360 / (512 * 2**zoom) * math.cos(math.radians(lat))
        points = [(lon, lat_top, {"text": html.unescape(watermark)})]
        red = [176, 0, 32, 235]
        layers.append(_halo_text("watermark", points, size_px=30, colour=red, weight=800, outline_px=4, halo_alpha=235))
    # Without a basemap, map_style is left unset: pydeck then sends its "no style chosen" marker, which
    # Streamlit draws with no basemap. ``map_style=None`` made Streamlit fetch Carto's basemap anyway (the
    # toggle did nothing when off; the browser called out to Carto, and without internet the first map
    # waited for the failed lookup).
    style = {"map_style": "light", "map_provider": "carto"} if basemap else {"map_provider": None}
    return _compact_deck_class()(
        layers=layers,
        initial_view_state=pdk.ViewState(latitude=lat, longitude=lon, zoom=zoom),
        tooltip={"html": tooltip_html, "style": {"fontSize": "14px"}},
        **style,
    )


def _halo_text(
    layer_id: str,
    points: list[tuple[float, float, dict]],
    *,
    size_px: int,
    colour: list[int],
    weight: int,
    outline_px: int = 3,
    halo_alpha: int = 230,
    **extra: Any,
) -> pdk.Layer:
    """Text at ``points`` (``lon, lat, properties`` with ``text``) in dark type with a white halo; one
    shader for every text layer of the map."""
    import pydeck as pdk

    features = [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [x, y]}, "properties": props}
        for x, y, props in points
    ]
    return pdk.Layer(
        "GeoJsonLayer",
        id=layer_id,
        data={"type": "FeatureCollection", "features": features},
        pickable=False,
        point_type="'text'",
        get_text="properties.text",
        get_text_size=size_px,
        text_size_units="'pixels'",
        get_text_color=colour,
        text_font_weight=weight,
        text_font_family=TEXT_FONT,
        text_outline_width=outline_px,
        text_outline_color=[255, 255, 255, halo_alpha],
        text_font_settings={"sdf": True},  # deck.gl draws the halo only from a distance-field font
        **extra,
    )


#: Outlines drawn as deck.gl's LineLayer, one segment per datum ``[lon0, lat0, lon1, lat1]``: a polygon's
#: stroke (PathLayer, mitred joins) cost a browser without a graphics card three times as much to draw,
#: and its shader as much again to compile (benchmarks/README.md, the app in a browser).
OUTLINES = {
    "ward_lines": {"colour": [120, 120, 120, 160], "width_px": 0.5},
    "districts": {"colour": [40, 40, 40, 230], "width_px": 1.6},
}


def line_segments(collection: dict) -> list[list[float]]:
    """Every segment of a FeatureCollection's lines (or polygon rings) as ``[lon0, lat0, lon1, lat1]``; a
    feature's own ``segments`` (:func:`with_segments`) are taken as they are."""
    segments = []
    for feature in collection["features"]:
        known = feature.get("segments")
        segments += _feature_segments(feature) if known is None else known
    return segments


def with_segments(collection: dict) -> dict:
    """A copy of ``collection`` whose features carry their segments (``segments``): the map of any subset
    of them is then a list joined, not every coordinate walked again for each new view."""
    return {
        "type": "FeatureCollection",
        "features": [{**feature, "segments": _feature_segments(feature)} for feature in collection["features"]],
    }


def _feature_segments(feature: dict) -> list[list[float]]:
    geometry = feature["geometry"]
    kind, coords = geometry["type"], geometry["coordinates"]
    lines = {"LineString": [coords], "MultiLineString": coords, "Polygon": coords}.get(kind)
    if kind == "MultiPolygon":
        lines = [ring for polygon in coords for ring in polygon]
    return [[a[0], a[1], b[0], b[1]] for line in lines or [] for a, b in pairwise(line)]


def _outline_layer(layer_id: str, collection: dict, *, colour: list[int], width_px: float) -> pdk.Layer:
    import pydeck as pdk

    return pdk.Layer(
        "LineLayer",
        id=layer_id,
        data=line_segments(collection),
        pickable=False,
        # ``this`` is the datum in deck.gl's JSON expressions (an array here: compact on the wire)
        get_source_position="[this[0], this[1]]",
        get_target_position="[this[2], this[3]]",
        get_color=colour,
        get_width=width_px,
        width_units="'pixels'",
    )


def _compact_deck_class() -> type:
    """A pydeck Deck whose JSON is compact: pydeck indents by 2, which multiplies polygon coordinates'
    size on the wire about six-fold (2.6 MB instead of 0.42 MB for the Kent wards), and makes Python's
    json encode in pure Python (its C encoder does not indent): the same text written compact at once is
    about nine times faster (0.1 s to 0.01 s for a county deck, on every new view)."""
    import pydeck as pdk
    from pydeck.bindings import deck as pydeck_deck
    from pydeck.bindings.json_tools import default_serialize

    # pydeck tries to import its Jupyter widget on every Deck made (a failed import, searched for again each
    # time: 5 % of a shared server's CPU under load); the answer cannot change while the process runs.
    if not hasattr(pydeck_deck.has_jupyter_extra, "cache_info"):
        pydeck_deck.has_jupyter_extra = functools.cache(pydeck_deck.has_jupyter_extra)

    class CompactDeck(pdk.Deck):
        def to_json(self) -> str:
            # A deck is not changed once built, so the text is kept (a cached deck is then sent again at
            # no cost on every rerun that shows the same view).
            text = self.__dict__.get("_compact_json")
            if text is None:
                text = json.dumps(self, sort_keys=True, default=default_serialize, separators=(",", ":"))
                self.__dict__["_compact_json"] = text
            return text

    return CompactDeck


def view_for(
    bounds: tuple[float, float, float, float],
    *,
    width_px: int = MAP_WIDTH_PX,
    height_px: int = MAP_HEIGHT_PX,
    padding_px: int = 24,
) -> tuple[float, float, float]:
    """(lat, lon, zoom) that shows WGS84 bounds (minx, miny, maxx, maxy) whole in a map of the given size.

    Web Mercator as deck.gl draws it: the world is 512 * 2**zoom pixels wide, so the zoom that fits a
    longitude span is log2(width * 360 / (512 * span)), and the one that fits a latitude span the same
    with Mercator's stretched y; the smaller wins, after a margin of ``padding_px`` on each side."""
    minx, miny, maxx, maxy = bounds

    def merc_y(lat: float) -> float:
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

    usable_w, usable_h = max(width_px - 2 * padding_px, 50), max(height_px - 2 * padding_px, 50)
    span_x = max(maxx - minx, 1e-4)
    span_y = max(merc_y(maxy) - merc_y(miny), 1e-6)
    zoom_x = math.log2(usable_w * 360 / (512 * span_x))
    zoom_y = math.log2(usable_h * 2 * math.pi / (512 * span_y))
    zoom = float(np.clip(min(zoom_x, zoom_y), 5, 16))
    centre_y = (merc_y(miny) + merc_y(maxy)) / 2
    lat = math.degrees(2 * math.atan(math.exp(centre_y)) - math.pi / 2)
    return lat, (minx + maxx) / 2, zoom
