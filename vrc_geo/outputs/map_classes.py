"""Map classes: five readable colour classes for a ward measure, and their legend words."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

__all__ = ["DIVERGING", "NO_DATA", "SEQUENTIAL", "Classes", "classify"]

# ColorBrewer YlOrRd (5) for magnitudes, RdBu (5) for change, reversed so red = up.
SEQUENTIAL = [(255, 255, 178), (254, 204, 92), (253, 141, 60), (240, 59, 32), (189, 0, 38)]
DIVERGING = [(33, 102, 172), (103, 169, 207), (247, 247, 247), (239, 138, 98), (178, 24, 43)]
NO_DATA = (200, 200, 200)


@dataclass(frozen=True)
class Classes:
    """Class breaks and colours for one map; ``label(i)`` gives the legend text of class ``i``."""

    breaks: tuple[float, ...]  # upper bounds of each class
    colours: tuple[tuple[int, int, int], ...]
    units: str
    decimals: int = 0
    integer: bool = False  # whole-number data (counts): classes read "3 to 5", "6 or more"

    def index(self, values: np.ndarray) -> np.ndarray:
        values = np.asarray(values, dtype="float64")
        idx = np.searchsorted(np.asarray(self.breaks), values, side="left")
        idx = np.minimum(idx, len(self.breaks) - 1)
        return np.where(np.isnan(values), -1, idx)

    def colour(self, values: np.ndarray) -> list[list[int]]:
        idx = self.index(values)
        return [list(NO_DATA) + [120] if i < 0 else list(self.colours[i]) + [190] for i in idx]

    def legend(self) -> list[tuple[str, tuple[int, int, int]]]:
        items, low = [], None
        fmt = f"{{:,.{self.decimals}f}}"
        for i, (upper, colour) in enumerate(zip(self.breaks, self.colours, strict=True)):
            if self.integer:
                first = 0 if low is None else int(low) + 1
                if i == len(self.breaks) - 1:
                    text = f"{first:,} or more"
                elif first >= upper:
                    text = f"{int(upper):,}"
                else:
                    text = f"{first:,} to {int(upper):,}"
            elif i == 0:
                text = f"up to {fmt.format(upper)}"
            elif i == len(self.breaks) - 1:
                text = f"over {fmt.format(low)}"
            else:
                text = f"{fmt.format(low)} to {fmt.format(upper)}"
            items.append((text, colour))
            low = upper
        return items


def _nice(value: float, decimals: int) -> float:
    return round(value, decimals)


def classify(values: Sequence[float], *, kind: str, units: str) -> Classes:
    """Five classes: quantiles for counts and rates (``kind="magnitude"``), symmetric steps round zero
    for change (``kind="change"``). Breaks are rounded to readable numbers and made strictly rising."""
    data = np.asarray([v for v in values if v is not None and not math.isnan(v)], dtype="float64")
    if kind == "change":
        top = float(np.nanpercentile(np.abs(data), 90)) if len(data) else 1.0
        top = max(top, 1e-9)
        decimals = 0 if top >= 10 else 1
        step = top / 2.5
        breaks = [-1.5 * step, -0.5 * step, 0.5 * step, 1.5 * step, math.inf]
        return Classes(
            tuple(_nice(b, decimals) if math.isfinite(b) else b for b in breaks),
            tuple(DIVERGING),
            units,
            decimals,
        )
    if len(data) == 0:
        return Classes((1, 2, 3, 4, math.inf), tuple(SEQUENTIAL), units)
    whole = bool(np.all(data == np.round(data))) and bool(np.all(data >= 0))
    decimals = 0 if whole or np.nanmax(data) >= 20 else (1 if np.nanmax(data) >= 2 else 2)
    qs = np.nanquantile(data, [0.2, 0.4, 0.6, 0.8])
    breaks: list[float] = []
    for q in qs:
        b = _nice(float(q), decimals)
        if breaks and b <= breaks[-1]:
            b = breaks[-1] + 10**-decimals
        breaks.append(b)
    breaks.append(math.inf)
    return Classes(tuple(breaks), tuple(SEQUENTIAL), units, decimals, integer=whole)
