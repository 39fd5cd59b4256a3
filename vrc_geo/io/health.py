"""Read partner health extracts: ISTV-style incident records and HES-style area counts.

Two documented schemas (templates in ``templates/``; column details in docs/data.md):

* **incidents** (ISTV / Cardiff Model, one row per emergency-department record): ``record_id``,
  ``incident_date`` (YYYY-MM-DD) or ``incident_month`` (YYYY-MM), optional ``incident_time`` (HH:MM);
  a location as ``latitude``/``longitude``, ``easting``/``northing`` or ``area_code``; optional
  ``weapon``, ``age_band``, ``sex``, ``alcohol``, ``drugs``, ``admitted``, ``source``.
* **counts** (HES-style aggregates, counted by the patient's area of residence): ``area_code``,
  ``period`` (YYYY-MM, YYYY-Qn, YYYY, or a financial year YYYY/YY), ``admissions``; optional ``icd10``,
  ``age_band``, ``sex``. ``admissions`` may hold a source suppression marker (``*``, ``c``, ``[c]``).

Every row is accounted for as in the police reader: used, outside Kent & Medway, no location, or
rejected with its reason. Output frames carry the raw location; placing it (and saying at which level
each figure is held) is :mod:`vrc_geo.health.placement`'s job.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..base.params import current_month
from ..errors import InputFileError, SchemaError
from .spreadsheet import read_path

__all__ = [
    "COUNT_COLUMNS",
    "INCIDENT_COLUMNS",
    "HealthRead",
    "parse_period",
    "read_health",
    "read_health_frames",
]

INCIDENT_COLUMNS = {
    "required": ["record_id"],
    "date": ["incident_date", "incident_month"],
    "location": ["latitude", "longitude", "easting", "northing", "area_code"],
    "optional": [
        "incident_time",
        "location_description",
        "weapon",
        "age_band",
        "sex",
        "alcohol",
        "drugs",
        "admitted",
        "source",
    ],
}
COUNT_COLUMNS = {
    "required": ["area_code", "period", "admissions"],
    "optional": ["icd10", "age_band", "sex", "source"],
}
WEAPONS = (
    "none",
    "body",
    "blunt object",
    "knife or sharp object",
    "glass or bottle",
    "firearm",
    "other",
    "unknown",
)
AGE_BANDS = ("0-15", "16-17", "18-24", "25-34", "35-44", "45-54", "55-64", "65+", "unknown")
SEXES = ("female", "male", "other", "unknown")
FLAGS = ("yes", "no", "unknown")
SOURCE_SUPPRESSED = {"*", "c", "[c]", "[x]", "x", "~", "-"}
_CODE = re.compile(r"^E0(1|2|5|6|7)\d{6}$")
_BNG_MAX_EAST_M, _BNG_MAX_NORTH_M = 700_000, 1_300_000
MAX_ADMISSIONS = 1_000_000  # England records about 30,000 assault admissions a year: more is not a count
_LEVEL = {"1": "lsoa", "2": "msoa", "5": "ward", "6": "district", "7": "district"}

REASONS = {
    "id": "record_id missing",
    "duplicate": "duplicate record",
    "date": "date missing or not a real date (YYYY-MM-DD or YYYY-MM)",
    "time": "time not HH:MM",
    "coords": "coordinates not numbers or impossible (latitude/longitude beyond ±90/±180, easting/northing "
    "outside the British National Grid)",
    "code": "unknown area code (not an ONS ward, LSOA, MSOA or district code of Kent & Medway)",
    "period": "period not YYYY-MM, YYYY-Qn, YYYY or YYYY/YY",
    "count": "admissions not a whole number from 0 to 1,000,000",
    "date_range": "date before 2000 or after this month",
    "category": "value not in the documented list",
}


@dataclass
class HealthRead:
    """Rows accepted (``records``) and refused (``rejects``: ``source_file, source_line, reason, text``)."""

    shape: str  # "incidents" or "counts"
    records: pd.DataFrame
    rejects: pd.DataFrame
    rows_read: int
    files: list[str]
    notes: list[str] = field(default_factory=list)


EARLIEST_MONTH = "2000-01"  # older health records are not what the tool reads
#: Sheet names the templates use; otherwise the first visible sheet is read.
TEMPLATE_SHEETS = ("records", "incidents", "counts", "admissions", "institutions")
MAX_CSV_BYTES = 64 * 2**20


def read_table(path: Path) -> pd.DataFrame:
    """A health extract (or register) as a table of strings (columns lower-cased, spaces as underscores).
    XLSX through the bounded reader (:mod:`.spreadsheet`); which sheet was read is in ``attrs["note"]``."""
    suffix = path.suffix.lower()
    note = ""
    if suffix == ".xlsx":
        sheet = read_path(path, sheet_names=TEMPLATE_SHEETS)
        frame, note = sheet.frame, sheet.describe(path.name)
    elif suffix == ".csv":
        if path.stat().st_size > MAX_CSV_BYTES:
            raise InputFileError(f"{path.name} is over the {MAX_CSV_BYTES // 2**20} MiB limit for an extract.")
        data = path.read_bytes()
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("cp1252", errors="replace")
        try:
            frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, skip_blank_lines=True)
        except Exception as exc:  # parser errors of every kind become one message
            raise InputFileError(f"Cannot read {path.name}: {exc}") from exc
    else:
        raise InputFileError(f"{path.name}: extracts must be .csv or .xlsx files (save an .xls as .xlsx).")
    frame.columns = [str(c).strip().lower().replace(" ", "_") for c in frame.columns]
    frame = frame.fillna("").astype(str).apply(lambda col: col.str.strip())
    frame.attrs["note"] = note
    return frame


def _shape_of(columns: set[str], name: str) -> str:
    if "record_id" in columns or {"incident_date", "incident_month"} & columns:
        return "incidents"
    if "admissions" in columns or {"area_code", "period"} <= columns:
        return "counts"
    raise SchemaError(
        f"{name} is neither health schema. Incident records need record_id, incident_date (or "
        "incident_month) and a location (latitude/longitude, easting/northing or area_code); area counts "
        f"need area_code, period and admissions. Columns found: {', '.join(sorted(columns)) or 'none'}."
    )


def read_health(paths: Sequence[str | Path], *, known_codes: dict[str, str] | None = None) -> HealthRead:
    """Read one or more extracts of the same shape (``.csv`` or ``.xlsx``). ``known_codes`` maps Kent &
    Medway area codes (any level, any vintage) to their district code; a well-formed code outside it is
    outside the area if it is a district code, otherwise unknown (rejected)."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    if not paths:
        raise InputFileError("No health files given.")
    tables = []
    for raw in paths:
        path = Path(raw)
        if not path.is_file():
            raise InputFileError(f"Health file not found: {path}.")
        tables.append((str(path), read_table(path)))
    return read_health_frames(tables, known_codes=known_codes)


def read_health_frames(
    tables: Sequence[tuple[str, pd.DataFrame]], *, known_codes: dict[str, str] | None = None
) -> HealthRead:
    """As :func:`read_health`, for tables already in memory (an upload, the synthetic generator)."""
    frames, shapes = [], set()
    for label, raw in tables:
        frame = raw.copy()
        frame.columns = [str(c).strip().lower().replace(" ", "_") for c in frame.columns]
        frame = frame.fillna("").astype(str).apply(lambda col: col.str.strip())
        name = Path(label).name
        shape = _shape_of(set(frame.columns), name)
        _check_columns(frame, shape, name)
        shapes.add(shape)
        frame["source_file"] = label
        frame["source_line"] = np.arange(2, len(frame) + 2)
        frames.append(frame)
    if len(shapes) > 1:
        raise SchemaError("Incident records and area counts cannot be read together; give one shape at a time.")
    shape = shapes.pop()
    table = pd.concat(frames, ignore_index=True)
    check = _check_incidents if shape == "incidents" else _check_counts
    records, reason = check(table, known_codes or {})
    bad = reason.notna().to_numpy()
    cols = [c for c in table.columns if c not in {"source_file", "source_line"}]
    rejects = pd.DataFrame(
        {
            "source_file": table.loc[bad, "source_file"].to_numpy(),
            "source_line": table.loc[bad, "source_line"].to_numpy(),
            "reason": reason[bad].to_numpy(),
            "text": [",".join(row)[:200] for row in table.loc[bad, cols].itertuples(index=False)],
        }
    )
    notes = [raw.attrs["note"] for _, raw in tables if raw.attrs.get("note")]
    return HealthRead(
        shape, records.loc[~bad].reset_index(drop=True), rejects, len(table), [label for label, _ in tables], notes
    )


def _check_columns(frame: pd.DataFrame, shape: str, name: str) -> None:
    columns = set(frame.columns)
    if shape == "incidents":
        missing = [c for c in INCIDENT_COLUMNS["required"] if c not in columns]
        if not {"incident_date", "incident_month"} & columns:
            missing.append("incident_date (or incident_month)")
        has_location = {"latitude", "longitude"} <= columns or {"easting", "northing"} <= columns
        if not has_location and "area_code" not in columns:
            missing.append("a location (latitude+longitude, easting+northing or area_code)")
    else:
        missing = [c for c in COUNT_COLUMNS["required"] if c not in columns]
    if missing:
        raise SchemaError(
            f"{name}: missing column(s) {', '.join(missing)}. See the health schemas in docs/data.md "
            "(templates in templates/)."
        )


def _code_status(codes: pd.Series, known: dict[str, str]) -> tuple[pd.Series, pd.Series, pd.Series]:
    """(district code or NA, level, status in {'ok','blank','outside','unknown'}) per area code."""
    from ..reference.area import DISTRICTS

    codes = codes.str.upper()
    level = codes.str[2:3].map(_LEVEL)
    well_formed = codes.str.match(_CODE.pattern)
    district = codes.map(known)
    is_district = level.eq("district")
    district = district.where(~is_district, codes.where(codes.isin(list(DISTRICTS))))
    status = pd.Series("unknown", index=codes.index)
    status[codes.eq("")] = "blank"
    status[well_formed & district.notna()] = "ok"
    status[well_formed & is_district & district.isna()] = "outside"
    return district, level.where(well_formed), status


def _check_incidents(table: pd.DataFrame, known: dict[str, str]) -> tuple[pd.DataFrame, pd.Series]:
    reason = pd.Series(pd.NA, index=table.index, dtype="object")

    def refuse(mask: pd.Series, key: str) -> None:
        reason[mask & reason.isna()] = REASONS[key]

    out = pd.DataFrame(index=table.index)
    out["record_id"] = table["record_id"]
    refuse(table["record_id"].eq(""), "id")
    dates = table.get("incident_date", pd.Series("", index=table.index))
    months = table.get("incident_month", pd.Series("", index=table.index))
    # A spreadsheet's date cell arrives as "YYYY-MM-DD" or "YYYY-MM-DD HH:MM" (io.spreadsheet): the day is
    # the date; a month column holding a date is that date's month.
    parsed = pd.to_datetime(dates.str[:10].where(dates.ne("")), format="%Y-%m-%d", errors="coerce")
    month_text = months.where(~months.str.match(r"^\d{4}-\d{2}-\d{2}"), months.str[:7])
    month_only = pd.to_datetime(month_text.where(month_text.ne("")), format="%Y-%m", errors="coerce")
    refuse(parsed.isna() & month_only.isna(), "date")
    when = parsed.dt.strftime("%Y-%m").where(parsed.notna(), month_only.dt.strftime("%Y-%m"))
    refuse(when.notna() & ((when < EARLIEST_MONTH) | (when > current_month())), "date_range")
    out["incident_date"] = parsed
    out["month"] = when
    times = table.get("incident_time", pd.Series("", index=table.index))
    stamped = dates.str.match(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$")
    times = times.where(times.ne("") | ~stamped, dates.str[11:16])
    refuse(times.ne("") & ~times.str.match(r"^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$"), "time")
    out["incident_time"] = times.where(times.ne(""))

    lon, lat = _numbers(table, "longitude"), _numbers(table, "latitude")
    east, north = _numbers(table, "easting"), _numbers(table, "northing")
    bad_ll = (lon[1] | lat[1]) | (lon[0].notna() != lat[0].notna()) | ~(lat[0].abs() <= 90) & lat[0].notna()
    bad_ll |= ~(lon[0].abs() <= 180) & lon[0].notna()
    # British National Grid covers 0-700 km east and 0-1,300 km north; anything else is not a place.
    bad_en = (east[1] | north[1]) | (east[0].notna() != north[0].notna())
    bad_en |= ~east[0].between(0, _BNG_MAX_EAST_M) & east[0].notna()
    bad_en |= ~north[0].between(0, _BNG_MAX_NORTH_M) & north[0].notna()
    refuse(bad_ll | bad_en, "coords")
    out["lon"], out["lat"] = lon[0], lat[0]
    out["easting"], out["northing"] = east[0], north[0]
    codes = table.get("area_code", pd.Series("", index=table.index)).str.upper()
    district, level, status = _code_status(codes, known)
    has_point = (lon[0].notna() & lat[0].notna()) | (east[0].notna() & north[0].notna())
    refuse(~has_point & status.eq("unknown"), "code")
    out["area_code"] = codes.where(codes.ne(""))
    out["area_level"] = level
    out["area_district"] = district
    out["area_status"] = status
    for col, allowed in (
        ("weapon", WEAPONS),
        ("age_band", AGE_BANDS),
        ("sex", SEXES),
        ("alcohol", FLAGS),
        ("drugs", FLAGS),
        ("admitted", FLAGS),
    ):
        values = table.get(col, pd.Series("", index=table.index)).str.lower()
        refuse(values.ne("") & ~values.isin(allowed), "category")
        out[col] = values.where(values.ne(""), "unknown")
    out["source"] = table.get("source", pd.Series("", index=table.index))
    out["location_description"] = table.get("location_description", pd.Series("", index=table.index))
    dup = table["record_id"].ne("") & reason.isna() & table["record_id"].duplicated(keep="first")
    refuse(dup, "duplicate")
    out["source_file"], out["source_line"] = table["source_file"], table["source_line"]
    return out, reason


def _numbers(table: pd.DataFrame, col: str) -> tuple[pd.Series, pd.Series]:
    """(values, not-a-number flags) of an optional numeric column; blanks are missing, not errors."""
    text = table.get(col, pd.Series("", index=table.index))
    values = pd.to_numeric(text.where(text.ne("")), errors="coerce")
    return values, text.ne("") & values.isna()


def parse_period(text: str) -> tuple[str, str] | None:
    """(first month, last month) of a period: YYYY-MM, YYYY-Qn, YYYY or financial year YYYY/YY."""
    text = text.strip().upper()
    if m := re.fullmatch(r"(\d{4})-(0[1-9]|1[0-2])", text):
        return text, text
    if m := re.fullmatch(r"(\d{4})-Q([1-4])", text):
        year, q = int(m.group(1)), int(m.group(2))
        return f"{year}-{3 * q - 2:02d}", f"{year}-{3 * q:02d}"
    if m := re.fullmatch(r"(\d{4})", text):
        return f"{text}-01", f"{text}-12"
    if m := re.fullmatch(r"(\d{4})/(\d{2})", text):
        year = int(m.group(1))
        if (year + 1) % 100 == int(m.group(2)):
            return f"{year}-04", f"{year + 1}-03"
    return None


def _check_counts(table: pd.DataFrame, known: dict[str, str]) -> tuple[pd.DataFrame, pd.Series]:
    reason = pd.Series(pd.NA, index=table.index, dtype="object")

    def refuse(mask: pd.Series, key: str) -> None:
        reason[mask & reason.isna()] = REASONS[key]

    out = pd.DataFrame(index=table.index)
    periods = table["period"].map(parse_period)
    refuse(periods.isna(), "period")
    out["period"] = table["period"].str.upper()
    out["period_start"] = periods.map(lambda p: p[0] if p else None)
    out["period_end"] = periods.map(lambda p: p[1] if p else None)
    starts, ends = out["period_start"].fillna(""), out["period_end"].fillna("")
    refuse(periods.notna() & ((starts < EARLIEST_MONTH) | (ends > current_month())), "date_range")
    raw = table["admissions"].str.replace(",", "")
    suppressed = raw.str.lower().isin(SOURCE_SUPPRESSED)
    numbers = pd.to_numeric(raw.where(~suppressed), errors="coerce")
    whole = numbers.between(0, MAX_ADMISSIONS) & (numbers == numbers.round())
    refuse(~suppressed & ~whole, "count")
    out["admissions"] = numbers.where(whole).astype("Int64")
    out["suppressed_at_source"] = suppressed
    codes = table["area_code"].str.upper()
    district, level, status = _code_status(codes, known)
    refuse(status.eq("unknown"), "code")
    out["area_code"] = codes.where(codes.ne(""))
    out["area_level"], out["area_district"], out["area_status"] = level, district, status
    for col, allowed in (("age_band", AGE_BANDS), ("sex", SEXES)):
        values = table.get(col, pd.Series("", index=table.index)).str.lower()
        refuse(values.ne("") & ~values.isin(allowed), "category")
        out[col] = values.where(values.ne(""), "all")
    out["icd10"] = table.get("icd10", pd.Series("", index=table.index))
    out["source"] = table.get("source", pd.Series("", index=table.index))
    key = ["area_code", "period", "age_band", "sex"]
    dup = reason.isna() & out[key].astype(str).duplicated(keep="first")
    refuse(dup, "duplicate")
    out["source_file"], out["source_line"] = table["source_file"], table["source_line"]
    return out, reason
