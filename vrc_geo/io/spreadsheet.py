"""Spreadsheets read within bounds: an XLSX is checked before any of its XML is parsed, its rows streamed.

An XLSX is a zip of XML files, and a small one can inflate to gigabytes (a "spreadsheet bomb": one cell
of 600 MB, or megabytes of whitespace between rows). So, before openpyxl parses anything:

* the file itself is at most :data:`MAX_FILE_BYTES`;
* every member's declared size is at most :data:`MAX_MEMBER_BYTES`, all of them together at most
  :data:`MAX_TOTAL_BYTES`, and none inflates more than 100 times its packed size (:mod:`.archives`); members
  are then unpacked in chunks and stopped at those limits, so a header that lies gets no further.

Then the sheet is read streamed (openpyxl ``read_only``): at most :data:`MAX_ROWS` rows and
:data:`MAX_COLUMNS` columns, no cell over :data:`MAX_CELL_CHARS` characters (Excel's own limit).

**Which sheet**: the one named (a template's sheet name), else the first *visible* sheet — a hidden or
very hidden sheet is never read unless named — and the reader says which it read. **Excel dates and
times** (cells typed as dates) become ISO text: ``YYYY-MM-DD``, ``HH:MM``, or ``YYYY-MM-DD HH:MM``;
whole numbers stored as numbers lose Excel's ``.0``.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..errors import InputFileError
from .archives import check_zip

__all__ = [
    "MAX_CELL_CHARS",
    "MAX_FILE_BYTES",
    "MAX_MEMBER_BYTES",
    "MAX_ROWS",
    "Sheet",
    "check_xlsx",
    "read_xlsx",
]

MAX_FILE_BYTES = 64 * 2**20  # what the app accepts for one upload
MAX_MEMBER_BYTES = 48 * 2**20  # one XML part, unpacked (a 100,000-row sheet is ~15 MB)
MAX_TOTAL_BYTES = 96 * 2**20  # every part together, unpacked
MAX_ROWS = 500_000
MAX_COLUMNS = 200
MAX_CELL_CHARS = 32_767  # Excel's limit for one cell


@dataclass(frozen=True)
class Sheet:
    """The table read (strings; first row the header) and which sheet it came from."""

    frame: pd.DataFrame
    sheet: str
    skipped: tuple[str, ...]  #: hidden sheets left unread

    def describe(self, file: str) -> str:
        hidden = f"; hidden sheet(s) not read: {', '.join(self.skipped)}" if self.skipped else ""
        return f"{file}: read the sheet '{self.sheet}'{hidden}."


def check_xlsx(data: bytes, label: str) -> bytes:
    """Raise :class:`InputFileError` unless ``data`` is a zip within the limits above; returns it."""
    if len(data) > MAX_FILE_BYTES:
        raise InputFileError(f"{label} is {len(data) / 1e6:,.0f} MB, over the {MAX_FILE_BYTES // 2**20} MiB limit.")
    check_zip(data, label, max_member=MAX_MEMBER_BYTES, max_total=MAX_TOTAL_BYTES)
    return data


def _text(value: object) -> str:
    """A cell as text: ISO dates and times, whole numbers without ``.0``, the rest as written."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d") if value.time() == dt.time(0) else value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_xlsx(data: bytes, label: str, *, sheet_names: Sequence[str] = ()) -> Sheet:
    """The first of ``sheet_names`` present (any case), else the first visible sheet, as strings."""
    import openpyxl

    check_xlsx(data, label)
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # a damaged workbook of any kind: one message
        raise InputFileError(f"Cannot read {label}: {exc}") from exc
    try:
        wanted = {n.lower() for n in sheet_names}
        named = [ws for ws in book.worksheets if ws.title.lower() in wanted]
        visible = [ws for ws in book.worksheets if ws.sheet_state == "visible"]
        if not (named or visible):
            raise InputFileError(f"{label} has no visible sheet to read.")
        chosen = (named or visible)[0]
        skipped = tuple(ws.title for ws in book.worksheets if ws.sheet_state != "visible" and ws is not chosen)
        rows = []
        for number, row in enumerate(chosen.iter_rows(values_only=True), start=1):
            if number > MAX_ROWS + 1:
                raise InputFileError(f"{label}: more than {MAX_ROWS:,} rows in the sheet '{chosen.title}'.")
            if len(row) > MAX_COLUMNS:
                row = row[:MAX_COLUMNS] if not any(v is not None for v in row[MAX_COLUMNS:]) else row
                if len(row) > MAX_COLUMNS:
                    raise InputFileError(f"{label}: more than {MAX_COLUMNS} columns in the sheet '{chosen.title}'.")
            cells = [_text(v) for v in row]
            if any(len(c) > MAX_CELL_CHARS for c in cells):
                raise InputFileError(
                    f"{label}: a cell on row {number} of '{chosen.title}' holds over {MAX_CELL_CHARS:,} characters."
                )
            rows.append(cells)
    finally:
        book.close()
    while rows and not any(c.strip() for c in rows[-1]):
        rows.pop()
    if not rows:
        return Sheet(pd.DataFrame(), chosen.title, skipped)
    header, body = rows[0], [r for r in rows[1:] if any(c.strip() for c in r)]
    width = len(header)
    body = [(r + [""] * width)[:width] for r in body]
    return Sheet(pd.DataFrame(body, columns=header, dtype=str), chosen.title, skipped)


def read_path(path: Path, *, sheet_names: Sequence[str] = ()) -> Sheet:
    """:func:`read_xlsx` of a file on disk (its size checked before it is read)."""
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise InputFileError(f"{path.name} is {size / 1e6:,.0f} MB, over the {MAX_FILE_BYTES // 2**20} MiB limit.")
    return read_xlsx(path.read_bytes(), path.name, sheet_names=sheet_names)
