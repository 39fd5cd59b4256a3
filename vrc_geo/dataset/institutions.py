"""The public register of institutions, built once from the registers in the data folders and cached.

:func:`load_institutions` reads the hospitals, prisons and police stations of
:mod:`vrc_geo.io.institutions` (placed with Code-Point Open, only the study area's districts) and keeps
them as a small Parquet table keyed by the SHA-256 of every register file, so the hotspot list pays for
reading them (about 3 s) once per version. What the registers claim: docs/methods/sites.md.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from ..config import cache_dir
from ..io.institutions import PublicRegister, read_public_register, register_files
from ..reference.area import DISTRICTS
from .cache import cache_key, checked, read_cache, write_cache

__all__ = ["REGISTER_COLUMNS", "load_institutions"]

REGISTER_COLUMNS = ("name", "site_type", "x", "y", "postcode", "source", "vintage", "file", "also")


def load_institutions(folders: Sequence[Path | None], *, use_cache: bool = True) -> PublicRegister:
    """Institutions of the public registers under ``folders`` (each a data folder with ``institutions/``
    and ``lookups/codepoint_open_*``), built or read from the cache."""
    files = register_files(folders)
    if not files:
        return PublicRegister(pd.DataFrame(columns=list(REGISTER_COLUMNS)), ["No public registers of institutions."])
    folder = cache_dir() / f"institutions-{cache_key('institutions', files, ','.join(sorted(DISTRICTS)))}"
    notes: list[str] = []

    def read() -> PublicRegister:
        sites = checked(pd.read_parquet(folder / "institutions.parquet"), REGISTER_COLUMNS)
        return PublicRegister(sites, list(json.loads((folder / "meta.json").read_text())["notes"]))

    cached = read_cache(folder, read, notes) if use_cache else None
    if isinstance(cached, PublicRegister):
        return cached
    register = read_public_register(folders, districts=set(DISTRICTS))

    def write(tmp: Path) -> None:
        register.sites.to_parquet(tmp / "institutions.parquet", index=False)
        (tmp / "meta.json").write_text(json.dumps({"notes": register.notes}))

    write_cache(folder, write)
    register.notes[:0] = notes
    return register
