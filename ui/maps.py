"""Deck assembly for the pages (colours, tooltips, view) from ``vrc_geo.outputs.maps`` builders."""

from __future__ import annotations

import math
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from vrc_geo.outputs.map_labels import beside_names_clear, declutter, place_names_clear
from vrc_geo.outputs.maps import (
    BIVARIATE,
    PICK_ID,
    browser_geojson,
    build_deck,
    classify,
    view_for,
    with_values,
)
from vrc_geo.outputs.maps import MAP_HEIGHT_PX as MAP_HEIGHT_PX
from vrc_geo.reference.kinds import GI_CLASSES, MARKER_COLOURS  # the pages size their maps with it

GI_COLOURS = {b: colour for b, (_, colour) in GI_CLASSES.items()}
GI_LABELS = {b: label for b, (label, _) in GI_CLASSES.items()}


def _view(layers: dict[str, Any], codes: pd.Series | None, *, padding_px: int = 24) -> tuple[float, float, float]:
    """Fit the map to the selected wards (all of Kent & Medway when none are filtered out), ``padding_px``
    clear on each side (room for a marker on the edge)."""
    if codes is None:
        return view_for(layers["bounds"], padding_px=padding_px)
    wanted = set(codes)
    xs, ys = [], []
    for feature in layers["wards"]["features"]:
        if feature["properties"]["code"] in wanted:
            coords = np.asarray(_flatten(feature["geometry"]["coordinates"]))
            xs += [coords[:, 0].min(), coords[:, 0].max()]
            ys += [coords[:, 1].min(), coords[:, 1].max()]
    if not xs:
        return view_for(layers["bounds"], padding_px=padding_px)
    return view_for((min(xs), min(ys), max(xs), max(ys)), padding_px=padding_px)


def _ward_layers(layers: dict[str, Any], frame: pd.DataFrame, selected: str | None = None) -> dict[str, dict]:
    """The ward layer (fill colour and tooltip fields; clicks and hovers land on it), the borders between
    its wards and the selected outline."""
    codes = set(frame["code"])
    districts = {layers["ward_district"].get(code) for code in codes}
    out = {
        PICK_ID: with_values(_only(layers["wards"], codes), frame),
        "ward_lines": _only(layers["ward_lines"], districts, key="district_code"),
    }
    if selected and selected in codes:
        out["selected"] = _only(layers["wards"], {selected})
    return out


def _flatten(coords: Any) -> list:
    if isinstance(coords[0], (int, float)):
        return [coords]
    out = []
    for part in coords:
        out += _flatten(part)
    return out


def _outlines(layers: dict[str, Any], codes: set[str]) -> dict:
    """The outlines of the districts ``codes``: each arc once, even between two districts shown."""
    return {
        "type": "FeatureCollection",
        "features": [
            f
            for f in layers["districts"]["features"]
            if f["properties"]["district_code"] in codes or f["properties"].get("other_code") in codes
        ],
    }


def _only(collection: dict, codes: set[str], key: str = "code") -> dict:
    return {
        "type": "FeatureCollection",
        "features": [f for f in collection["features"] if f["properties"].get(key) in codes],
    }


def measure_deck(
    layers: dict[str, Any],
    table: pd.DataFrame,
    *,
    measure: str,
    label: str,
    units: str,
    basemap: bool,
    filtered: bool,
    selected: str | None = None,
):
    """Ward choropleth of ``table['value']`` (classed) with district outlines and the selected ward
    outlined; returns (deck, classes)."""
    kind = "change" if measure == "change" else "magnitude"
    classes = classify(table["value"].tolist(), kind=kind, units=units)
    decimals = 2 if measure == "rate" else 0
    frame = pd.DataFrame(
        {
            "code": table["ward_code"],
            "fill": classes.colour(table["value"].to_numpy()),
            "value_text": [
                "no data" if (v is None or (isinstance(v, float) and math.isnan(v))) else f"{v:,.{decimals}f}"
                for v in table["value"]
            ],
            "count_text": [f"{c:,}" for c in table["count"]],
        }
    )
    districts = _outlines(layers, set(table["district_code"]))
    tooltip = f"<b>{{name}}</b><br/>{{district_name}}<br/>{label}: <b>{{value_text}}</b>"
    if measure != "count":
        tooltip += "<br/>Records: {count_text}"
    deck = build_deck(
        {**_ward_layers(layers, frame, selected), "districts": districts},
        tooltip_html=tooltip,
        view=_view(layers, table["ward_code"] if filtered else None),
        basemap=basemap,
        names=_place_names(layers, set(table["district_code"])),
    )
    return deck, classes


HOTSPOT_COLOURS = MARKER_COLOURS
RANK_DIGIT_PX = 7.2  # one digit of a marker's rank (12 px bold type): a rank of 1,338 needs a 16 px radius


def hotspot_deck(
    layers: dict[str, Any],
    wards: pd.DataFrame,
    listed: pd.DataFrame,
    footprints: gpd.GeoSeries,
    *,
    basemap: bool,
    filtered: bool,
    zones: gpd.GeoDataFrame | None = None,
    focus: str | None = None,
):
    """Wards coloured by Gi* class; each listed place as a numbered dot sized by its violence records
    (legible at county zoom) over its footprint (seen when zoomed in). Hot wards are outlined only.
    ``zones``: patrol zones outlined (a click picks one); ``focus``: the zone shown close up, with all
    its circles numbered."""
    frame = pd.DataFrame(
        {
            "code": wards["code"],
            "fill": [list(GI_COLOURS[int(b)]) + [170] for b in wards["gi_bin"]],
            "value_text": [GI_LABELS[int(b)] for b in wards["gi_bin"]],
            "count_text": [f"{int(c):,}" for c in wards["violence_records"]],
            "title": "",
        }
    )
    districts = _outlines(layers, set(wards["district_code"]))
    places = listed.reset_index(drop=True)
    shapes = gpd.GeoDataFrame(places[["kind", "drug_related"]], geometry=footprints.to_numpy(), crs="EPSG:27700")
    colour = [
        HOTSPOT_COLOURS["site" if k == "site" else "drug" if d else "other"]
        for k, d in zip(places["kind"], places["drug_related"], strict=True)
    ]
    shapes["fill"] = [
        [0, 0, 0, 0] if k == "ward" else list(c) + [150] for k, c in zip(places["kind"], colour, strict=True)
    ]
    shapes["code"] = places["hotspot_id"].astype(str)
    footprint_json = browser_geojson(shapes[shapes["kind"] != "ward"], tolerance_m=2, keep=("code", "fill"))
    dots = places["kind"] != "ward"
    centres = gpd.GeoSeries(shapes.geometry[dots].centroid, crs="EPSG:27700").to_crs("EPSG:4326")
    top = float(places.loc[dots, "violence_count"].max()) if dots.any() else 1.0
    # Every marker carries its rank and is big enough for it; markers that would sit on one ranked above
    # them move to the nearest free spot at the opening zoom, with a leader line back to their place.
    radii = [
        round(max(8 + 8 * math.sqrt(max(v, 0) / max(top, 1)), 2 + RANK_DIGIT_PX / 2 * len(str(int(r)))), 1)
        for v, r in zip(places.loc[dots, "violence_count"], places.loc[dots, "rank"], strict=True)
    ]
    # A marker on the selection's edge (a harbour, a border town) stays whole inside the map.
    padding = 24 + math.ceil(2 * max(radii, default=0))
    view = _view(layers, wards["code"] if filtered else None, padding_px=padding)
    if zones is not None and len(zones) and focus is not None and (zones["zone_id"] == focus).any():
        shape = gpd.GeoSeries(zones[zones["zone_id"] == focus].geometry, crs="EPSG:27700").buffer(150)
        view = view_for(tuple(shape.to_crs("EPSG:4326").total_bounds), padding_px=padding)
    lon, lat = declutter(centres.x.to_numpy(), centres.y.to_numpy(), np.array(radii), zoom=view[2])
    markers = []
    for (i, row), point, x, y, radius in zip(places[dots].iterrows(), centres, lon, lat, radii, strict=True):
        place = str(row["top_locations"]).split(" (")[0]
        markers.append(
            {
                "lon": round(float(x), 6),
                "lat": round(float(y), 6),
                "true_lon": round(point.x, 6),
                "true_lat": round(point.y, 6),
                "radius_px": radius,
                "fill": list(colour[i]) + [235],
                "label": str(int(row["rank"])),
                "name": f"#{int(row['rank'])} {place}",  # Streamlit escapes tooltip values (one step)
                "district_name": str(row["district_name"]),
                "value_text": ("Drug-related · " if row["drug_related"] else "")
                + (_site_words(row) if row["kind"] == "site" else ""),
                "count_text": f"{int(row['violence_count']):,}",
                "title": "",
            }
        )
    markers.reverse()  # the first-ranked drawn last, on top
    tooltip = "<b>{name}</b><br/>{district_name}<br/>{value_text}<br/>Violence-group records: {count_text}"
    data = {**_ward_layers(layers, frame), "districts": districts}
    if zones is not None and len(zones):
        data["zones"] = _zone_outlines(zones)
    data["hotspots"] = footprint_json
    names = place_names_clear(_place_names(layers, set(wards["district_code"])), lon, lat, radii, zoom=view[2])
    streets = None
    if focus is not None:
        streets = beside_names_clear(_street_names(markers, places[dots]), lon, lat, radii, zoom=view[2])
    return build_deck(
        data, tooltip_html=tooltip, view=view, basemap=basemap, markers=markers, names=names, street_names=streets
    )


def _street_names(markers: list[dict], places: pd.DataFrame) -> list[dict]:
    """For a zone close up: each named street once, beside the best-ranked marker on it (the app draws no
    basemap by default, so nothing else on the map names the streets the zone's places are on)."""
    by_rank = {m["label"]: m for m in markers}
    seen: set[str] = set()
    out = []
    for rank, where in zip(places["rank"], places["top_locations"], strict=True):
        street = str(where).split(" (")[0]
        if not street or street.startswith("(") or street in seen:
            continue  # unnamed points and streets named already
        seen.add(street)
        marker = by_rank[str(int(rank))]
        out.append({"lon": marker["lon"], "lat": marker["lat"], "text": street, "offset_px": marker["radius_px"] + 4})
    return out


def _place_names(layers: dict[str, Any], codes: set[str]) -> list[dict]:
    """The district names of the map (inside each district, from the bundle's own boundaries)."""
    return [n for n in layers.get("district_names", []) if n["code"] in codes]


def _zone_outlines(zones: gpd.GeoDataFrame) -> dict:
    """Each zone as the hull round its circles (30 m out), with the tooltip's fields."""
    hulls = gpd.GeoSeries(zones.geometry.convex_hull.buffer(30, quad_segs=4), crs="EPSG:27700")
    frame = gpd.GeoDataFrame(
        {
            "zone_id": zones["zone_id"].to_numpy(),
            "name": [f"{z}: {n}" for z, n in zip(zones["zone_id"], zones["zone_name"], strict=True)],
            "district_name": zones["district_name"].to_numpy(),
            "value_text": [
                f"Patrol zone · {p} place(s) · about {e:.0f} violence records a month"
                + (" · drug-related" if d else "")
                for p, e, d in zip(zones["places"], zones["expected_per_month"], zones["drug_related"], strict=True)
            ],
            "count_text": [f"{int(c):,}" for c in zones["violence_count"]],
        },
        geometry=hulls.to_numpy(),
        crs="EPSG:27700",
    )
    return browser_geojson(frame, tolerance_m=5, keep=("zone_id", "name", "district_name", "value_text", "count_text"))


def _site_words(row: pd.Series) -> str:
    """A site in the tooltip: the institution that claimed it, else its kind."""
    named = str(row.get("institution") or "").split(";")[0].split(" — ")[0].strip()
    return f"Institutional site: {named} · " if named else "Institutional site · "


SUPPRESSED_FILL = (150, 150, 150)  # darker than "low police, low health" so the two are never confused


def bivariate_deck(layers: dict[str, Any], table: pd.DataFrame, *, basemap: bool, filtered: bool, synthetic: bool):
    """Wards coloured by the police x health class (suppressed wards mid grey); SYNTHETIC written on
    the map itself when the health figures are the demo's."""
    fills = [
        list(BIVARIATE[str(c)]) + [210] if str(c) in BIVARIATE else list(SUPPRESSED_FILL) + [200]
        for c in table["bivariate_class"]
    ]
    frame = pd.DataFrame(
        {
            "code": table["ward_code"],
            "fill": fills,
            "value_text": [str(c) for c in table["bivariate_class"]],
            "count_text": [
                f"police {p:,}, health {a}" for p, a in zip(table["police_violence"], table["admissions"], strict=True)
            ],
        }
    )
    view = _view(layers, table["ward_code"] if filtered else None)
    tooltip = "<b>{name}</b><br/>{district_name}<br/>{value_text}<br/>{count_text}"
    if synthetic:
        tooltip = "<b>SYNTHETIC</b><br/>" + tooltip
    return build_deck(
        {**_ward_layers(layers, frame), "districts": layers["districts"]},
        tooltip_html=tooltip,
        view=view,
        basemap=basemap,
        watermark="SYNTHETIC HEALTH DATA" if synthetic else None,
    )
