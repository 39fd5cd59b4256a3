"""Hotspot files (CSV, XLSX with an About sheet, GeoJSON footprints) and their metadata.

The CLI and the app both call :func:`hotspot_file_bytes`, so the two give identical files.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..export import table_bytes
from .backtest import BacktestResult
from .rank import HotspotResult

if TYPE_CHECKING:
    from ..store import PoliceDataset

__all__ = ["CAVEATS", "METHOD", "hotspot_file_bytes", "hotspot_metadata"]

METHOD = (
    "Clusters: weighted DBSCAN of violence-group offences (violence and sexual offences, robbery, "
    "possession of weapons) on police.uk snap points in British National Grid metres, records stacked "
    "per snap point as weights; footprint = discs of footprint_radius_m around member snap points, gaps "
    "under eps_m closed, clipped to land. Hot wards: Getis-Ord Gi* (esda) on ward counts with queen "
    "contiguity, permutation inference, Benjamini-Hochberg FDR, hot at 90/95/99%. Drug-related: local "
    "co-location quotient of violence-group offences towards drugs (Gaussian kernel over the k nearest "
    "records, bandwidth floored at min_bandwidth_m), averaged over the footprint's violence; significance "
    "by relabelling the non-violence records (drugs vs other crime), FDR-adjusted across hotspots. "
    "drug_related = quotient > 1 and p_value < alpha. Trend: emerging hot-spot class (monthly Gi* + "
    "Mann-Kendall) of the ward holding most of the hotspot's violence."
)

COLUMNS_HELP = (
    "rank (1 = first; clusters before hot wards, each by violence-group records); kind (cluster | ward); "
    "*_count = records inside the footprint; drugs_near_count = drugs records within near_m; "
    "colocation_quotient (>1: drugs closer to this violence than their share of all crime); p_value = "
    "FDR-adjusted permutation p-value of that co-location; gi_z / hotspot_confidence = Gi* of the main "
    "ward; main_site_share = share of the violence at the busiest single snap point (high values: one "
    "site, e.g. a prison, hospital or custody suite, rather than a street area)."
)

CAVEATS = (
    "police.uk locations are anonymised to snap points ('On or near ...'); exact places are not known. "
    "'Violence and sexual offences' bundles violence with and without injury, stalking and harassment "
    "and sexual offences. No police.uk record says 'drug-related': the flag is inferred from where drugs "
    "offences sit relative to violence, and drugs offences largely reflect police activity (searches). "
    "Records at institutions (prisons, hospitals, police stations) can form clusters: see "
    "main_site_share. Ward boundaries are those of the boundary file used (its vintage is stated)."
)


def hotspot_metadata(
    result: HotspotResult, dataset: PoliceDataset, backtest: BacktestResult | None = None
) -> dict[str, object]:
    """What the About sheet (and GeoJSON ``metadata``) says about a hotspot list."""
    months = result.months
    meta: dict[str, object] = {
        "Title": "Violence hotspots, Kent & Medway (police.uk)",
        "Data period": f"{months[0]} to {months[-1]} ({len(months)} months)" if months else "none",
        "Selection": result.selection.describe(),
        "Boundaries": f"{dataset.wards.vintage} wards ({len(dataset.wards.wards)}) from {dataset.wards.source}",
        "Source": "police.uk street-level crime, Kent Police — Open Government Licence v3.0; "
        "ONS boundaries, contains OS data © Crown copyright and database right",
        "Method": METHOD,
        "Parameters": ", ".join(f"{k}={v}" for k, v in result.parameters.items()),
        "Columns": COLUMNS_HELP,
        "Caveats": CAVEATS,
        "Hotspots": f"{len(result.table)} ({int((result.table['kind'] == 'cluster').sum())} clusters, "
        f"{int((result.table['kind'] == 'ward').sum())} hot wards), "
        f"{int(result.table['drug_related'].sum())} drug-related",
    }
    if backtest is not None:
        meta["Backtest"] = backtest.sentence()
        meta["Backtest figures"] = (
            f"ours: hit rate {backtest.ours.hit_rate:.3f}, area share {backtest.ours.area_share:.5f}, "
            f"PAI {backtest.ours.pai:.1f}, PEI {backtest.ours.pei:.2f}, RRI {backtest.ours.rri:.2f}; "
            f"naive: hit rate {backtest.naive.hit_rate:.3f}, area share {backtest.naive.area_share:.5f}, "
            f"PAI {backtest.naive.pai:.1f}, PEI {backtest.naive.pei:.2f}, RRI {backtest.naive.rri:.2f}"
        )
    meta.update({f"Note {i + 1}": n for i, n in enumerate(result.notes)})
    return meta


def hotspot_file_bytes(
    result: HotspotResult,
    fmt: str,
    *,
    dataset: PoliceDataset,
    backtest: BacktestResult | None = None,
    top: int | None = None,
) -> bytes:
    """The ranked list as ``.csv``, ``.xlsx`` (+ About sheet) or ``.geojson`` (WGS84 footprints)."""
    table = result.table if top is None else result.table.head(top)
    geometry = result.footprints.iloc[: len(table)] if fmt == ".geojson" else None
    meta = hotspot_metadata(result, dataset, backtest)
    return table_bytes(table, fmt, geometry=geometry, metadata=meta, sheet_name="hotspots")
