"""The ward table of one boundary source: polygons, districts, areas, LSOA overlaps and populations.

Opened from the cache, the polygons are read on first use, so a table of counts never pays for shapes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from .cache import cached_table

if TYPE_CHECKING:
    import geopandas as gpd

__all__ = ["WardTable"]


class WardTable:
    """Wards of one boundary source: ``code, name, district_code, district_name, area_km2,
    geometry`` (EPSG:27700). LSOA overlaps and populations are built on first use and cached,
    so commands that only count records never pay for them."""

    def __init__(
        self,
        wards: gpd.GeoDataFrame | None,
        *,
        vintage: str,
        source: str,
        key: str,
        notes: list[str],
        reference: Path | None,
        folder: Path | None,
        read: Callable[[], gpd.GeoDataFrame] | None = None,
    ) -> None:
        self._wards = wards
        self._read = read
        self.vintage = vintage
        self.source = source
        self.key = key
        self.notes = notes
        self.reference = reference
        self._folder = folder
        self._overlaps: pd.DataFrame | bool | None = False  # False = not computed yet
        self._population: pd.DataFrame | None = None
        self._with_population: gpd.GeoDataFrame | None = None

    @property
    def wards(self) -> gpd.GeoDataFrame:
        """The ward polygons, read from the cache on first use when the table was opened from it."""
        if self._wards is None and self._read is not None:
            self._wards = self._read()
        return self._wards  # type: ignore[return-value]

    @property
    def attributes(self) -> pd.DataFrame:
        """``code, name, district_code, district_name, area_km2`` without the polygons: what tables need,
        read without the geometry when the polygons have not been read (no shapes, no geopandas)."""
        columns = ["code", "name", "district_code", "district_name", "area_km2"]
        if self._wards is None and self._folder is not None and (self._folder / "wards.parquet").exists():
            return pd.read_parquet(self._folder / "wards.parquet", columns=columns)
        return pd.DataFrame(self.wards[columns])

    def _cached(
        self, name: str, build: Callable[[], pd.DataFrame | None], *, columns: tuple[str, ...], may_be_none: bool
    ) -> pd.DataFrame | None:
        """A lazy table of this boundary set (:func:`.cache.cached_table` in the cache folder)."""
        return cached_table(self._folder, name, build, columns=columns, may_be_none=may_be_none, notes=self.notes)

    @property
    def vintage_words(self) -> str:
        """The boundaries' vintage for readers: "2013 ward boundaries" for ONS's ``WD13`` (the code kept in
        files and the Data page)."""
        years = [f"20{m}" for m in re.findall(r"WD(\d\d)", self.vintage)]
        return f"{' and '.join(dict.fromkeys(years))} ward boundaries" if years else f"{self.vintage} ward boundaries"

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
        """The ward table with ``population`` and ``population_source`` columns: built once, each caller
        given its own copy (pandas copies on write), as every filter change of the app asks for it."""
        if self._with_population is None:
            pop = self.population.set_index("ward_code")
            out = self.wards.copy()
            out["population"] = out["code"].map(pop["population"]).astype("Float64")
            out["population_source"] = out["code"].map(pop["population_source"]).astype("string")
            self._with_population = out
        return self._with_population.copy(deep=False)
