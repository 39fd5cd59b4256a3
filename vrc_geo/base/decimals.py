"""How many decimals a column of numbers reads best in: ``decimals_for``.

One rule for every surface that writes numbers for people (the app's tables, the XLSX files' display
formats): whole numbers without decimals, otherwise as few decimals as the column's typical size needs
(never four zeros, never scientific notation). The values themselves are never rounded by it.
"""

from __future__ import annotations

import math

import pandas as pd

__all__ = ["decimals_for", "percent_text"]


def decimals_for(values: pd.Series) -> int:
    """Decimals for ``values``: 0 for whole numbers or a typical size of 100 and more, 1 from 1, 2 from
    0.01 (and for all zeros), else two significant figures of the typical (median non-zero) size."""
    finite = pd.to_numeric(values, errors="coerce").dropna().abs()
    finite = finite[finite != float("inf")]
    if finite.empty or (finite == finite.round()).all():
        return 0
    typical = float(finite[finite > 0].median()) if (finite > 0).any() else 0.0
    if typical >= 100:
        return 0
    if typical >= 1:
        return 1
    if typical >= 0.01 or typical == 0:
        return 2
    return min(6, 1 - math.floor(math.log10(typical)))


def percent_text(share: float) -> str:
    """A share of a whole as people read it: one decimal from 1 % (12.3%), two significant figures below
    (0.25%, 0.024%), so a small share never reads as 0.0% or as a different figure on another surface."""
    if share is None or math.isnan(share):
        return ""
    value = 100 * float(share)
    if value == 0 or abs(value) >= 1:
        return f"{value:.1f}%" if value else "0%"
    return f"{value:.2g}%"
