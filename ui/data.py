"""Cached access to the data: loaded once per server process, computed once per selection."""

from __future__ import annotations

import hashlib
import sys
from typing import Any

import geopandas as gpd
import pandas as pd
import streamlit as st

from vrc_geo.aggregate import Selection
from vrc_geo.config import find_sources
from vrc_geo.store import PoliceDataset, load_police

_OVERRIDE = "dataset_override"


def app_flags(argv: list[str] | None = None) -> dict[str, Any]:
    """``--data-dir``, ``--crimes``, ``--boundaries`` given after ``--`` to ``streamlit run app.py``."""
    import argparse

    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--data-dir")
    parser.add_argument("--crimes", nargs="+")
    parser.add_argument("--boundaries")
    known, _ = parser.parse_known_args(sys.argv[1:] if argv is None else argv)
    return {"data_dir": known.data_dir, "crimes": known.crimes, "boundaries": known.boundaries}


@st.cache_resource(show_spinner="Loading police.uk data (first start only)…")
def server_dataset() -> PoliceDataset:
    """The dataset found by the documented search order (flags, environment, data/, sample), once per
    server process."""
    return load_police(find_sources(**app_flags()))


def current_dataset() -> PoliceDataset:
    """This session's dataset: an uploaded one if the user chose it on the Data page, else the server's."""
    override = st.session_state.get(_OVERRIDE)
    return override if override is not None else server_dataset()


def reload() -> None:
    """Forget the loaded data and everything computed from it (new files are found on the next run)."""
    st.cache_resource.clear()
    st.session_state[_OVERRIDE] = None


def use_dataset(dataset: PoliceDataset | None) -> None:
    st.session_state[_OVERRIDE] = dataset


@st.cache_resource(show_spinner=False, max_entries=8)
def browser_layers(_dataset: PoliceDataset, key: str) -> dict[str, Any]:
    """Simplified ward and district GeoJSON for the browser, and their sizes (built once per dataset)."""
    from vrc_geo.mapping import browser_geojson, geojson_size_bytes

    wards = _dataset.wards.wards
    ward_json = browser_geojson(wards, tolerance_m=30, keep=("code", "name", "district_name"))
    districts = wards.dissolve(by="district_code", as_index=False)[["district_code", "district_name", "geometry"]]
    district_json = browser_geojson(districts, tolerance_m=60, keep=("district_code", "district_name"))
    bounds = gpd.GeoSeries(wards.geometry, crs=wards.crs).to_crs("EPSG:4326").total_bounds
    return {
        "wards": ward_json,
        "districts": district_json,
        "district_frame": districts,
        "ward_bytes": geojson_size_bytes(ward_json),
        "district_bytes": geojson_size_bytes(district_json),
        "bounds": tuple(float(b) for b in bounds),
    }


@st.cache_resource(show_spinner=False, max_entries=64)
def ward_view(_dataset: PoliceDataset, key: str, selection: Selection, measure: str):
    from vrc_geo.overview import ward_view as compute

    return compute(_dataset, selection, measure)


@st.cache_resource(show_spinner="Finding hotspots…", max_entries=16)
def hotspots(_dataset: PoliceDataset, key: str, selection: Selection, params: tuple):
    from vrc_geo.hotspots.service import hotspots_for

    return hotspots_for(_dataset, selection, dict(params))


@st.cache_resource(show_spinner="Preparing health figures…", max_entries=16)
def health(_dataset: PoliceDataset, key: str, selection: Selection, source: str, upload_key: str, _frames=None):
    from vrc_geo.health.service import health_for

    if source == "demo":
        return health_for(_dataset, selection, synthetic_demo=True, seed=0)
    return health_for(_dataset, selection, frames=_frames)


@st.cache_resource(show_spinner=False, max_entries=32)
def trends(_dataset: PoliceDataset, key: str, selection: Selection):
    from vrc_geo.overview import district_trends

    return district_trends(_dataset, selection)


def frames_key(frames: list[tuple[str, pd.DataFrame]] | None) -> str:
    """A stable key for uploaded tables (for caching)."""
    if not frames:
        return ""
    digest = hashlib.sha256()
    for name, frame in frames:
        digest.update(name.encode())
        digest.update(pd.util.hash_pandas_object(frame, index=False).to_numpy().tobytes())
    return digest.hexdigest()[:16]


@st.cache_resource(show_spinner=False, max_entries=64)
def ward_detail(_dataset: PoliceDataset, key: str, selection: Selection, ward: str):
    from vrc_geo.overview import ward_detail as compute

    return compute(_dataset, selection, ward)


HOTSPOT_DEFAULTS: tuple = ()


def ward_status(dataset: PoliceDataset, key: str, selection: Selection, health_source: str, ward: str) -> list[str]:
    """Lines on the ward's hotspot status and (when chosen) its published health figures."""
    from vrc_geo.aggregate import Selection as Sel

    scope = Sel(selection.start, selection.end, selection.districts, None)
    bundle = hotspots(dataset, key, scope, HOTSPOT_DEFAULTS)
    stats = bundle.result.wards.set_index("code")
    lines = []
    if ward in stats.index:
        row = stats.loc[ward]
        lines.append(
            f"**Hotspot status (violence group, Gi\\*):** {row['hotspot_class']}; trend: {row['trend_class']} "
            f"(z = {row['gi_z']:.2f})."
        )
    table = bundle.result.table
    inside = table[table["ward_codes"].str.contains(ward, regex=False)]
    if len(inside):
        listed = "; ".join(
            f"#{r.rank} {r.hotspot_id} ({r.violence_count} violence, "
            f"{'drug-related' if r.drug_related else 'not drug-related'})"
            for r in inside.head(5).itertuples()
        )
        lines.append(f"**Hotspots in this ward:** {listed}.")
    else:
        lines.append("**Hotspots in this ward:** none in the selection.")
    if health_source in {"demo", "upload"}:
        frames = st.session_state.get("health_upload") if health_source == "upload" else None
        if health_source == "upload" and not frames:
            lines.append("**Health:** no uploaded extract yet (Data page).")
            return lines
        default = Sel(None, None, selection.districts, None)  # health: the latest publication period
        bundle_h = health(dataset, key, default, health_source, frames_key(frames), _frames=frames)
        published = bundle_h.published().set_index("ward_code")
        if ward in published.index:
            row = published.loc[ward]
            label = " (SYNTHETIC)" if bundle_h.synthetic else ""
            lines.append(
                f"**Health{label}, {bundle_h.period.label}:** admissions {row['admissions']} (rate "
                f"{row['admissions_rate_per_1000']} per 1,000); {row['bivariate_class']}; possible "
                f"under-reporting: {row['underreporting_flag']}."
            )
    return lines


def server_dataset_or_none() -> PoliceDataset | None:
    try:
        return server_dataset()
    except Exception:  # no data yet: callers explain
        return None


def current_dataset_or_none() -> PoliceDataset | None:
    override = st.session_state.get(_OVERRIDE)
    return override if override is not None else server_dataset_or_none()


@st.cache_resource(show_spinner=False, max_entries=16)
def briefing(
    _dataset: PoliceDataset,
    key: str,
    selection: Selection,
    measure: str,
    describe: str,
    health_source: str,
    _hot,
    _health,
) -> str:
    """The briefing HTML for a view, cached per view (``health_source`` keys the health part)."""
    from vrc_geo.briefing import briefing_html, build_briefing

    brief = build_briefing(_dataset, selection, measure=measure, describe=describe, hotspots=_hot, health=_health)
    return briefing_html(brief)


@st.cache_resource(show_spinner=False, max_entries=4)
def violence_profile(_dataset: PoliceDataset, key: str):
    from vrc_geo.violence_profile import violence_profile as compute

    return compute(_dataset.wards.reference)


@st.cache_resource(show_spinner=False, max_entries=8)
def violence_profile_file(_dataset: PoliceDataset, key: str, fmt: str) -> bytes:
    from vrc_geo.profile_report import profile_file_bytes

    return profile_file_bytes(_dataset, fmt)[0]


def district_context(dataset: PoliceDataset, key: str, fingertips: pd.DataFrame | None) -> pd.DataFrame:
    from vrc_geo.violence_profile import district_context as compute

    return compute(dataset, fingertips)
