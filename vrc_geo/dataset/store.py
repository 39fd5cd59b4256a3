"""Build the processed tables once and reuse them: (Geo)Parquet keyed by the input files' hashes.

``load_wards`` gives the ward table (geometry, district, area, population); ``load_police`` gives placed
police.uk records, rejects and the reconciliation. Each is cached under a key made from the SHA-256 of
every input file it read plus :data:`CACHE_VERSION`, so a changed file (or a new release of this code
that changes the tables) builds anew, and ``use_cache=False`` forces a rebuild.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..config import DataSources, cache_dir
from .cache import (
    CACHE_VERSION,
    FILE_COLUMNS,
    REJECT_COLUMNS,
    WARD_COLUMNS,
    cache_key,
    cached_table,
    checked,
    file_sha256,
    read_cache,
    reference_files,
    write_cache,
)
from .cache_prune import PARTS, prune_cache
from .reconcile import Reconciliation, reconcile
from .ward_table import WardTable

if TYPE_CHECKING:
    import geopandas as gpd

    from ..io.institutions import PublicRegister

__all__ = [
    "ANALYSIS_COLUMNS",
    "CACHE_VERSION",
    "PoliceDataset",
    "WardTable",
    "file_sha256",
    "load_police",
    "load_wards",
    "sources_fingerprint",
]


Frame = pd.DataFrame | Callable[[], pd.DataFrame]
#: What the statistics read of a record (:attr:`PoliceDataset.analysis_records`).
ANALYSIS_COLUMNS = ("month", "crime_type", "location", "x", "y", "ward_code", "district_code", "status")


class PoliceDataset:
    """Placed police.uk records with their reconciliation, over one ward table.

    Opened from the cache, ``records``, ``rejects`` and ``files`` are read on first use (each may be given
    as a frame or as a function reading it), so a table of counts kept beside them
    (:attr:`ward_month_counts`) is served without reading two million records.
    """

    def __init__(
        self,
        records: Frame,
        rejects: Frame,
        files: Frame,
        wards: WardTable,
        key: str,
        notes: list[str] | None = None,
        *,
        from_cache: bool = False,
        institution_dirs: tuple[Path, ...] = (),
        folder: Path | None = None,
    ) -> None:
        self._frames = {"records": records, "rejects": rejects, "files": files}
        self.wards = wards
        self.key = key
        self.notes = notes if notes is not None else []
        self.from_cache = from_cache
        #: data folders holding public registers of institutions (:attr:`institutions`)
        self.institution_dirs = institution_dirs
        self.folder = folder

    def _frame(self, name: str) -> pd.DataFrame:
        value = self._frames[name]
        return value() if callable(value) else value

    @cached_property
    def records(self) -> pd.DataFrame:
        return self._frame("records")

    @cached_property
    def analysis_records(self) -> pd.DataFrame:
        """In-area records with only the columns the statistics read (:data:`ANALYSIS_COLUMNS`): read from
        the store without the rest (IDs, outcomes, LSOA names, file lines), so the hotspot statistics of
        ten years do not hold every column. The full records when they are already in memory."""
        value = self._frames["records"]
        if "records" in self.__dict__ or not isinstance(value, _PartsReader):
            return self.records
        frame = value(columns=list(ANALYSIS_COLUMNS))
        return frame[(frame["status"] == "in_area").to_numpy()]

    @cached_property
    def rejects(self) -> pd.DataFrame:
        return self._frame("rejects")

    @cached_property
    def files(self) -> pd.DataFrame:
        return self._frame("files")

    @cached_property
    def reconciliation(self) -> Reconciliation:
        """Every row read, counted as used, outside the area, without location or rejected."""
        return reconcile(self.records, self.rejects, self.files)

    def with_records(self, records: pd.DataFrame) -> PoliceDataset:
        """The same data with ``records`` in place of its records (a version of its own: nothing kept for
        the whole dataset is reused for it)."""
        digest = hashlib.sha256(pd.util.hash_pandas_object(records.index, index=False).to_numpy().tobytes())
        return PoliceDataset(
            records,
            self.rejects,
            self.files,
            self.wards,
            f"{self.key}-{digest.hexdigest()[:8]}",
            list(self.notes),
            institution_dirs=self.institution_dirs,
        )

    @cached_property
    def months(self) -> list[str]:
        """Months with records, oldest first (the records are not changed after loading); kept beside
        the cached records, so it is known without reading them."""
        if "records" not in self.__dict__ and self.folder is not None:
            table = self._kept("months.parquet", lambda: pd.DataFrame({"month": self._months_of_records()}), ("month",))
            return [str(m) for m in table["month"]]
        return self._months_of_records()

    def _months_of_records(self) -> list[str]:
        column = self.records["month"]
        if isinstance(column.dtype, pd.CategoricalDtype):
            present = column.cat.categories[np.unique(column.cat.codes[column.cat.codes >= 0])]
            return sorted(str(m) for m in present)
        return sorted(column.astype(str).unique())

    @property
    def in_area(self) -> pd.DataFrame:
        return self.records[self.records["status"] == "in_area"]

    @cached_property
    def ward_month_counts(self) -> pd.DataFrame:
        """``ward_code, month, crime_type, count`` of the in-area records, kept beside the cached records:
        ward tables of any selection come from it (:func:`..outputs.ward_tables.ward_export_table`)."""
        from .aggregate import count_by_ward_month_type

        return self._kept(
            "ward_month_counts.parquet",
            lambda: count_by_ward_month_type(self.in_area),
            ("ward_code", "month", "crime_type", "count"),
        )

    def _kept(self, name: str, build: Callable[[], pd.DataFrame], columns: tuple[str, ...]) -> pd.DataFrame:
        return cached_table(self.folder, name, build, columns=columns, may_be_none=False, notes=self.notes)  # type: ignore[return-value]

    @cached_property
    def institutions(self) -> PublicRegister:
        """Hospitals, prisons and police stations of the public registers (built on first use, cached):
        :func:`.institutions.load_institutions`."""
        from .institutions import load_institutions

        return load_institutions(self.institution_dirs or (self.wards.reference,))


def sources_fingerprint(sources: DataSources) -> str:
    """The data version: the SHA-256 of every input file's content (and its path), so a file edited in
    place — whatever its size and times — is a new version. About 1 GB/s, once per file per process
    (:func:`file_sha256`); the sample's 49 MB take 0.05 s the first time, then milliseconds."""
    from ..io.boundary_files import boundary_files
    from ..io.institutions import register_files
    from ..io.police import expand_sources

    files = [*expand_sources(sources.crimes), *boundary_files(sources.boundaries), *reference_files(sources.reference)]
    files += register_files(sources.institution_dirs)
    if sources.sites_register is not None and Path(sources.sites_register).is_file():
        files.append(Path(sources.sites_register))
    digest = hashlib.sha256(CACHE_VERSION.encode())
    for path in files:
        digest.update(f"|{path.resolve()}|{file_sha256(path)}".encode())
    return digest.hexdigest()[:16]


def load_wards(sources: DataSources, *, use_cache: bool = True) -> WardTable:
    """Ward table for the sources' boundaries (built from files, or opened from the cache: polygons read
    on first use)."""
    from ..io.boundary_files import boundary_files

    inputs = [*boundary_files(sources.boundaries), *reference_files(sources.reference)]
    key = cache_key("wards", inputs, str(Path(sources.boundaries).resolve()))
    folder = cache_dir() / f"wards-{key}"
    notes: list[str] = []

    def read() -> dict:
        import pyarrow.parquet as pq

        missing = set(WARD_COLUMNS) - set(pq.read_schema(folder / "wards.parquet").names)
        if missing:
            raise ValueError(f"cached wards lack {sorted(missing)}")
        meta = json.loads((folder / "meta.json").read_text())
        return {k: meta[k] for k in ("vintage", "source", "notes")}

    def read_polygons() -> gpd.GeoDataFrame:
        import geopandas as gpd

        return checked(gpd.read_parquet(folder / "wards.parquet"), WARD_COLUMNS)

    meta = read_cache(folder, read, notes) if use_cache else None
    if meta is not None:
        return WardTable(None, reference=sources.reference, folder=folder, key=key, read=read_polygons, **meta)
    wards, meta = _build_wards(sources)

    def write(tmp: Path) -> None:
        wards.to_parquet(tmp / "wards.parquet")
        (tmp / "meta.json").write_text(json.dumps(meta))

    if not use_cache:
        shutil.rmtree(folder, ignore_errors=True)  # a forced rebuild also drops lazy tables
    write_cache(folder, write)
    meta = {**meta, "notes": notes + meta["notes"]}  # the rebuild note is for this run only
    return WardTable(wards, reference=sources.reference, folder=folder, key=key, **meta)


def _build_wards(sources: DataSources) -> tuple[gpd.GeoDataFrame, dict]:
    from ..io.boundaries import read_boundaries

    boundary = read_boundaries(sources.boundaries, level="ward", reference=sources.reference)
    wards = boundary.areas
    wards["area_km2"] = wards.geometry.area / 1e6
    cols = ["code", "name", "district_code", "district_name", "area_km2", "geometry"]
    meta = {"vintage": boundary.vintage, "source": boundary.source, "notes": boundary.notes}
    return wards[cols], meta


def load_police(
    sources: DataSources,
    *,
    use_cache: bool = True,
    progress: Callable[[int], object] | None = None,
    wards: WardTable | None = None,
    keep: bool = True,
) -> PoliceDataset:
    """Placed police.uk records for the sources (built from files or read from the cache). Each file is
    read, checked and placed on its own and kept as a part (:mod:`.parts`), so memory holds one file at a
    time and a new month reuses the others. ``keep=False`` builds them without writing the cache (uploads
    on a shared server leave nothing behind)."""
    from ..io.police import expand_sources
    from .parts import open_part

    wards = wards or load_wards(sources, use_cache=use_cache)
    inputs = expand_sources(sources.crimes)
    explicit = frozenset(Path(p).resolve() for p in sources.crimes if Path(p).is_file())
    key = cache_key("police", inputs, wards.key, explicit=explicit)
    folder = cache_dir() / f"police-{key}"
    root = cache_dir() / PARTS
    notes: list[str] = []

    def read() -> tuple[list, list[np.ndarray], dict[str, Callable[[], pd.DataFrame]], list[str]]:
        import pyarrow.parquet as pq

        meta = json.loads((folder / "meta.json").read_text())
        parts = [open_part(root / k, label) for k, label in meta["parts"]]
        drops = [np.asarray(d, dtype=np.int64) for d in meta["drops"]]
        readers = {}
        for name, columns in (("rejects", REJECT_COLUMNS), ("files", FILE_COLUMNS)):
            path = folder / f"{name}.parquet"
            missing = set(columns) - set(pq.read_schema(path).names)  # a damaged file fails here, not later
            if missing:
                raise ValueError(f"cached {name} lacks {sorted(missing)}")
            readers[name] = lambda path=path: pd.read_parquet(path)
        return parts, drops, readers, list(meta["notes"])

    cached = read_cache(folder, read, notes) if use_cache else None
    if cached is not None:
        parts, drops, readers, meta_notes = cached  # type: ignore[misc]
        if progress is not None:
            progress(len(inputs))
        return PoliceDataset(
            records_of(parts, drops),
            readers["rejects"],
            readers["files"],
            wards,
            key,
            meta_notes,
            from_cache=True,
            institution_dirs=sources.institution_dirs,
            folder=folder,
        )
    from .build import build_police

    built = build_police(sources, wards, key, progress, root=root if keep else None, reuse=use_cache, notes=notes)
    dataset, parts, drops, hashes = built
    dataset.institution_dirs = sources.institution_dirs
    if not keep:
        return dataset

    def write(tmp: Path) -> None:
        dataset.rejects.to_parquet(tmp / "rejects.parquet", index=False)
        dataset.files.to_parquet(tmp / "files.parquet", index=False)
        dataset.ward_month_counts.to_parquet(tmp / "ward_month_counts.parquet", index=False)
        pd.DataFrame({"month": dataset.months}).to_parquet(tmp / "months.parquet", index=False)
        from .extend import HASHES

        np.save(tmp / HASHES, hashes)
        kept = [[part.folder.name, part.label] for part in parts]
        meta = {"notes": dataset.notes, "parts": kept, "drops": [d.tolist() for d in drops]}
        (tmp / "meta.json").write_text(json.dumps(meta))

    if all(part.folder is not None for part in parts):
        write_cache(folder, write)
        # a new store: clear what earlier files, boundaries or code versions left unused (.cache_prune)
        prune_cache(cache_dir(), keep=[folder, *(part.folder for part in parts)])
    if folder.is_dir():
        dataset.folder = folder  # tables kept beside the records go with them
    dataset.notes[:0] = notes  # the rebuild notes are for this run only
    return dataset


class _PartsReader:
    """The records of a dataset's parts, read on call (all columns, or only ``columns``)."""

    def __init__(self, parts: list, drops: list[np.ndarray]) -> None:
        self.parts, self.drops = parts, drops

    def __call__(self, columns: list[str] | None = None) -> pd.DataFrame:
        from .parts import read_records

        return read_records(self.parts, self.drops, columns)


def records_of(parts: list, drops: list[np.ndarray]) -> _PartsReader:
    return _PartsReader(parts, drops)
