"""The police store built from the files: each file read, checked and placed as a part on worker threads
(kept parts opened on this one), then the Crime IDs repeated across files set aside and the counts made,
from an earlier kept store when the new files only follow its own (:mod:`.extend`). Speed and memory:
``benchmarks/bench_scale.py``; the design: docs/data.md."""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd

from ..config import DataSources
from .store import PoliceDataset, WardTable, records_of

__all__ = ["build_police"]

#: Threads building police files at once (one per core, at most four).
WORKERS = max(1, min(4, os.cpu_count() or 1))


def build_police(
    sources: DataSources,
    wards: WardTable,
    key: str,
    progress: Callable[[int], object] | None,
    *,
    root: Path | None,
    reuse: bool,
    notes: list[str],
) -> tuple[PoliceDataset, list, list[np.ndarray], np.ndarray]:
    """Read, check and place file by file (one part each), then set aside Crime IDs repeated across files
    (from a kept store of the first of these files when there is one, :mod:`.extend`). Returns the
    dataset, the parts holding records, the rows each leaves out and the hashes of their Crime IDs."""
    from ..errors import InputFileError
    from ..io.police import REJECT_REASONS
    from ..io.police_files import police_files
    from .extend import extend_store, find_earlier_store, kept_hashes
    from .parts import (
        Placer,
        counts_without,
        is_kept,
        load_part,
        months_without,
        repeat_rejects,
        repeats_across_parts,
    )

    placer = Placer(wards)
    read_notes: list[str] = []
    every, parts = [], []  # every file's part, in file order; those that are not repeats of another file

    def collect(source: object, future: Future) -> None:
        part = future.result()
        read_notes.extend(n for n in part.notes if n not in read_notes)
        every.append(part)
        if source.duplicate_of is None:  # type: ignore[attr-defined]
            parts.append(part)
        if progress is not None:
            progress(1)

    # Files are built on every core (CSV parsing, hashing, point-in-polygon and writing release the GIL),
    # a few at a time, in file order: memory holds a handful of months whatever the history.
    pending: deque = deque()
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        pool.submit(placer.prepare)  # beside the first files (its errors come again from the first placing)
        for source, data in police_files(sources.crimes, read_notes, lazy=True):
            options = {"root": root, "notes": notes, "reuse": reuse}
            if reuse and root is not None and is_kept(root, source, wards.key):
                # opened here (a fraction of a millisecond): a month to build is not queued behind them
                task = _run_now(load_part, source, data, placer, **options)
            else:
                task = pool.submit(load_part, source, data, placer, **options)
            pending.append((source, task))
            while len(pending) > 2 * WORKERS:
                collect(*pending.popleft())
        while pending:
            collect(*pending.popleft())
    if not every:
        raise InputFileError(
            "No police.uk street files among the inputs (expected files named *-street.csv, a folder "
            "of them, or the zip police.uk serves)."
        )
    earlier = find_earlier_store(root.parent, parts) if root is not None and reuse else None
    extended = extend_store(earlier, parts) if earlier is not None else None
    if extended is not None:
        drops, counts, hashes = extended
    else:
        drops = repeats_across_parts(parts)
        counts, hashes = counts_without(parts, drops), kept_hashes(parts)
    files = pd.DataFrame([part.info for part in every])
    rejects = [part.rejects for part in every if len(part.rejects)]
    rejects.append(repeat_rejects(parts, drops, REJECT_REASONS["duplicate"]))
    reject_frame = pd.concat(rejects, ignore_index=True)
    reject_frame["source_line"] = reject_frame["source_line"].astype("int64")
    dataset = PoliceDataset(records_of(parts, drops), reject_frame, files, wards, key, read_notes)
    dataset.__dict__["ward_month_counts"] = counts
    dataset.__dict__["months"] = months_without(parts, drops)
    return dataset, parts, drops, hashes


def _run_now(function: Callable[..., object], *args: object, **options: object) -> Future:
    """``function`` run on this thread, its answer (or error) held as a finished future."""
    done: Future = Future()
    try:
        done.set_result(function(*args, **options))
    except Exception as exc:
        done.set_exception(exc)
    return done
