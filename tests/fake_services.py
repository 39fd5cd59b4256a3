"""Local HTTP servers that behave like the official services, built from the sample data.

* ONS ArcGIS FeatureServer: ``/arcgis/rest/services/<service>/FeatureServer/0/query`` with ``where``,
  ``resultOffset``/``resultRecordCount`` paging, a record limit smaller than asked, ``exceededTransferLimit``,
  and ArcGIS-style error bodies for unknown services.
* data.police.uk: ``crimes-street-dates``, ``kent/neighbourhoods``, ``kent/<id>/boundary``, ``crimes-street``
  (POST ``poly``; HTTP 503 above ``cap`` results), ``crimes-no-location``; optional rate limit (HTTP 429
  with Retry-After) and dropped connections.
* OHID Fingertips: ``api/all_data/csv/by_indicator_id``.
"""

from __future__ import annotations

import csv
import json
import re
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from vrc_geo.fetch.police_api import CATEGORIES

SLUG = {v: k for k, v in CATEGORIES.items()}


class FakeState:
    """What the servers serve and what they saw."""

    def __init__(self) -> None:
        self.ward_features: list[dict] = []
        self.district_features: list[dict] = []
        self.page_limit = 50
        self.months: dict[str, list[dict]] = {}
        self.no_location: dict[str, list[dict]] = {}
        self.neighbourhoods: dict[str, list[tuple[float, float]]] = {}
        #: neighbourhood id -> its ``locations`` (police stations and other places), as police.uk lists them
        self.locations: dict[str, list[dict]] = {}
        self.cap = 10_000
        self.rate_limit_per_s: float | None = None
        self.drop_first = 0
        self.fail_months: set[str] = set()
        self.fingertips_csv = ""
        self.seen: list[str] = []
        self.status_counts: dict[int, int] = {}
        self.recent: deque[float] = deque()
        self.lock = threading.Lock()


def _features(frame: gpd.GeoDataFrame) -> list[dict]:
    return json.loads(frame.to_crs("EPSG:4326").to_json())["features"]


def load_sample(state: FakeState, sample: Path, *, months: list[str]) -> None:
    """Wards (renamed to a 2024-style schema), districts, police months and neighbourhoods from the sample."""
    wards = pd.concat(
        [gpd.read_file(p).assign(LAD24CD=p.stem) for p in sorted((sample / "boundaries" / "wards_2013").glob("*.json"))]
    )
    wards = wards.rename(columns={"WD13CD": "WD24CD", "WD13NM": "WD24NM"})[["WD24CD", "WD24NM", "LAD24CD", "geometry"]]
    wards["OBJECTID"] = np.arange(1, len(wards) + 1)
    state.ward_features = _features(wards.set_crs("EPSG:4326", allow_override=True))
    districts = wards.to_crs("EPSG:27700").dissolve(by="LAD24CD", as_index=False)[["LAD24CD", "geometry"]]
    districts["OBJECTID"] = np.arange(1, len(districts) + 1)
    state.district_features = _features(districts)
    # Neighbourhoods: the districts plus the foreshore where Kent records sit (piers, harbours, beaches):
    # like a real force area, it follows the land border with other forces but takes in the coast.
    land = districts.union_all()
    shore = []
    for month in months:
        frame = pd.read_csv(sample / "police_uk" / month / f"{month}-kent-street.csv", dtype=str)
        frame = frame.dropna(subset=["Longitude"])
        names = frame["LSOA name"].fillna("")
        local = names.eq("") | names.str.match(
            r"^(Medway|Ashford|Canterbury|Dartford|Dover|Gravesham|"
            r"Maidstone|Sevenoaks|Shepway|Swale|Thanet|Tonbridge|Tunbridge)"
        )
        pts = gpd.GeoSeries(
            gpd.points_from_xy(frame.loc[local, "Longitude"].astype(float), frame.loc[local, "Latitude"].astype(float)),
            crs="EPSG:4326",
        )
        pts = pts.to_crs("EPSG:27700")
        shore += list(pts[~pts.intersects(land)].buffer(60))
    area = shapely.union_all([land, *shore])
    grown = gpd.GeoSeries([area], crs="EPSG:27700").to_crs("EPSG:4326")
    n = 0
    for geom in grown:
        for part in getattr(geom, "geoms", [geom]):
            n += 1
            state.neighbourhoods[f"N{n:02d}"] = list(part.exterior.coords)
    # police.uk lists stations per neighbourhood, some with coordinates, some with a postcode only, one
    # station in two neighbourhoods, and places that are not stations.
    maidstone = {
        "name": "Maidstone Police Station",
        "address": "Palace Avenue,\nMaidstone",
        "postcode": "ME15 6NF",
        "latitude": "51.271936",
        "longitude": "0.523715",
        "type": "station",
        "description": None,
    }
    first, second = list(state.neighbourhoods)[:2]
    state.locations[first] = [
        maidstone,
        {"name": "Community hub", "postcode": "ME14 1XX", "latitude": None, "longitude": None, "type": "other"},
    ]
    state.locations[second] = [
        {
            "name": "Medway Police Station",
            "address": "Purser Way, Gillingham",
            "postcode": "ME7 1NE",
            "type": "station",
        },
        maidstone,
    ]
    for month in months:
        path = sample / "police_uk" / month / f"{month}-kent-street.csv"
        with open(path, newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        located, missing = [], []
        for i, row in enumerate(rows):
            record = {
                "category": SLUG[row["Crime type"]],
                "location_type": "Force",
                "context": "",
                "outcome_status": {"category": row["Last outcome category"], "date": month}
                if row["Last outcome category"]
                else None,
                "persistent_id": row["Crime ID"],
                "id": 10_000_000 + i,
                "location_subtype": "",
                "month": month,
            }
            if row["Longitude"]:
                record["location"] = {
                    "latitude": row["Latitude"],
                    "longitude": row["Longitude"],
                    "street": {"id": i, "name": row["Location"]},
                }
                record["_xy"] = (float(row["Longitude"]), float(row["Latitude"]))
                located.append(record)
            else:
                record["location"] = None
                missing.append(record)
        # Two British Transport Police records at a station: the API returns them, the force file has not.
        for j, (lon, lat) in enumerate([(0.5226, 51.2776), (1.3819, 51.3868)]):
            located.append(
                {
                    "category": "violent-crime",
                    "location_type": "BTP",
                    "context": "",
                    "outcome_status": None,
                    "persistent_id": f"btp{j}",
                    "id": 99_000_000 + j,
                    "location": {
                        "latitude": str(lat),
                        "longitude": str(lon),
                        "street": {"id": 0, "name": "On or near Station"},
                    },
                    "month": month,
                    "_xy": (lon, lat),
                }
            )
        state.months[month] = located
        state.no_location[month] = missing
    rows = ["Indicator ID,Indicator Name,Area Code,Area Name,Area Type,Sex,Age,Time period,Value,Count"]
    for code in ["E06000035", "E07000114", "E10000016", "E92000001", "E09000004"]:
        rows.append(
            f"11201,Hospital admissions for violence (including sexual violence),{code},Area {code},"
            f"District,Persons,All ages,2020/21 - 22/23,{40 + len(code) % 7},{100}"
        )
    state.fingertips_csv = "\n".join(rows) + "\n"


def _handler(state: FakeState) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_args: object) -> None:
            return

        def _send(self, status: int, body: bytes, content_type: str = "application/json", headers=None) -> None:
            with state.lock:
                state.status_counts[status] = state.status_counts.get(status, 0) + 1
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(body)

        def _json(self, obj: object, status: int = 200) -> None:
            self._send(status, json.dumps(obj).encode())

        def _gate(self) -> bool:
            """Dropped connections and the rate limit; True when the request may proceed."""
            with state.lock:
                state.seen.append(self.path)
                if state.drop_first > 0:
                    state.drop_first -= 1
                    drop = True
                else:
                    drop = False
                now = time.monotonic()
                limited = False
                if state.rate_limit_per_s:
                    while state.recent and now - state.recent[0] > 1.0:
                        state.recent.popleft()
                    if len(state.recent) >= state.rate_limit_per_s:
                        limited = True
                    else:
                        state.recent.append(now)
            if drop:
                self.close_connection = True
                self.connection.shutdown(2)
                return False
            if limited:
                self._send(429, b'{"error": "rate limited"}', headers={"Retry-After": "1"})
                return False
            return True

        def do_GET(self) -> None:
            if not self._gate():
                return None
            url = urlparse(self.path)
            q = {k: v[0] for k, v in parse_qs(url.query).items()}
            path = url.path
            if m := re.fullmatch(r"/arcgis/rest/services/([^/]+)/FeatureServer/0/query", path):
                return self._ons(m.group(1), q)
            if path == "/api/crimes-street-dates":
                return self._json([{"date": d, "stop-and-search": []} for d in sorted(state.months, reverse=True)])
            if path == "/api/kent/neighbourhoods":
                return self._json([{"id": k, "name": f"Neighbourhood {k}"} for k in state.neighbourhoods])
            if m := re.fullmatch(r"/api/kent/([^/]+)/boundary", path):
                ring = state.neighbourhoods.get(m.group(1))
                if ring is None:
                    return self._send(404, b"[]")
                return self._json([{"latitude": f"{lat:.6f}", "longitude": f"{lon:.6f}"} for lon, lat in ring])
            if m := re.fullmatch(r"/api/kent/([^/]+)", path):
                if m.group(1) not in state.neighbourhoods:
                    return self._send(404, b'{"error": "not found"}')
                hood = m.group(1)
                return self._json(
                    {"id": hood, "name": f"Neighbourhood {hood}", "locations": state.locations.get(hood, [])}
                )
            if path == "/api/crimes-no-location":
                month = q.get("date", "")
                return self._json(
                    [{k: v for k, v in r.items() if k != "_xy"} for r in state.no_location.get(month, [])]
                )
            if path == "/api/all_data/csv/by_indicator_id":
                return self._send(200, state.fingertips_csv.encode(), "text/csv")
            return self._send(404, b'{"error": "not found"}')

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            if not self._gate():
                return None
            if urlparse(self.path).path != "/api/crimes-street/all-crime":
                return self._send(404, b"{}")
            month = form.get("date", "")
            if month in state.fail_months:
                return self._send(500, b'{"error": "boom"}')
            pts = [tuple(map(float, p.split(","))) for p in form.get("poly", "").split(":") if p]
            poly = shapely.Polygon([(lng, lat) for lat, lng in pts])
            records = state.months.get(month, [])
            xy = np.array([r["_xy"] for r in records]) if records else np.empty((0, 2))
            inside = shapely.intersects_xy(poly, xy[:, 0], xy[:, 1]) if len(xy) else np.array([], bool)
            chosen = [records[i] for i in np.flatnonzero(inside)]
            if len(chosen) > state.cap:
                return self._send(503, b"")
            return self._json([{k: v for k, v in r.items() if k != "_xy"} for r in chosen])

        def _ons(self, service: str, q: dict[str, str]) -> None:
            if service.startswith("Wards_"):
                pool = state.ward_features
            elif service.startswith("Local_Authority_Districts_"):
                pool = state.district_features
            else:
                return self._json({"error": {"code": 400, "message": "Invalid URL", "details": []}})
            codes = set(re.findall(r"'(E0\d{7})'", q.get("where", "")))
            chosen = [f for f in pool if not codes or f["properties"].get("LAD24CD") in codes]
            offset = int(q.get("resultOffset", 0))
            count = min(int(q.get("resultRecordCount", 1000)), state.page_limit)
            page = chosen[offset : offset + count]
            body = {"type": "FeatureCollection", "features": page}
            if offset + count < len(chosen):
                body["properties"] = {"exceededTransferLimit": True}
            return self._json(body)

    return Handler


class FakeServer:
    """One ThreadingHTTPServer in a daemon thread; ``url`` is its base."""

    def __init__(self, state: FakeState) -> None:
        self.state = state
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> FakeServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
