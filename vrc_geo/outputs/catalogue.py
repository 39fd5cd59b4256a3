"""What each data source holds, its period and age, and how to refresh it (for the Data page)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from ..config import REPO_ROOT
from ..fetch.manifest import source_status

if TYPE_CHECKING:
    from ..dataset.store import PoliceDataset

__all__ = ["source_table"]

REFRESH = {
    "police": "python -m vrc_geo fetch --what police",
    "boundaries": "python -m vrc_geo fetch --what boundaries --ward-year 2024",
    "context": "python -m vrc_geo fetch --what fingertips",
}


def _fetched_folders(project_root: Path) -> list[Path]:
    folders = sorted(p for p in (project_root / "boundaries").glob("*") if p.is_dir())
    folders += [project_root / "data" / "police_uk", project_root / "data" / "context"]
    return [f for f in folders if (f / "manifest.json").exists()]


def source_table(dataset: PoliceDataset | None, *, project_root: Path = REPO_ROOT) -> pd.DataFrame:
    """One row per source: ``source, holds, period, retrieved, age_days, licence, refresh``."""
    rows = []
    for status in source_status(_fetched_folders(project_root)):
        folder = Path(status["folder"]).name
        kind = "police" if folder == "police_uk" else "context" if folder == "context" else "boundaries"
        rows.append(
            {
                "source": status["source"],
                "holds": f"{status['files']} file(s) in {status['folder']}",
                "period": status["period"],
                "retrieved": status["retrieved_at"],
                "age_days": status["age_days"],
                "licence": status["licence"],
                "refresh": REFRESH[kind],
            }
        )
    if dataset is not None:
        months = dataset.months
        rows.append(
            {
                "source": "police.uk street-level crime in use",
                "holds": f"{len(dataset.files)} file(s), {dataset.reconciliation.rows_read:,} rows",
                "period": f"{months[0]} to {months[-1]}" if months else "",
                "retrieved": "",
                "age_days": None,
                "licence": "Open Government Licence v3.0",
                "refresh": REFRESH["police"] + " (new months go to data/police_uk, used automatically)",
            }
        )
        rows.append(
            {
                "source": f"Ward boundaries in use ({dataset.wards.vintage})",
                "holds": f"{len(dataset.wards.wards)} wards from {dataset.wards.source}",
                "period": dataset.wards.vintage,
                "retrieved": "",
                "age_days": None,
                "licence": "Open Government Licence v3.0; contains OS data © Crown copyright",
                "refresh": REFRESH["boundaries"] + " (then used automatically from boundaries/)",
            }
        )
    return pd.DataFrame(rows, columns=["source", "holds", "period", "retrieved", "age_days", "licence", "refresh"])


def fingertips_context(*, project_root: Path = REPO_ROOT) -> pd.DataFrame | None:
    """Fetched OHID Fingertips rows (district level, published), if ``fetch`` has brought them in."""
    hits = sorted((project_root / "data" / "context").glob("fingertips_*_kent_medway.csv"))
    if not hits:
        return None
    table = pd.read_csv(hits[-1], dtype=str)
    keep = [c for c in ("Area Name", "Area Code", "Time period", "Sex", "Value", "Count") if c in table.columns]
    return table[keep]
