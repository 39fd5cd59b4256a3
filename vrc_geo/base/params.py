"""Checks for option values, shared by every public function, the CLI and the app.

Each check returns the cleaned value or raises: ``TypeError`` for a wrong type, :class:`ParameterError`
(a ``ValueError``) naming the allowed values or range for a bad value. Functions with several options
declare them in a table of :class:`Param` and call :func:`validate_params` first (as scikit-learn does).
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import ParameterError

__all__ = [
    "Param",
    "check_choice",
    "check_month",
    "check_number",
    "check_period",
    "validate_params",
]

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


def check_month(value: object, name: str = "month") -> str:
    """A ``YYYY-MM`` month string."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a 'YYYY-MM' string, not {type(value).__name__}")
    text = value.strip()
    if not _MONTH.match(text):
        raise ParameterError(f"{name} must be a month written YYYY-MM (e.g. 2022-06), got {value!r}.")
    return text


def check_period(start: str | None, end: str | None) -> tuple[str | None, str | None]:
    """An inclusive month range; either end may be open (``None``)."""
    start = check_month(start, "from") if start is not None else None
    end = check_month(end, "to") if end is not None else None
    if start and end and start > end:
        raise ParameterError(f"The period starts ({start}) after it ends ({end}).")
    return start, end


def check_number(
    value: object,
    name: str,
    *,
    low: float | None = None,
    high: float | None = None,
    integer: bool = False,
    low_inclusive: bool = True,
    high_inclusive: bool = True,
) -> Any:
    """A real number (or an integer) inside a range."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        kind = "an integer" if integer else "a number"
        raise TypeError(f"{name} must be {kind}, not {type(value).__name__}")
    if integer and not isinstance(value, numbers.Integral):
        if float(value).is_integer():
            value = int(value)
        else:
            raise TypeError(f"{name} must be an integer, got {value!r}")
    if isinstance(value, float) and not math.isfinite(value):
        raise ParameterError(f"{name} must be finite, got {value!r}.")
    too_low = low is not None and (value < low if low_inclusive else value <= low)
    too_high = high is not None and (value > high if high_inclusive else value >= high)
    if too_low or too_high:
        left = "[" if low_inclusive else "("
        right = "]" if high_inclusive else ")"
        bounds = f"{left}{'-inf' if low is None else low}, {'inf' if high is None else high}{right}"
        raise ParameterError(f"{name} must be in {bounds}, got {value!r}.")
    return value


def check_choice(value: object, name: str, allowed: Collection[object]) -> Any:
    """One of a fixed set of values."""
    if value not in allowed:
        listed = ", ".join(repr(a) for a in allowed)
        raise ParameterError(f"{name} must be one of {listed}; got {value!r}.")
    return value


@dataclass(frozen=True)
class Param:
    """Declared constraint for one option: a numeric range or a set of choices."""

    low: float | None = None
    high: float | None = None
    integer: bool = False
    choices: tuple[object, ...] | None = None
    low_inclusive: bool = True
    optional: bool = False


def validate_params(values: Mapping[str, object], table: Mapping[str, Param]) -> dict[str, Any]:
    """Check every option against its declared constraint; returns the cleaned values."""
    out: dict[str, Any] = {}
    for name, rule in table.items():
        value = values[name]
        if value is None and rule.optional:
            out[name] = None
        elif rule.choices is not None:
            out[name] = check_choice(value, name, rule.choices)
        else:
            out[name] = check_number(
                value,
                name,
                low=rule.low,
                high=rule.high,
                integer=rule.integer,
                low_inclusive=rule.low_inclusive,
            )
    return out
