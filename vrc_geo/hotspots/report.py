"""Hotspot files (CSV; XLSX with About, Labels, Backtest, Calibration, Institutions and Harm weights sheets;
GeoJSON footprints).

The CLI and the app both call :func:`hotspot_file_bytes`, so the two give identical files. Column
names are the documented contract (:data:`.rank.HOTSPOT_COLUMNS`); :data:`PLAIN_LABELS` gives each a
plain-English label, used by the app, the XLSX "Labels" sheet and the ``plain=True`` header option.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pandas as pd

from ..base.months import period_words
from ..io.writers import table_bytes
from ..reference.area import AREA
from ..reference.kinds import kind as kind_of
from ..reference.licences import OGL, OS_NOTICE
from .evaluate.backtest import BacktestResult
from .rank import HotspotResult
from .snap.institutions import institutions_sheet

if TYPE_CHECKING:
    from ..dataset.store import PoliceDataset

__all__ = [
    "CAVEATS",
    "METHOD",
    "PLAIN_LABELS",
    "ZONE_LABELS",
    "hotspot_file_bytes",
    "hotspot_file_name",
    "hotspot_metadata",
]

METHOD = (
    "Places to patrol: every police.uk snap point gets its expected violence-group records a month "
    "(violence and sexual offences, robbery, possession of weapons) by empirical Bayes — its own count "
    "(records from before a change of police.uk's snap-point map counted at the nearest current point), "
    "recent months weighing more (half-life 2 months), pulled towards the average of the snap points "
    "within 250 m by an amount estimated from the data. Patrol circles of 40 m radius are then placed "
    "where they cover the most expected records (each centred on a snap point or midway between two, "
    "no two overlapping, none holding an institution's snap point) and kept while a circle is expected "
    "to see at least one record a month: each circle is one place. Concentrations far above their "
    "surroundings in quiet places are listed too (a local test against the records 150 m-1.5 km away, "
    "FDR-adjusted, at least 4 records a month and 8 times the expected number), drawn as a few "
    "circles that cover them. Places are ranked by expected records a month per circle — what one officer "
    "watching it can expect to meet. Police stations, prisons, hospitals, ports and dominant "
    "unnamed sites are listed apart as sites: named by police.uk, or claimed by a hospital or prison of the "
    "public registers (NHS, Ministry of Justice) as the snap point its records go to — dominant, "
    "violence-heavy, steady, standing out from its neighbourhood. Hot wards: Getis-Ord Gi* of every "
    "ward's records (queen contiguity over the whole county; conditional permutations, exact where the "
    "class is in doubt; "
    "Benjamini-Hochberg FDR; hot at 90/95/99%). Drug-related: the local co-location quotient of "
    "violence towards drugs (Leslie & Kronenfeld), divided by its value when the other crime is "
    "relabelled at random; drug-related when that ratio is above 1 with an FDR-adjusted permutation "
    "p-value under 0.05. Trend: ArcGIS Pro's emerging hot-spot class of the place's main ward."
)

PLAIN_LABELS: dict[str, str] = {
    "rank": "Rank",
    "hotspot_id": "Hotspot",
    "kind": "Type (place to patrol, hot ward, site)",
    "zone_id": "Patrol zone",
    "zone_name": "Patrol zone: where",
    "site_type": "Site (institution)",
    "institution": "Which institution (register, year)",
    "district_name": "District",
    "ward_codes": "Ward codes",
    "ward_names": "Wards",
    "violence_count": "Violence and sexual offences in the period",
    "drugs_count": "Drugs offences inside",
    "weapons_count": "Weapons possession inside",
    "robbery_count": "Robberies inside",
    "drugs_near_count": "Drugs offences within 200 m",
    "expected_per_month": "Expected violence-group records a month",
    "expected_low": "In 8 months of 10, at least",
    "expected_high": "In 8 months of 10, at most",
    "density_per_km2": "Expected records a month per km²",
    "circles": "Patrol circles (40 m) it covers",
    "harm_per_month": "Expected crime harm a month (ONS severity)",
    "drug_related": "Drug-related",
    "colocation_quotient": "Drugs near this violence (co-location quotient)",
    "colocation_ratio": "Drugs near this violence, times chance (above 1 = closer than chance)",
    "p_value": "Chance of a ratio this high with no real link (adjusted)",
    "gi_z": "Hot-spot score of its ward (Gi* z)",
    "hotspot_confidence": "Ward hot-spot confidence",
    "trend_class": "Ward trend over the months",
    "area_km2": "Area (km²)",
    "centroid_lat": "Latitude",
    "centroid_lon": "Longitude",
    "top_locations": "Commonest places (records)",
    "why": "Why it is on the list",
    "main_site_share": "Share at the busiest single point",
    "first_month": "First month",
    "last_month": "Last month",
    "period": "Period",
    "selection": "Districts",
}

CAVEATS = (
    "police.uk locations are anonymised to snap points ('On or near ...'); exact places are not known. "
    "'Violence and sexual offences' bundles violence with and without injury, stalking and harassment and "
    "sexual offences. No police.uk record says 'drug-related': the flag is inferred from where drugs "
    "offences sit relative to violence, and drugs offences largely reflect police activity (searches). "
    "Sites are recognised from police.uk place names by a documented word list and rules, and from public "
    "registers of hospitals and prisons (dated: see the Institutions sheet); an institution missing from "
    "both can still appear as a place. Expected records are estimates from past months, not "
    "forecasts of any one night. Ward boundaries are those of the boundary file used (its vintage is stated)."
)


def hotspot_metadata(
    result: HotspotResult, dataset: PoliceDataset, backtest: BacktestResult | None = None
) -> dict[str, object]:
    """What the About sheet (and GeoJSON ``metadata``) says about a hotspot list."""
    months = result.months
    table = result.table
    counts = table["kind"].value_counts()
    meta: dict[str, object] = {
        "Title": f"Violence hotspots, {result.table['selection'].iloc[0] if len(table) else AREA.name} (police.uk)",
        "Data period": f"{period_words(months[0], months[-1])} ({len(months)} months)" if months else "none",
        "Selection": result.selection.describe(),
        "Boundaries": f"{dataset.wards.vintage} wards ({len(dataset.wards.wards)}) from {dataset.wards.label}",
        "Source": f"police.uk street-level crime, {AREA.force_name} — {OGL}; ONS boundaries, "
        f"{OS_NOTICE[0].lower()}{OS_NOTICE[1:]}",
        "Method": METHOD,
        "Ranking": "harm: expected ONS crime severity a month per patrol circle"
        if result.parameters.get("measure") == "harm"
        else "expected violence-group records a month per patrol circle",
        "Parameters": ", ".join(f"{k}={v}" for k, v in result.parameters.items()),
        "Columns": "; ".join(f"{k} = {v}" for k, v in PLAIN_LABELS.items()),
        "Caveats": CAVEATS,
        "Hotspots": f"{len(table)}: {int(counts.get('place', 0))} places to patrol, "
        f"{int(counts.get('ward', 0))} hot wards, {int(counts.get('site', 0))} sites; "
        f"{int(table['drug_related'].sum())} drug-related",
    }
    if result.places is not None:
        meta["Prior strength"] = f"{result.places.prior_strength_months:.2f} months (estimated by moments)"
    if backtest is not None:
        meta["Backtest"] = backtest.sentence()
        meta["Backtest figures"] = "; ".join(
            f"{c.method}, {c.cut}: hit rate {c.hit_rate:.3f}, area share {c.area_share:.5f}, PAI {c.pai:.1f}, "
            f"PEI {c.pei:.2f}, RRI {c.rri:.2f}"
            for c in backtest.cards
        )
        meta["PEI"] = (
            "PEI compares each method with the best it could have done at its own resolution (Hunt 2016): "
            "40 m discs round the snap points with most later records for the lists of places, the busiest "
            "later cells for the grid peers."
        )
    if result.harm is not None:
        meta["Harm weights"] = (
            f"ONS Crime Severity Score weights per police.uk category, violence and burglary by each "
            f"district's Home Office offence mix ({result.harm.period}); see the Harm weights sheet."
        )
    meta.update({f"Note {i + 1}": n for i, n in enumerate(result.notes)})
    return meta


def hotspot_file_name(
    result: HotspotResult, fmt: str, *, kind: str = "all", top: int | None = None, by: str = "place"
) -> str:
    """A file name that says what is inside: ``hotspots_<districts>_<from>_<to>[_kind][_topN].<ext>``
    (``zones_…`` for the zone list)."""
    where = (
        AREA.slug
        if not result.selection.districts
        else "-".join(
            re.sub(r"[^a-z0-9]+", "-", str(n).lower()).strip("-") for n in result.table["selection"].iloc[0].split(", ")
        )
        if len(result.table)
        else "selection"
    )
    months = result.months
    first, last = (months[0], months[-1]) if months else ("", "")
    parts = ["zones" if by == "zone" else "hotspots", where[:60], first, last]
    if kind != "all" and by != "zone":
        parts.append(kind_of(kind).file_part)
    if top is not None:
        parts.append(f"top{top}")
    return "_".join(p for p in parts if p) + fmt


def hotspot_file_bytes(
    result: HotspotResult,
    fmt: str,
    *,
    dataset: PoliceDataset,
    backtest: BacktestResult | None = None,
    top: int | None = None,
    kind: str = "all",
    plain: bool = False,
    by: str = "place",
) -> bytes:
    """The ranked list as ``.csv``, ``.xlsx`` (+ About, Labels, Zones, Backtest, Calibration,
    Institutions, Harm weights sheets) or ``.geojson`` (WGS84 footprints). ``kind``/``top`` narrow it as
    the app's table does; ``plain`` writes plain-English headers instead of the contract's column names
    (CSV and XLSX); ``by="zone"`` writes the patrol zones instead (one row each, geometry: its circles)."""
    if by == "zone":
        return _zone_file_bytes(result, fmt, dataset=dataset, backtest=backtest, top=top, plain=plain)
    keep = result.table["kind"].eq(kind) if kind != "all" else result.table["kind"].notna()
    table = result.table[keep.to_numpy()]
    footprints = result.footprints[keep.to_numpy()]
    if top is not None:
        table, footprints = table.head(top), footprints.iloc[:top]
    geometry = footprints.set_axis(table.index) if fmt == ".geojson" else None
    meta = hotspot_metadata(result, dataset, backtest)
    extra: dict[str, pd.DataFrame] = {}
    if fmt == ".xlsx":
        extra["Labels"] = pd.DataFrame({"column": list(PLAIN_LABELS), "meaning": list(PLAIN_LABELS.values())})
        if result.zones is not None:
            extra["Zones"] = pd.DataFrame(result.zones.drop(columns="geometry")).rename(columns=ZONE_LABELS)
        if backtest is not None:
            extra["Backtest"] = backtest.table().round(4)
            if len(backtest.calibration):
                extra["Calibration"] = backtest.calibration.round(3)
        if result.places is not None and result.places.claims is not None:
            extra["Institutions"] = institutions_sheet(result.places.claims, result.places.unclaimed)
        if result.harm is not None:
            extra["Harm weights"] = result.harm.derivation
    if plain and fmt != ".geojson":
        table = table.rename(columns=PLAIN_LABELS)
    return table_bytes(table, fmt, geometry=geometry, metadata=meta, sheet_name="hotspots", extra_sheets=extra)


#: Plain-English labels of the zone list's columns (:data:`.zones.ZONE_COLUMNS`).
ZONE_LABELS: dict[str, str] = {
    "zone_rank": "Rank",
    "zone_id": "Zone",
    "zone_name": "Where",
    "district_name": "District",
    "ward_names": "Wards",
    "places": "Places to patrol in it",
    "place_ids": "Its places",
    "first_place_rank": "Rank of its first place",
    "circles": "Patrol circles (40 m)",
    "violence_count": "Violence and sexual offences in the period",
    "drugs_count": "Drugs offences inside",
    "expected_per_month": "Expected violence-group records a month",
    "expected_low": "In 8 months of 10, at least",
    "expected_high": "In 8 months of 10, at most",
    "share_of_violence": "Share of the selection's violence",
    "drug_related": "Drug-related",
    "colocation_ratio": "Drugs near this violence, times chance",
    "p_value": "Chance of a ratio this high with no real link (adjusted)",
    "width_m": "Width (m)",
    "area_km2": "Area of its circles (km²)",
    "centroid_lat": "Latitude",
    "centroid_lon": "Longitude",
    "top_locations": "Commonest places (records)",
    "period": "Period",
    "selection": "Districts",
}


def _zone_file_bytes(
    result: HotspotResult,
    fmt: str,
    *,
    dataset: PoliceDataset,
    backtest: BacktestResult | None,
    top: int | None,
    plain: bool,
) -> bytes:
    zones = result.zones
    if top is not None:
        zones = zones.head(top)
    table = pd.DataFrame(zones.drop(columns="geometry"))
    geometry = zones.geometry.set_axis(table.index) if fmt == ".geojson" else None
    meta = hotspot_metadata(result, dataset, backtest)
    meta["Title"] = str(meta["Title"]).replace("Violence hotspots", "Patrol zones")
    meta["Zones"] = (
        "Places to patrol grouped into named zones: circles within 250 m of each other join (single "
        "linkage), zones wider than 1 km are split (complete linkage); ranked by expected records a month. "
        "Drug-related: the co-location test pooled over the zone's circles."
    )
    meta["Columns"] = "; ".join(f"{k} = {v}" for k, v in ZONE_LABELS.items())
    extra: dict[str, pd.DataFrame] = {}
    if fmt == ".xlsx":
        extra["Labels"] = pd.DataFrame({"column": list(ZONE_LABELS), "meaning": list(ZONE_LABELS.values())})
        extra["Places"] = result.table[result.table["kind"] == "place"].rename(columns=PLAIN_LABELS)
    if plain and fmt != ".geojson":
        table = table.rename(columns=ZONE_LABELS)
    return table_bytes(table, fmt, geometry=geometry, metadata=meta, sheet_name="zones", extra_sheets=extra)
