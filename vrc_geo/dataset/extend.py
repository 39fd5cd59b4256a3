"""A store brought up to date from an earlier one: a new month costs its own file, not the history's.

A processed store (``cache_dir()/police-<key>/``) lists its parts (:mod:`.parts`, one per file), the
rows each leaves out as repeats of an earlier file's Crime IDs, its in-area counts by ward, month and
type, and the sorted 64-bit hashes of every Crime ID it holds (``id_hashes.npy``). When new files are
added after the ones a kept store was built from, :func:`extend_store` takes that store's repeats and
counts as they are and works out only the new parts': their Crime IDs are looked up among the kept
hashes, and their counts added to the kept ones. Repeats only ever leave out rows of a *later* file, so
the earlier parts' are unchanged.

Whenever the shortcut could differ from building from nothing it is not taken (``None``): no earlier
store whose parts are exactly the first parts (a month inserted before others, a file changed), a
damaged kept table, or any new Crime ID that repeats one already held or another new one (the full
check confirms those on the IDs themselves). Speed: ``benchmarks/bench_scale.py`` (one month added).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from .aggregate import sum_by_ward_month_type
from .parts import Part, counts_without

__all__ = ["HASHES", "EarlierStore", "extend_store", "find_earlier_store", "kept_hashes"]

#: The kept store's sorted Crime ID hashes (uint64), beside its meta.json.
HASHES = "id_hashes.npy"
_COUNTS = "ward_month_counts.parquet"
_KEYS = ["ward_code", "month", "crime_type"]


@dataclass(frozen=True)
class EarlierStore:
    """A kept store whose parts are the first ``n_parts`` of the parts now read."""

    folder: Path
    n_parts: int
    drops: list[np.ndarray]


def find_earlier_store(cache: Path, parts: list[Part]) -> EarlierStore | None:
    """The kept store in ``cache`` holding the longest run of the first parts (not all of them), or None."""
    names = [[part.folder.name if part.folder is not None else None, part.label] for part in parts]
    if any(name is None for name, _ in names):
        return None
    best: EarlierStore | None = None
    for meta_path in cache.glob("police-*/meta.json"):
        folder = meta_path.parent
        if not (folder / HASHES).is_file() or not (folder / _COUNTS).is_file():
            continue
        try:  # a damaged store is passed over (the full build never needs it)
            meta = json.loads(meta_path.read_text())
            kept = meta["parts"]
            n = len(kept) if isinstance(kept, list) else 0
            if 0 < n < len(parts) and kept == names[:n] and (best is None or n > best.n_parts):
                drops = [np.asarray(d, dtype=np.int64).reshape(-1) for d in meta["drops"]]
                if len(drops) == n:
                    best = EarlierStore(folder, n, drops)
        except Exception:
            continue
    return best


def kept_hashes(parts: list[Part]) -> np.ndarray:
    """The sorted hashes of every Crime ID the parts hold (what ``id_hashes.npy`` keeps)."""
    if not parts:
        return np.zeros(0, dtype=np.uint64)
    return np.sort(np.concatenate([part.id_hash[part.has_id] for part in parts]))


def extend_store(earlier: EarlierStore, parts: list[Part]) -> tuple[list[np.ndarray], pd.DataFrame, np.ndarray] | None:
    """(drops per part, in-area counts, :func:`kept_hashes`) of ``parts`` from the earlier store and the
    new parts alone, or None when only the full build gives the answer (see the module docstring)."""
    new = parts[earlier.n_parts :]
    try:  # a damaged table (empty, truncated, foreign): the full build instead
        held = np.load(earlier.folder / HASHES, allow_pickle=False)
        # labels as categories: the kept store's rows are summed by their codes, not hashed again
        old_counts = pq.read_table(earlier.folder / _COUNTS, read_dictionary=_KEYS).to_pandas()
    except Exception:
        return None
    if held.dtype != np.uint64 or held.ndim != 1 or list(old_counts.columns) != [*_KEYS, "count"]:
        return None
    fresh = np.concatenate([part.id_hash[part.has_id] for part in new])
    if len(np.unique(fresh)) < len(fresh):
        return None
    if len(held) and len(fresh):
        spot = np.minimum(np.searchsorted(held, fresh), len(held) - 1)
        if (held[spot] == fresh).any():
            return None
    drops = [*earlier.drops, *(np.zeros(0, dtype=np.int64) for _ in new)]
    added = counts_without(new, drops[earlier.n_parts :])
    summed = sum_by_ward_month_type(old_counts, added)
    fresh = np.sort(fresh)
    hashes = np.insert(held, np.searchsorted(held, fresh), fresh)  # both sorted: a merge, not a sort
    return drops, summed, hashes
