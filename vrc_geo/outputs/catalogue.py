"""What data is in use, how old it is, and how to refresh it (the app's Data page and ``summary``).

Built from the source registry (:mod:`vrc_geo.reference.sources`): the fetched sources' manifests give
their period and age, the dataset in use its files and months.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from ..base.months import months_in_words, period_words
from ..base.plurals import counted
from ..config import REPO_ROOT
from ..fetch.manifest import source_status
from ..reference.sources import SOURCES

if TYPE_CHECKING:
    from ..dataset.store import PoliceDataset

__all__ = ["licence_table", "source_table"]

#: Folder name of a fetched source -> its registry key.
_FOLDER_KEY = {"police_uk": "police", "context": "fingertips"}


def _fetched_folders(project_root: Path) -> list[Path]:
    folders = sorted(p for p in (project_root / "boundaries").glob("*") if p.is_dir())
    folders += [project_root / "data" / "police_uk", project_root / "data" / "context"]
    return [f for f in folders if (f / "manifest.json").exists()]


def source_table(dataset: PoliceDataset | None, *, project_root: Path = REPO_ROOT) -> pd.DataFrame:
    """One row per source: ``source, holds, period, retrieved, age_days, licence, refresh``."""
    rows = []
    for status in source_status(_fetched_folders(project_root)):
        folder = Path(status["folder"]).name
        source = SOURCES[_FOLDER_KEY.get(folder, "boundaries")]
        rows.append(
            {
                "source": status["source"],
                "holds": f"{counted(status['files'], 'file')} in {folder}/",
                "period": months_in_words(status["period"]),
                "retrieved": status["retrieved_at"],
                "age_days": status["age_days"],
                "licence": status["licence"] or source.licence_text,
                "refresh": source.refresh,
            }
        )
    if dataset is not None:
        months = dataset.months
        police, boundaries = SOURCES["police"], SOURCES["boundaries"]
        rows.append(
            {
                "source": f"{police.label}, in use",
                "holds": f"{len(dataset.files)} file(s), {dataset.reconciliation.rows_read:,} rows",
                "period": period_words(months[0], months[-1]) if months else "",
                "retrieved": "",
                "age_days": None,
                "licence": police.licence_text,
                "refresh": f"{police.refresh} (new months go to data/police_uk, used automatically)",
            }
        )
        rows.append(
            {
                "source": "Ward boundaries in use",
                "holds": f"{len(dataset.wards.wards)} wards (ONS code {dataset.wards.vintage})",
                "period": dataset.wards.vintage_words,
                "retrieved": "",
                "age_days": None,
                "licence": boundaries.licence_text,
                "refresh": f"{boundaries.refresh} (then used automatically from boundaries/)",
            }
        )
    return pd.DataFrame(rows, columns=["source", "holds", "period", "retrieved", "age_days", "licence", "refresh"])


def licence_table() -> pd.DataFrame:
    """Every registered source with its publisher and licence: ``data, publisher, licence``."""
    return pd.DataFrame(
        [(s.label, s.publisher, s.licence_text) for s in SOURCES.values()], columns=["data", "publisher", "licence"]
    )
