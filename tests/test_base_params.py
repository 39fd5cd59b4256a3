"""Option checks: wrong types raise TypeError, bad values ParameterError (a ValueError)."""

import math

import pytest

from vrc_geo.base.params import Param, check_choice, check_month, check_number, check_period, validate_params
from vrc_geo.errors import ParameterError


def test_months_and_periods():
    assert check_month(" 2022-06 ") == "2022-06"
    assert check_period("2022-01", "2022-03") == ("2022-01", "2022-03")
    assert check_period(None, "2022-03") == (None, "2022-03")
    for bad in ["2022-13", "22-01", "2022/01", ""]:
        with pytest.raises(ParameterError, match="YYYY-MM"):
            check_month(bad)
    with pytest.raises(TypeError):
        check_month(202201)
    with pytest.raises(ParameterError, match="after it ends"):
        check_period("2022-05", "2022-01")


def test_numbers():
    assert check_number(5, "k", low=1, integer=True) == 5
    assert check_number(5.0, "k", integer=True) == 5
    assert check_number(0.5, "alpha", low=0, high=1, low_inclusive=False) == 0.5
    with pytest.raises(ParameterError, match=r"alpha must be in \(0, 1\]"):
        check_number(0, "alpha", low=0, high=1, low_inclusive=False)
    with pytest.raises(TypeError):
        check_number("5", "k")
    with pytest.raises(TypeError):
        check_number(True, "k")
    with pytest.raises(TypeError):
        check_number(2.5, "k", integer=True)
    with pytest.raises(ParameterError, match="finite"):
        check_number(math.inf, "k")


def test_choices_and_tables():
    assert check_choice("fdr", "correction", ("fdr", "none")) == "fdr"
    with pytest.raises(ParameterError, match="'fdr', 'none'"):
        check_choice("bonferroni", "correction", ("fdr", "none"))
    table = {
        "k": Param(low=1, integer=True),
        "mode": Param(choices=("a", "b")),
        "seed": Param(optional=True, integer=True),
    }
    assert validate_params({"k": 3, "mode": "a", "seed": None}, table) == {"k": 3, "mode": "a", "seed": None}
    with pytest.raises(ParameterError):
        validate_params({"k": 0, "mode": "a", "seed": None}, table)
