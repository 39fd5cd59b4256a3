"""The processed-table cache: content digests of input files, cache keys, safe reads and atomic writes.

Each processed table is cached under a key made from the SHA-256 of every input file it read plus
:data:`CACHE_VERSION`, so a changed file (or a new release that changes the tables) builds anew. A cached
table that cannot be read, or lacks the columns it must have, is rebuilt with a note (never trusted).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

import pandas as pd

from ..io.digests import file_sha256, remember_digests
from .cache_prune import mark_used

__all__ = [
    "CACHE_VERSION",
    "FILE_COLUMNS",
    "RECORD_COLUMNS",
    "REJECT_COLUMNS",
    "WARD_COLUMNS",
    "cache_key",
    "cached_table",
    "checked",
    "file_sha256",
    "read_cache",
    "reference_files",
    "write_cache",
]

CACHE_VERSION = "5"  # bump when placement or table columns change: old caches must not be reused


def cache_key(kind: str, files: Iterable[Path], extra: str = "", *, explicit: frozenset[Path] = frozenset()) -> str:
    """Cache key: the kind, code version, ``extra``, and for each input file its path, whether it was named
    explicitly (a folder skips files a name would read) and the SHA-256 of its bytes."""
    digest = hashlib.sha256(f"{kind}|{CACHE_VERSION}|{extra}".encode())
    for path in files:
        resolved = path.resolve()
        digest.update(f"|{resolved}|{resolved in explicit}|{file_sha256(path)}".encode())
    remember_digests()
    return digest.hexdigest()[:24]


#: Columns a cached table must have; one without them was damaged (or written by other code) and is rebuilt.
WARD_COLUMNS = ("code", "name", "district_code", "district_name", "area_km2", "geometry")
RECORD_COLUMNS = (
    "crime_id",
    "month",
    "crime_type",
    "location",
    "lsoa_code",
    "x",
    "y",
    "ward_code",
    "district_code",
    "placement",
    "status",
    "source_file",
    "source_line",
)
REJECT_COLUMNS = ("source_file", "source_line", "reason", "text")
FILE_COLUMNS = ("file", "rows_read")


def checked(table: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    """The table, if it has ``columns`` (else ``ValueError``: the cache entry is rebuilt)."""
    missing = set(columns) - set(table.columns)
    if missing:
        raise ValueError(f"cached table lacks {sorted(missing)}")
    return table


def read_cache(folder: Path, read: Callable[[], object], notes: list[str]) -> object | None:
    """``read()`` of a cache folder, or ``None`` (with a note, the folder removed) if it is damaged; the
    folder is marked as used."""
    if not (folder / "meta.json").exists():
        return None
    try:
        value = read()
    except Exception:  # a truncated parquet, bad JSON, a missing file: the cache is rebuilt
        notes.append(f"The cache {folder.name} was unreadable and was rebuilt.")
        shutil.rmtree(folder, ignore_errors=True)
        return None
    mark_used(folder)  # kept by the cache's pruning (.cache_prune) while it is read
    return value


def reference_files(reference: Path | None) -> list[Path]:
    if reference is None:
        return []
    patterns = ["lookups/*.csv", "population/*.csv", "boundaries/lsoa*/*"]
    return sorted(p for pat in patterns for p in Path(reference).glob(pat) if p.is_file())


def write_cache(folder: Path, write: Callable[[Path], None]) -> None:
    """Write into a temporary sibling folder, then move it into place (never a half cache)."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}-"))
    try:
        write(tmp)
        if folder.exists():
            shutil.rmtree(folder, ignore_errors=True)
        os.replace(tmp, folder)
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)  # caching is an optimisation; never fail for it


def cached_table(
    folder: Path | None,
    name: str,
    build: Callable[[], pd.DataFrame | None],
    *,
    columns: tuple[str, ...],
    may_be_none: bool,
    notes: list[str],
) -> pd.DataFrame | None:
    """A table kept beside a cached one (``folder/name``), else built and kept.

    A kept file that cannot be read, or lacks ``columns``, is built again with a note; a ``.none`` marker
    counts only where ``None`` is a possible answer (a marker beside a table that always exists is ignored).
    Two processes building the same table write under unique temporary names, then move into place."""
    path = folder / name if folder is not None else None
    marker = path.parent / (name + ".none") if path is not None else None
    if path is not None and path.exists():
        try:
            value = pd.read_parquet(path)
            if not set(columns) <= set(value.columns):
                raise ValueError(f"columns {sorted(set(columns) - set(value.columns))} missing")
            return value
        except Exception:  # a damaged cache file of any kind: build it again
            notes.append(f"The cached {name} was unreadable and was rebuilt.")
            path.unlink(missing_ok=True)
    if marker is not None and marker.exists():
        if may_be_none:
            return None
        marker.unlink(missing_ok=True)
    value = build()
    if path is not None and path.parent.is_dir():
        try:
            if value is None:
                marker.touch()  # type: ignore[union-attr]
            else:
                fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{name}.", suffix=".part")
                os.close(fd)
                try:
                    value.to_parquet(tmp, index=False)
                    os.replace(tmp, path)
                finally:
                    Path(tmp).unlink(missing_ok=True)
        except OSError:
            pass  # caching is an optimisation
    return value
