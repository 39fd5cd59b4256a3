"""OHID Fingertips context figures: "Hospital admissions for violence (including sexual violence)".

``GET {base}/api/all_data/csv/by_indicator_id?indicator_ids=11201&child_area_type_id=501`` returns the
indicator for every district; the Kent & Medway rows (plus Kent county and England, for comparison) are
kept in ``data/context/fingertips_<indicator>_kent_medway.csv`` with a manifest. These are published,
district-level figures (by residence, directly standardised rates): context beside the ward view, never
spread to wards.
"""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd

from ..base.atomic import write_atomically
from ..config import FINGERTIPS_URL
from ..errors import ServiceError
from ..reference.area import DISTRICTS
from .http import Client
from .manifest import file_entry, write_manifest

__all__ = ["FINGERTIPS_URL", "INDICATOR", "fetch_fingertips"]

INDICATOR = 11201
AREA_TYPE = 501  # districts and unitary authorities (from April 2023)
KEEP = {*DISTRICTS, "E10000016", "E92000001"}  # + Kent county, England
LICENCE = "Open Government Licence v3.0 (OHID, Fingertips)"


def fetch_fingertips(
    client: Client,
    data_dir: Path,
    *,
    base_url: str = FINGERTIPS_URL,
    indicator: int = INDICATOR,
    area_type: int = AREA_TYPE,
) -> Path:
    """The indicator's Kent & Medway rows as CSV under ``data/context``; returns the file."""
    url = f"{base_url.rstrip('/')}/api/all_data/csv/by_indicator_id"
    response = client.request(
        "GET",
        url,
        params={"indicator_ids": str(indicator), "child_area_type_id": str(area_type)},
        what="OHID Fingertips",
    )
    try:
        table = pd.read_csv(io.StringIO(response.content.decode("utf-8-sig")), dtype=str)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ServiceError("OHID Fingertips answered with something that is not a CSV table.") from exc
    if "Area Code" not in table.columns:
        raise ServiceError(f"OHID Fingertips' table has no 'Area Code' column (columns: {', '.join(table.columns)}).")
    kept = table[table["Area Code"].isin(KEEP)]
    if not kept["Area Code"].isin(list(DISTRICTS)).any():
        raise ServiceError(f"OHID Fingertips returned no Kent & Medway rows for indicator {indicator}.")
    folder = Path(data_dir) / "context"
    path = write_atomically(folder / f"fingertips_{indicator}_kent_medway.csv", kept.to_csv(index=False).encode())
    periods = sorted(kept["Time period"].dropna().unique()) if "Time period" in kept else []
    write_manifest(
        folder,
        {
            "source": f"OHID Fingertips indicator {indicator}: hospital admissions for violence "
            "(including sexual violence)",
            "url": url,
            "licence": LICENCE,
            "period": f"{periods[0]} to {periods[-1]}" if periods else "",
            "files": [file_entry(path, folder, rows=len(kept))],
        },
    )
    return path
