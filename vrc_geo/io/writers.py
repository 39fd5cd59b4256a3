"""File writers shared by the CLI and the app: CSV, XLSX and GeoJSON, chosen by extension.

Both faces call :func:`table_bytes`, so a file downloaded from the app is byte-for-byte the file the
CLI writes for the same selection. GeoJSON is WGS84 with coordinates rounded to 6 decimals (~0.1 m);
XLSX carries an "About" sheet with the metadata (period, sources, method, caveats).

Text from the data (a police.uk "Location", a ward name) can start with ``=``, ``+``, ``-``, ``@``, a tab or
a carriage return, which a spreadsheet would run as a formula ("CSV injection", OWASP). Every text cell so
starting is written with a leading ``'`` in both CSV and XLSX, and XLSX text is always stored as text,
never as a formula or a link.
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..base.atomic import write_atomically
from ..base.decimals import decimals_for
from ..errors import ParameterError

__all__ = ["FORMATS", "format_of", "guard_formula", "guard_frame", "table_bytes", "write_bytes", "write_table"]

FORMATS = (".csv", ".xlsx", ".geojson")
_FIXED_CREATED = datetime(2000, 1, 1)  # fixed workbook date: same input, same bytes
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def guard_formula(value: object) -> object:
    """Text a spreadsheet would run as a formula gets a leading ``'``; anything else is returned as is."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def guard_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell passed through :func:`guard_formula`.

    Vectorised (a category's labels are guarded once, text columns by a mask), as a ten-year ward table
    holds millions of cells: same result as calling :func:`guard_formula` on each."""
    out = frame.copy()
    for col in out.columns:
        values = out[col]
        if isinstance(values.dtype, pd.CategoricalDtype):
            labels = pd.Series(values.cat.categories)
            if not _formula_mask(labels).any():
                continue
            guarded = labels.where(~_formula_mask(labels), "'" + labels.astype(str))
            if guarded.is_unique:
                out[col] = values.cat.rename_categories(list(guarded))
                continue
            values = values.astype(object)
        if values.dtype == object or pd.api.types.is_string_dtype(values):
            mask = _formula_mask(values)
            if mask.any():
                guarded = values.astype(object).copy()
                guarded[mask] = "'" + values[mask].astype(str)
                out[col] = guarded
    return out


def _formula_mask(values: pd.Series) -> np.ndarray:
    """Where ``values`` holds text starting as a formula would (non-text cells are never guarded).

    Each distinct value is checked once (tables repeat their ward, month and type labels)."""
    codes, uniques = pd.factorize(values.astype(object), use_na_sentinel=True)
    flagged = np.fromiter(
        (isinstance(v, str) and v.startswith(_FORMULA_START) for v in uniques), dtype=bool, count=len(uniques)
    )
    return np.append(flagged, False)[codes]  # the NA sentinel (-1) reads the appended False


def format_of(path: str | Path, allowed: tuple[str, ...] = FORMATS) -> str:
    """The output format of a file name (its extension), checked against ``allowed``."""
    suffix = Path(path).suffix.lower()
    if suffix == ".json":
        suffix = ".geojson"
    if suffix not in allowed:
        raise ParameterError(f"Cannot write {Path(path).name!r}: the extension must be one of {', '.join(allowed)}.")
    return suffix


def table_bytes(
    frame: pd.DataFrame,
    fmt: str,
    *,
    geometry: Any = None,
    metadata: Mapping[str, object] | None = None,
    sheet_name: str = "data",
    extra_sheets: Mapping[str, pd.DataFrame] | None = None,
) -> bytes:
    """Serialise a table. ``geometry`` (a GeoSeries aligned with ``frame``) is needed for GeoJSON."""
    fmt = format_of(f"x{fmt}" if fmt.startswith(".") else f"x.{fmt}")
    if fmt == ".csv":
        return _csv(frame)
    if fmt == ".xlsx":
        return _xlsx(frame, metadata or {}, sheet_name, extra_sheets or {})
    if geometry is None:
        raise ParameterError("GeoJSON output needs geometry; choose .csv or .xlsx for this table.")
    return _geojson(frame, geometry, metadata or {})


def write_bytes(data: bytes, path: str | Path) -> Path:
    """Write bytes atomically (temporary file, then rename): an interrupted write leaves no stub."""
    return write_atomically(path, data)


def write_table(frame: pd.DataFrame, path: str | Path, **options: Any) -> Path:
    """Write a table to ``path`` in the format its extension names."""
    return write_bytes(table_bytes(frame, format_of(path), **options), path)


def _plain(value: object) -> object:
    """JSON-ready Python value (NaN and NA become null; numpy scalars become Python ones)."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return None if math.isnan(value) else float(value)
    if isinstance(value, (list, tuple, np.ndarray)):
        return [_plain(v) for v in value]
    return value if isinstance(value, (int, str)) else str(value)


def _csv(frame: pd.DataFrame) -> bytes:
    quick = _csv_of_labels(frame)
    if quick is not None:
        return quick
    out = guard_frame(frame)
    for col in out.columns:
        if pd.api.types.is_bool_dtype(out[col]):
            out[col] = out[col].map({True: "true", False: "false"})
        elif out[col].dtype == object:
            out[col] = [("true" if v else "false") if isinstance(v, (bool, np.bool_)) else v for v in out[col]]
    return out.to_csv(index=False, lineterminator="\r\n").encode("utf-8")  # RFC 4180: CR or LF in a field is quoted


def _csv_of_labels(frame: pd.DataFrame) -> bytes | None:
    """The CSV :func:`_csv` writes through pandas, byte for byte, for a table of text, yes/no and whole
    numbers (a ten-year ward table: 300,000 rows repeating their labels): each distinct label guarded and
    quoted once, the rows joined in Arrow. ``None`` for any other table (decimals, one column)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if len(frame.columns) < 2 or not len(frame):
        return None
    text = pa.large_string()
    columns = []
    for name in frame.columns:
        values = frame[name]
        if values.dtype.kind in "iu":
            columns.append(pc.cast(pa.array(values.to_numpy()), text))
            continue
        if values.dtype.kind == "f" or not (
            values.dtype == object
            or pd.api.types.is_string_dtype(values)
            or pd.api.types.is_bool_dtype(values)
            or isinstance(values.dtype, pd.CategoricalDtype)
        ):
            return None
        codes, uniques = pd.factorize(values)
        labels = [_csv_cell(v) for v in np.asarray(uniques, dtype=object)]
        if any(label is None for label in labels):
            return None
        columns.append(pa.array([*labels, ""], type=text).take(pa.array(np.where(codes < 0, len(labels), codes))))
    header = ",".join(_quote_csv(str(name)) for name in frame.columns) + "\r\n"
    lines = pc.binary_join_element_wise(*columns, pa.scalar(",", text))
    lines = pc.binary_join_element_wise(lines, pa.scalar("\r\n", text), pa.scalar("", text))
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int64)[lines.offset : lines.offset + len(lines) + 1]
    body = lines.buffers()[2].to_pybytes()[offsets[0] : offsets[-1]]
    return header.encode("utf-8") + body


def _csv_cell(value: object) -> str | None:
    """One label as :func:`_csv` writes it (guarded, quoted); ``None`` for a value that is not a label."""
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if not isinstance(value, str):
        return None
    return _quote_csv(guard_formula(value))  # type: ignore[arg-type]


def _quote_csv(text: str) -> str:
    """Quoted as Python's csv module does with ``QUOTE_MINIMAL`` and CR LF line ends."""
    if any(c in text for c in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def _xlsx(
    frame: pd.DataFrame, metadata: Mapping[str, object], sheet_name: str, extra: Mapping[str, pd.DataFrame]
) -> bytes:
    buffer = io.BytesIO()
    options = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
    with pd.ExcelWriter(buffer, engine="xlsxwriter", engine_kwargs={"options": options}) as writer:
        writer.book.set_properties({"created": _FIXED_CREATED, "author": "vrc_geo"})
        for name, table in {sheet_name: frame, **extra}.items():
            guard_frame(table).to_excel(writer, sheet_name=name, index=False, freeze_panes=(1, 0))
            sheet = writer.sheets[name]
            sheet.autofit()
            for position, column in enumerate(table.columns):
                shown = display_format(table[column], str(column))
                if shown is not None:  # how Excel shows it; the cell keeps the full value
                    sheet.set_column(position, position, None, writer.book.add_format({"num_format": shown}))
        if metadata:
            about = pd.DataFrame({"item": list(metadata), "value": [str(v) for v in metadata.values()]})
            about = guard_frame(about)
            about.to_excel(writer, sheet_name="About", index=False)
            sheet = writer.sheets["About"]
            sheet.set_column(0, 0, 28)
            sheet.set_column(1, 1, 110, writer.book.add_format({"text_wrap": True}))
    return buffer.getvalue()


#: Float columns holding fractions of a whole (0-1), shown as percentages in a workbook.
_FRACTION_WORDS = ("share", "hit_rate")


def display_format(values: pd.Series, name: str) -> str | None:
    """Excel's number format for a float column (``None`` for other columns): a fraction of a whole as a
    percentage, anything else with thousands separators and the decimals the app's tables use
    (:func:`..base.decimals.decimals_for`): 0.0053 reads 0.5 %, 447.9559 reads 448."""
    if not pd.api.types.is_float_dtype(values):
        return None
    finite = values.dropna()
    if any(word in name for word in _FRACTION_WORDS) and finite.between(0, 1).all():
        places = decimals_for(finite * 100)
        return "0" + ("." + "0" * places if places else "") + "%"
    places = decimals_for(values)
    return "#,##0" + ("." + "0" * places if places else "")


def _geojson(frame: pd.DataFrame, geometry: Any, metadata: Mapping[str, object]) -> bytes:
    import geopandas as gpd
    import shapely

    geoms = gpd.GeoSeries(geometry).to_crs("EPSG:4326").to_numpy()
    geoms = shapely.transform(geoms, lambda xy: np.round(xy, 6))
    texts = shapely.to_geojson(geoms)
    columns = list(frame.columns)
    rows = frame.itertuples(index=False, name=None)
    features = []
    for values, geom in zip(rows, texts, strict=True):
        props = json.dumps({c: _plain(v) for c, v in zip(columns, values, strict=True)}, ensure_ascii=False)
        features.append(f'{{"type":"Feature","properties":{props},"geometry":{geom or "null"}}}')
    head = {"type": "FeatureCollection"}
    if metadata:
        head["metadata"] = {k: _plain(v) for k, v in metadata.items()}
    head_text = json.dumps(head, ensure_ascii=False)[:-1]
    return (head_text + ',"features":[\n' + ",\n".join(features) + "\n]}\n").encode("utf-8")
