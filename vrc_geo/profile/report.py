"""The violence-profile file (CSV, or XLSX with Districts, Weights and About sheets), shared by the CLI
and the app so that both give the same bytes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..io.context import read_fingertips_context
from ..io.writers import table_bytes
from ..reference.area import AREA
from ..reference.licences import OGL
from .violence_profile import ViolenceProfile, district_context, violence_profile

if TYPE_CHECKING:
    from ..dataset.store import PoliceDataset

__all__ = ["profile_file_bytes"]


def profile_file_bytes(dataset: PoliceDataset, fmt: str) -> tuple[bytes, ViolenceProfile]:
    """The profile as ``.csv`` (the partnership table) or ``.xlsx`` (+ Districts, Weights, About)."""
    profile = violence_profile(dataset.wards.reference)
    meta = {
        "Title": f"What police-recorded violence is made of, {AREA.name}",
        "Source": f"Home Office police recorded crime by Community Safety Partnership, ONS Table C2 "
        f"({profile.period}; {profile.source}); ONS Crime Severity Score weights; police.uk; OHID Fingertips "
        f"— {OGL}",
        "share_with_injury": "violence with injury / violence against the person (a fraction 0-1)",
        "severity_weighted_total": "sum of each subgroup's count x its ONS Crime Severity Score weight "
        "(Weights sheet), sexual offences included",
    }
    meta |= {f"Note {i + 1}": n for i, n in enumerate(profile.notes)}
    extra = {}
    if fmt == ".xlsx":
        extra = {"Districts": district_context(dataset, read_fingertips_context()), "Weights": profile.weights}
    data = table_bytes(profile.table, fmt, metadata=meta, sheet_name="violence profile", extra_sheets=extra)
    return data, profile
