"""The month-by-month store: each police.uk file read, checked, placed and counted on its own, kept as a
part keyed by its content.

Memory holds one file at a time however long the history, and a new month costs only its own file: the
parts of the months already processed are reused (``cache_dir()/police-parts/<key>/``; the key is the
file's SHA-256, its label, the ward table's key and :data:`.cache.CACHE_VERSION`). A Crime ID repeated
across files is found afterwards from 64-bit hashes of the IDs, confirmed on the IDs themselves, and the
later copy (file order) moved to the rejects, as the one-table reader did (:func:`repeats_across_parts`).
Speed and memory: ``benchmarks/bench_scale.py``; the design: docs/data.md.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.feather as feather

from .aggregate import count_by_ward_month_type, sum_by_ward_month_type
from .cache import CACHE_VERSION, RECORD_COLUMNS, read_cache, write_cache

if TYPE_CHECKING:
    from ..io.police_files import PoliceFile
    from .geography import WardPlacer
    from .ward_table import WardTable

__all__ = [
    "Part",
    "Placer",
    "counts_without",
    "is_kept",
    "load_part",
    "months_without",
    "open_part",
    "part_key",
    "read_records",
    "repeat_rejects",
    "repeats_across_parts",
]

_COUNT_DTYPES = {"ward_code": "object", "month": "object", "crime_type": "object", "count": "int64"}
_COUNTS_SCHEMA = pa.schema(
    [("ward_code", pa.string()), ("month", pa.string()), ("crime_type", pa.string()), ("count", pa.int64())]
)
_FILES = ("records.arrow", "rejects.arrow", "counts.arrow", "ids.npy")
_REJECT_DTYPES = {"source_file": "object", "source_line": "int64", "reason": "object", "text": "object"}
#: Categories fixed by the placement rules (kept in this order whichever part is read first).
_FIXED = {
    "placement": ["point", "nearest_ward", "lsoa", "outside", "no_location", "lsoa_unplaced"],
    "status": ["in_area", "outside_area", "no_location"],
}


@dataclass
class Part:
    """One file's placed records (in memory, or in ``folder``), its rejects, its row of the files table,
    the in-area counts by ward, month and type, rows per month, and the hashes of its Crime IDs.

    A kept part is opened from its folder without its tables: rejects, counts and ID hashes are read when
    first asked for (a warm start reads none of them; the dataset keeps its own)."""

    label: str
    info: dict
    months: dict[str, int]
    notes: list[str] = field(default_factory=list)
    records: pd.DataFrame | None = None
    folder: Path | None = None
    tables: dict[str, object] = field(default_factory=dict, repr=False)

    def table(self, columns: list[str] | None = None) -> pa.Table:
        """The records as Arrow (dictionary columns with 32-bit indices, so parts concatenate)."""
        if self.records is not None:
            table = _to_arrow(self.records)
            return table.select(columns) if columns else table
        return feather.read_table(self.folder / "records.arrow", columns=columns)  # type: ignore[operator]

    @property
    def rejects(self) -> pd.DataFrame:
        if "rejects" not in self.tables:
            self.tables["rejects"] = pd.read_feather(self.folder / "rejects.arrow")  # type: ignore[operator]
        return self.tables["rejects"]  # type: ignore[return-value]

    @property
    def counts(self) -> pd.DataFrame:
        if "counts" not in self.tables:
            self.tables["counts"] = pd.read_feather(self.folder / "counts.arrow")  # type: ignore[operator]
        return self.tables["counts"]  # type: ignore[return-value]

    def counts_table(self) -> pa.Table:
        """:attr:`counts` as Arrow, read without a pandas frame when kept and not yet read."""
        if "counts" in self.tables or self.folder is None:
            return pa.Table.from_pandas(self.counts, preserve_index=False).replace_schema_metadata(None)
        return feather.read_table(self.folder / "counts.arrow")

    @property
    def id_hash(self) -> np.ndarray:
        """uint64 per record row (rows without an ID are not in :attr:`has_id`)."""
        self._read_ids()
        return self.tables["id_hash"]  # type: ignore[return-value]

    @id_hash.setter
    def id_hash(self, value: np.ndarray) -> None:
        self._read_ids()
        self.tables["id_hash"] = value

    @property
    def has_id(self) -> np.ndarray:
        self._read_ids()
        return self.tables["has_id"]  # type: ignore[return-value]

    def _read_ids(self) -> None:
        if "id_hash" not in self.tables:
            ids = np.load(self.folder / "ids.npy")  # type: ignore[operator]
            self.tables["id_hash"], self.tables["has_id"] = ids[:, 0].copy(), ids[:, 1].astype(bool)


class Placer:
    """Places one file's records in the wards (:class:`.geography.WardPlacer`, which remembers the snap
    points placed from earlier files), building the LSOA lookups only for files with rows located by
    LSOA alone."""

    def __init__(self, wards: WardTable) -> None:
        self.wards = wards
        self._history: frozenset[str] | None = None
        self._by_lsoa: tuple[pd.Series, frozenset[str]] | None = None
        self._placer: WardPlacer | None = None
        self._lock = threading.Lock()  # files are placed from several threads

    def prepare(self) -> None:
        """Read what placing needs (the LSOA history, the wards, the projection) ahead of the first file:
        the store runs this beside the opening of kept parts, so a month added to a long history does not
        wait for it."""
        from ..base.crs import project_lonlat

        with self._lock:
            self._prepare()
        project_lonlat(np.array([0.5]), np.array([51.2]))

    def _prepare(self) -> None:
        from ..io.reference import read_lsoa_history
        from .geography import WardPlacer

        if self._history is None:
            history = read_lsoa_history(self.wards.reference)
            self._history = frozenset(history["LSOACD"]) if history is not None else frozenset()
            self._placer = WardPlacer(self.wards.wards)

    def place(self, records: pd.DataFrame, notes: list[str]) -> pd.DataFrame:
        from .geography import best_fit_wards

        with self._lock:
            self._prepare()
            local, lsoa_to_ward = self._history, None
            needs_lsoa = (records["lon"].isna() & records["lsoa_code"].notna()).any()
            if needs_lsoa and self.wards.overlaps is not None:
                if self._by_lsoa is None:
                    overlaps = self.wards.overlaps
                    self._by_lsoa = (best_fit_wards(overlaps), frozenset(overlaps["lsoa_code"]))
                lsoa_to_ward, extra = self._by_lsoa
                local = local | extra
            elif needs_lsoa:
                notes.append("No LSOA boundaries found: rows with only an LSOA code cannot be placed.")
        return self._placer.place(records, lsoa_to_ward=lsoa_to_ward, local_lsoa_codes=local)  # type: ignore[union-attr]


def part_key(source: PoliceFile, wards_key: str) -> str:
    """The part's cache key: code version, ward table, the file's label, whether it was named, its bytes."""
    text = f"part|{CACHE_VERSION}|{wards_key}|{source.label}|{source.explicit}|{source.sha256}"
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def is_kept(root: Path, source: PoliceFile, wards_key: str) -> bool:
    """Whether the file's part is kept under ``root`` (opened, not built, unless it proves damaged)."""
    return source.duplicate_of is None and (root / part_key(source, wards_key) / "meta.json").exists()


def load_part(
    source: PoliceFile, data: bytes | None, placer: Placer, *, root: Path | None, notes: list[str], reuse: bool = True
) -> Part:
    """The file's part: opened from ``root`` when kept there (and ``reuse``), else built, and kept when
    ``root`` is given (its records then leave memory: they are read back when asked for). A file
    repeating another is never kept (its rejects name the copy that was read, which depends on the other
    files)."""
    if source.duplicate_of is not None or root is None:
        return _build(source, data if data is not None else source.read_bytes(), placer)
    folder = root / part_key(source, placer.wards.key)
    opened = read_cache(folder, lambda: open_part(folder, source.label), notes) if reuse else None
    if opened is not None:
        return opened  # type: ignore[return-value]
    part = _build(source, data if data is not None else source.read_bytes(), placer)
    write_cache(folder, lambda tmp: _write(part, tmp))
    if (folder / "meta.json").exists():
        part.folder, part.records = folder, None
    return part


def _build(source: PoliceFile, data: bytes, placer: Placer) -> Part:
    from ..io.police import read_police_file

    read = read_police_file(source, data)
    records = placer.place(read.records, read.notes)
    ids = records["crime_id"]
    has_id = ids.notna().to_numpy()
    id_hash = pd.util.hash_array(ids.fillna("").to_numpy(dtype=object), categorize=False)
    months = records["month"].value_counts(sort=False)
    part = Part(
        label=source.label,
        info=read.files.iloc[0].to_dict(),
        months={str(k): int(v) for k, v in months.items() if v > 0},
        notes=read.notes,
        records=records,
    )
    part.tables.update(
        rejects=read.rejects,
        counts=count_by_ward_month_type(records[records["status"] == "in_area"]),
        id_hash=id_hash,
        has_id=has_id,
    )
    return part


def _to_arrow(records: pd.DataFrame) -> pa.Table:
    """One schema for every part: text as strings, categoricals as dictionaries with 32-bit indices (built
    column by column: ``Table.from_pandas`` costs about a millisecond a column, a tenth of the whole)."""
    return pa.table({name: _arrow_column(records[name]) for name in records.columns})


def _arrow_column(series: pd.Series) -> pa.Array:
    if isinstance(series.dtype, pd.CategoricalDtype):
        codes = series.cat.codes.to_numpy().astype(np.int32)
        categories = pa.array(np.asarray(series.cat.categories, dtype=object), type=pa.string())
        return pa.DictionaryArray.from_arrays(pa.array(codes, mask=codes < 0), categories)
    if series.dtype.kind in "fiub":
        return pa.array(series.to_numpy(), from_pandas=True)
    array = pa.array(series.array) if hasattr(series.array, "__arrow_array__") else None
    if array is None or not (pa.types.is_string(array.type) or pa.types.is_large_string(array.type)):
        array = pa.array(series.astype(object).where(series.notna(), None).to_numpy(), type=pa.string())
    return array.cast(pa.string()) if array.type != pa.string() else array


def _write(part: Part, folder: Path) -> None:
    # Arrow IPC (LZ4): written and read several times faster than Parquet, about as small for a month.
    feather.write_feather(_to_arrow(part.records), folder / "records.arrow", compression="lz4")  # type: ignore[arg-type]
    for name in ("rejects", "counts"):  # converted on this thread: pandas' to_feather starts a pool per call
        table = pa.Table.from_pandas(getattr(part, name), preserve_index=False, nthreads=1)
        feather.write_feather(table, folder / f"{name}.arrow")
    np.save(folder / "ids.npy", np.column_stack([part.id_hash, part.has_id.astype(np.uint64)]))
    meta = {
        "label": part.label,
        "info": _plain(part.info),
        "months": part.months,
        "notes": part.notes,
        "rejects": len(part.rejects),
        "columns": list(part.records.columns),  # type: ignore[union-attr]
        "sizes": {name: (folder / name).stat().st_size for name in _FILES},
    }
    (folder / "meta.json").write_text(json.dumps(meta))


def _plain(info: dict) -> dict:
    return {k: (v.item() if isinstance(v, np.generic) else v) for k, v in info.items()}


def open_part(folder: Path, label: str) -> Part:
    """A kept part (``ValueError`` or ``OSError`` when it is damaged or belongs to another file); its
    tables' headers are checked here, their contents read on first use."""
    meta = json.loads((folder / "meta.json").read_text())
    if meta["label"] != label:
        raise ValueError("part written for another file")
    if "sizes" in meta:
        _check_sizes(folder, meta)
    else:  # kept before parts noted their sizes: each table's header is read
        for name, columns in (("records", RECORD_COLUMNS), ("rejects", ()), ("counts", ())):
            with pa.memory_map(str(folder / f"{name}.arrow")) as source:  # a damaged file fails here, not later
                missing = set(columns) - set(pa.ipc.open_file(source).schema.names)
            if missing:
                raise ValueError(f"kept part lacks {sorted(missing)}")
        if np.load(folder / "ids.npy", mmap_mode="r").shape[1:] != (2,):
            raise ValueError("kept part's ID hashes are damaged")
    part = Part(
        label=label,
        info=meta["info"],
        months={str(k): int(v) for k, v in meta["months"].items()},
        notes=list(meta["notes"]),
        folder=folder,
    )
    if meta.get("rejects") == 0:  # most months refuse nothing: no table to read
        part.tables["rejects"] = pd.DataFrame({c: pd.Series(dtype=t) for c, t in _REJECT_DTYPES.items()})
    return part


def _check_sizes(folder: Path, meta: dict) -> None:
    """A kept part's files are whole: each its size when written, each Arrow file ending with its closing
    mark (a truncated or half-written file fails here, not later; 120 parts are checked in a few
    milliseconds, where reading each table's header took a quarter of a second)."""
    missing = set(RECORD_COLUMNS) - set(meta["columns"])
    if missing:
        raise ValueError(f"kept part lacks {sorted(missing)}")
    for name in _FILES:
        path = folder / name
        if path.stat().st_size != meta["sizes"][name]:
            raise ValueError(f"kept part's {name} is damaged")
        if name.endswith(".arrow"):
            with path.open("rb") as handle:
                handle.seek(-6, 2)
                if handle.read(6) != b"ARROW1":
                    raise ValueError(f"kept part's {name} is damaged")


def repeats_across_parts(parts: list[Part]) -> list[np.ndarray]:
    """Per part, the record rows whose Crime ID an earlier part (file order) already holds.

    Candidates come from the 64-bit hashes; each is confirmed on the IDs themselves, so a hash collision
    never drops a record."""
    hashes = np.concatenate([p.id_hash[p.has_id] for p in parts]) if parts else np.zeros(0, np.uint64)
    owner = np.concatenate([np.full(int(p.has_id.sum()), i) for i, p in enumerate(parts)]) if parts else hashes
    ordered = np.sort(hashes)  # a sort finds repeated values several times faster than a hash table here
    repeated = np.isin(hashes, ordered[1:][ordered[1:] == ordered[:-1]])
    drops = [np.zeros(0, dtype=np.int64) for _ in parts]
    if not repeated.any():
        return drops
    suspects = set(hashes[repeated].tolist())
    found = []
    for i in np.unique(owner[repeated]):
        part = parts[i]
        rows = np.flatnonzero(part.has_id & np.isin(part.id_hash, list(suspects)))
        ids = part.table(["crime_id"]).column("crime_id").to_numpy(zero_copy_only=False)[rows]
        found.append(pd.DataFrame({"part": i, "row": rows, "crime_id": ids}))
    table = pd.concat(found, ignore_index=True).sort_values(["part", "row"], kind="mergesort")
    later = table[table["crime_id"].duplicated(keep="first")]
    for i, group in later.groupby("part"):
        drops[int(i)] = group["row"].to_numpy(dtype=np.int64)
    return drops


def read_records(parts: list[Part], drops: list[np.ndarray], columns: list[str] | None = None) -> pd.DataFrame:
    """The parts' records as one frame (rows in ``drops`` left out), categories as one reader gives them."""
    tables = []
    for part, drop in zip(parts, drops, strict=True):
        table = part.table(columns)
        if len(drop):
            keep = np.ones(table.num_rows, dtype=bool)
            keep[drop] = False
            table = table.filter(pa.array(keep))
        tables.append(table)
    # Arrow buffers are released as each column is converted: the peak is one copy, not two.
    table = pa.concat_tables(tables)
    tables.clear()
    frame = table.to_pandas(self_destruct=True, split_blocks=True)
    del table
    for name, categories in _FIXED.items():
        if name in frame:
            frame[name] = frame[name].cat.set_categories(categories)
    return frame


def repeat_rejects(parts: list[Part], drops: list[np.ndarray], reason: str) -> pd.DataFrame:
    """Reject rows for the records left out as repeats (the record's text as the one-table reader shows it)."""
    rows = []
    for part, drop in zip(parts, drops, strict=True):
        if not len(drop):
            continue
        cols = ["crime_id", "month", "lon", "lat", "location", "crime_type", "source_line"]
        frame = part.table(cols).take(pa.array(drop)).to_pandas()
        for r in frame.itertuples(index=False):
            coords = "" if pd.isna(r.lon) else f"{r.lon:.6f},{r.lat:.6f}"
            coords = coords or ","
            text = ",".join([str(r.crime_id or ""), str(r.month), coords, str(r.location or ""), str(r.crime_type)])
            rows.append((part.label, int(r.source_line), reason, text[:200]))
    out = pd.DataFrame(rows, columns=["source_file", "source_line", "reason", "text"])
    out["source_line"] = out["source_line"].astype("int64")
    return out


def counts_without(parts: list[Part], drops: list[np.ndarray]) -> pd.DataFrame:
    """In-area ``ward_code, month, crime_type, count`` over the parts, repeats taken out."""
    cols = ["ward_code", "month", "crime_type", "status"]
    minus = []
    for part, drop in zip(parts, drops, strict=True):
        if len(drop):
            gone = part.table(cols).take(pa.array(drop)).to_pandas()
            minus.append(
                count_by_ward_month_type(gone[gone["status"] == "in_area"]).assign(count=lambda t: -t["count"])
            )
    # Kept parts' counts are read as Arrow and joined before one conversion (a frame per part costs more).
    kept = [p.counts_table() for p in parts]
    frames = [t.to_pandas() for t in kept if t.num_rows] if len(kept) < 2 else []
    if len(kept) >= 2:
        joined = pa.concat_tables([t.cast(_COUNTS_SCHEMA) for t in kept if t.num_rows])
        frames = [joined.to_pandas()] if joined.num_rows else []
    frames += minus
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in _COUNT_DTYPES.items()})
    return sum_by_ward_month_type(*frames)


def months_without(parts: list[Part], drops: list[np.ndarray]) -> list[str]:
    """Months with records, oldest first, repeats taken out."""
    total: dict[str, int] = {}
    for part in parts:
        for month, n in part.months.items():
            total[month] = total.get(month, 0) + n
    for part, drop in zip(parts, drops, strict=True):
        if len(drop):
            gone = part.table(["month"]).take(pa.array(drop)).column("month").to_pylist()
            for month in gone:
                total[str(month)] -= 1
    return sorted(m for m, n in total.items() if n > 0)
