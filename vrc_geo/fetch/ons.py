"""Ward and district boundaries from the ONS Open Geography Portal's ArcGIS FeatureServer query API.

``{base}/{service}/FeatureServer/0/query?where=LADyyCD IN (...)&outFields=*&outSR=4326&f=geojson`` with
``resultOffset``/``resultRecordCount`` paging: the service returns at most its record limit per request
and says ``exceededTransferLimit`` while more remain. Services are named by vintage
(``Wards_December_2024_Boundaries_UK_BGC``); ``service`` overrides the name when ONS renames one.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..base.atomic import write_atomically
from ..errors import ServiceError
from ..reference.area import AREA, DISTRICTS
from ..reference.licences import licence_text
from ..reference.sources import SOURCES
from .http import Client
from .manifest import file_entry, write_manifest
from .options import FetchOptions

__all__ = ["ONS_URL", "fetch_boundaries", "query_all"]

ONS_URL = str(SOURCES["boundaries"].base_url)  # the official service (an option points at a mirror)

LICENCE = licence_text("ogl+os")
PAGE = 2000


def query_all(
    client: Client,
    base_url: str,
    service: str,
    where: str,
    *,
    progress: Callable[[int], object] | None = None,
) -> list[dict[str, Any]]:
    """Every feature of a query, page by page (``resultOffset``) until the service says there is no more."""
    url = f"{base_url.rstrip('/')}/{service}/FeatureServer/0/query"
    features: list[dict[str, Any]] = []
    offset = 0
    while True:
        params = {
            "where": where,
            "outFields": "*",
            "outSR": "4326",
            "f": "geojson",
            "returnGeometry": "true",
            "resultOffset": str(offset),
            "resultRecordCount": str(PAGE),
            "orderByFields": "OBJECTID",
        }
        page = client.get_json(url, params=params, what=f"the ONS Open Geography Portal ({service})")
        if "error" in page:
            detail = page["error"].get("message", page["error"]) if isinstance(page["error"], dict) else page["error"]
            raise ServiceError(f"The ONS service {service} answered with an error: {detail}.")
        batch = page.get("features", [])
        features.extend(batch)
        if progress is not None:
            progress(len(batch))
        more = page.get("exceededTransferLimit") or page.get("properties", {}).get("exceededTransferLimit")
        if not batch or not more:
            return features
        offset += len(batch)


def _collection(features: list[dict[str, Any]]) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": features}, separators=(",", ":")).encode()


def fetch_boundaries(
    client: Client,
    boundaries_dir: Path,
    *,
    year: int = 2024,
    base_url: str = ONS_URL,
    ward_service: str | None = None,
    district_service: str | None = None,
    progress: Callable[[int], object] | None = None,
) -> list[Path]:
    """Kent & Medway wards and districts of one December vintage into ``boundaries/wards_<year>`` and
    ``boundaries/districts_<year>``, each with its manifest. Returns the files written."""
    yy = f"{year % 100:02d}"
    codes = ", ".join(f"'{c}'" for c in DISTRICTS)
    where = f"LAD{yy}CD IN ({codes})"
    jobs = [
        ("wards", ward_service or f"Wards_December_{year}_Boundaries_UK_BGC", f"wards_{year}", f"WD{yy}CD"),
        (
            "districts",
            district_service or f"Local_Authority_Districts_December_{year}_Boundaries_UK_BGC",
            f"districts_{year}",
            f"LAD{yy}CD",
        ),
    ]
    written = []
    for kind, service, folder_name, code_field in jobs:
        features = query_all(client, base_url, service, where, progress=progress)
        if not features:
            raise ServiceError(f"The ONS service {service} returned no {AREA.name} {kind}; nothing was changed.")
        missing = [f for f in features if code_field not in (f.get("properties") or {})]
        if missing:
            raise ServiceError(f"The ONS service {service} has no {code_field} field; is {year} the right vintage?")
        folder = Path(boundaries_dir) / folder_name
        path = write_atomically(folder / f"{kind}_{year}_{AREA.slug.replace('-', '_')}.geojson", _collection(features))
        write_manifest(
            folder,
            {
                "source": f"ONS {kind} December {year} (BGC)",
                "url": f"{base_url.rstrip('/')}/{service}/FeatureServer/0/query",
                "licence": LICENCE,
                "period": f"December {year}",
                "features": len(features),
                "files": [file_entry(path, folder)],
            },
        )
        written.append(path)
    return written


def fetch_source(client: Client, options: FetchOptions, say: Callable[[str], None]) -> list[str]:
    """The ``fetch`` registry's entry: wards and districts of ``options.ward_year``."""
    say(f"Fetching ONS wards and districts (December {options.ward_year})…")
    paths = fetch_boundaries(
        client,
        options.boundaries_dir,
        year=options.ward_year,
        base_url=options.base_url("boundaries"),
        ward_service=options.ward_service,
        district_service=options.district_service,
    )
    return [f"boundaries: wrote {path}" for path in paths]
