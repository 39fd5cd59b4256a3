"""What a loaded dataset holds: periods, totals by district and crime type, and the reconciliation."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from ..base.months import period_words
from ..reference.area import AREA, DISTRICTS
from ..reference.taxonomy import ASB

if TYPE_CHECKING:
    from .store import PoliceDataset

__all__ = ["summarise", "summary_text"]


def summarise(dataset: PoliceDataset) -> dict[str, Any]:
    """One JSON-ready object: reconciliation fields at the top level, then the breakdowns."""
    rec = dataset.reconciliation
    in_area = dataset.in_area
    is_asb = in_area["crime_type"].astype(str) == ASB
    by_district = (
        pd.crosstab(in_area["district_code"].astype(str), is_asb.map({True: "asb", False: "crimes"}))
        .reindex(index=list(DISTRICTS), columns=["crimes", "asb"], fill_value=0)
        .fillna(0)
        .astype(int)
    )
    by_type = in_area["crime_type"].astype(str).value_counts().sort_index()
    months = dataset.months
    facts: dict[str, Any] = rec.to_dict()
    facts.update(
        {
            "period": {
                "first_month": months[0] if months else None,
                "last_month": months[-1] if months else None,
                "months": months,
            },
            "boundaries": {
                "vintage": dataset.wards.vintage,
                "source": dataset.wards.label,
                "wards": len(dataset.wards.wards),
            },
            "by_district": [
                {
                    "district_code": code,
                    "district_name": DISTRICTS[code],
                    "crimes": int(row["crimes"]),
                    "asb": int(row["asb"]),
                }
                for code, row in by_district.iterrows()
            ],
            "by_crime_type": {str(k): int(v) for k, v in by_type.items()},
            "by_month": rec.by_month.to_dict(orient="records"),
            "files": rec.by_file.to_dict(orient="records"),
            "notes": [*dataset.wards.notes, *dataset.notes],
        }
    )
    return facts


def _table(rows: list[tuple[str, ...]], header: tuple[str, ...]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(str(h).ljust(w) for h, w in zip(header, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    for row in rows:
        cells = [str(c).rjust(w) if i else str(c).ljust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True))]
        lines.append("  ".join(cells))
    return "\n".join(lines)


def summary_text(facts: dict[str, Any]) -> str:
    """Readable report of :func:`summarise`'s object."""
    period = facts["period"]
    n = facts["rows_read"]

    def pct(value: int) -> str:
        return f"{100 * value / n:.1f}%" if n else "-"

    n_months = len(period["months"])
    parts = [
        f"police.uk data, {period_words(period['first_month'], period['last_month'])} "
        f"({n_months} month{'s' if n_months != 1 else ''}); wards: {facts['boundaries']['vintage']} "
        f"({facts['boundaries']['wards']} wards)",
        "",
        "Where every row went",
        _table(
            [
                (f"In a {AREA.name} ward", f"{facts['in_area']:,}", pct(facts["in_area"])),
                (f"Outside {AREA.name}", f"{facts['outside_area']:,}", pct(facts["outside_area"])),
                ("No location", f"{facts['no_location']:,}", pct(facts["no_location"])),
                *[(f"Rejected: {k}", f"{v:,}", pct(v)) for k, v in facts["rejected"].items()],
                ("Rows read", f"{n:,}", "100%" if n else "-"),
            ],
            ("outcome", "rows", "share"),
        ),
        "",
        f"In the area: {facts['in_area_crimes']:,} crimes and {facts['in_area_asb']:,} "
        "anti-social behaviour incidents (kept apart).",
        "",
        "By district",
        _table(
            [(d["district_name"], f"{d['crimes']:,}", f"{d['asb']:,}") for d in facts["by_district"]],
            ("district", "crimes", "ASB"),
        ),
        "",
        "By crime type (in the area)",
        _table([(k, f"{v:,}") for k, v in facts["by_crime_type"].items()], ("crime type", "records")),
    ]
    return "\n".join(parts)
