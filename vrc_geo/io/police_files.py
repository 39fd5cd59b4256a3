"""Which police.uk files to read, safely: files, folders and zips, size limits, duplicates.

* A folder contributes its ``*-street.csv`` files and zips (other files are skipped with a note); a file
  named explicitly is read whatever its name.
* A zip member with a path outside its folder makes the whole zip refused.
* **Size limits**: no CSV (on disk, in a zip or uploaded) over :data:`MAX_FILE_BYTES` (64 MiB — one force's
  month is a few MB; the busiest force's, about 30 MB), and no zip member that inflates more than
  :data:`MAX_RATIO` times (police.uk CSVs compress about ten to one). Zip members are read in chunks and
  stopped at the limit, so a "zip bomb" costs at most the limit in memory.
* **Total input**: all the files together at most :func:`max_total_bytes` (768 MiB by default, the
  ``VRC_GEO_MAX_INPUT_MB`` environment variable changes it; ten years of one county's months are about
  420 MB), checked from the sizes on disk and in the zips' directories before anything is read.
* **Duplicates**: the same content given twice (a month as a folder and as the zip it came from), or a
  second file with the same police.uk name (``2022-01-kent-street.csv``) from another source, is not read
  twice: its rows are counted as rejected, with the reason naming the copy that was read.
"""

from __future__ import annotations

import hashlib
import os
import re
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ..errors import InputFileError
from .digests import file_sha256

__all__ = ["MAX_FILE_BYTES", "MAX_RATIO", "PoliceFile", "expand_sources", "max_total_bytes", "police_files"]

MAX_FILE_BYTES = 64 * 1024 * 1024
ENV_MAX_INPUT_MB = "VRC_GEO_MAX_INPUT_MB"


def max_total_bytes() -> int:
    """The cap on all police.uk input together (``VRC_GEO_MAX_INPUT_MB``, default 768 MiB)."""
    text = os.environ.get(ENV_MAX_INPUT_MB, "").strip()
    return int(float(text) * 2**20) if text.replace(".", "", 1).isdigit() else 768 * 2**20


MAX_RATIO = 100
_STREET = re.compile(r".*-street\.csv$", re.IGNORECASE)
_CHUNK = 1024 * 1024


@dataclass
class PoliceFile:
    """One file to read: its label, its bytes (on demand), whether it was named explicitly, and — when it
    repeats another — the label of the copy that was read."""

    label: str
    read_bytes: Callable[[], bytes]
    explicit: bool
    duplicate_of: str | None = None
    #: SHA-256 of the bytes read (set by :func:`police_files`)
    sha256: str = ""
    #: the file on disk (``None`` for a zip member)
    path: Path | None = None

    @property
    def name(self) -> str:
        return PurePosixPath(self.label.replace("\\", "/").split(":")[-1]).name


def expand_sources(paths: Sequence[str | Path]) -> list[Path]:
    """Concrete input files (CSVs and zips) behind files and folders, in a stable order."""
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and (p.suffix.lower() in {".csv", ".zip"}))
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            raise InputFileError(f"Crime input not found: {path}.")
    seen: set[Path] = set()
    unique = []
    for f in files:
        key = f.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return unique


def _too_big(label: str, size: int) -> InputFileError:
    return InputFileError(
        f"{label} is {size / 1e6:,.0f} MB, over the {MAX_FILE_BYTES // 2**20} MiB a police.uk file can be (one "
        "force's month is a few MB); it was not read. Give the months as separate files."
    )


def _read_file(path: Path) -> Callable[[], bytes]:
    def read() -> bytes:
        try:
            size = path.stat().st_size
            if size > MAX_FILE_BYTES:
                raise _too_big(path.name, size)
            return path.read_bytes()
        except OSError as exc:
            raise InputFileError(f"Cannot read {path.name}: {exc}.") from exc

    return read


def _read_member(archive: zipfile.ZipFile, member: zipfile.ZipInfo, label: str) -> bytes:
    """A zip member's bytes, in chunks, stopped as soon as it is larger than allowed."""
    limit = min(MAX_FILE_BYTES, max(member.compress_size, 1) * MAX_RATIO)
    parts, total = [], 0
    try:
        with archive.open(member) as handle:
            while chunk := handle.read(_CHUNK):
                total += len(chunk)
                if total > limit:
                    break
                parts.append(chunk)
    except (zipfile.BadZipFile, OSError, EOFError, RuntimeError) as exc:
        raise InputFileError(f"{label} could not be unpacked ({exc}); the zip may be damaged.") from exc
    if total > limit:
        if total > MAX_FILE_BYTES:
            raise _too_big(label, total)
        raise InputFileError(
            f"{label} inflates more than {MAX_RATIO} times its packed size (a police.uk CSV packs about ten to "
            "one): it was not read, in case it is a 'zip bomb'."
        )
    return b"".join(parts)


def _zip_files(path: Path, notes: list[str]) -> Iterator[PoliceFile]:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputFileError(f"{path.name} is not a readable zip file ({exc}).") from exc
    with archive:
        members = [m for m in archive.infolist() if not m.is_dir()]
        for member in members:
            name = PurePosixPath(member.filename.replace("\\", "/"))
            if name.is_absolute() or ".." in name.parts or re.match(r"^[A-Za-z]:", member.filename):
                raise InputFileError(
                    f"{path.name} contains an unsafe path {member.filename!r} (outside its folder); "
                    "the zip was not read. Download the archive again from police.uk."
                )
        for member in members:
            if not _STREET.match(member.filename):
                notes.append(f"Skipped {path.name}:{member.filename}: not a police.uk street file.")
                continue
            label = f"{path}:{member.filename}"
            if member.file_size > MAX_FILE_BYTES:
                raise _too_big(f"{path.name}:{member.filename}", member.file_size)
            data = _read_member(archive, member, f"{path.name}:{member.filename}")
            yield PoliceFile(label, lambda data=data: data, False)


def police_files(
    paths: Sequence[str | Path], notes: list[str], *, lazy: bool = False
) -> Iterator[tuple[PoliceFile, bytes | None]]:
    """Every file to read with its bytes, in a stable order; repeats are marked ``duplicate_of``. With
    ``lazy``, a file on disk comes without its bytes (``None``: ``read_bytes()`` reads them when needed),
    known by its digest alone: a store that already holds the month need not read it again."""
    explicit = {Path(p).resolve() for p in paths if Path(p).is_file()}
    by_hash: dict[str, str] = {}
    by_name: dict[str, str] = {}

    files = expand_sources(paths)

    def candidates() -> Iterator[PoliceFile]:
        for path in files:
            is_explicit = bool(explicit) and path.resolve() in explicit
            if path.suffix.lower() == ".zip":
                yield from _zip_files(path, notes)
            elif is_explicit or _STREET.match(path.name):
                yield PoliceFile(str(path), _read_file(path), is_explicit, path=path)
            else:
                notes.append(f"Skipped {path.name}: not a police.uk street file (*-street.csv).")

    _check_total(files)
    for item in candidates():
        data = None if lazy and item.path is not None else item.read_bytes()
        # A file on disk was hashed for the cache key already (remembered per process): not hashed twice.
        digest = file_sha256(item.path) if item.path is not None else hashlib.sha256(data).hexdigest()
        item.sha256 = digest
        name = item.name.lower()
        first = by_hash.get(digest) or (by_name.get(name) if _STREET.match(name) else None)
        if first is not None:
            item.duplicate_of = first
            notes.append(f"{item.label} repeats {first}: its rows were not counted twice.")
        else:
            by_hash[digest] = item.label
            by_name.setdefault(name, item.label)
        yield item, data


def _check_total(files: list[Path]) -> None:
    """Refuse, before reading anything, input whose files together exceed :func:`max_total_bytes`."""
    total = 0
    for path in files:
        if path.suffix.lower() == ".zip":
            try:
                with zipfile.ZipFile(path) as archive:
                    total += sum(m.file_size for m in archive.infolist() if _STREET.match(m.filename))
            except (zipfile.BadZipFile, OSError):
                continue  # reported when the zip is read
        else:
            total += path.stat().st_size
    cap = max_total_bytes()
    if total > cap:
        raise InputFileError(
            f"The police.uk input is {total / 2**20:,.0f} MiB in all, over the limit of {cap / 2**20:,.0f} MiB "
            f"(ten years of one county's months are about 420 MB). Read a shorter period, or raise the limit "
            f"with the {ENV_MAX_INPUT_MB} environment variable on a machine with the memory for it."
        )
