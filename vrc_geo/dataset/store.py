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
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..config import DataSources, cache_dir
from .cache import (
    CACHE_VERSION,
    FILE_COLUMNS,
    RECORD_COLUMNS,
    REJECT_COLUMNS,
    WARD_COLUMNS,
    cache_key,
    checked,
    file_sha256,
    read_cache,
    reference_files,
    write_cache,
)
from .reconcile import Reconciliation, reconcile

if TYPE_CHECKING:
    import geopandas as gpd

    from ..io.institutions import PublicRegister

__all__ = [
    "CACHE_VERSION",
    "PoliceDataset",
    "WardTable",
    "file_sha256",
    "load_police",
    "load_wards",
    "sources_fingerprint",
]


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

    def _cached(
        self, name: str, build: Callable[[], pd.DataFrame | None], *, columns: tuple[str, ...], may_be_none: bool
    ) -> pd.DataFrame | None:
        """A lazy table from the cache folder, else built (and cached). A cached file that cannot be read,
        or lacks ``columns``, is rebuilt with a note; a "none" marker counts only where ``None`` is a
        possible answer (a marker left beside a table that always exists is ignored)."""
        path = self._folder / name if self._folder is not None else None
        marker = path.parent / (name + ".none") if path is not None else None
        if path is not None and path.exists():
            try:
                value = pd.read_parquet(path)
                if not set(columns) <= set(value.columns):
                    raise ValueError(f"columns {sorted(set(columns) - set(value.columns))} missing")
                return value
            except Exception:  # a damaged cache file of any kind: build it again
                self.notes.append(f"The cached {name} was unreadable and was rebuilt.")
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
    def label(self) -> str:
        """Where the boundaries came from, for screens and files: the file or folder name, never a
        server path (``source`` keeps the path, for reading them again)."""
        return Path(self.source).name or self.source

    @property
    def overlaps(self) -> pd.DataFrame | None:
        """``lsoa_code, ward_code, share`` from the reference LSOA boundaries (``None`` if absent)."""
        if self._overlaps is False:
            self._overlaps = self._cached(
                "overlaps.parquet", self._build_overlaps, columns=("lsoa_code", "ward_code", "share"), may_be_none=True
            )
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
            self._population = self._cached(
                "population.parquet",
                self._build_population,
                columns=("ward_code", "population", "population_source"),
                may_be_none=False,
            )
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
    #: data folders holding public registers of institutions (:attr:`institutions`)
    institution_dirs: tuple[Path, ...] = ()

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
    from ..io.boundaries import boundary_files
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
    """Ward table for the sources' boundaries (built from files or read from the cache)."""
    import geopandas as gpd

    from ..io.boundaries import boundary_files

    inputs = [*boundary_files(sources.boundaries), *reference_files(sources.reference)]
    key = cache_key("wards", inputs, str(Path(sources.boundaries).resolve()))
    folder = cache_dir() / f"wards-{key}"
    notes: list[str] = []

    def read() -> tuple[gpd.GeoDataFrame, dict]:
        wards = checked(gpd.read_parquet(folder / "wards.parquet"), WARD_COLUMNS)
        meta = json.loads((folder / "meta.json").read_text())
        return wards, {k: meta[k] for k in ("vintage", "source", "notes")}

    cached = read_cache(folder, read, notes) if use_cache else None
    if cached is not None:
        wards, meta = cached  # type: ignore[misc]
        return WardTable(wards, reference=sources.reference, folder=folder, key=key, **meta)
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
    """Placed police.uk records for the sources (built from files or read from the cache). ``keep=False``
    builds them without writing the cache (uploads on a shared server leave nothing behind)."""
    from ..io.police import expand_sources

    wards = wards or load_wards(sources, use_cache=use_cache)
    inputs = expand_sources(sources.crimes)
    explicit = frozenset(Path(p).resolve() for p in sources.crimes if Path(p).is_file())
    key = cache_key("police", inputs, wards.key, explicit=explicit)
    folder = cache_dir() / f"police-{key}"
    notes: list[str] = []

    def read() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, list[str]]:
        meta = json.loads((folder / "meta.json").read_text())
        tables = [
            checked(pd.read_parquet(folder / f"{name}.parquet"), columns)
            for name, columns in (("records", RECORD_COLUMNS), ("rejects", REJECT_COLUMNS), ("files", FILE_COLUMNS))
        ]
        return (*tables, list(meta["notes"]))

    cached = read_cache(folder, read, notes) if use_cache else None
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
            institution_dirs=sources.institution_dirs,
        )
    dataset = _build_police(sources, wards, key, progress)
    dataset.institution_dirs = sources.institution_dirs
    if not keep:
        return dataset

    def write(tmp: Path) -> None:
        dataset.records.to_parquet(tmp / "records.parquet", index=False)
        dataset.rejects.to_parquet(tmp / "rejects.parquet", index=False)
        dataset.files.to_parquet(tmp / "files.parquet", index=False)
        (tmp / "meta.json").write_text(json.dumps({"notes": dataset.notes}))

    write_cache(folder, write)
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
