"""Shared fixtures: the real sample bundle (session-wide) and small synthetic inputs with known answers."""

from __future__ import annotations

import csv
import hashlib
import json
import os
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT.parent / "shared" / "data" / "kent"

HEADER = [
    "Crime ID",
    "Month",
    "Reported by",
    "Falls within",
    "Longitude",
    "Latitude",
    "Location",
    "LSOA code",
    "LSOA name",
    "Crime type",
    "Last outcome category",
    "Context",
]

# Tiny ward grid in British National Grid near Maidstone: four 1 km squares.
# A E05900001 (Maidstone)  x 575000-576000, y 155000-156000
# B E05900002 (Maidstone)  x 576000-577000, y 155000-156000
# C E05900003 (Ashford)    x 575000-576000, y 156000-157000
# D E05900004 (Ashford)    x 576000-577000, y 156000-157000
TINY_WARDS = [
    ("E05900001", "Alpha", "E07000110", 575000, 155000),
    ("E05900002", "Bravo", "E07000105", 576000, 155000),
    ("E05900003", "Charlie", "E07000110", 575000, 156000),
    ("E05900004", "Delta", "E07000105", 576000, 156000),
]


def pytest_configure(config: pytest.Config) -> None:
    # Every test run gets its own cache so nothing leaks between runs or into the project.
    cache = Path(config.rootpath) / ".pytest_cache" / "vrc_geo_cache"
    os.environ.setdefault("VRC_GEO_CACHE_DIR", str(cache))


@pytest.fixture(scope="session")
def sample_dir() -> Path:
    if not (SAMPLE / "police_uk").is_dir():
        pytest.fail(f"The sample bundle is missing: expected it at {SAMPLE} (../shared beside the repo).")
    return SAMPLE


@pytest.fixture(scope="session")
def sample_sources(sample_dir: Path):
    from vrc_geo.config import find_sources

    return find_sources(data_dir=sample_dir)


@pytest.fixture(scope="session")
def sample_dataset(sample_sources):
    from vrc_geo.dataset.store import load_police

    return load_police(sample_sources)


@pytest.fixture(scope="session")
def sample_hotspots(sample_dataset):
    """The default ranked list of the whole sample, with its backtest (shared: it takes a while)."""
    from vrc_geo.dataset.aggregate import make_selection
    from vrc_geo.hotspots.service import hotspots_for

    return hotspots_for(sample_dataset, make_selection())


def bng_to_lonlat(x: float, y: float) -> tuple[float, float]:
    from vrc_geo.base.crs import unproject_xy

    lon, lat = unproject_xy(np.array([x]), np.array([y]))
    return round(float(lon[0]), 6), round(float(lat[0]), 6)


def police_row(
    *,
    crime_id: str | None = None,
    month: str = "2022-01",
    x: float | None = None,
    y: float | None = None,
    lon: str | float | None = None,
    lat: str | float | None = None,
    location: str = "On or near Test Street",
    lsoa_code: str = "",
    lsoa_name: str = "",
    crime_type: str = "Violence and sexual offences",
    outcome: str = "Under investigation",
) -> list[str]:
    """One police.uk row; give a BNG point (x, y) or raw lon/lat text."""
    if x is not None and y is not None:
        lon, lat = bng_to_lonlat(x, y)
    if crime_id is None:
        seed = f"{month}{x}{y}{lon}{lat}{crime_type}{location}{np.random.random()}"
        crime_id = hashlib.sha256(seed.encode()).hexdigest()
    if crime_type == "Anti-social behaviour":
        crime_id, outcome = "", ""
    return [
        crime_id,
        month,
        "Kent Police",
        "Kent Police",
        "" if lon is None else str(lon),
        "" if lat is None else str(lat),
        location,
        lsoa_code,
        lsoa_name,
        crime_type,
        outcome,
        "",
    ]


def write_police_csv(path: Path, rows: Iterable[list[str]], *, header: list[str] = HEADER) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture
def make_police_csv(tmp_path: Path) -> Callable[..., Path]:
    def make(rows: Iterable[list[str]], name: str = "2022-01/2022-01-kent-street.csv", **kw) -> Path:
        return write_police_csv(tmp_path / "police_uk" / name, rows, **kw)

    return make


def tiny_wards_geojson(path: Path, *, code_col: str = "WD23CD", name_col: str = "WD23NM") -> Path:
    features = []
    for code, name, lad, x0, y0 in TINY_WARDS:
        ring = [[x0, y0], [x0 + 1000, y0], [x0 + 1000, y0 + 1000], [x0, y0 + 1000], [x0, y0]]
        features.append(
            {
                "type": "Feature",
                "properties": {code_col: code, name_col: name, "LAD23CD": lad},
                "geometry": {"type": "Polygon", "coordinates": [ring]},
            }
        )
    collection = {
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::27700"}},
        "features": features,
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(collection))
    return path


@pytest.fixture
def tiny_wards(tmp_path: Path) -> Path:
    return tiny_wards_geojson(tmp_path / "boundaries" / "wards_2023" / "tiny.geojson")
