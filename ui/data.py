"""Cached access to the data: loaded once per data version, computed once per selection.

What is shared between sessions and what is not:

* The server's police.uk data and everything computed from it (maps, hotspots, trends, the SYNTHETIC
  health demo) are cached for all sessions, bounded by ``max_entries``. The data is keyed by a *data
  version* (a digest of the input files' paths and contents) that each session takes when it starts and
  renews only when it presses "Reload data": a reload never clears anyone else's caches. The server
  looks the version up at most every :data:`VERSION_MAX_AGE_S` for new sessions (walking and hashing
  the data folder was 7 % of a fresh server's busy samples while ten people opened the Overview), and
  at once after a reload.
* Health figures from an uploaded partner extract, and any briefing built from them, are kept in the
  session's own state (a small memo, :func:`session_memo`), never in a cache another session can reach, and
  go when the session ends.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any, TypeVar

import geopandas as gpd
import pandas as pd
import streamlit as st

from ui import hotspot_process
from ui.auth import signed_in_name
from vrc_geo.config import ENV_BOUNDARIES, ENV_CACHE_DIR, ENV_DATA_DIR, find_sources
from vrc_geo.dataset.aggregate import Selection
from vrc_geo.dataset.cache import file_sha256
from vrc_geo.dataset.store import PoliceDataset, load_police, sources_fingerprint
from vrc_geo.hotspots.footprint import place_label

T = TypeVar("T")
_OVERRIDE = "dataset_override"
_VERSION = "data_version"
VERSION_MAX_AGE_S = 30.0  #: how old the server's last look at the data folder may be for a new session
_latest: dict[str, tuple[float, str, Path | None]] = {}  # search order -> _look(); one per process
_latest_lock = threading.Lock()
HEALTH_UPLOAD = "health_upload"  # session state: {"key": digest, "frames": [(file name, table)]}


def app_flags(argv: list[str] | None = None) -> dict[str, Any]:
    """``--data-dir``, ``--crimes``, ``--boundaries`` given after ``--`` to ``streamlit run app.py``."""
    import argparse

    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--data-dir")
    parser.add_argument("--crimes", nargs="+")
    parser.add_argument("--boundaries")
    known, _ = parser.parse_known_args(sys.argv[1:] if argv is None else argv)
    return {"data_dir": known.data_dir, "crimes": known.crimes, "boundaries": known.boundaries}


@st.cache_resource(show_spinner="Loading police.uk data…", max_entries=2)
def _server_dataset(version: str) -> PoliceDataset:
    """The dataset found by the documented search order (flags, environment, data/, sample) for one data
    version; at most two versions are kept (the current one and the one before a reload)."""
    return load_police(find_sources(**app_flags()))


def data_version() -> str:
    """This session's data version: taken at its first page, renewed only by :func:`reload`."""
    version = st.session_state.get(_VERSION)
    if version is None:
        version = latest_version()
        st.session_state[_VERSION] = version
    return version


def latest_version(*, max_age_s: float = VERSION_MAX_AGE_S) -> str:
    """The data version of the files found now, looked up again once the last look is ``max_age_s`` old:
    sessions starting together share one walk of the data folder."""
    return _look(max_age_s)[1]


def _look(max_age_s: float = VERSION_MAX_AGE_S) -> tuple[float, str, Path | None]:
    """(when, data version, partners' register of sites) of the server's last look at its data folder."""
    flags = app_flags()
    where = [os.environ.get(name) for name in (ENV_DATA_DIR, ENV_BOUNDARIES, ENV_CACHE_DIR)]
    key = repr((sorted(flags.items()), where, os.getcwd()))  # what the search order reads
    with _latest_lock:
        look = _latest.get(key)
        if look is None or time.monotonic() - look[0] > max_age_s:
            sources = find_sources(**flags)
            look = _latest[key] = (time.monotonic(), sources_fingerprint(sources), sources.sites_register)
    return look


def server_dataset() -> PoliceDataset:
    """The server's data at this session's data version."""
    return _server_dataset(data_version())


def server_dataset_at(version: str) -> PoliceDataset:
    """The server's data at a data version (``sources_fingerprint`` of the sources found), outside any
    session: what :mod:`ui.warm` loads before the server lets anyone in."""
    return _server_dataset(version)


def current_dataset() -> PoliceDataset:
    """This session's dataset: an uploaded one if the user chose it on the Data page, else the server's."""
    override = st.session_state.get(_OVERRIDE)
    return override if override is not None else server_dataset()


def reload() -> None:
    """Look for new or changed files again, for this session only: it takes the current data version
    (unchanged files come from the disk cache); other sessions keep theirs until they reload."""
    st.session_state.pop(_VERSION, None)
    st.session_state[_OVERRIDE] = None
    with _latest_lock:  # the next look walks the data folder again
        _latest.clear()


def use_dataset(dataset: PoliceDataset | None) -> None:
    st.session_state[_OVERRIDE] = dataset


@st.cache_resource(show_spinner=False, max_entries=8)
def browser_layers(_dataset: PoliceDataset, key: str) -> dict[str, Any]:
    """Simplified ward and district GeoJSON for the browser (built once per dataset)."""
    from vrc_geo.outputs.map_outlines import simplify_coverage
    from vrc_geo.outputs.maps import browser_geojson, with_segments

    wards = _dataset.wards.wards
    # 50 m: under a pixel up to town zoom (a pixel is ~250 m at county zoom, ~25 m at zoom 12). Simplified
    # as one coverage: neighbours share their simplified border, drawn once as a line (docs/app.md).
    shapes = simplify_coverage(wards.geometry.to_numpy(), wards["district_code"].to_numpy(), tolerance_m=50)
    ward_json = browser_geojson(
        wards.set_geometry(shapes.areas, crs=wards.crs), tolerance_m=0, keep=("code", "name", "district_name")
    )
    districts = wards.dissolve(by="district_code", as_index=False)[["district_code", "district_name", "geometry"]]
    # Borders inside each district; district outlines with each arc once, tagged with both sides.
    lines_json = browser_geojson(
        gpd.GeoDataFrame({"district_code": list(shapes.inner)}, geometry=list(shapes.inner.values()), crs=wards.crs),
        tolerance_m=0,
        keep=("district_code",),
    )
    district_json = browser_geojson(
        gpd.GeoDataFrame(
            {"district_code": [a for a, _ in shapes.outline], "other_code": [b for _, b in shapes.outline]},
            geometry=list(shapes.outline.values()),
            crs=wards.crs,
        ),
        tolerance_m=0,
        keep=("district_code", "other_code"),
    )
    bounds = gpd.GeoSeries(wards.geometry, crs=wards.crs).to_crs("EPSG:4326").total_bounds
    # Names drawn on the maps: each district's, at a point inside it (the bundle's own boundaries, offline).
    inside = gpd.GeoSeries(districts.geometry.representative_point(), crs=wards.crs).to_crs("EPSG:4326")
    names = [
        {"code": str(code), "text": str(name), "lon": round(p.x, 5), "lat": round(p.y, 5)}
        for code, name, p in zip(districts["district_code"], districts["district_name"], inside, strict=True)
    ]
    return {
        "district_names": names,
        "wards": ward_json,
        "ward_lines": with_segments(lines_json),  # drawn as segments: worked out once, not per view
        "ward_district": dict(zip(wards["code"], wards["district_code"], strict=True)),
        "districts": with_segments(district_json),
        "district_frame": districts,
        "bounds": tuple(float(b) for b in bounds),
    }


@st.cache_resource(show_spinner=False, max_entries=64)
def ward_view(_dataset: PoliceDataset, key: str, selection: Selection, measure: str):
    from vrc_geo.outputs.views import ward_view as compute

    return compute(_dataset, selection, measure)


@st.cache_resource(show_spinner=False, max_entries=32)
def ward_choices(_dataset: PoliceDataset, key: str, districts: tuple[str, ...] | None) -> dict[str, str]:
    """The Overview's list of wards of the districts chosen: code -> "Ward (District)", by district, then
    ward. Once per dataset and districts: sorting the names was a sixth of an Overview rerun."""
    wards = _dataset.wards.wards  # the Overview's rows (ward_view): no population needed for names
    if districts is not None:
        wards = wards[wards["district_code"].isin(districts)]
    wards = wards.sort_values(["district_name", "name"])
    return dict(zip(wards["code"], wards["name"] + " (" + wards["district_name"] + ")", strict=True))


@st.cache_resource(show_spinner=False, max_entries=64)
def overview_deck(
    _dataset: PoliceDataset, key: str, selection: Selection, measure: str, basemap: bool, selected: str | None
):
    """The Overview's map deck and classes for a view, built and serialised once and shared: every session
    showing the same view gets the same deck (its JSON kept), so a rerun does not rebuild 0.5 MB of it."""
    from ui import maps

    table = ward_view(_dataset, key, selection, measure).table
    label = {"count": "Records", "rate": "Per 1,000 residents", "change": "Change"}[measure]
    units = {"count": "records", "rate": "per 1,000 residents", "change": "records vs previous period"}[measure]
    return maps.measure_deck(
        browser_layers(_dataset, key),
        table,
        measure=measure,
        label=label,
        units=units,
        basemap=basemap,
        filtered=selection.districts is not None,
        selected=selected,
    )


@st.cache_resource(show_spinner=False, max_entries=32)
def hotspot_deck(
    _dataset: PoliceDataset,
    key: str,
    scope: Selection,
    shown: str,
    top: int,
    basemap: bool,
    params: tuple = (),
    zone: str | None = None,
):
    """The Hotspots map for a view (which kind, how many; or one patrol zone close up), built and
    serialised once and shared."""
    from ui import maps

    result = hotspots(_dataset, key, scope, params).result
    table = result.table
    keep = table["kind"].eq(shown) if shown != "all" else table["kind"].notna()
    if zone is not None:
        keep = table["zone_id"].eq(zone)
        top = int(keep.sum())
    listed = table[keep].head(top)
    zones = result.zones
    if zones is not None:
        zones = zones[zones["zone_id"].isin(set(listed["zone_id"]) | {zone})]
    return maps.hotspot_deck(
        browser_layers(_dataset, key),
        result.wards,
        listed,
        result.footprints[keep.to_numpy()].iloc[:top],
        basemap=basemap,
        filtered=scope.districts is not None,
        zones=zones,
        focus=zone,
    )


def hotspots(_dataset: PoliceDataset, key: str, selection: Selection, params: tuple):
    """Hotspots of a view, with the register of institutions beside the data when there is one."""
    path = _look()[2]  # the register found with the data, at most VERSION_MAX_AGE_S ago
    stamp = f"{path}:{file_sha256(path)}" if path is not None and path.is_file() else ""
    return _hotspots(_dataset, key, selection, params, stamp)


@st.cache_resource(show_spinner="Finding hotspots…", max_entries=16)
def _hotspots(_dataset: PoliceDataset, key: str, selection: Selection, params: tuple, register: str):
    path = register.rsplit(":", 1)[0] if register else None
    bundle = hotspot_process.compute(_dataset, selection, dict(params), path)
    return bundle if bundle is not None else hotspot_process.hotspots_here(_dataset, selection, dict(params), path)


@st.cache_resource(show_spinner="Preparing health figures (SYNTHETIC demo)…", max_entries=8)
def _health_demo(_dataset: PoliceDataset, key: str, selection: Selection):
    from vrc_geo.health.service import health_for

    return health_for(_dataset, selection, synthetic_demo=True, seed=0)


def session_memo(name: str, key: Hashable, build: Callable[[], T], *, max_entries: int = 4) -> T:
    """``build()`` remembered in this session's state under ``key`` (the ``max_entries`` most recent).
    Session state belongs to one session only, so nothing kept here can be served to another."""
    memo: dict = st.session_state.setdefault(name, {})
    if key in memo:
        memo[key] = memo.pop(key)  # most recently used last
        return memo[key]
    value = build()
    memo[key] = value
    while len(memo) > max_entries:
        memo.pop(next(iter(memo)))
    return value


def _health_upload(dataset: PoliceDataset, selection: Selection, upload: dict):
    from vrc_geo.health.service import health_for

    def build():
        with st.spinner("Preparing health figures…"):
            return health_for(dataset, selection, frames=upload["frames"])

    return session_memo("_health_memo", (dataset.key, selection, upload["key"]), build)


def health_upload() -> dict | None:
    """This session's uploaded health extract (``key`` and ``frames``), if any."""
    return st.session_state.get(HEALTH_UPLOAD)


def health(dataset: PoliceDataset, selection: Selection, source: str):
    """Health figures for ``source`` (``"demo"`` or ``"upload"``), or ``None`` when there are none. Uploaded
    extracts are cached in this session only."""
    if source == "demo":
        return _health_demo(dataset, dataset.key, selection)
    upload = health_upload()
    if source == "upload" and upload:
        return _health_upload(dataset, selection, upload)
    return None


@st.cache_resource(show_spinner=False, max_entries=32)
def trends(_dataset: PoliceDataset, key: str, selection: Selection):
    from vrc_geo.outputs.views import district_trends

    return district_trends(_dataset, selection)


@st.cache_resource(show_spinner=False, max_entries=64)
def ward_detail(_dataset: PoliceDataset, key: str, selection: Selection, ward: str):
    from vrc_geo.outputs.views import ward_detail as compute

    return compute(_dataset, selection, ward)


def ward_status(
    dataset: PoliceDataset,
    key: str,
    selection: Selection,
    health_source: str,
    ward: str,
    params: tuple = (),
) -> list[str]:
    """Lines on the ward's hotspot status and (when chosen) its published health figures."""
    from ui.render import md_escape
    from vrc_geo.dataset.aggregate import Selection as Sel
    from vrc_geo.hotspots.plain_words import gi_inference

    scope = Sel(selection.start, selection.end, selection.districts, None)
    bundle = hotspots(dataset, key, scope, params)
    stats = bundle.result.wards.set_index("code")
    lines = []
    if ward in stats.index:
        row = stats.loc[ward]
        lines.append(
            f"**Hotspot status (violence group):** {row['hotspot_class']}; trend: {row['trend_class']}. "
            + gi_inference(
                permutations=dict(params).get("gi_permutations", 9999),
                inference=dict(params).get("inference", "permutation"),
            )
        )
    table = bundle.result.table
    inside = table[table["ward_codes"].str.contains(ward, regex=False)]
    if len(inside):
        listed = "; ".join(
            f"No. {r.rank}, {md_escape(place_label(r.top_locations, r.ward_names))} "
            f"({r.violence_count} violence records, "
            f"{'drug-related' if r.drug_related else 'not drug-related'})"
            for r in inside.head(5).itertuples()
        )
        lines.append(f"**Hotspots in this ward:** {listed}.")
    else:
        lines.append("**Hotspots in this ward:** none in the selection.")
    if health_source in {"demo", "upload"}:
        default = Sel(None, None, selection.districts, None)  # health: the latest publication period
        bundle_h = health(dataset, default, health_source)
        if bundle_h is None:
            lines.append("**Health:** no uploaded extract yet (Data page).")
            return lines
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


def _briefing(
    dataset: PoliceDataset,
    selection: Selection,
    measure: str,
    describe: str,
    signed: str | None,
    hot,
    health,
    evaluation=None,
):
    from vrc_geo.outputs.briefing import briefing_html, build_briefing

    brief = build_briefing(
        dataset, selection, measure=measure, describe=describe, hotspots=hot, health=health, evaluation=evaluation
    )
    return briefing_html(brief, signed_in_as=signed)


@st.cache_resource(show_spinner=False, max_entries=16)
def _briefing_shared(
    _dataset,
    key: str,
    selection: Selection,
    measure: str,
    describe: str,
    health_source: str,
    signed: str | None,
    _hot,
    _health,
) -> str:
    return _briefing(_dataset, selection, measure, describe, signed, _hot, _health)


def briefing(
    dataset: PoliceDataset, selection: Selection, measure: str, describe: str, hot, health, evaluation=None
) -> str:
    """The briefing HTML for a view. One built with an uploaded health extract, or with this session's
    evaluation, is cached in this session only; the others are shared. The signed-in name (when sign-in
    is on) is part of the key."""
    signed = signed_in_name()
    if evaluation is not None:
        key = (dataset.key, selection, measure, describe, id(evaluation), id(health), signed)
        return session_memo(
            "_briefing_memo",
            key,
            lambda: _briefing(dataset, selection, measure, describe, signed, hot, health, evaluation),
        )
    if health is not None and not health.synthetic:
        upload = health_upload() or {}
        key = (dataset.key, selection, measure, describe, upload.get("key", ""), signed)
        return session_memo(
            "_briefing_memo", key, lambda: _briefing(dataset, selection, measure, describe, signed, hot, health)
        )
    source = "demo" if health is not None else "none"
    return _briefing_shared(dataset, dataset.key, selection, measure, describe, source, signed, hot, health)


@st.cache_resource(show_spinner=False, max_entries=4)
def violence_profile(_dataset: PoliceDataset, key: str):
    from vrc_geo.profile.violence_profile import violence_profile as compute

    return compute(_dataset.wards.reference)


@st.cache_resource(show_spinner=False, max_entries=8)
def violence_profile_file(_dataset: PoliceDataset, key: str, fmt: str) -> bytes:
    from vrc_geo.profile.report import profile_file_bytes

    return profile_file_bytes(_dataset, fmt)[0]


def district_context(dataset: PoliceDataset, key: str, fingertips: pd.DataFrame | None) -> pd.DataFrame:
    from vrc_geo.profile.violence_profile import district_context as compute

    return compute(dataset, fingertips)
