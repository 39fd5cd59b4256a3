"""The hotspot figures a page and its briefing both show, counted once from the ranked table."""

from __future__ import annotations

from typing import NamedTuple

import pandas as pd

__all__ = ["HotspotHeadline", "hotspot_headline"]


class HotspotHeadline(NamedTuple):
    """Counts of the ranked list: places to patrol (and how many of them are drug-related), hot wards,
    institutional sites listed apart, and the violence records inside the places."""

    places: int
    drug_related_places: int
    hot_wards: int
    sites: int
    violence_in_places: int


def hotspot_headline(table: pd.DataFrame) -> HotspotHeadline:
    """The headline of a ranked hotspot table (``HOTSPOT_COLUMNS``)."""
    places = table[table["kind"] == "place"]
    return HotspotHeadline(
        places=len(places),
        drug_related_places=int(places["drug_related"].astype(bool).sum()),
        hot_wards=int((table["kind"] == "ward").sum()),
        sites=int((table["kind"] == "site").sum()),
        violence_in_places=int(places["violence_count"].sum()),
    )
