"""The ward export (long counts per ward, month and crime type), shared by the CLI and the app."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from ..dataset.aggregate import Selection, long_table, month_range
from ..io.writers import table_bytes
from ..reference.licences import OGL

if TYPE_CHECKING:
    from ..dataset.store import PoliceDataset

__all__ = ["ward_export_bytes", "ward_export_table"]


def ward_export_table(dataset: PoliceDataset, selection: Selection, *, include_zeros: bool = False) -> pd.DataFrame:
    """Long table (``LONG_COLUMNS``) for a selection; zeros cover the selected months and types.

    Made from the dataset's ward x month x type counts (kept beside its cached records), filtered to the
    selection: the same table as counting the selected records (``tests/test_outputs_ward_tables.py``)."""
    wards = dataset.wards.attributes
    if selection.districts is not None:
        wards = wards[wards["district_code"].isin(selection.districts)]
    counts = dataset.ward_month_counts
    keep = counts["ward_code"].isin(wards["code"]).to_numpy().copy()
    if selection.start or selection.end:
        start, end = selection.start or "0000-00", selection.end or "9999-99"
        keep &= ((counts["month"] >= start) & (counts["month"] <= end)).to_numpy()
    if selection.crime_types is not None:
        keep &= counts["crime_type"].isin(selection.crime_types).to_numpy()
    months = dataset.months
    if months and (selection.start or selection.end):
        months = month_range(selection.start or months[0], selection.end or months[-1])
    types = list(selection.crime_types) if selection.crime_types else None
    return long_table(counts[keep], wards, include_zeros=include_zeros, months=months, crime_types=types)


def ward_export_bytes(
    dataset: PoliceDataset, selection: Selection, fmt: str, *, include_zeros: bool = False
) -> tuple[bytes, int, int]:
    """The file for a selection in ``fmt`` (``.csv``, ``.xlsx``, ``.geojson``), its rows and records."""
    table = ward_export_table(dataset, selection, include_zeros=include_zeros)
    geometry = None
    if fmt == ".geojson":
        by_code = dataset.wards.wards.set_index("code").geometry
        geometry = by_code.loc[table["ward_code"]].set_axis(table.index)
    meta = {
        "selection": selection.describe(),
        "boundaries": f"{dataset.wards.vintage} ({dataset.wards.label})",
        "source": f"police.uk street-level crime ({OGL})",
    }
    data = table_bytes(table, fmt, geometry=geometry, metadata=meta)
    return data, len(table), int(table["count"].sum())
