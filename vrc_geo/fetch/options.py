"""What one ``fetch`` run asks for, and the loop over the registered sources.

Each fetcher module offers ``fetch_source(client, options, say) -> list[str]`` (the lines to print);
:func:`fetch_sources` calls those of the sources asked for, by the registry
(:mod:`vrc_geo.reference.sources`), keeping whatever was fetched before a failure.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ServiceError
from ..reference.sources import SOURCES
from .http import Client

__all__ = ["FetchOptions", "fetch_sources"]


@dataclass(frozen=True)
class FetchOptions:
    """Options every fetcher may read (each takes what it needs)."""

    data_dir: Path
    boundaries_dir: Path
    base_urls: dict[str, str] = field(default_factory=dict)  #: source key -> service URL (a mirror)
    ward_year: int = 2024
    ward_service: str | None = None
    district_service: str | None = None
    start: str | None = None
    end: str | None = None
    months_back: int = 12
    refetch: bool = False
    #: (total months, description) -> a tick(month) callable, for a progress bar; None: no bar
    progress: Callable[[int, str], Callable[[str], object]] | None = None

    def base_url(self, key: str) -> str:
        """The service URL for a source: the option given, else the registry's."""
        return self.base_urls.get(key) or SOURCES[key].base_url or ""


def fetch_sources(
    keys: Sequence[str], client: Client, options: FetchOptions, say: Callable[[str], None]
) -> tuple[list[str], list[str]]:
    """Fetch each source named (registry order kept as given); returns (lines, failures). A failing
    source is reported and the others still run."""
    lines: list[str] = []
    failures: list[str] = []
    for key in keys:
        source = SOURCES[key]
        module, _, name = str(source.fetcher).partition(":")
        fetch = getattr(importlib.import_module(module), name)
        try:
            lines += fetch(client, options, say)
        except ServiceError as exc:
            failures.append(f"{key}: {exc}")
    return lines, failures
