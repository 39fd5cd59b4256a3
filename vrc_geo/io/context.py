"""Published context tables: recorded crime by Community Safety Partnership, Crime Severity Score weights.

* :func:`read_csp_crime` reads ONS "Police force area data tables", Table C2 (police recorded crime for
  headline offences by Community Safety Partnership, Home Office source) as published: preamble lines,
  headers with line breaks, numbers with thousands separators and trailing spaces, ``[x]`` for
  unavailable. Columns are renamed to snake_case (``violence_against_the_person``,
  ``violence_with_injury``, ...); the period is taken from the title ("year ending June 2025").
* :func:`read_severity_weights` reads the ONS Crime Severity Score weights with the police.uk category
  map (``harm/``): one row per Home Office offence.

Both look in ``crime_context/`` and ``harm/`` of the reference folder and return ``None`` when absent.
"""

from __future__ import annotations

import csv
import io
import re
from functools import lru_cache
from pathlib import Path

import pandas as pd

from ..errors import DataNotFoundError, SchemaError
from ..reference.harm import HarmWeights, derive_harm_weights
from .reference import newest_file

__all__ = [
    "CSP_COUNT_COLUMNS",
    "CspTable",
    "read_csp_crime",
    "read_fingertips_context",
    "read_harm_weights",
    "read_severity_weights",
]

#: Count columns of Table C2, in published order (snake_case of the published headers).
CSP_COUNT_COLUMNS = (
    "total_recorded_crime_excl_fraud",
    "violence_against_the_person",
    "homicide",
    "death_or_serious_injury_caused_by_illegal_driving",
    "violence_with_injury",
    "violence_without_injury",
    "stalking_and_harassment",
    "sexual_offences",
    "robbery",
    "theft_offences",
    "burglary",
    "residential_burglary",
    "non_residential_burglary",
    "vehicle_offences",
    "theft_from_the_person",
    "bicycle_theft",
    "shoplifting",
    "all_other_theft_offences",
    "criminal_damage_and_arson",
    "drug_offences",
    "possession_of_weapons_offences",
    "public_order_offences",
    "miscellaneous_crimes_against_society",
)
_ID_COLUMNS = ("pfa_code", "pfa_name", "csp_code", "csp_name", "la_code", "la_name")


class CspTable(pd.DataFrame):
    """Marker type: a Table C2 frame (``attrs``: ``period``, ``source``)."""


_PUBLISHED_IDS = {
    "police_force_area_code": "pfa_code",
    "police_force_area_name": "pfa_name",
    "community_safety_partnership_code": "csp_code",
    "community_safety_partnership_name": "csp_name",
    "local_authority_code": "la_code",
    "local_authority_name": "la_name",
}


def _snake(text: str) -> str:
    text = re.sub(r"\[.*?\]", "", text).lower()
    text = text.replace("(excluding fraud)", "excl fraud").replace("(excl. fraud)", "excl fraud")
    name = re.sub(r"[^a-z0-9]+", "_", text).strip("_")
    return _PUBLISHED_IDS.get(name, name)


@lru_cache(maxsize=8)
def read_csp_crime(reference: Path | None) -> pd.DataFrame | None:
    """Table C2 rows (every force): ``pfa_code, pfa_name, csp_code, csp_name, la_code, la_name`` and the
    :data:`CSP_COUNT_COLUMNS` as integers (``<NA>`` where published as ``[x]``). ``attrs["period"]``
    holds the period named in the title. ``None`` when the folder has no such table."""
    path = newest_file(reference, "crime_context/*csp*.csv")
    return None if path is None else parse_csp_crime(path.read_bytes(), source=path.name)


def parse_csp_crime(data: bytes, *, source: str = "Table C2") -> pd.DataFrame:
    """Parse the bytes of a Table C2 CSV (see :func:`read_csp_crime`)."""
    text = data.decode("utf-8-sig", errors="replace")
    rows = list(csv.reader(io.StringIO(text)))
    header_at = next((i for i, r in enumerate(rows) if r and r[0].replace("\n", " ").startswith("Police Force")), None)
    if header_at is None:
        raise SchemaError(f"{source} is not ONS Table C2 (no 'Police Force Area code' header row).")
    title = rows[0][0] if rows and rows[0] else ""
    period = re.search(r"year ending [A-Z][a-z]+ \d{4}", title)
    names = [_snake(h.replace("\n", " ")) for h in rows[header_at]]
    names = [n for n in names if n]
    expected = list(_ID_COLUMNS) + list(CSP_COUNT_COLUMNS)
    if names[: len(expected)] != expected:
        missing = [c for c in expected if c not in names]
        raise SchemaError(f"{source}: the Table C2 columns have changed (missing {missing[:5]}).")
    body = [r[: len(expected)] for r in rows[header_at + 1 :] if r and r[0].strip()]
    frame = pd.DataFrame(body, columns=expected)
    for col in _ID_COLUMNS:
        frame[col] = frame[col].str.strip()
    for col in CSP_COUNT_COLUMNS:
        cleaned = frame[col].str.replace(",", "", regex=False).str.strip()
        frame[col] = pd.to_numeric(cleaned.where(~cleaned.isin(["[x]", "", "[z]", "[c]"])), errors="coerce").astype(
            "Int64"
        )
    frame.attrs["period"] = period.group(0) if period else ""
    frame.attrs["source"] = source
    return frame


@lru_cache(maxsize=8)
def read_severity_weights(reference: Path | None) -> pd.DataFrame | None:
    """ONS Crime Severity Score weights: ``counts_category, offence, code, weight, policeuk_category``
    (one row per offence). ``None`` when the folder has no ``harm/`` table."""
    path = newest_file(reference, "harm/*severity*.csv")
    if path is None:
        return None
    raw = pd.read_csv(path, dtype=str)
    needed = {"ONS_COUNTS_category", "ONS_COUNTS_description", "ONS_SEVERITY_code", "ONS_SEVERITY_weight"}
    if not needed <= set(raw.columns):
        raise SchemaError(f"{path.name}: expected the columns {sorted(needed)}.")
    out = pd.DataFrame(
        {
            "counts_category": raw["ONS_COUNTS_category"].str.strip().str.lower(),
            "offence": raw["ONS_COUNTS_description"].str.strip(),
            "code": raw["ONS_SEVERITY_code"].str.strip(),
            "weight": pd.to_numeric(raw["ONS_SEVERITY_weight"], errors="coerce"),
            "policeuk_category": raw.get("POLICE_UK_CAT_MAP_category", pd.Series("", index=raw.index))
            .fillna("")
            .str.strip(),
        }
    )
    out.attrs["source"] = path.name
    return out.dropna(subset=["weight"]).reset_index(drop=True)


def read_harm_weights(reference: Path | None) -> HarmWeights:
    """Crime harm weights per police.uk category from the reference folder's ``harm/`` and
    ``crime_context/`` tables (the derivation: :mod:`vrc_geo.reference.harm`)."""
    weights = read_severity_weights(reference)
    csp = read_csp_crime(reference)
    if weights is None or csp is None:
        raise DataNotFoundError(
            "Harm weighting needs the ONS Crime Severity Score weights (harm/*severity*.csv) and the ONS "
            "Table C2 of recorded crime by Community Safety Partnership (crime_context/*csp*.csv) in the "
            f"reference data folder ({reference}); use another measure, or add those files."
        )
    return derive_harm_weights(weights, csp)


def read_fingertips_context(data_dir: Path | None = None) -> pd.DataFrame | None:
    """Fetched OHID Fingertips rows (district level, as published) from ``<data>/context/``, if ``fetch``
    has brought them in; ``None`` otherwise. ``data_dir``: the project's ``data/`` by default."""
    from ..config import REPO_ROOT
    from ..reference.area import AREA

    folder = Path(data_dir) if data_dir is not None else REPO_ROOT / "data"
    hits = sorted((folder / "context").glob(f"fingertips_*_{AREA.slug.replace('-', '_')}.csv"))
    if not hits:
        return None
    table = pd.read_csv(hits[-1], dtype=str)
    keep = [c for c in ("Area Name", "Area Code", "Time period", "Sex", "Value", "Count") if c in table.columns]
    return table[keep]
