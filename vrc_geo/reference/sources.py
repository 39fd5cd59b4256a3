"""Data sources, registered once: what each holds, who publishes it, its licence, where it lives, which
module reads it, which fetches it, and the command that refreshes it.

``python -m vrc_geo fetch --what …`` offers the sources with a fetcher, the app's Data page lists them
all with their licences, and the attribution line (:mod:`.licences`) covers them. Adding a source is one
reader (``vrc_geo/io/``), optionally one fetcher (``vrc_geo/fetch/``), and one :func:`register_source`
call here (``docs/contributing.md``). Readers and fetchers are named as ``"module:function"`` and
imported when used, so this registry imports nothing above the reference stage.
"""

from __future__ import annotations

from dataclasses import dataclass

from .area import AREA
from .licences import licence_text

__all__ = ["SOURCES", "DataSource", "fetchable", "register_source"]


@dataclass(frozen=True)
class DataSource:
    """One source of data."""

    key: str  #: short name (``fetch --what`` value when it has a fetcher)
    label: str  #: what it holds, in plain words
    publisher: str
    licence: str  #: a key of :data:`.licences.LICENCES`
    folder: str  #: where it is kept, relative to the project (or the data folder)
    reader: str  #: ``"module:function"`` that reads it
    fetcher: str | None = None  #: ``"module:function"`` that fetches it (``fetch_source(client, options, say)``)
    base_url: str | None = None  #: the service it is fetched from
    refresh: str | None = None  #: the command that brings it up to date
    url_option: str | None = None  #: the ``fetch`` option that points at a mirror (default ``--<key>-url``)

    @property
    def url_flag(self) -> str:
        return self.url_option or f"--{self.key}-url"

    @property
    def licence_text(self) -> str:
        return licence_text(self.licence)


SOURCES: dict[str, DataSource] = {}


def register_source(source: DataSource) -> DataSource:
    """Add (or replace) a data source; returns it."""
    SOURCES[source.key] = source
    return source


def fetchable() -> list[DataSource]:
    """The sources ``fetch`` can bring in, in registration order."""
    return [s for s in SOURCES.values() if s.fetcher]


register_source(
    DataSource(
        key="police",
        label=f"police.uk street-level crime ({AREA.force_name})",
        publisher="Home Office (police.uk)",
        licence="ogl",
        folder="data/police_uk",
        reader="vrc_geo.io.police:read_police",
        fetcher="vrc_geo.fetch.police_api:fetch_source",
        base_url="https://data.police.uk/api",
        refresh="python -m vrc_geo fetch --what police",
    )
)
register_source(
    DataSource(
        key="boundaries",
        label="Ward and district boundaries",
        publisher="ONS Open Geography Portal",
        licence="ogl+os",
        folder="boundaries/wards_<year>",
        reader="vrc_geo.io.boundaries:read_boundaries",
        fetcher="vrc_geo.fetch.ons:fetch_source",
        base_url="https://services1.arcgis.com/ESMARspQHYMw9BZ9/arcgis/rest/services",
        refresh="python -m vrc_geo fetch --what boundaries --ward-year 2024",
        url_option="--ons-url",
    )
)
register_source(
    DataSource(
        key="fingertips",
        label="Hospital admissions for violence by district (OHID Fingertips indicator 11201)",
        publisher="Office for Health Improvement and Disparities",
        licence="ogl",
        folder="data/context",
        reader="vrc_geo.io.context:read_fingertips_context",
        fetcher="vrc_geo.fetch.fingertips:fetch_source",
        base_url="https://fingertips.phe.org.uk",
        refresh="python -m vrc_geo fetch --what fingertips",
    )
)
register_source(
    DataSource(
        key="lsoa-boundaries",
        label="LSOA and MSOA boundaries (2011)",
        publisher="ONS Open Geography Portal",
        licence="ogl+os",
        folder="boundaries/lsoa_2011",
        reader="vrc_geo.io.reference:find_lsoa_boundaries",
    )
)
register_source(
    DataSource(
        key="population",
        label="Census 2011 residents by LSOA; mid-2020 estimates by ward",
        publisher="ONS",
        licence="ogl",
        folder="population",
        reader="vrc_geo.io.reference:read_lsoa_population_2011",
    )
)
register_source(
    DataSource(
        key="lookups",
        label="Code History Database look-ups (wards, LSOAs, MSOAs)",
        publisher="ONS",
        licence="ogl",
        folder="lookups",
        reader="vrc_geo.io.reference:read_lsoa_history",
    )
)
register_source(
    DataSource(
        key="deprivation",
        label="English Indices of Deprivation 2019 (LSOA 2011)",
        publisher="Ministry of Housing, Communities and Local Government",
        licence="ogl",
        folder="deprivation",
        reader="vrc_geo.io.reference:read_imd",
    )
)
register_source(
    DataSource(
        key="crime-context",
        label="Recorded crime by Community Safety Partnership (ONS Table C2); Crime Severity Score weights",
        publisher="ONS (Home Office data)",
        licence="ogl",
        folder="crime_context, harm",
        reader="vrc_geo.io.context:read_harm_weights",
    )
)
register_source(
    DataSource(
        key="medway-2023",
        label="Medway wards from May 2023",
        publisher="Local Government Boundary Commission for England",
        licence="lgbce",
        folder="boundaries/medway_wards_2023",
        reader="vrc_geo.io.boundaries:read_boundaries",
    )
)
register_source(
    DataSource(
        key="institutions",
        label="Hospitals (NHS website list 2021, NHS trust sites 2018) and prisons (Ministry of Justice register "
        "2022, prison estate addresses 2017)",
        publisher="NHS England; Ministry of Justice",
        licence="ogl",
        folder="institutions",
        reader="vrc_geo.io.institutions:read_public_register",
    )
)
register_source(
    DataSource(
        key="police-stations",
        label=f"Police stations of {AREA.force_name} (police.uk neighbourhoods)",
        publisher="Home Office (police.uk)",
        licence="ogl",
        folder="data/institutions",
        reader="vrc_geo.io.institutions:read_public_register",
        fetcher="vrc_geo.fetch.police_stations:fetch_source",
        base_url="https://data.police.uk/api",
        refresh="python -m vrc_geo fetch --what police-stations",
    )
)
register_source(
    DataSource(
        key="postcodes",
        label="Postcode locations (OS Code-Point Open), to place registers that give only a postcode",
        publisher="Ordnance Survey",
        licence="os-open",
        folder="lookups/codepoint_open_<year>",
        reader="vrc_geo.io.institutions:read_codepoint",
    )
)
register_source(
    DataSource(
        key="health",
        label="Partner health extracts (ISTV incident records or HES-style admission counts)",
        publisher="NHS partners",
        licence="partner",
        folder="uploaded on the Data page, or --admissions",
        reader="vrc_geo.io.health:read_health",
    )
)
