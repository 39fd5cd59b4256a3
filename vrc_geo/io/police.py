"""Read police.uk street-level crime files: a CSV, a month folder, a tree of folders, or the zip.

Output of :func:`read_police`: a :class:`PoliceRead` whose ``records`` hold one row per accepted input row
(columns below) and whose ``rejects`` hold one row per refused input row with its reason. Every data row
of every file lands in exactly one of the two; blank lines are not rows.

``records`` columns: ``crime_id, month, crime_type, location, lsoa_code, lsoa_name, outcome,
falls_within, lon, lat, source_file, source_line``.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..base.params import FIRST_POLICE_MONTH, current_month
from ..errors import InputFileError, SchemaError
from ..reference.taxonomy import known_crime_types
from .police_csv import MAX_LINE, needs_line_parse, parse_by_line, parse_fast
from .police_files import PoliceFile, expand_sources, police_files

__all__ = ["POLICE_COLUMNS", "PoliceRead", "expand_sources", "read_police", "read_police_file"]

#: The police.uk street-level schema, in published order.
POLICE_COLUMNS: tuple[str, ...] = (
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
)
_RENAME = {
    "Crime ID": "crime_id",
    "Month": "month",
    "Falls within": "falls_within",
    "Longitude": "lon",
    "Latitude": "lat",
    "Location": "location",
    "LSOA code": "lsoa_code",
    "LSOA name": "lsoa_name",
    "Crime type": "crime_type",
    "Last outcome category": "outcome",
}
_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
# Rough box around Great Britain, used only to recognise swapped latitude/longitude.
_GB_LAT, _GB_LON = (49.0, 61.5), (-9.0, 2.5)

REJECT_REASONS = {
    "malformed": "malformed row (wrong number of fields)",
    "month": "month missing or not YYYY-MM",
    "month_range": "month outside police.uk's range (December 2010 to this month)",
    "crime_type": "unknown crime type",
    "coords_partial": "only one of longitude/latitude given",
    "coords_text": "coordinates are not numbers",
    "coords_impossible": "impossible coordinates (outside ±90 latitude / ±180 longitude, or 0,0)",
    "coords_swapped": "latitude and longitude swapped",
    "duplicate": "duplicate Crime ID",
    "too_long": "line too long (over 100,000 characters)",
}


@dataclass
class PoliceRead:
    """What :func:`read_police` accepted and refused, with per-file facts and notes."""

    records: pd.DataFrame
    rejects: pd.DataFrame
    files: pd.DataFrame
    notes: list[str] = field(default_factory=list)


def read_police(
    paths: Sequence[str | Path],
    *,
    progress: Callable[[int], object] | None = None,
) -> PoliceRead:
    """Read and validate police.uk files; refuse bad rows with a reason, never drop them silently."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    notes: list[str] = []
    tables, rejects, files = [], [], []
    for source, data in police_files(paths, notes):
        table, bad, info = _read_source(source, data, notes)
        if table is not None:
            tables.append(table)
        rejects.extend(bad)
        files.append(info)
        if progress is not None:
            progress(1)
    if not files:
        raise InputFileError(
            "No police.uk street files among the inputs (expected files named *-street.csv, a folder "
            "of them, or the zip police.uk serves)."
        )
    table = pa.concat_tables(tables) if tables else _empty_table()
    records, row_rejects = _check_rows(table)
    reject_frame = pd.DataFrame(rejects, columns=["source_file", "source_line", "reason", "text"])
    reject_frame = pd.concat([reject_frame, row_rejects], ignore_index=True)
    reject_frame["source_line"] = reject_frame["source_line"].astype("int64")
    return PoliceRead(records, reject_frame, pd.DataFrame(files), notes)


def read_police_file(source: PoliceFile, data: bytes) -> PoliceRead:
    """One file of :func:`police_files`, read and checked on its own (repeated Crime IDs refused within
    the file only): the unit of the month-by-month store (:mod:`..dataset.parts`), whose memory holds one
    file at a time. ``files`` has the file's one row; a file repeating another is all rejects."""
    notes: list[str] = []
    table, bad, info = _read_source(source, data, notes)
    records, row_rejects = _check_rows(table if table is not None else _empty_table())
    rejects = pd.DataFrame(bad, columns=["source_file", "source_line", "reason", "text"])
    rejects = pd.concat([rejects, row_rejects], ignore_index=True) if len(row_rejects) else rejects
    rejects["source_line"] = rejects["source_line"].astype("int64")
    return PoliceRead(records, rejects, pd.DataFrame([info]), notes)


def _read_source(source: PoliceFile, data: bytes, notes: list[str]) -> tuple[pa.Table | None, list[tuple], dict]:
    text, encoding = _decode(data)
    if encoding != "utf-8":
        notes.append(f"{source.label}: some lines were not UTF-8 and were read as {encoding}.")
    info = {"file": source.label, "bytes": len(data), "encoding": encoding, "rows_read": 0}
    if not text or text.isspace():
        notes.append(f"{source.label}: empty file (no header, no rows).")
        return None, [], info
    header_line, _, body = text.partition("\n")
    try:
        header = next(csv.reader([header_line.rstrip("\r")[:MAX_LINE]]))
    except csv.Error as exc:
        raise SchemaError(f"{source.label}: the first line is not a CSV header ({exc}).") from exc
    order = _check_header(header, source.label)
    if not body or body.isspace():
        return None, [], info
    columns = lines = bad = None
    raw = body.encode("utf-8")
    if not needs_line_parse(raw):
        try:
            columns, lines, bad = parse_fast(raw, width=len(POLICE_COLUMNS))
        except (pa.ArrowInvalid, pa.ArrowException):  # an oversized field, say: read line by line instead
            columns = None
    if columns is None:
        columns, lines, bad = parse_by_line(body, width=len(POLICE_COLUMNS))
    named = {_RENAME[name]: columns[i] for i, name in enumerate(order) if name in _RENAME}
    n = len(lines)
    named["source_file"] = pa.DictionaryArray.from_arrays(
        pa.array(np.zeros(n, dtype=np.int32)), pa.array([source.label])
    )
    named["source_line"] = pa.array(lines, type=pa.int64())
    table = pa.table({k: named[k] for k in _COLUMNS})
    rejects = [(source.label, line, REJECT_REASONS[why], txt[:200]) for line, txt, why in bad]
    info["rows_read"] = n + len(bad)
    if source.duplicate_of is not None:
        reason = f"duplicate file: the same rows were read from {source.duplicate_of}"
        rows = _row_text(table) if n else []
        rejects += [(source.label, int(line), reason, txt) for line, txt in zip(lines, rows, strict=True)]
        return None, rejects, info
    return table, rejects, info


def _decode(data: bytes) -> tuple[str, str]:
    """UTF-8 (BOM allowed); lines that are not UTF-8 are read as Windows-1252 (else Latin-1)."""
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    out, used = [], "utf-8"
    for line in data.split(b"\n"):
        try:
            out.append(line.decode("utf-8"))
        except UnicodeDecodeError:
            try:
                out.append(line.decode("cp1252"))
                used = "windows-1252"
            except UnicodeDecodeError:
                out.append(line.decode("latin-1"))
                used = "latin-1"
    return "\n".join(out), used


def _check_header(header: list[str], label: str) -> list[str]:
    """Map the file's columns onto the police.uk schema; raise SchemaError naming what is off."""
    cleaned = [h.strip().strip('"').strip() for h in header]
    by_lower = {c.lower(): c for c in POLICE_COLUMNS}
    mapped = [by_lower.get(c.lower(), c) for c in cleaned]
    missing = [c for c in POLICE_COLUMNS if c not in mapped]
    extra = [c for c in mapped if c not in POLICE_COLUMNS]
    if missing or extra or len(mapped) != len(POLICE_COLUMNS):
        parts = []
        if missing:
            parts.append("missing " + ", ".join(missing))
        if extra:
            parts.append("unexpected " + ", ".join(repr(e) for e in extra[:5]))
        raise SchemaError(
            f"{label} is not a police.uk street-level CSV: its header has {len(mapped)} "
            f"column{'' if len(mapped) == 1 else 's'} "
            f"({'; '.join(parts) or 'repeated columns'}). Expected the 12 police.uk columns: "
            + ", ".join(POLICE_COLUMNS)
            + "."
        )
    return mapped


_COLUMNS = [*_RENAME.values(), "source_file", "source_line"]
_NUMBER = r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$"


def _empty_table() -> pa.Table:
    types = {c: pa.string() for c in _RENAME.values()}
    types["source_file"] = pa.dictionary(pa.int32(), pa.string())
    types["source_line"] = pa.int64()
    return pa.table({c: pa.array([], type=types[c]) for c in _COLUMNS})


def _coordinate(column: pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(value, blank, not-a-number) for a text coordinate column, vectorised in Arrow. A column whose
    every value reads as a finite number (police.uk's always do) skips the regular expression."""
    text = pc.utf8_trim_whitespace(column)
    blank = pc.fill_null(pc.equal(text, ""), True)
    try:
        value = pc.cast(pc.if_else(blank, pa.scalar(None, pa.string()), text), pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        value = None
    if value is not None:
        values = value.to_numpy(zero_copy_only=False).astype("float64")
        blank_np = blank.to_numpy(zero_copy_only=False).astype(bool)
        if np.isfinite(values[~blank_np]).all():
            return values, blank_np, np.zeros(len(values), dtype=bool)
    numeric = pc.fill_null(pc.match_substring_regex(text, _NUMBER), False)
    value = pc.cast(pc.if_else(numeric, text, pa.scalar(None, pa.string())), pa.float64())
    values = value.to_numpy(zero_copy_only=False).astype("float64")
    blank_np = blank.to_numpy(zero_copy_only=False).astype(bool)
    bad_np = ~blank_np & ~numeric.to_numpy(zero_copy_only=False).astype(bool)
    return values, blank_np, bad_np


def _blank_to_null(column: pa.ChunkedArray) -> pa.ChunkedArray:
    return pc.if_else(pc.equal(column, ""), pa.scalar(None, pa.string()), column)


def _check_rows(table: pa.Table) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Type the columns and refuse rows whose month, type or coordinates are unusable."""
    for name in ("crime_id", "month", "crime_type", "location", "lsoa_code"):
        idx = table.schema.get_field_index(name)
        table = table.set_column(idx, name, pc.utf8_trim_whitespace(table.column(name)))
    # Files written by `fetch` guard text a spreadsheet would run as a formula with a leading "'": undo it.
    idx = table.schema.get_field_index("location")
    if pc.any(pc.starts_with(table.column("location"), "'")).as_py():
        unguarded = pc.replace_substring_regex(table.column("location"), r"^'([=+\-@])", r"\1")
        table = table.set_column(idx, "location", unguarded)
    n = table.num_rows
    keys = list(REJECT_REASONS)
    code = np.zeros(n, dtype=np.int8)  # 0: kept; else 1 + the first reason's place in REJECT_REASONS

    def refuse(mask: np.ndarray, key: str) -> None:
        code[mask & (code == 0)] = 1 + keys.index(key)

    def as_bool(array: pa.ChunkedArray) -> np.ndarray:
        return pc.fill_null(array, False).to_numpy(zero_copy_only=False).astype(bool)

    refuse(~as_bool(pc.match_substring_regex(table.column("month"), _MONTH.pattern)), "month")
    months = table.column("month")
    early = as_bool(pc.less(months, FIRST_POLICE_MONTH))
    late = as_bool(pc.greater(months, current_month()))
    refuse(early | late, "month_range")
    known = pa.array(known_crime_types(), type=pa.string())
    refuse(~as_bool(pc.is_in(table.column("crime_type"), value_set=known)), "crime_type")
    lon, lon_blank, lon_bad = _coordinate(table.column("lon"))
    lat, lat_blank, lat_bad = _coordinate(table.column("lat"))
    refuse(lon_blank != lat_blank, "coords_partial")
    refuse(lon_bad | lat_bad, "coords_text")
    with np.errstate(invalid="ignore"):
        swapped = (lat >= _GB_LON[0]) & (lat <= _GB_LON[1]) & (lon >= _GB_LAT[0]) & (lon <= _GB_LAT[1])
        impossible = (np.abs(lat) > 90) | (np.abs(lon) > 180) | ((lat == 0) & (lon == 0))
    refuse(swapped, "coords_swapped")
    refuse(impossible, "coords_impossible")
    # Duplicates among rows still standing: the first copy (file order, then line order) is kept.
    ids = pd.Series(_blank_to_null(table.column("crime_id")).to_pandas(), copy=False)
    standing = (code == 0) & ids.notna().to_numpy()
    dup = np.zeros(n, dtype=bool)
    dup[standing] = ids[standing].duplicated(keep="first").to_numpy()
    refuse(dup, "duplicate")

    bad = code > 0
    rejected = table.filter(pa.array(bad))
    texts = np.array([REJECT_REASONS[k] for k in keys], dtype=object)
    rejects = pd.DataFrame(
        {
            "source_file": [str(v) for v in rejected.column("source_file").to_pylist()],
            "source_line": rejected.column("source_line").to_numpy(),
            "reason": texts[code[bad].astype(np.int64) - 1].astype(str),
            "text": _row_text(rejected),
        }
    )
    keep = ~bad
    good = table.filter(pa.array(keep)) if bad.any() else table
    for name in ("crime_id", "lsoa_code", "lsoa_name", "outcome"):
        idx = good.schema.get_field_index(name)
        good = good.set_column(idx, name, _blank_to_null(good.column(name)))
    for name in ("month", "crime_type", "falls_within"):
        idx = good.schema.get_field_index(name)
        good = good.set_column(idx, name, good.column(name).dictionary_encode())
    frame = good.to_pandas()
    frame["lon"] = np.where(lon_blank[keep], np.nan, lon[keep])
    frame["lat"] = np.where(lat_blank[keep], np.nan, lat[keep])
    return frame, rejects


def _row_text(rows: pa.Table) -> list[str]:
    cols = ["crime_id", "month", "lon", "lat", "location", "crime_type"]
    values = [rows.column(c).to_pylist() for c in cols]
    return [",".join(v or "" for v in row)[:200] for row in zip(*values, strict=True)]
