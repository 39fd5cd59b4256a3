"""Evaluation files: CSV (the table), or XLSX with the monthly series and an About sheet."""

from __future__ import annotations

import pandas as pd

from ..io.writers import table_bytes
from ..reference.licences import ATTRIBUTION
from .service import METHOD, EvaluationResult

__all__ = ["EVALUATION_LABELS", "evaluation_file_bytes", "evaluation_file_name"]

#: Plain-English labels of the columns (the XLSX "Labels" sheet; docs/contract.md).
EVALUATION_LABELS: dict[str, str] = {
    "area": "Target area (all = the targets together)",
    "before_per_month": "Records a month before the start",
    "after_per_month": "Records a month after the start",
    "expected_after_per_month": "Expected a month after the start, had nothing changed",
    "effect_pct": "Change against expected (%)",
    "ci_low_pct": "95 % interval, low (%)",
    "ci_high_pct": "95 % interval, high (%)",
    "p_value": "Chance of a change this large at untouched places",
    "buffer_before_per_month": "Buffer: records a month before",
    "buffer_after_per_month": "Buffer: records a month after",
    "buffer_effect_pct": "Buffer: change against expected (%)",
    "buffer_p_value": "Buffer: chance of a change this large (each target's own ring against the rest of the area)",
    "wdq": "Weighted displacement quotient (above 0: benefits spread; below 0: displaced, unless the buffer had "
    "already risen before the start, which the answer says)",
    "wdd": "Weighted displacement difference (records; below 0: fewer overall)",
    "wdd_p_value": "Weighted displacement difference: p-value",
    "months_before": "Months before the start",
    "months_after": "Months from the start",
    "start": "Start month",
    "group": "Offences",
    "measure": "Measure",
    "method": "Method",
}


def evaluation_file_bytes(result: EvaluationResult, fmt: str) -> bytes:
    """The evaluation as ``.csv`` or ``.xlsx`` (+ Monthly series, Labels and About sheets)."""
    p = result.parameters
    meta = {
        "Title": f"Evaluation of targeted work from {p['start']} ({p['group_label']})",
        "Answer": result.sentence(),
        "Method": METHOD + ". Docs: docs/methods/evaluation.md.",
        "Options": ", ".join(f"{k}={v}" for k, v in p.items() if k not in ("group_label",)),
        "Warnings": " ".join(result.warnings) or "none",
        "Notes": " ".join(result.notes) or "none",
        "Source": ATTRIBUTION,
    }
    extra = {}
    if fmt == ".xlsx":
        extra["Monthly series"] = result.series.rename(
            columns={
                "month": "Month",
                "targets": "Target areas: records",
                "expected": "Target areas: expected had nothing changed",
                "buffer": "Buffer: records",
                "buffer_expected": "Buffer: expected",
                "after_start": "From the start",
            }
        ).round(2)
        extra["Labels"] = pd.DataFrame({"column": list(EVALUATION_LABELS), "meaning": list(EVALUATION_LABELS.values())})
    return table_bytes(result.table, fmt, metadata=meta, sheet_name="evaluation", extra_sheets=extra)


def evaluation_file_name(result: EvaluationResult, fmt: str) -> str:
    """``evaluation_<group>_from_<start>.<ext>``."""
    p = result.parameters
    return f"evaluation_{p['group']}_from_{p['start']}{fmt}"
