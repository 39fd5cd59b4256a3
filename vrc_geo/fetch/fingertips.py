"""OHID Fingertips context figures: "Hospital admissions for violence (including sexual violence)".

``GET {base}/api/all_data/csv/by_indicator_id?indicator_ids=11201&child_area_type_id=501`` returns the
indicator for every district; the Kent & Medway rows (plus Kent county and England, for comparison) are
kept in ``data/context/fingertips_<indicator>_kent_medway.csv`` with a manifest. These are published,
district-level figures (by residence, directly standardised rates): context beside the ward view, never
spread to wards.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from ..base.atomic import write_atomically
from ..errors import ServiceError
from ..reference.area import AREA, DISTRICTS
from ..reference.licences import licence_text
from ..reference.sources import SOURCES
from .http import Client
from .manifest import file_entry, write_manifest
from .options import FetchOptions

__all__ = ["FINGERTIPS_URL", "INDICATOR", "fetch_fingertips"]

FINGERTIPS_URL = str(SOURCES["fingertips"].base_url)  # the official service (an option points at a mirror)

INDICATOR = 11201
AREA_TYPE = 501  # districts and unitary authorities (from April 2023)
KEEP = {*DISTRICTS, *AREA.context_areas}  # + the profile's comparators (Kent: the county, England)
LICENCE = licence_text("ogl") + " (OHID, Fingertips)"


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
        raise ServiceError(f"OHID Fingertips returned no {AREA.name} rows for indicator {indicator}.")
    folder = Path(data_dir) / "context"
    path = write_atomically(
        folder / f"fingertips_{indicator}_{AREA.slug.replace('-', '_')}.csv", kept.to_csv(index=False).encode()
    )
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


def fetch_source(client: Client, options: FetchOptions, say: Callable[[str], None]) -> list[str]:
    """The ``fetch`` registry's entry: the hospital admissions for violence indicator, by district."""
    say("Fetching OHID Fingertips context figures…")
    return [f"fingertips: wrote {fetch_fingertips(client, options.data_dir, base_url=options.base_url('fingertips'))}"]
