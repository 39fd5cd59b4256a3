"""Did the violence move next door? The Weighted Displacement Quotient and the Weighted Displacement
Difference test.

**WDQ** (Bowers & Johnson 2003), with A the target, B the buffer and C the control, each a count (or a
rate a month) before and after the start::

    WDQ = (B_after / C_after - B_before / C_before) / (A_after / C_after - A_before / C_before)

Read only when the target improved relative to the control (the denominator below 0): above 0, the
buffer improved too (a diffusion of benefits); below 0, crime moved into it (displacement); below -1,
more moved than the target gained.

**WDD** (Wheeler & Ratcliffe 2018), for equal periods before and after, with T the target, D the
displacement area and C, CD their controls::

    WDD = (T_after - T_before) - (C_after - C_before) + (D_after - D_before) - (CD_after - CD_before)

with the Poisson variance of the eight counts (or the variances given, for controls scaled to a
target's baseline) and a two-sided normal test. Below 0: fewer crimes overall than the controls'
change would give, buffer included. Method page: docs/methods/evaluation.md.
"""

from __future__ import annotations

import math
from typing import NamedTuple

__all__ = ["WDD", "wdd", "wdq"]


def wdq(a0: float, a1: float, b0: float, b1: float, c0: float, c1: float) -> float:
    """The Weighted Displacement Quotient (``nan`` where it cannot be read: no control records, or a
    target that did not improve against the control)."""
    if c0 <= 0 or c1 <= 0:
        return math.nan
    success = a1 / c1 - a0 / c0
    if success >= 0:
        return math.nan
    return (b1 / c1 - b0 / c0) / success


class WDD(NamedTuple):
    """The difference, its standard error, z and two-sided p."""

    wdd: float
    se: float
    z: float
    p: float


def wdd(
    t0: float,
    t1: float,
    c0: float,
    c1: float,
    d0: float,
    d1: float,
    cd0: float,
    cd1: float,
    *,
    var_c: float | None = None,
    var_cd: float | None = None,
    dispersion: float = 1.0,
) -> WDD:
    """The Weighted Displacement Difference and its test. ``var_c``/``var_cd``: the variance of the
    controls' change when they are not raw counts (default: Poisson, ``c0 + c1``); ``dispersion``: a
    factor on the whole variance for over-dispersed counts (1: Wheeler & Ratcliffe's Poisson test)."""
    value = (t1 - t0) - (c1 - c0) + (d1 - d0) - (cd1 - cd0)
    var = t0 + t1 + d0 + d1 + (c0 + c1 if var_c is None else var_c) + (cd0 + cd1 if var_cd is None else var_cd)
    var *= dispersion
    se = math.sqrt(var) if var > 0 else math.nan
    z = value / se if se and se > 0 else math.nan
    p = math.erfc(abs(z) / math.sqrt(2)) if math.isfinite(z) else math.nan
    return WDD(value, se, z, p)
