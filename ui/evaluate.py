"""The Evaluate page's parts: choosing target areas, running the evaluation (remembered in this session),
and showing its answer."""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely
import streamlit as st

from vrc_geo.dataset.store import PoliceDataset
from vrc_geo.evaluation.report import EVALUATION_LABELS
from vrc_geo.evaluation.zone_areas import zone_areas
from vrc_geo.io.targets import TargetAreas, read_targets, targets_from_frame, wards_as_targets

from . import data

SOURCES = {
    "zones": "Patrol zones",
    "places": "Places to patrol (a circle round each)",
    "wards": "Wards",
    "upload": "A file of areas (GeoJSON, GeoPackage, zipped Shapefile)",
}
MAX_UPLOAD_MB = 32
#: Short headers for the screen (at 1366 px the target, the change, its interval and p-value are in view;
#: the buffer's columns scroll); the full wording is each header's tooltip and the files' Labels sheet.
SCREEN_HEADERS = {
    "area": "Target area",
    "before_per_month": "Before, a month",
    "after_per_month": "After, a month",
    "expected_after_per_month": "Expected after, a month",
    "effect_pct": "Change vs expected (%)",
    "interval": "95 % interval (%)",
    "p_value": "P-value",
    "buffer_before_per_month": "Buffer before",
    "buffer_after_per_month": "Buffer after",
    "buffer_effect_pct": "Buffer change (%)",
    "buffer_p_value": "Buffer p-value",
    "wdq": "WDQ",
    "wdd": "WDD",
    "wdd_p_value": "WDD p-value",
    "months_before": "Months before",
    "months_after": "Months from start",
}


#: What a target's own row shows under the buffer's change, worked out only for the targets together.
TOGETHER = "see all targets"


def choose_targets(dataset: PoliceDataset, hotspots) -> TargetAreas | None:
    """The target areas the user picks (``None`` until some are chosen)."""
    source = st.radio("Target areas", list(SOURCES), format_func=SOURCES.get, horizontal=True, key="f_ev_source")
    result = hotspots.result
    if source == "zones" and result.zones is not None:
        zones = result.zones
        names = dict(zip(zones["zone_id"], zones["zone_id"] + " " + zones["zone_name"], strict=True))
        chosen = st.multiselect("Zones", list(names), format_func=names.get, key="f_ev_zones", max_selections=30)
        if not chosen:
            return None
        picked = zones[zones["zone_id"].isin(chosen)]
        frame = gpd.GeoDataFrame(
            {"area": picked["zone_id"] + " " + picked["zone_name"]}, geometry=zone_areas(picked.geometry), crs=zones.crs
        )
        return targets_from_frame(frame, "patrol zones")
    if source == "places":
        table = result.table[result.table["kind"] == "place"].head(200)
        names = dict(
            zip(
                table["hotspot_id"],
                table["hotspot_id"] + " " + table["top_locations"].str.split(" \\(").str[0],
                strict=True,
            )
        )
        chosen = st.multiselect("Places", list(names), format_func=names.get, key="f_ev_places", max_selections=30)
        radius = st.slider("Circle round each place (metres)", 40, 500, 300, step=10, key="f_ev_radius")
        if not chosen:
            return None
        index = table.index[table["hotspot_id"].isin(chosen)]
        centres = result.footprints.loc[index].centroid
        frame = gpd.GeoDataFrame(
            {"area": table.loc[index, "hotspot_id"].to_numpy()},
            geometry=centres.buffer(radius).to_numpy(),
            crs="EPSG:27700",
        )
        return targets_from_frame(frame, "places to patrol")
    if source == "wards":
        wards = dataset.wards.wards.sort_values(["district_name", "name"])
        names = dict(zip(wards["code"], wards["name"] + " (" + wards["district_name"] + ")", strict=True))
        chosen = st.multiselect("Wards", list(names), format_func=names.get, key="f_ev_wards", max_selections=30)
        return wards_as_targets(dataset.wards.wards, list(chosen)) if chosen else None
    upload = st.file_uploader(
        f"Target areas (up to {MAX_UPLOAD_MB} MB)", type=["geojson", "json", "gpkg", "zip"], key="f_ev_upload"
    )
    if upload is None:
        return None
    if upload.size > MAX_UPLOAD_MB * 2**20:
        st.error(f"{upload.name} is over {MAX_UPLOAD_MB} MB: send a smaller file of areas.")
        return None
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / Path(upload.name).name
        path.write_bytes(upload.getvalue())
        return read_targets(path)


def run(dataset: PoliceDataset, targets: TargetAreas, **options):
    """The evaluation, remembered in this session by its targets and options."""
    from vrc_geo.evaluation.service import evaluate_targets

    shapes = hashlib.sha256(b"".join(shapely.to_wkb(targets.areas.geometry.to_numpy()))).hexdigest()
    key = (dataset.key, shapes, tuple(targets.areas["area"]), tuple(sorted(options.items())))

    def build():
        with st.spinner("Comparing the targets with what would have happened, and with untouched places…"):
            return evaluate_targets(dataset, targets, **options)

    return data.session_memo("_evaluation_memo", key, build)


def screen_table(table: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str]]:
    """The result table as the page shows it: short headers (each with its full meaning as a tooltip), the
    interval as one column ("-20 to +1"), "all" named as the targets together; the files keep every
    column as it is."""
    shown = table.copy()
    shown["area"] = shown["area"].replace({"all": "All targets together"})
    low, high = shown.pop("ci_low_pct"), shown.pop("ci_high_pct")
    shown.insert(
        shown.columns.get_loc("p_value"),
        "interval",
        [f"{a:+.0f} to {b:+.0f}" if pd.notna(a) and pd.notna(b) else "" for a, b in zip(low, high, strict=True)],
    )
    for column in ("p_value", "buffer_p_value", "wdd_p_value"):  # three decimals, as the answer writes p
        if column in shown.columns:
            shown[column] = [f"{p:.3f}" if pd.notna(p) else "" for p in shown[column]]
    if "buffer_effect_pct" in shown.columns:  # the rings are one buffer: its change is the targets' together
        pooled = shown["buffer_effect_pct"][shown["area"] == "All targets together"]
        has_buffer = bool(pooled.notna().any())
        shown["buffer_effect_pct"] = [
            f"{v:.1f}" if pd.notna(v) else (TOGETHER if has_buffer and a != "All targets together" else "")
            for v, a in zip(shown["buffer_effect_pct"], shown["area"], strict=True)
        ]
    meanings = {
        **EVALUATION_LABELS,
        "interval": "95 % interval of the change against expected (%), from the untouched places",
        "buffer_effect_pct": EVALUATION_LABELS["buffer_effect_pct"]
        + f': worked out for the targets together, whose rings make one buffer ("{TOGETHER}" on each target)',
    }
    shown = shown[[c for c in SCREEN_HEADERS if c in shown.columns]]
    help_texts = {SCREEN_HEADERS[c]: meanings[c] for c in shown.columns}
    return shown.rename(columns=SCREEN_HEADERS), help_texts
