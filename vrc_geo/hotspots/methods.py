"""Ranking methods, registered once: how each snap point's expected records a month are estimated.

A method is an :class:`~vrc_geo.base.params.Estimator` with ``fit(x, y, period, *, n_periods,
weight=None, context=None)`` that sets ``places_`` (one row per snap point, sorted by x then y: ``x, y,
records, expected_per_month``). Patrol circles are then placed where they cover the most of what it
expects (:mod:`.places`). The CLI's ``--method`` choices, the app's method list and ``docs/methods/``
read :data:`METHODS`; adding a method is one module and one :func:`register_method` call
(``docs/contributing.md``).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

from ..base.params import Estimator
from ..errors import ParameterError

__all__ = ["METHODS", "RankingMethod", "make_method", "method_keys", "register_method"]


@dataclass(frozen=True)
class RankingMethod:
    """One way to estimate expected records at snap points."""

    key: str  #: the ``--method`` value
    label: str  #: plain words, for the app's list
    estimator: str  #: ``"module:Class"`` of its estimator (imported when used)
    summary: str  #: one sentence: what it does
    docs: str  #: its page under docs/methods/


METHODS: dict[str, RankingMethod] = {}


def register_method(method: RankingMethod) -> RankingMethod:
    """Add (or replace) a ranking method; returns it."""
    METHODS[method.key] = method
    return method


def method_keys() -> tuple[str, ...]:
    """The registered methods' keys, in registration order (the default first)."""
    return tuple(METHODS)


def make_method(key: str, **options: Any) -> Estimator:
    """An estimator of the method ``key`` with the options it declares (others are ignored)."""
    if key not in METHODS:
        raise ParameterError(f"method must be one of {', '.join(repr(k) for k in METHODS)}; got {key!r}.")
    module, _, name = METHODS[key].estimator.partition(":")
    cls = getattr(importlib.import_module(module), name)
    return cls(**{k: v for k, v in options.items() if k in cls.params})


register_method(
    RankingMethod(
        key="expected",
        label="Expected records",
        estimator="vrc_geo.hotspots.stats.micro_places:MicroPlaceRates",
        summary="Each snap point's own records, recent months weighing more, pulled towards its neighbourhood "
        "(empirical Bayes).",
        docs="docs/methods/micro-places.md",
    )
)
register_method(
    RankingMethod(
        key="learned",
        label="Learned forecast",
        estimator="vrc_geo.hotspots.stats.learned_rates:LearnedRates",
        summary="A Poisson gradient-boosting model trained on the data's own earlier months (rolling origins).",
        docs="docs/methods/learned-forecast.md",
    )
)
