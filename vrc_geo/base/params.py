"""Options, declared once: checks for option values, ``Param`` tables and the estimator base class.

Each check returns the cleaned value or raises: ``TypeError`` for a wrong type, :class:`ParameterError`
(a ``ValueError``) naming the allowed values or range for a bad value. A method declares its options in a
table of :class:`Param` (default, allowed range or choices, help text, command-line flag); the
estimator (:class:`Estimator`), the CLI (:func:`add_param_options`), the app and the docs pages all read
that one table, as scikit-learn's ``_parameter_constraints`` are read by its estimators and checks.
"""

from __future__ import annotations

import argparse
import inspect
import math
import numbers
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar

from ..errors import ParameterError

__all__ = [
    "FIRST_POLICE_MONTH",
    "Estimator",
    "Param",
    "add_param_options",
    "check_choice",
    "check_month",
    "check_number",
    "check_period",
    "current_month",
    "defaults_of",
    "validate_params",
]

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
#: The first month police.uk published (December 2010); no record can be older.
FIRST_POLICE_MONTH = "2010-12"


def current_month() -> str:
    """This month, ``YYYY-MM`` (no record can be newer)."""
    return date.today().strftime("%Y-%m")


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
    """One option: its constraint (a numeric range or a set of choices), default, help text and, when
    the CLI offers it, its flag (``--min-rate``)."""

    low: float | None = None
    high: float | None = None
    integer: bool = False
    choices: tuple[object, ...] | None = None
    low_inclusive: bool = True
    optional: bool = False
    default: Any = None
    help: str = ""
    flag: str | None = None
    #: choices read from a registry when asked (a method registered later is allowed too)
    choices_of: Callable[[], tuple[object, ...]] | None = None

    def allowed_choices(self) -> tuple[object, ...] | None:
        """The allowed values, when the option is a choice."""
        if self.choices is not None:
            return self.choices
        return tuple(self.choices_of()) if self.choices_of is not None else None

    def allowed(self) -> str:
        """The allowed values in words (for help text and docs)."""
        choices = self.allowed_choices()
        if choices is not None:
            text = "one of " + ", ".join(repr(c) for c in choices)
        elif self.low is None and self.high is None:
            text = "any whole number" if self.integer else "any number"
        else:
            left = "[" if self.low_inclusive else "("
            low = "-inf" if self.low is None else _number(self.low)
            high = "inf" if self.high is None else _number(self.high)
            text = f"{left}{low}, {high}]" + (", whole numbers" if self.integer else "")
        return text + (", or None" if self.optional else "")


def _number(value: float) -> str:
    """A bound as a person writes it: 1,000,000 rather than 1e+06."""
    return f"{int(value):,}" if float(value).is_integer() else f"{value:g}"


def validate_params(values: Mapping[str, object], table: Mapping[str, Param]) -> dict[str, Any]:
    """Check every option against its declared constraint; returns the cleaned values."""
    out: dict[str, Any] = {}
    for name, rule in table.items():
        value = values[name]
        if value is None and rule.optional:
            out[name] = None
        elif (choices := rule.allowed_choices()) is not None:
            out[name] = check_choice(value, name, choices)
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


def defaults_of(table: Mapping[str, Param]) -> dict[str, Any]:
    """``{name: default}`` of a table of options."""
    return {name: rule.default for name, rule in table.items()}


class Estimator:
    """Base of every method with options: stores them, validates them, lists them.

    A subclass declares ``params`` (a table of :class:`Param`); ``Estimator(**options)`` takes those
    options by keyword only (unknown ones are a :class:`ParameterError` naming the known ones), fills the
    defaults and keeps each as an attribute; ``fit`` calls :meth:`_validate` first, so a bad value is
    reported with its allowed range whichever way it was set. ``tests/test_estimators.py`` runs the same
    checks over every subclass (bad values, row order, seeds).
    """

    params: ClassVar[Mapping[str, Param]] = {}

    def __init__(self, **options: Any) -> None:
        unknown = set(options) - set(self.params)
        if unknown:
            raise ParameterError(
                f"{type(self).__name__} has no option(s) {sorted(unknown)}; its options are {sorted(self.params)}."
            )
        for name, rule in self.params.items():
            setattr(self, name, options.get(name, rule.default))

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
            [inspect.Parameter(n, inspect.Parameter.KEYWORD_ONLY, default=p.default) for n, p in cls.params.items()]
        )

    def get_params(self) -> dict[str, Any]:
        """The options as set (not yet validated)."""
        return {name: getattr(self, name) for name in self.params}

    def set_params(self, **options: Any) -> Estimator:
        """Change options (unknown names are refused); returns the estimator."""
        unknown = set(options) - set(self.params)
        if unknown:
            raise ParameterError(f"{type(self).__name__} has no option(s) {sorted(unknown)}.")
        for name, value in options.items():
            setattr(self, name, value)
        return self

    def _validate(self) -> dict[str, Any]:
        """The options checked against ``params`` (cleaned values)."""
        return validate_params(self.get_params(), self.params)

    def __repr__(self) -> str:
        changed = {n: v for n, v in self.get_params().items() if v != self.params[n].default}
        return f"{type(self).__name__}({', '.join(f'{n}={v!r}' for n, v in changed.items())})"


def add_param_options(parser: argparse._ActionsContainer, table: Mapping[str, Param]) -> None:
    """One command-line option per :class:`Param` with a ``flag``: its type, default and help from the
    table (the default and allowed range are appended to the help)."""
    for name, rule in table.items():
        if not rule.flag:
            continue
        default = rule.default
        choices = rule.allowed_choices()
        if choices is not None and set(choices) == {True, False}:
            action = "store_false" if default else "store_true"  # a flag turns the default over
            text = f"do not {rule.help}" if default else rule.help
            parser.add_argument(rule.flag, dest=name, action=action, default=default, help=text)
        elif choices is not None:
            parser.add_argument(
                rule.flag, dest=name, choices=list(choices), default=default, help=f"{rule.help} ({default})"
            )
        else:
            kind = int if rule.integer else float
            metavar = "M" if rule.flag.endswith("-m") else "MONTHS" if rule.flag.endswith("-months") else "N"
            more = f" (default {_number(default)}; {rule.allowed()})"
            parser.add_argument(
                rule.flag, dest=name, type=kind, default=default, metavar=metavar, help=rule.help + more
            )
