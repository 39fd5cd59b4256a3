"""Police stations from the data.police.uk neighbourhood API: the one open list of where they are.

``GET {base}/{force}/neighbourhoods`` lists the force's neighbourhoods; ``GET {base}/{force}/{id}`` gives
each one's ``locations`` (name, address, postcode, latitude, longitude, type). Those of type ``station``
(and any whose name or description says custody) are kept, once each, in
``data/institutions/police_stations_<year>.csv`` with a manifest; :mod:`vrc_geo.io.institutions` reads
them beside the hospitals and prisons, placing by postcode those the API gives no coordinates for.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from ..base.atomic import write_atomically
from ..base.plurals import counted
from ..errors import ServiceError
from ..io.writers import guard_formula
from ..reference.area import AREA
from ..reference.licences import licence_text
from .http import Client
from .manifest import file_entry, write_manifest
from .options import FetchOptions

__all__ = ["COLUMNS", "fetch_police_stations", "fetch_source"]

COLUMNS = ["name", "address", "postcode", "latitude", "longitude", "type", "neighbourhood"]


def fetch_police_stations(client: Client, data_dir: Path, *, base_url: str, force: str = AREA.force) -> Path:
    """Every police station the force's neighbourhoods list, as CSV under ``data/institutions``."""
    base = base_url.rstrip("/")
    hoods = client.get_json(f"{base}/{force}/neighbourhoods", what="police.uk neighbourhoods")
    if not isinstance(hoods, list) or not hoods:
        raise ServiceError(f"police.uk listed no neighbourhoods for {force!r}.")
    rows: dict[tuple[str, str], dict[str, str]] = {}
    for hood in hoods:
        hood_id = str(hood.get("id", "")) if isinstance(hood, dict) else ""
        if not hood_id:
            continue
        info = client.get_json(f"{base}/{force}/{hood_id}", what="a police.uk neighbourhood")
        for place in (info or {}).get("locations") or []:
            if not isinstance(place, dict) or not _is_station(place):
                continue
            row = {c: " ".join(str(place.get(c) or "").split()) for c in COLUMNS if c != "neighbourhood"}
            row["neighbourhood"] = hood_id
            rows.setdefault((row["name"].lower(), row["postcode"].upper()), row)
    if not rows:
        raise ServiceError(f"police.uk's {len(hoods)} neighbourhoods list no police station.")
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for key in sorted(rows):
        writer.writerow({c: guard_formula(v) for c, v in rows[key].items()})
    folder = Path(data_dir) / "institutions"
    year = datetime.now(UTC).year
    path = write_atomically(folder / f"police_stations_{year}.csv", buffer.getvalue().encode())
    write_manifest(
        folder,
        {
            "source": f"police.uk neighbourhood API: police stations of {AREA.force_name}",
            "url": f"{base}/{force}/neighbourhoods",
            "licence": licence_text("ogl"),
            "period": str(year),
            "files": [file_entry(path, folder, rows=len(rows))],
        },
    )
    return path


def _is_station(place: dict) -> bool:
    words = f"{place.get('name') or ''} {place.get('description') or ''}".lower()
    return str(place.get("type") or "").lower() == "station" or "custody" in words


def fetch_source(client: Client, options: FetchOptions, say: Callable[[str], None]) -> list[str]:
    """The ``fetch`` registry's entry."""
    say(f"Fetching {AREA.force_name}'s police stations from its neighbourhoods…")
    path = fetch_police_stations(client, options.data_dir, base_url=options.base_url("police-stations"))
    count = sum(1 for _ in path.open(encoding="utf-8")) - 1
    return [f"police-stations: {counted(count, 'police station')} in {path.name}"]
