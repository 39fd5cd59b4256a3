"""Clearing the processed-table cache of what is no longer used: ``prune_cache``.

Every change of a data file, of the ward boundaries or of the code's tables (:data:`.cache.CACHE_VERSION`)
writes a new store, and the month parts of replaced files stay behind: a server that takes police.uk's
monthly files for years, through several releases, would fill its disk. A cached folder counts as used
when it is read (its ``meta.json`` is touched, :func:`mark_used`); after a new store is written, the stores
and tables not used for :data:`UNUSED_DAYS` days are removed, then the month parts that no remaining store
lists and that were not written within the same time, and the temporary folders of writes that never
finished (a day old). What the current store uses is never removed. See docs/data.md.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import time
from collections.abc import Iterable
from pathlib import Path

__all__ = ["PARTS", "UNUSED_DAYS", "mark_used", "prune_cache"]

UNUSED_DAYS = 30.0  # a store read at least monthly (a monthly refresh, a weekly meeting) is kept
_UNFINISHED_DAYS = 1.0  # a write's temporary folder older than this belongs to a process that died
_KINDS = ("police-", "wards-", "institutions-")  # cached folders named <kind><key>
PARTS = "police-parts"  #: the month parts' folder in the cache (one sub-folder per part)


def mark_used(folder: Path) -> None:
    """Note that the cached ``folder`` was just read (its ``meta.json`` touched; a read-only cache is left
    as it is)."""
    with contextlib.suppress(OSError):
        os.utime(folder / "meta.json")


def prune_cache(
    root: Path, *, keep: Iterable[Path] = (), unused_days: float = UNUSED_DAYS, now: float | None = None
) -> list[Path]:
    """Remove from the cache folder ``root`` what has not been used for ``unused_days`` days (never the
    folders in ``keep``, nor the parts a remaining store lists); returns the folders removed."""
    now = time.time() if now is None else now
    kept = {Path(p).resolve() for p in keep}
    removed: list[Path] = []
    stores = [p for p in _children(root) if p.name.startswith(_KINDS) and p.name != PARTS]
    for folder in stores:
        if folder.resolve() not in kept and _age_days(folder, now) > unused_days:
            removed += _remove(folder)
    listed = set()
    for folder in _children(root):
        if folder.name.startswith("police-") and folder.name != PARTS:
            listed |= _parts_of(folder)
    for part in _children(root / PARTS):
        if part.name not in listed and part.resolve() not in kept and _age_days(part, now) > unused_days:
            removed += _remove(part)
    for parent in (root, root / PARTS):
        for folder in _children(parent, hidden=True):
            if _age_days(folder, now) > _UNFINISHED_DAYS:
                removed += _remove(folder)
    return removed


def _children(folder: Path, *, hidden: bool = False) -> list[Path]:
    try:
        entries = list(folder.iterdir())
    except OSError:
        return []
    return [p for p in entries if p.is_dir() and p.name.startswith(".") == hidden]


def _age_days(folder: Path, now: float) -> float:
    """Days since ``folder`` was last used (its ``meta.json``, else the folder itself, last changed)."""
    for path in (folder / "meta.json", folder):
        try:
            return (now - path.stat().st_mtime) / 86_400
        except OSError:
            continue
    return 0.0


def _parts_of(store: Path) -> set[str]:
    """The parts a police store lists (none if its meta cannot be read: it is rebuilt when next read)."""
    try:
        meta = json.loads((store / "meta.json").read_text())
        return {str(name) for name, _label in meta.get("parts", [])}
    except (OSError, ValueError, TypeError):
        return set()


def _remove(folder: Path) -> list[Path]:
    shutil.rmtree(folder, ignore_errors=True)
    return [] if folder.exists() else [folder]
