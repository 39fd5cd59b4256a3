"""Options of the patrol places (:func:`.places.find_places`), declared once: read by the function, the
CLI (``flag``), the app and the method pages (docs/methods/patrol-circles.md and others)."""

from __future__ import annotations

from typing import Any

from ..base.params import Param, defaults_of
from .methods import method_keys

__all__ = ["PLACE_DEFAULTS", "PLACE_PARAMS"]

#: Options of the patrol places, declared once: read by :func:`find_places`, the CLI (``flag``), the app
#: and ``docs/methods/`` (defaults and ranges).
PLACE_PARAMS: dict[str, Param] = {
    "method": Param(
        choices_of=method_keys,
        default="expected",
        help="how each snap point's expected records a month are estimated (docs/methods/)",
        flag="--method",
    ),
    "min_rate_per_month": Param(
        low=0,
        high=10000,
        low_inclusive=False,
        default=1.0,
        help="expected records a month for a patrol circle to be listed",
        flag="--min-rate",
    ),
    "resnap_m": Param(low=0, high=2000, default=150.0, help="earlier records move to a current snap point this near"),
    "footprint_radius_m": Param(
        low=1, high=500, default=40.0, help="patrol circle radius in metres", flag="--footprint-radius-m"
    ),
    "margin_m": Param(low=0.5, high=100, default=2.0, help="covered points lie this far inside the drawn circle"),
    "max_span_m": Param(low=10, high=10000, default=250.0, help="widest span of one site's footprint"),
    "half_life_months": Param(
        low=0.25,
        high=1200,
        optional=True,
        default=2.0,
        help="recency half-life in months",
        flag="--half-life-months",
    ),
    "prior_radius_m": Param(low=1, high=5000, default=250.0, help="neighbourhood of the local prior, metres"),
    "prior_strength_months": Param(
        low=0, high=1200, optional=True, default=None, help="prior strength in months (None: estimated)"
    ),
    "window_m": Param(low=10, high=2000, default=150.0, help="quiet-area test window radius, metres"),
    "background_m": Param(low=50, high=20000, default=1500.0, help="outer radius of the comparison ring, metres"),
    "min_window_records_per_month": Param(low=0, high=10000, default=4.0, help="least window records a month"),
    "min_relative_risk": Param(low=1, high=1e6, default=8.0, help="least window rate over the ring's"),
    "local_alpha": Param(low=0, high=1, low_inclusive=False, default=0.05, help="FDR level of the local test"),
    "site_radius_m": Param(low=0, high=2000, default=100.0, help="a point this near a named site belongs to it"),
    "succession_m": Param(low=0, high=5000, default=500.0, help="how far a site's records may move at a redraw"),
    "include_sites": Param(
        choices=(True, False),
        default=False,
        help="rank police stations, prisons, hospitals, ports with the rest",
        flag="--include-sites",
    ),
    "public_registers": Param(
        choices=(True, False),
        default=True,
        help="let the hospitals and prisons of the public registers claim the snap points their records go to",
        flag="--no-public-registers",
    ),
    "calibrate": Param(
        choices=(True, False),
        default=True,
        help="state expected records calibrated on earlier months (the order of places does not change)",
    ),
}
PLACE_DEFAULTS: dict[str, Any] = defaults_of(PLACE_PARAMS)
