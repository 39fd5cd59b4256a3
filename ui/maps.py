"""Deck assembly for the pages (colours, tooltips, view) from ``vrc_geo.mapping`` builders."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from vrc_geo.mapping import BIVARIATE, build_deck, classify, view_for, with_values

GI_COLOURS = {
    3: (189, 0, 38),
    2: (240, 59, 32),
    1: (253, 141, 60),
    0: (236, 236, 236),
    -1: (158, 202, 225),
    -2: (66, 146, 198),
    -3: (8, 81, 156),
}
GI_LABELS = {
    3: "Hot 99%",
    2: "Hot 95%",
    1: "Hot 90%",
    0: "Not significant",
    -1: "Cold 90%",
    -2: "Cold 95%",
    -3: "Cold 99%",
}


def _view(layers: dict[str, Any], codes: pd.Series | None) -> tuple[float, float, float]:
    """Fit the map to the selected wards (all of Kent & Medway when none are filtered out)."""
    if codes is None:
        return view_for(layers["bounds"])
    wanted = set(codes)
    xs, ys = [], []
    for feature in layers["wards"]["features"]:
        if feature["properties"]["code"] in wanted:
            coords = np.asarray(_flatten(feature["geometry"]["coordinates"]))
            xs += [coords[:, 0].min(), coords[:, 0].max()]
            ys += [coords[:, 1].min(), coords[:, 1].max()]
    if not xs:
        return view_for(layers["bounds"])
    return view_for((min(xs), min(ys), max(xs), max(ys)))


def _flatten(coords: Any) -> list:
    if isinstance(coords[0], (int, float)):
        return [coords]
    out = []
    for part in coords:
        out += _flatten(part)
    return out


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
):
    """Ward choropleth of ``table['value']`` (classed) with district outlines; returns (deck, classes)."""
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
    wards = with_values(_only(layers["wards"], set(table["ward_code"])), frame)
    districts = _only(layers["districts"], set(table["district_code"]), key="district_code")
    tooltip = f"<b>{{name}}</b><br/>{{district_name}}<br/>{label}: <b>{{value_text}}</b>"
    if measure != "count":
        tooltip += "<br/>Records: {count_text}"
    deck = build_deck(
        {"wards": wards, "districts": districts},
        tooltip_html=tooltip,
        view=_view(layers, table["ward_code"] if filtered else None),
        basemap=basemap,
    )
    return deck, classes


def hotspot_deck(layers: dict[str, Any], wards: pd.DataFrame, footprints: dict, *, basemap: bool, filtered: bool):
    """Wards coloured by Gi* class, hotspot footprints on top (drug-related in dark red)."""
    frame = pd.DataFrame(
        {
            "code": wards["code"],
            "fill": [list(GI_COLOURS[int(b)]) + [170] for b in wards["gi_bin"]],
            "value_text": [GI_LABELS[int(b)] for b in wards["gi_bin"]],
            "count_text": [f"{int(c):,}" for c in wards["violence_records"]],
            "hotspot_id": "",
        }
    )
    ward_json = with_values(_only(layers["wards"], set(wards["code"])), frame)
    districts = _only(layers["districts"], set(wards["district_code"]), key="district_code")
    tooltip = "<b>{name}{hotspot_id}</b><br/>{district_name}<br/>{value_text}<br/>Violence-group records: {count_text}"
    return build_deck(
        {"wards": ward_json, "districts": districts, "hotspots": footprints},
        tooltip_html=tooltip,
        view=_view(layers, wards["code"] if filtered else None),
        basemap=basemap,
    )


def bivariate_deck(layers: dict[str, Any], table: pd.DataFrame, *, basemap: bool, filtered: bool):
    """Wards coloured by the police x health class (suppressed wards grey)."""
    fills = [
        list(BIVARIATE[str(c)]) + [210] if str(c) in BIVARIATE else [255, 255, 255, 60]
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
    wards = with_values(_only(layers["wards"], set(table["ward_code"])), frame)
    tooltip = "<b>{name}</b><br/>{district_name}<br/>{value_text}<br/>{count_text}"
    return build_deck(
        {"wards": wards, "districts": layers["districts"]},
        tooltip_html=tooltip,
        view=_view(layers, table["ward_code"] if filtered else None),
        basemap=basemap,
    )
