"""The body of a police.uk CSV (the lines after its header) parsed to Arrow text columns, each row with its
true line number in the file: pyarrow in one block when the body is clean, line by line when it holds
blank lines, quotes or over-long lines. Malformed and over-long lines come back as rejects; used by
:mod:`.police`, which checks the header and the rows."""

from __future__ import annotations

import csv
import io

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

__all__ = ["MAX_LINE", "MAX_SPAN", "needs_line_parse", "parse_by_line", "parse_fast"]

MAX_LINE = 100_000  # police.uk lines are a few hundred characters
MAX_SPAN = 5  # a quoted field may hold line breaks; a record may span at most this many lines


def needs_line_parse(body: bytes) -> bool:
    """Blank lines (the first included), a carriage return inside a line or a line with an odd number of
    quotes would shift pyarrow's row count; a line over :data:`MAX_LINE` bytes is refused line by line.
    Found in bulk with numpy (a month has 20,000 lines): a substring search on the text was several times
    slower, and held the interpreter while other files waited."""
    raw = np.frombuffer(body, dtype=np.uint8)
    ends = np.flatnonzero(raw == 10)
    gap = np.diff(ends, prepend=-1)  # a line's length plus its line feed
    if len(body) - (ends[-1] + 1 if len(ends) else 0) > MAX_LINE or (gap > MAX_LINE + 1).any():
        return True
    if len(ends):
        blank = (gap == 1) | ((gap == 2) & (raw[np.maximum(ends - 1, 0)] == 13))
        if blank.any():
            return True
    returns = np.flatnonzero(raw[:-1] == 13)  # a carriage return inside a line: pyarrow ends a row there
    if (raw[returns + 1] != 10).any():
        return True
    if body.find(b'"') < 0:
        return False
    line_of_quote = np.searchsorted(ends, np.flatnonzero(raw == 34))
    return bool((np.bincount(line_of_quote) % 2).any())


def _fields(line: str) -> list[str] | None:
    try:
        return next(csv.reader([line]))
    except (csv.Error, StopIteration):
        return None


def parse_fast(body: bytes, *, width: int) -> tuple[list[pa.Array], np.ndarray, list[tuple[int, str, str]]]:
    """pyarrow parse of a clean body (no quotes, no blank lines): exact line numbers by position."""
    bad: list[tuple[int, str, str]] = []

    def handler(row: pacsv.InvalidRow) -> str:
        bad.append((row.number, row.text, "malformed"))
        return "skip"

    names = [f"c{i}" for i in range(width)]
    table = pacsv.read_csv(
        io.BytesIO(body),
        # one block: the columns come as one chunk each (no copy to join them)
        read_options=pacsv.ReadOptions(column_names=names, use_threads=False, block_size=len(body) + 1),
        parse_options=pacsv.ParseOptions(invalid_row_handler=handler),
        convert_options=pacsv.ConvertOptions(
            column_types=dict.fromkeys(names, pa.string()),
            strings_can_be_null=False,
            quoted_strings_can_be_null=False,
        ),
    )
    # pyarrow numbers lines of the body from 1; the header is line 1 of the file.
    bad = [(n + 1, t, why) for n, t, why in bad]
    total = table.num_rows + len(bad)
    lines = np.setdiff1d(np.arange(2, total + 2), np.array([n for n, _, _ in bad], dtype=np.int64))
    chunked = [table.column(i) for i in range(len(names))]
    cols = [c.chunk(0) if c.num_chunks == 1 else c.combine_chunks() for c in chunked]
    return cols, lines, bad


def parse_by_line(body: str, *, width: int) -> tuple[list[pa.Array], np.ndarray, list[tuple[int, str, str]]]:
    """Line-by-line parse for files with quotes or blank lines. A quoted field may hold line breaks (a
    record of up to MAX_SPAN lines is one row); a broken quote spoils its own line only; a line over
    MAX_LINE characters is refused."""
    csv.field_size_limit(MAX_LINE)
    rows, lines, bad = [], [], []
    physical = body.split("\n")
    i = 0
    while i < len(physical):
        line, number = physical[i].rstrip("\r"), i + 2
        i += 1
        if not line.strip():
            continue
        if len(line) > MAX_LINE:
            bad.append((number, line[:200], "too_long"))
            continue
        fields = _fields(line)
        if fields is not None and len(fields) == width and line.count('"') % 2 == 0:
            rows.append(fields)
            lines.append(number)
            continue
        joined, end = line, i
        while joined.count('"') % 2 and end < len(physical) and end - i < MAX_SPAN - 1:
            joined += "\n" + physical[end].rstrip("\r")
            end += 1
        fields = _fields(joined) if joined.count('"') % 2 == 0 and len(joined) <= MAX_LINE else None
        if fields is not None and len(fields) == width:
            rows.append(fields)
            lines.append(number)
            i = end
        else:
            bad.append((number, line, "malformed"))
    cols = [pa.array([r[i] for r in rows], type=pa.string()) for i in range(width)]
    return cols, np.array(lines, dtype=np.int64), bad
