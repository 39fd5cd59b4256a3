"""Pure builders of map data and pydeck decks (no Streamlit): classes, colours, legends, layers.

Geometry for the browser is simplified (``tolerance_m`` in British National Grid), converted to WGS84
and rounded to 5 decimals (~1 m); its size is reported so the app can show it. No basemap is needed:
the ward and district layers are the map, a basemap tile layer is added only when asked for.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import shapely

if TYPE_CHECKING:
    import geopandas as gpd
    import pydeck as pdk

__all__ = [
    "Classes",
    "browser_geojson",
    "build_deck",
    "classify",
    "geojson_size_bytes",
]

# ColorBrewer YlOrRd (5) for magnitudes, RdBu (5) for change, reversed so red = up.
SEQUENTIAL = [(255, 255, 178), (254, 204, 92), (253, 141, 60), (240, 59, 32), (189, 0, 38)]
DIVERGING = [(33, 102, 172), (103, 169, 207), (247, 247, 247), (239, 138, 98), (178, 24, 43)]
NO_DATA = (200, 200, 200)
BIVARIATE = {
    "low police, low health": (232, 232, 232),
    "high police, low health": (100, 172, 190),
    "low police, high health": (200, 90, 90),
    "high police, high health": (87, 67, 113),
}


@dataclass(frozen=True)
class Classes:
    """Class breaks and colours for one map; ``label(i)`` gives the legend text of class ``i``."""

    breaks: tuple[float, ...]  # upper bounds of each class
    colours: tuple[tuple[int, int, int], ...]
    units: str
    decimals: int = 0

    def index(self, values: np.ndarray) -> np.ndarray:
        values = np.asarray(values, dtype="float64")
        idx = np.searchsorted(np.asarray(self.breaks), values, side="left")
        idx = np.minimum(idx, len(self.breaks) - 1)
        return np.where(np.isnan(values), -1, idx)

    def colour(self, values: np.ndarray) -> list[list[int]]:
        idx = self.index(values)
        return [list(NO_DATA) + [120] if i < 0 else list(self.colours[i]) + [190] for i in idx]

    def legend(self) -> list[tuple[str, tuple[int, int, int]]]:
        items, low = [], None
        fmt = f"{{:,.{self.decimals}f}}"
        for i, (upper, colour) in enumerate(zip(self.breaks, self.colours, strict=True)):
            if i == 0:
                text = f"up to {fmt.format(upper)}"
            elif i == len(self.breaks) - 1:
                text = f"over {fmt.format(low)}"
            else:
                text = f"{fmt.format(low)} to {fmt.format(upper)}"
            items.append((text, colour))
            low = upper
        return items


def _nice(value: float, decimals: int) -> float:
    return round(value, decimals)


def classify(values: Sequence[float], *, kind: str, units: str) -> Classes:
    """Five classes: quantiles for counts and rates (``kind="magnitude"``), symmetric steps round zero
    for change (``kind="change"``). Breaks are rounded to readable numbers and made strictly rising."""
    data = np.asarray([v for v in values if v is not None and not math.isnan(v)], dtype="float64")
    if kind == "change":
        top = float(np.nanpercentile(np.abs(data), 90)) if len(data) else 1.0
        top = max(top, 1e-9)
        decimals = 0 if top >= 10 else 1
        step = top / 2.5
        breaks = [-1.5 * step, -0.5 * step, 0.5 * step, 1.5 * step, math.inf]
        return Classes(
            tuple(_nice(b, decimals) if math.isfinite(b) else b for b in breaks),
            tuple(DIVERGING),
            units,
            decimals,
        )
    if len(data) == 0:
        return Classes((1, 2, 3, 4, math.inf), tuple(SEQUENTIAL), units)
    decimals = 0 if np.nanmax(data) >= 20 else (1 if np.nanmax(data) >= 2 else 2)
    qs = np.nanquantile(data, [0.2, 0.4, 0.6, 0.8])
    breaks: list[float] = []
    for q in qs:
        b = _nice(float(q), decimals)
        if breaks and b <= breaks[-1]:
            b = breaks[-1] + 10**-decimals
        breaks.append(b)
    breaks.append(math.inf)
    return Classes(tuple(breaks), tuple(SEQUENTIAL), units, decimals)


def browser_geojson(areas: gpd.GeoDataFrame, *, tolerance_m: float = 30.0, keep: Sequence[str] = ("code",)) -> dict:
    """Simplified WGS84 GeoJSON of areas (EPSG:27700 in), properties ``keep``, coordinates to 5 decimals."""
    geoms = areas.geometry.simplify(tolerance_m, preserve_topology=True).to_crs("EPSG:4326").to_numpy()
    geoms = shapely.transform(geoms, lambda xy: np.round(xy, 5))
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
    return value if isinstance(value, (int, str, bool)) else str(value)


def geojson_size_bytes(collection: dict) -> int:
    """Size of a FeatureCollection as compact JSON (what travels to the browser)."""
    return len(json.dumps(collection, separators=(",", ":")))


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


def build_deck(
    layers_data: dict[str, dict],
    *,
    tooltip_html: str,
    view: tuple[float, float, float] = (51.22, 0.75, 8.6),
    basemap: bool = False,
    outline_ids: Sequence[str] = ("districts",),
    hotspot_ids: Sequence[str] = ("hotspots",),
) -> pdk.Deck:
    """A deck with a pickable filled ward layer (``"wards"``), district outlines and hotspot footprints.

    ``layers_data`` maps layer id to a FeatureCollection whose features carry ``fill`` colours.
    """
    import pydeck as pdk

    styles = {
        "wards": {
            "pickable": True,
            "filled": True,
            "get_fill_color": "properties.fill",
            "get_line_color": [120, 120, 120, 160],
            "line_width_min_pixels": 0.5,
            "auto_highlight": True,
            "highlight_color": [0, 0, 0, 60],
        },
        **{
            i: {"pickable": False, "filled": False, "get_line_color": [40, 40, 40, 230], "line_width_min_pixels": 1.6}
            for i in outline_ids
        },
        **{
            i: {
                "pickable": True,
                "filled": True,
                "get_fill_color": "properties.fill",
                "get_line_color": [90, 0, 20, 255],
                "line_width_min_pixels": 1.5,
            }
            for i in hotspot_ids
        },
    }
    # Drawn in this order: filled wards, then outlines, then hotspot footprints on top.
    layers = [
        pdk.Layer("GeoJsonLayer", id=layer_id, data=layers_data[layer_id], stroked=True, **style)
        for layer_id, style in styles.items()
        if layer_id in layers_data
    ]
    lat, lon, zoom = view
    return _compact_deck_class()(
        layers=layers,
        initial_view_state=pdk.ViewState(latitude=lat, longitude=lon, zoom=zoom),
        map_style="light" if basemap else None,
        map_provider="carto" if basemap else None,
        tooltip={"html": tooltip_html, "style": {"fontSize": "13px"}},
    )


def _compact_deck_class() -> type:
    """A pydeck Deck whose JSON is compact: pydeck indents by 2, which multiplies polygon coordinates'
    size on the wire about six-fold (2.6 MB instead of 0.42 MB for the Kent wards)."""
    import pydeck as pdk

    class CompactDeck(pdk.Deck):
        def to_json(self) -> str:
            return json.dumps(json.loads(super().to_json()), separators=(",", ":"), sort_keys=True)

    return CompactDeck


def view_for(bounds: tuple[float, float, float, float]) -> tuple[float, float, float]:
    """(lat, lon, zoom) that fits WGS84 bounds (minx, miny, maxx, maxy) in a ~900 px wide map."""
    minx, miny, maxx, maxy = bounds
    span = max(maxx - minx, (maxy - miny) * 1.6, 1e-3)
    zoom = float(np.clip(np.log2(360 / span) + 0.9, 6, 15))
    return (miny + maxy) / 2, (minx + maxx) / 2, zoom
