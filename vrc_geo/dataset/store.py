"""Build the processed tables once and reuse them: (Geo)Parquet keyed by the input files' hashes.

``load_wards`` gives the ward table (geometry, district, area, population); ``load_police`` gives placed
police.uk records, rejects and the reconciliation. Each is cached under a key made from the SHA-256 of
every input file it read plus :data:`CACHE_VERSION`, so a changed file (or a new release of this code
that changes the tables) builds anew, and ``use_cache=False`` forces a rebuild.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..config import DataSources, cache_dir
from .reconcile import Reconciliation, reconcile

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = [
    "CACHE_VERSION",
    "PoliceDataset",
    "WardTable",
    "file_sha256",
    "load_police",
    "load_wards",
    "sources_fingerprint",
]

CACHE_VERSION = "4"  # bump when placement or table columns change: old caches must not be reused


class WardTable:
    """Wards of one boundary source: ``code, name, district_code, district_name, area_km2,
    geometry`` (EPSG:27700). LSOA overlaps and populations are built on first use and cached,
    so commands that only count records never pay for them."""

    def __init__(
        self,
        wards: gpd.GeoDataFrame,
        *,
        vintage: str,
        source: str,
        key: str,
        notes: list[str],
        reference: Path | None,
        folder: Path | None,
    ) -> None:
        self.wards = wards
        self.vintage = vintage
        self.source = source
        self.key = key
        self.notes = notes
        self.reference = reference
        self._folder = folder
        self._overlaps: pd.DataFrame | bool | None = False  # False = not computed yet
        self._population: pd.DataFrame | None = None

    def _cached(self, name: str, build: Callable[[], pd.DataFrame | None]) -> pd.DataFrame | None:
        path = self._folder / name if self._folder is not None else None
        if path is not None and path.exists():
            try:
                return pd.read_parquet(path)
            except Exception:  # a damaged cache file of any kind: build it again
                self.notes.append(f"The cached {name} was unreadable and was rebuilt.")
                path.unlink(missing_ok=True)
        if path is not None and (path.parent / (name + ".none")).exists():
            return None
        value = build()
        if path is not None and path.parent.is_dir():
            try:
                if value is None:
                    (path.parent / (name + ".none")).touch()
                else:
                    # A unique temporary name: two processes building the same table never collide.
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

    @property
    def overlaps(self) -> pd.DataFrame | None:
        """``lsoa_code, ward_code, share`` from the reference LSOA boundaries (``None`` if absent)."""
        if self._overlaps is False:
            self._overlaps = self._cached("overlaps.parquet", self._build_overlaps)
        return self._overlaps  # type: ignore[return-value]

    def _build_overlaps(self) -> pd.DataFrame | None:
        from ..io.boundaries import read_boundaries
        from ..io.reference import find_lsoa_boundaries
        from .geography import lsoa_ward_overlaps

        paths = find_lsoa_boundaries(self.reference)
        if not paths:
            return None
        lsoas = pd.concat(
            [read_boundaries(p, level="lsoa", reference=self.reference).areas for p in paths]
        ).drop_duplicates("code")
        return lsoa_ward_overlaps(lsoas, self.wards)

    @property
    def population(self) -> pd.DataFrame:
        """``ward_code, population, population_source`` (population ``<NA>`` where unknown)."""
        if self._population is None:
            self._population = self._cached("population.parquet", self._build_population)
        return self._population  # type: ignore[return-value]

    def _build_population(self) -> pd.DataFrame:
        from ..io.reference import read_lsoa_population_2011, read_ward_population_2020
        from .geography import ward_population

        return ward_population(
            self.wards,
            overlaps=self.overlaps,
            lsoa_population=read_lsoa_population_2011(self.reference),
            ward_population_2020=read_ward_population_2020(self.reference),
        )

    def with_population(self) -> gpd.GeoDataFrame:
        """The ward table with ``population`` and ``population_source`` columns."""
        pop = self.population.set_index("ward_code")
        out = self.wards.copy()
        out["population"] = out["code"].map(pop["population"]).astype("Float64")
        out["population_source"] = out["code"].map(pop["population_source"]).astype("string")
        return out


@dataclass
class PoliceDataset:
    """Placed police.uk records with their reconciliation, over one ward table."""

    records: pd.DataFrame
    rejects: pd.DataFrame
    files: pd.DataFrame
    wards: WardTable
    reconciliation: Reconciliation
    key: str
    notes: list[str] = field(default_factory=list)
    from_cache: bool = False

    @cached_property
    def months(self) -> list[str]:
        """Months with records, oldest first (the records are not changed after loading)."""
        column = self.records["month"]
        if isinstance(column.dtype, pd.CategoricalDtype):
            present = column.cat.categories[np.unique(column.cat.codes[column.cat.codes >= 0])]
            return sorted(str(m) for m in present)
        return sorted(column.astype(str).unique())

    @property
    def in_area(self) -> pd.DataFrame:
        return self.records[self.records["status"] == "in_area"]


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def _key(kind: str, files: Iterable[Path], extra: str = "", *, explicit: frozenset[Path] = frozenset()) -> str:
    """Cache key: the kind, code version, ``extra``, and for each input file its path, whether it was named
    explicitly (a folder skips files a name would read) and the SHA-256 of its bytes."""
    digest = hashlib.sha256(f"{kind}|{CACHE_VERSION}|{extra}".encode())
    for path in files:
        resolved = path.resolve()
        digest.update(f"|{resolved}|{resolved in explicit}|{file_sha256(path)}".encode())
    return digest.hexdigest()[:24]


def sources_fingerprint(sources: DataSources) -> str:
    """Names, sizes and modification times of every input file (none is read: it costs milliseconds), so
    the app can notice new or changed files without hashing them."""
    from ..io.boundaries import boundary_files
    from ..io.police import expand_sources

    files = [*expand_sources(sources.crimes), *boundary_files(sources.boundaries), *_reference_files(sources.reference)]
    digest = hashlib.sha256(CACHE_VERSION.encode())
    for path in files:
        info = path.stat()
        digest.update(f"|{path.resolve()}|{info.st_size}|{info.st_mtime_ns}".encode())
    return digest.hexdigest()[:16]


def _read_cache(folder: Path, read: Callable[[], object], notes: list[str]) -> object | None:
    """``read()`` of a cache folder, or ``None`` (with a note, the folder removed) if it is damaged."""
    if not (folder / "meta.json").exists():
        return None
    try:
        return read()
    except Exception:  # a truncated parquet, bad JSON, a missing file: the cache is rebuilt
        notes.append(f"The cache {folder.name} was unreadable and was rebuilt.")
        shutil.rmtree(folder, ignore_errors=True)
        return None


def _reference_files(reference: Path | None) -> list[Path]:
    if reference is None:
        return []
    patterns = ["lookups/*.csv", "population/*.csv", "boundaries/lsoa*/*"]
    return sorted(p for pat in patterns for p in Path(reference).glob(pat) if p.is_file())


def _write_atomically(folder: Path, write: Callable[[Path], None]) -> None:
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


def load_wards(sources: DataSources, *, use_cache: bool = True) -> WardTable:
    """Ward table for the sources' boundaries (built from files or read from the cache)."""
    import geopandas as gpd

    from ..io.boundaries import boundary_files

    inputs = [*boundary_files(sources.boundaries), *_reference_files(sources.reference)]
    key = _key("wards", inputs, str(Path(sources.boundaries).resolve()))
    folder = cache_dir() / f"wards-{key}"
    notes: list[str] = []

    def read() -> tuple[gpd.GeoDataFrame, dict]:
        return gpd.read_parquet(folder / "wards.parquet"), json.loads((folder / "meta.json").read_text())

    cached = _read_cache(folder, read, notes) if use_cache else None
    if cached is not None:
        wards, meta = cached  # type: ignore[misc]
        return WardTable(wards, reference=sources.reference, folder=folder, key=key, **meta)
    wards, meta = _build_wards(sources)

    def write(tmp: Path) -> None:
        wards.to_parquet(tmp / "wards.parquet")
        (tmp / "meta.json").write_text(json.dumps(meta))

    if not use_cache:
        shutil.rmtree(folder, ignore_errors=True)  # a forced rebuild also drops lazy tables
    _write_atomically(folder, write)
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
    """Placed police.uk records for the sources (built from files or read from the cache). ``keep=False``
    builds them without writing the cache (uploads on a shared server leave nothing behind)."""
    from ..io.police import expand_sources

    wards = wards or load_wards(sources, use_cache=use_cache)
    inputs = expand_sources(sources.crimes)
    explicit = frozenset(Path(p).resolve() for p in sources.crimes if Path(p).is_file())
    key = _key("police", inputs, wards.key, explicit=explicit)
    folder = cache_dir() / f"police-{key}"
    notes: list[str] = []

    def read() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, list[str]]:
        meta = json.loads((folder / "meta.json").read_text())
        tables = [pd.read_parquet(folder / f"{name}.parquet") for name in ("records", "rejects", "files")]
        return (*tables, list(meta["notes"]))

    cached = _read_cache(folder, read, notes) if use_cache else None
    if cached is not None:
        records, rejects, files, meta_notes = cached  # type: ignore[misc]
        if progress is not None:
            progress(len(files))
        return PoliceDataset(
            records,
            rejects,
            files,
            wards,
            reconcile(records, rejects, files),
            key,
            meta_notes,
            from_cache=True,
        )
    dataset = _build_police(sources, wards, key, progress)
    if not keep:
        return dataset

    def write(tmp: Path) -> None:
        dataset.records.to_parquet(tmp / "records.parquet", index=False)
        dataset.rejects.to_parquet(tmp / "rejects.parquet", index=False)
        dataset.files.to_parquet(tmp / "files.parquet", index=False)
        (tmp / "meta.json").write_text(json.dumps({"notes": dataset.notes}))

    _write_atomically(folder, write)
    dataset.notes[:0] = notes  # the rebuild note is for this run only
    return dataset


def _build_police(
    sources: DataSources,
    wards: WardTable,
    key: str,
    progress: Callable[[int], object] | None,
) -> PoliceDataset:
    from ..io.police import read_police
    from ..io.reference import read_lsoa_history
    from .geography import best_fit_wards, place_records

    read = read_police(sources.crimes, progress=progress)
    history = read_lsoa_history(sources.reference)
    local = set(history["LSOACD"]) if history is not None else set()
    lsoa_to_ward = None
    needs_lsoa = read.records["lon"].isna() & read.records["lsoa_code"].notna()
    if needs_lsoa.any() and wards.overlaps is not None:
        lsoa_to_ward = best_fit_wards(wards.overlaps)
        local |= set(wards.overlaps["lsoa_code"])
    if needs_lsoa.any() and wards.overlaps is None:
        read.notes.append("No LSOA boundaries found: rows with only an LSOA code cannot be placed.")
    records = place_records(read.records, wards.wards, lsoa_to_ward=lsoa_to_ward, local_lsoa_codes=frozenset(local))
    return PoliceDataset(
        records,
        read.rejects,
        read.files,
        wards,
        reconcile(records, read.rejects, read.files),
        key,
        read.notes,
    )
