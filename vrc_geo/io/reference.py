"""Reference tables from a data folder: ONS code history, populations, LSOA boundaries.

All optional: a function returns ``None`` when its table is not in the folder, and the caller says what
that costs (no rates, no LSOA placement). Files are found by pattern, so a newer extract can replace one.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pandas as pd

__all__ = [
    "find_lsoa_boundaries",
    "newest_file",
    "read_imd_deciles",
    "read_lsoa_history",
    "read_lsoa_population_2011",
    "read_ward_history",
    "read_ward_population_2020",
]


def newest_file(folder: Path | None, pattern: str) -> Path | None:
    """The last (by name: the newest dated) file of ``folder`` matching ``pattern``, or ``None``."""
    if folder is None:
        return None
    hits = sorted(Path(folder).glob(pattern))
    return hits[-1] if hits else None


@lru_cache(maxsize=8)
def read_ward_history(reference: Path | None) -> pd.DataFrame | None:
    """ONS Code History ward records: ``WDCD, WDNM, LADCD, start_date, end_date, status``."""
    path = newest_file(reference, "lookups/*E05*.csv")
    if path is None:
        return None
    frame = pd.read_csv(path, dtype=str)
    needed = {"WDCD", "WDNM", "LADCD", "start_date"}
    return frame if needed <= set(frame.columns) else None


@lru_cache(maxsize=8)
def read_lsoa_history(reference: Path | None) -> pd.DataFrame | None:
    """ONS Code History LSOA records: ``LSOACD, LSOANM, MSOACD_parent, LADCD_via_MSOA, ...``."""
    path = newest_file(reference, "lookups/*E01*.csv")
    if path is None:
        return None
    frame = pd.read_csv(path, dtype=str)
    return frame if {"LSOACD", "start_date"} <= set(frame.columns) else None


@lru_cache(maxsize=8)
def read_lsoa_population_2011(reference: Path | None) -> pd.DataFrame | None:
    """Census 2011 usual residents by LSOA 2011: ``lsoa_code, population``."""
    path = newest_file(reference, "population/census2011_lsoa_population*.csv")
    if path is None:
        return None
    raw = pd.read_csv(path, dtype=str, thousands=",")
    code_col = next((c for c in raw.columns if c.strip().lower() == "lsoa code"), None)
    pop_col = next((c for c in raw.columns if c.strip().lower() == "persons"), None)
    if code_col is None or pop_col is None:
        return None
    pop = pd.to_numeric(raw[pop_col].str.replace(",", ""), errors="coerce")
    out = pd.DataFrame({"lsoa_code": raw[code_col].str.strip(), "population": pop})
    return out.dropna().astype({"population": "int64"}).reset_index(drop=True)


@lru_cache(maxsize=8)
def read_ward_population_2020(reference: Path | None) -> pd.DataFrame | None:
    """ONS mid-2020 estimates for 2020 wards: ``ward_code, population``."""
    path = newest_file(reference, "population/*mid2020_ward*.csv")
    if path is None:
        return None
    raw = pd.read_csv(path, dtype=str)
    code_col = next((c for c in raw.columns if c.upper().startswith("WD20CD")), None)
    if code_col is None or "All Ages" not in raw.columns:
        return None
    pop = pd.to_numeric(raw["All Ages"].str.replace(",", ""), errors="coerce")
    out = pd.DataFrame({"ward_code": raw[code_col].str.strip(), "population": pop})
    return out.dropna().astype({"population": "int64"}).reset_index(drop=True)


def find_lsoa_boundaries(reference: Path | None) -> list[Path]:
    """LSOA boundary folders (or files) of a data folder, newest vintage first."""
    if reference is None:
        return []
    return sorted(Path(reference).glob("boundaries/lsoa*"), reverse=True)


def read_imd_deciles(reference: Path | str | None) -> pd.Series | None:
    """English Indices of Deprivation 2019 decile per LSOA 2011 code (1 = most deprived), from the
    ``deprivation/imd2019_lsoa11_*.csv`` table with an "IMD Decile" column; ``None`` when absent."""
    if not reference:
        return None
    for path in sorted(Path(reference).glob("deprivation/imd2019_lsoa11_*.csv")):
        imd = pd.read_csv(path, dtype=str)
        decile = [c for c in imd.columns if "(IMD) Decile" in c]
        if decile:
            return pd.to_numeric(imd.set_index(imd.columns[0])[decile[0]], errors="coerce")
    return None
