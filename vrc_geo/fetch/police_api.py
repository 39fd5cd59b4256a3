"""Street-level crime for Kent Police, month by month, from the data.police.uk API.

The force's area is the union of its neighbourhood boundaries (``{base}/kent/neighbourhoods`` and
``{base}/kent/{id}/boundary``), fetched once and kept in ``boundaries/police_force_kent/``. Then, for
each month the API has and ``data/police_uk`` lacks:

* ``POST {base}/crimes-street/all-crime`` with ``poly=lat,lng:...`` and ``date=YYYY-MM`` over tiles of the
  force area; a tile the API refuses as too big (HTTP 503: over 10,000 crimes) is split in four and asked
  again;
* ``GET {base}/crimes-no-location?category=all-crime&force=kent&date=YYYY-MM``;
* records are de-duplicated by their API ``id`` (tiles share edges); those of the force (not British
  Transport Police) inside its area are written in the police.uk bulk-download schema
  (``YYYY-MM/YYYY-MM-kent-street.csv``), so the rest of the tool cannot tell them apart. The API gives no
  LSOA: those columns are empty and records are placed by their point, as downloaded ones are.

Each month's file is written atomically and listed in ``police_uk/manifest.json``; an interrupted fetch
resumes with the months still missing.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import numpy as np
import shapely

from ..base.atomic import write_atomically
from ..base.months import count_months
from ..errors import ServiceError
from ..io.police import POLICE_COLUMNS
from ..io.writers import guard_formula
from ..reference.area import AREA
from ..reference.licences import licence_text
from ..reference.sources import SOURCES
from .http import Client
from .manifest import file_entry, now_iso, read_manifest, write_manifest
from .options import FetchOptions

__all__ = ["CATEGORIES", "POLICE_URL", "available_months", "fetch_force_area", "fetch_month", "fetch_police"]

POLICE_URL = str(SOURCES["police"].base_url)  # the official service (an option points at a mirror)

LICENCE = licence_text("ogl")
_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
FORCE = AREA.force
FORCE_NAME = AREA.force_name
#: API category slugs -> police.uk bulk-file crime types.
CATEGORIES = {
    "anti-social-behaviour": "Anti-social behaviour",
    "bicycle-theft": "Bicycle theft",
    "burglary": "Burglary",
    "criminal-damage-arson": "Criminal damage and arson",
    "drugs": "Drugs",
    "other-theft": "Other theft",
    "possession-of-weapons": "Possession of weapons",
    "public-order": "Public order",
    "robbery": "Robbery",
    "shoplifting": "Shoplifting",
    "theft-from-the-person": "Theft from the person",
    "vehicle-crime": "Vehicle crime",
    "violent-crime": "Violence and sexual offences",
    "other-crime": "Other crime",
}


@dataclass
class MonthResult:
    month: str
    path: Path
    located: int
    no_location: int
    requests: int
    splits: int


def available_months(client: Client, base_url: str = POLICE_URL) -> list[str]:
    """Months the API holds street-level crime for (``crimes-street-dates``), oldest first.

    Each becomes a folder and file name, so anything but ``YYYY-MM`` is refused before it can name a path."""
    dates = client.get_json(f"{base_url.rstrip('/')}/crimes-street-dates", what="data.police.uk")
    if not isinstance(dates, list):
        raise ServiceError("data.police.uk listed its months in an unexpected form; nothing was fetched.")
    return sorted(_safe_month(d["date"]) for d in dates if isinstance(d, dict) and "date" in d)


def _safe_month(value: object) -> str:
    """``value`` if it is a real ``YYYY-MM`` month, else a :class:`ServiceError` naming it."""
    text = str(value)
    if not _MONTH.fullmatch(text):
        raise ServiceError(
            f"data.police.uk listed a month {text[:40]!r} that is not YYYY-MM; nothing was fetched "
            "(it would have named a file outside data/police_uk)."
        )
    return text


def fetch_force_area(
    client: Client, boundaries_dir: Path, *, base_url: str = POLICE_URL, refresh: bool = False
) -> shapely.Geometry:
    """The force's area (WGS84): the union of its neighbourhood boundaries, fetched once and kept."""
    import geopandas as gpd

    folder = Path(boundaries_dir) / f"police_force_{FORCE}"
    path = folder / f"{FORCE}_force_area.geojson"
    if path.exists() and not refresh:
        return shapely.union_all(gpd.read_file(path).geometry.to_numpy())
    base = base_url.rstrip("/")
    hoods = client.get_json(f"{base}/{FORCE}/neighbourhoods", what="data.police.uk (neighbourhoods)")
    shapes = []
    for hood in hoods:
        hood_id = quote(str(hood.get("id", "")), safe="")
        points = client.get_json(f"{base}/{FORCE}/{hood_id}/boundary", what="data.police.uk (boundary)")
        ring = [(float(p["longitude"]), float(p["latitude"])) for p in points]
        if len(ring) >= 3:
            shapes.append(shapely.make_valid(shapely.Polygon(ring)))
    if not shapes:
        raise ServiceError(
            f"data.police.uk returned no neighbourhood boundaries for {FORCE_NAME}; nothing was changed."
        )
    area = shapely.union_all(shapes)
    frame = gpd.GeoDataFrame({"force": [FORCE_NAME]}, geometry=[area], crs="EPSG:4326")
    write_atomically(path, frame.to_json().encode())
    write_manifest(
        folder,
        {
            "source": f"data.police.uk neighbourhood boundaries, {FORCE_NAME}",
            "url": f"{base}/{FORCE}/neighbourhoods",
            "licence": LICENCE,
            "period": "current",
            "neighbourhoods": len(shapes),
            "files": [file_entry(path, folder)],
        },
    )
    return area


def _tiles(area: shapely.Geometry, n: int = 4) -> list[tuple[float, float, float, float]]:
    """Rectangles (WGS84) over the area's bounds that touch it."""
    minx, miny, maxx, maxy = area.bounds
    xs, ys = np.linspace(minx, maxx, n + 1), np.linspace(miny, maxy, n + 1)
    tiles = [(xs[i], ys[j], xs[i + 1], ys[j + 1]) for i in range(n) for j in range(n)]
    return [t for t in tiles if area.intersects(shapely.box(*t))]


def _poly(tile: tuple[float, float, float, float]) -> str:
    minx, miny, maxx, maxy = tile
    corners = [(miny, minx), (miny, maxx), (maxy, maxx), (maxy, minx)]
    return ":".join(f"{lat:.6f},{lng:.6f}" for lat, lng in corners)


def _split(tile: tuple[float, float, float, float]) -> list[tuple[float, float, float, float]]:
    minx, miny, maxx, maxy = tile
    mx, my = (minx + maxx) / 2, (miny + maxy) / 2
    return [(minx, miny, mx, my), (mx, miny, maxx, my), (minx, my, mx, maxy), (mx, my, maxx, maxy)]


def _row(crime: dict[str, Any], month: str) -> list[str]:
    location = crime.get("location") or {}
    street = (location.get("street") or {}).get("name") or ""
    outcome = (crime.get("outcome_status") or {}).get("category") or ""
    category = CATEGORIES.get(crime.get("category", ""), crime.get("category", ""))
    crime_id = crime.get("persistent_id") or ""
    lon, lat = location.get("longitude") or "", location.get("latitude") or ""
    place = street if (not street or street.lower().startswith("on or near")) else f"On or near {street}"
    return [
        crime_id,
        crime.get("month") or month,
        FORCE_NAME,
        FORCE_NAME,
        str(lon),
        str(lat),
        place if (lon and lat) else "No Location",
        "",
        "",
        category,
        outcome,
        crime.get("context") or "",
    ]


def fetch_month(
    client: Client,
    month: str,
    area: shapely.Geometry,
    out_dir: Path,
    *,
    base_url: str = POLICE_URL,
    tiles_per_side: int = 4,
    min_tile_deg: float = 0.002,
    progress: Callable[[int], object] | None = None,
) -> MonthResult:
    """One month of Kent Police street-level crime (in ``area``, WGS84) written as a police.uk CSV."""
    month = _safe_month(month)
    base = base_url.rstrip("/")
    shapely.prepare(area)
    pending = _tiles(area, tiles_per_side)
    crimes: dict[Any, dict[str, Any]] = {}
    start_requests, splits = client.requests_made, 0
    while pending:
        tile = pending.pop()
        response = client.request(
            "POST",
            f"{base}/crimes-street/all-crime",
            data={"poly": _poly(tile), "date": month},
            passthrough={503},
            what="data.police.uk (crimes-street)",
        )
        if response.status_code == 503:
            if tile[2] - tile[0] < min_tile_deg:
                raise ServiceError(f"data.police.uk refused even a tiny area for {month}; try again later.")
            pending.extend(t for t in _split(tile) if area.intersects(shapely.box(*t)))
            splits += 1
            continue
        try:
            batch = response.json()
        except ValueError as exc:
            raise ServiceError(f"data.police.uk answered {month} with something that is not JSON.") from exc
        for crime in batch:
            crimes.setdefault(crime.get("id") or (crime.get("persistent_id"), crime.get("category")), crime)
        if progress is not None:
            progress(1)
    located = []
    for crime in crimes.values():
        if str(crime.get("location_type") or "Force").upper() == "BTP":
            continue  # British Transport Police records are not in the force's own files
        loc = crime.get("location") or {}
        try:
            lon, lat = float(loc.get("longitude")), float(loc.get("latitude"))
        except (TypeError, ValueError):
            continue
        if shapely.intersects_xy(area, lon, lat):
            located.append(crime)
    located.sort(key=lambda c: (str(c.get("category")), str(c.get("persistent_id")), str(c.get("id"))))
    no_location = client.get_json(
        f"{base}/crimes-no-location",
        params={"category": "all-crime", "force": FORCE, "date": month},
        what="data.police.uk (crimes-no-location)",
    )
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(POLICE_COLUMNS)
    rows = [_row(c, month) for c in located] + [_row({**c, "location": None}, month) for c in no_location]
    writer.writerows([guard_formula(v) for v in row] for row in rows)
    path = write_atomically(Path(out_dir) / month / f"{month}-{FORCE}-street.csv", buffer.getvalue().encode("utf-8"))
    return MonthResult(month, path, len(located), len(no_location), client.requests_made - start_requests, splits)


def fetch_police(
    client: Client,
    data_dir: Path,
    area: shapely.Geometry,
    *,
    months: list[str] | None = None,
    base_url: str = POLICE_URL,
    force_refetch: bool = False,
    progress: Callable[[str], object] | None = None,
) -> list[MonthResult]:
    """Fetch the months missing from ``data_dir/police_uk`` (or ``months``), updating the manifest."""
    out_dir = Path(data_dir) / "police_uk"
    wanted = months if months is not None else available_months(client, base_url)
    manifest = read_manifest(out_dir) or {
        "source": f"data.police.uk API, {FORCE_NAME} street-level crime",
        "url": base_url,
        "licence": LICENCE,
        "files": [],
    }
    have: set[str] = set()
    if not force_refetch:
        have = {e["period"] for e in manifest.get("files", []) if (out_dir / e["path"]).exists()}
        have |= {p.parent.name for p in out_dir.glob("*/*-street.csv")}  # bulk downloads count too
    results = []
    for month in wanted:
        if month in have:
            continue
        if progress is not None:
            progress(month)
        result = fetch_month(client, month, area, out_dir, base_url=base_url)
        results.append(result)
        entries = [e for e in manifest.get("files", []) if e.get("period") != month]
        entries.append(
            file_entry(
                result.path,
                out_dir,
                period=month,
                located=result.located,
                no_location=result.no_location,
                retrieved_at=now_iso(),
            )
        )
        periods = sorted(e["period"] for e in entries)
        manifest |= {
            "files": sorted(entries, key=lambda e: e["period"]),
            "url": base_url,
            "period": f"{periods[0]} to {periods[-1]}",
        }
        write_manifest(out_dir, manifest)  # after every month: an interrupted run resumes from here
    return results


def _months_wanted(available: list[str], start: str | None, end: str | None, back: int) -> list[str]:
    if start or end:
        return [m for m in available if (not start or m >= start) and (not end or m <= end)]
    return available[-back:] if back > 0 else []


def fetch_source(client: Client, options: FetchOptions, say: Callable[[str], None]) -> list[str]:
    """The ``fetch`` registry's entry: the force area once, then every month asked for that is missing."""
    base_url = options.base_url("police")
    say(f"Fetching the {FORCE_NAME} force area and the months police.uk holds…")
    area = fetch_force_area(client, options.boundaries_dir, base_url=base_url)
    months = _months_wanted(available_months(client, base_url), options.start, options.end, options.months_back)
    tick = options.progress(len(months), "police.uk months") if options.progress is not None else None
    results = fetch_police(
        client,
        options.data_dir,
        area,
        months=months,
        base_url=base_url,
        force_refetch=options.refetch,
        progress=tick,
    )
    say(f"{client.requests_made} requests made.")
    span = f" ({results[0].month} to {results[-1].month})" if results else " (none missing)"
    return [f"police: {count_months(len(results))} fetched{span}"]
