"""A register of institutions kept by partners: where custody suites, prisons, hospitals and ports are.

police.uk stopped naming institutions with its July 2022 map ("Hospital" and "Police Station" became
street names), and a point that is an institution by every sign but its name ("Park Lane", Sevenoaks:
one point, 96 % violence, a hundred records a year) cannot be told from a household by the data alone.
A register settles it: every snap point within ``radius_m`` of a listed institution is that site.

Schema (CSV or XLSX, one row per institution; headers case-insensitive, spaces as underscores):

=============  ========  ===================================================================
column         required  meaning
=============  ========  ===================================================================
name           yes       what it is (shown nowhere else; for the people keeping the list)
site_type      yes       ``police``, ``prison``, ``hospital`` or ``port`` (or their labels,
                         e.g. "police station / custody")
latitude,      one pair  WGS84 degrees
longitude
x, y           one pair  British National Grid metres (EPSG:27700)
radius_m       no        snap points this close belong to it (default 150; 10 to 1,000)
=============  ========  ===================================================================

Every row is used or refused with its reason (``SiteRegister.rejects``); a file without the required
columns is refused as a whole (:class:`.SchemaError`, naming them).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..base.crs import project_lonlat
from ..errors import SchemaError
from ..reference.kinds import SITE_LABELS
from .health import read_table

__all__ = ["DEFAULT_RADIUS_M", "SiteRegister", "find_site_register", "read_site_register"]

DEFAULT_RADIUS_M = 150.0
_TYPES = {key: key for key in ("police", "prison", "hospital", "port")}
_TYPES.update({SITE_LABELS[key]: key for key in ("police", "prison", "hospital", "port")})
_GB = {"lon": (-9.0, 3.0), "lat": (49.0, 61.5), "x": (0.0, 700_000.0), "y": (0.0, 1_300_000.0)}


@dataclass(frozen=True)
class SiteRegister:
    """Institutions accepted (``sites``: ``name, site_type, x, y, radius_m``; ``site_type`` a key of
    :data:`.SITE_LABELS`) and rows refused (``rejects``: ``source_line, reason, text``)."""

    sites: pd.DataFrame
    rejects: pd.DataFrame
    rows_read: int
    file: str

    def describe(self) -> str:
        """One sentence: how many institutions were used, and each refused row's line and reason."""
        refused = "; ".join(
            f"line {line}: {why}" for line, why in zip(self.rejects["source_line"], self.rejects["reason"], strict=True)
        )
        tail = f", {len(self.rejects)} refused ({refused})" if len(self.rejects) else ""
        return f"{self.file}: {len(self.sites)} of {self.rows_read} institutions used{tail}."


def read_site_register(path: str | Path) -> SiteRegister:
    """Read and check a register of institutions (see the module docstring for the schema)."""
    path = Path(path)
    table = read_table(path)
    columns = set(table.columns)
    has_lonlat, has_xy = {"latitude", "longitude"} <= columns, {"x", "y"} <= columns
    missing = {"name", "site_type"} - columns
    if missing or not (has_lonlat or has_xy):
        raise SchemaError(
            f"{path.name} is not a register of institutions: it needs the columns name, site_type and either "
            f"latitude + longitude or x + y (British National Grid); it has {sorted(columns)}."
        )
    reasons = pd.Series("", index=table.index, dtype=object)
    kind = table["site_type"].str.lower().map(_TYPES)
    reasons[kind.isna()] = f"site_type must be one of {sorted(_TYPES)}"
    reasons[(table["name"] == "") & (reasons == "")] = "name is blank"
    if has_xy:
        x, y = _number(table["x"]), _number(table["y"])
        out = ~(x.between(*_GB["x"]) & y.between(*_GB["y"]))
        where = "x and y must be British National Grid metres in Great Britain"
    else:
        lon, lat = _number(table["longitude"]), _number(table["latitude"])
        out = ~(lon.between(*_GB["lon"]) & lat.between(*_GB["lat"]))
        where = "latitude and longitude must be WGS84 degrees in Great Britain"
        ok = ~out
        x = pd.Series(np.nan, index=table.index)
        y = pd.Series(np.nan, index=table.index)
        if ok.any():
            px, py = project_lonlat(lon[ok].to_numpy(), lat[ok].to_numpy())
            x[ok], y[ok] = px, py
    reasons[out & (reasons == "")] = where
    radius = _number(table["radius_m"]) if "radius_m" in columns else pd.Series(DEFAULT_RADIUS_M, index=table.index)
    if "radius_m" in columns:
        radius = radius.where(table["radius_m"] != "", DEFAULT_RADIUS_M)
    reasons[~radius.between(10, 1000) & (reasons == "")] = "radius_m must be a number from 10 to 1,000"
    good = reasons == ""
    sites = pd.DataFrame(
        {
            "name": table["name"][good],
            "site_type": kind[good],
            "x": x[good].astype("float64"),
            "y": y[good].astype("float64"),
            "radius_m": radius[good].astype("float64"),
        }
    ).reset_index(drop=True)
    text = table.apply(lambda row: ",".join(row.to_numpy(dtype=str)), axis=1) if len(table) else pd.Series([])
    rejects = pd.DataFrame(
        {"source_line": table.index[~good] + 2, "reason": reasons[~good], "text": text[~good]}
    ).reset_index(drop=True)
    return SiteRegister(sites, rejects, len(table), path.name)


def _number(values: pd.Series) -> pd.Series:
    return pd.to_numeric(values.str.replace(",", "", regex=False), errors="coerce")


def find_site_register(path: str | Path | None, sources: object = None) -> SiteRegister | None:
    """The register named (``--sites-file``), else the one found beside the data
    (``DataSources.sites_register``: ``institutions.csv``/``.xlsx``), read and checked; ``None`` when
    there is none. The CLI and the app both call this."""
    found = path or getattr(sources, "sites_register", None)
    return read_site_register(found) if found else None
