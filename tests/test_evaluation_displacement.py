"""WDQ and WDD against hand computations on a small example."""

from __future__ import annotations

import math

import pytest

from vrc_geo.evaluation.displacement import wdd, wdq


def test_wdq_by_hand():
    # Target 100 -> 60, buffer 50 -> 55, control 1000 -> 1000 (Bowers & Johnson's layout).
    # success = 60/1000 - 100/1000 = -0.04; buffer = 55/1000 - 50/1000 = 0.005; WDQ = 0.005 / -0.04 = -0.125
    assert wdq(100, 60, 50, 55, 1000, 1000) == pytest.approx(-0.125)
    # The buffer fell too: a spread of benefits.
    assert wdq(100, 60, 50, 40, 1000, 1000) == pytest.approx(0.25)
    # A target that did not improve against the control: no quotient.
    assert math.isnan(wdq(100, 110, 50, 40, 1000, 1000))
    assert math.isnan(wdq(100, 60, 50, 40, 0, 1000))


def test_wdd_by_hand():
    # Wheeler & Ratcliffe's test: T 100 -> 60, C 90 -> 85, D 50 -> 55, CD 45 -> 46.
    # WDD = (60 - 100) - (85 - 90) + (55 - 50) - (46 - 45) = -40 + 5 + 5 - 1 = -31
    # var = 100 + 60 + 90 + 85 + 50 + 55 + 45 + 46 = 531; z = -31 / sqrt(531)
    got = wdd(100, 60, 90, 85, 50, 55, 45, 46)
    assert got.wdd == -31
    assert got.se == pytest.approx(math.sqrt(531))
    assert got.z == pytest.approx(-31 / math.sqrt(531))
    assert got.p == pytest.approx(math.erfc(31 / math.sqrt(531) / math.sqrt(2)))
    # Given variances for scaled controls, and over-dispersion, widen the test.
    wide = wdd(100, 60, 90, 85, 50, 55, 45, 46, var_c=300.0, var_cd=100.0, dispersion=2.0)
    assert wide.se == pytest.approx(math.sqrt(2 * (100 + 60 + 50 + 55 + 300 + 100)))
