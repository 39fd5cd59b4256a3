"""How numbers are written for people: known answers for decimals and for shares of a whole."""

from __future__ import annotations

import pandas as pd

from vrc_geo.base.decimals import decimals_for, percent_text


def test_decimals_for_known_columns():
    assert decimals_for(pd.Series([16353.0, 200.0])) == 0
    assert decimals_for(pd.Series([447.9559, 120.5])) == 0
    assert decimals_for(pd.Series([-6.6, 3.25])) == 1
    assert decimals_for(pd.Series([0.05, 0.02])) == 2
    assert decimals_for(pd.Series([0.00003, 0.0002])) == 5


def test_percent_text_keeps_small_shares_readable_and_the_same_everywhere():
    assert percent_text(0.123) == "12.3%"
    assert percent_text(0.0025) == "0.25%"  # not 0.2% on one surface and 0.25% on another
    assert percent_text(0.00024) == "0.024%"
    assert percent_text(0.0) == "0%"
    assert percent_text(float("nan")) == ""
