"""Archives opened within bounds: a zip's parts and a gzip's content are measured before they are used.

A small archive can inflate to gigabytes. Every archive the tool opens — an XLSX workbook (a zip of XML),
a zipped Shapefile of boundaries, a gzipped register — goes through here first: each zip member's
declared size at most ``max_member`` and no more than ``max_ratio`` times its packed size, then each
member unpacked in chunks and stopped at those limits (a header that lies gets no further), all members
together at most ``max_total``; a gzip is unpacked in chunks and stopped at ``max_total``. police.uk zips
have their own reader with the same rule (:mod:`.police_files`).
"""

from __future__ import annotations

import gzip
import io
import zipfile
from pathlib import Path

from ..errors import InputFileError

__all__ = ["MAX_RATIO", "check_zip", "read_gzip"]

MAX_RATIO = 100  # text and XML pack about 5-15 to 1; 100 to 1 is a bomb
_CHUNK = 2**20


def _bomb(label: str, part: str, size: int, limit: int) -> InputFileError:
    return InputFileError(
        f"{label}: {part} unpacks to more than {size / 1e6:,.0f} MB (the limit is {limit // 2**20} MiB a part, "
        f"{MAX_RATIO} times its packed size): a file this size is not what the tool reads here, and it was not opened."
    )


def check_zip(source: bytes | Path, label: str, *, max_member: int, max_total: int) -> None:
    """Raise :class:`InputFileError` unless the zip's members stay within the limits."""
    handle = io.BytesIO(source) if isinstance(source, bytes) else source
    try:
        archive = zipfile.ZipFile(handle)
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputFileError(f"{label} is not a readable zip archive: {exc}.") from exc
    total = 0
    with archive:
        for member in archive.infolist():
            limit = min(max_member, max(member.compress_size, 1) * MAX_RATIO)
            if member.file_size > limit:
                raise _bomb(label, member.filename, member.file_size, max_member)
            size = 0
            with archive.open(member) as part:
                while chunk := part.read(_CHUNK):
                    size += len(chunk)
                    if size > limit:
                        raise _bomb(label, member.filename, size, max_member)
            total += size
            if total > max_total:
                raise _bomb(label, "the archive", total, max_total)


def read_gzip(path: Path, *, max_total: int) -> bytes:
    """A gzipped file's content, unpacked in chunks and refused beyond ``max_total`` bytes."""
    out = bytearray()
    try:
        with gzip.open(path, "rb") as handle:
            while chunk := handle.read(_CHUNK):
                out += chunk
                if len(out) > max_total:
                    raise _bomb(path.name, "its content", len(out), max_total)
    except (OSError, EOFError) as exc:
        raise InputFileError(f"{path.name} is not a readable gzip file: {exc}.") from exc
    return bytes(out)
