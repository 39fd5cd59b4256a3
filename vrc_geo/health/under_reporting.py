"""Possible under-reporting: admissions far above what a ward's police violence predicts (a funnel plot).

Model: a Poisson generalised linear model of each ward's admissions with log(residents) as offset,

    log E[admissions_i] = log(residents_i) + b0 + b1 * log(police violence rate_i + 0.1)

(rate per 1,000 residents; 0.1 keeps wards with no police violence in the model), fitted by maximum
likelihood (statsmodels' IRLS, which converges whatever the scale of the rates — the earlier
scikit-learn fit on admissions per resident stopped before its first step). The expected admissions
``E_i`` are the benchmark of a funnel plot (Spiegelhalter 2005):

* z-scores ``(y_i - E_i) / sqrt(E_i)`` are winsorised at 10 % (the 10 % highest and lowest set to the
  90th and 10th percentiles) so the outliers the flag is for do not inflate the estimate, and the
  over-dispersion ``phi`` is their mean square;
* ``phi`` is applied only when the data are over-dispersed: n * phi against chi-squared on n - 2 degrees
  of freedom, one-sided p < 0.05;
* the 99.8 % control limits are two-sided (0.1 % in each tail, ±3.09 SD in the normal approximation),
  computed exactly: the Poisson distribution with mean ``E_i``, or, when over-dispersed, the negative
  binomial with mean ``E_i`` and variance ``phi * E_i`` — exact at small expected counts, where a normal
  approximation is not.

A ward is flagged when its admissions lie above its upper limit (P(Y >= y) < 0.001). When over-dispersed,
the coefficients' standard errors are the quasi-Poisson ones (the Poisson fit's times the square root of
the Pearson chi-squared over n - 2, as statsmodels' ``scale="X2"``), so the model's description does not
claim more precision than the data hold.

Caveat, kept as published: winsorising trims the z-scores of every ward, not only outliers, so with no
over-dispersion at all the winsorised phi averages about 0.68 (10 % each side of a normal), and the test
n * phi against chi-squared(n - 2) rarely says "over-dispersed" below a true phi of about 1.5. The funnel
is therefore, if anything, narrow when over-dispersion is mild: more wards flagged, never fewer.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import ParameterError

__all__ = ["TAIL", "UnderreportingModel", "fit_underreporting", "winsorised_dispersion"]

TAIL = 0.001  # each side of the 99.8 % limits
RATE_FLOOR = 0.1  # per 1,000 residents, added before the log


@dataclass
class UnderreportingModel:
    """The fitted model and its funnel, one row per ward in ``table``: ``expected, z, p_upper,
    upper_limit, lower_limit, flag`` (NaN where the ward was not in the fit)."""

    table: pd.DataFrame
    intercept: float = np.nan
    slope: float = np.nan
    intercept_se: float = np.nan
    slope_se: float = np.nan
    dispersion: float = 1.0
    dispersion_p: float = 1.0
    overdispersed: bool = False
    wards: int = 0
    converged: bool = False
    notes: list[str] = field(default_factory=list)

    def describe(self) -> str:
        """The fit in words (coefficients rounded: they are published)."""
        if not self.converged:
            return "Not fitted: " + ("; ".join(self.notes) or "too few admissions.")
        spread = (
            f"over-dispersed (phi {self.dispersion:.2f}, test p {self.dispersion_p:.3f}): limits widened"
            if self.overdispersed
            else f"not over-dispersed (phi {self.dispersion:.2f}, test p {self.dispersion_p:.2f}): exact Poisson limits"
        )
        return (
            f"Poisson GLM, offset log(residents), {self.wards} wards: log admissions per resident = "
            f"{self.intercept:.2f} (s.e. {self.intercept_se:.2f}) + {self.slope:.2f} (s.e. {self.slope_se:.2f}) "
            f"x log(police violence per 1,000 + 0.1); {spread}; flag above the upper 99.8 % limit "
            "(0.1 % in each tail)."
        )


def winsorised_dispersion(z: np.ndarray, *, share: float = 0.1) -> float:
    """Mean square of z-scores winsorised at ``share`` in each tail (Spiegelhalter 2005)."""
    z = np.sort(np.asarray(z, dtype="float64"))
    if len(z) == 0:
        return 1.0
    k = int(np.floor(share * len(z)))  # the k lowest and k highest take the values next to them
    low, high = z[k], z[len(z) - 1 - k]
    return float(np.mean(np.clip(z, low, high) ** 2))


def fit_underreporting(
    admissions: np.ndarray,
    police_rate: np.ndarray,
    population: np.ndarray,
    *,
    min_admissions: int = 30,
) -> UnderreportingModel:
    """Fit the model on wards with known admissions, a police rate and residents; flag the funnel's
    outliers. Fewer than ``min_admissions`` in all: no fit (and nothing flagged)."""
    adm = np.asarray(admissions, dtype="float64")
    rate = np.asarray(police_rate, dtype="float64")
    pop = np.asarray(population, dtype="float64")
    if not (adm.shape == rate.shape == pop.shape):
        raise ParameterError("admissions, police_rate and population must have one value per ward.")
    n = len(adm)
    table = pd.DataFrame(
        {
            "expected": np.nan,
            "z": np.nan,
            "p_upper": np.nan,
            "upper_limit": np.nan,
            "lower_limit": np.nan,
            "flag": False,
        },
        index=range(n),
    )
    ok = np.isfinite(adm) & np.isfinite(rate) & np.isfinite(pop) & (pop > 0) & (rate >= 0)
    model = UnderreportingModel(table, wards=int(ok.sum()))
    if ok.sum() < 10:
        model.notes.append("fewer than 10 wards with admissions, police figures and residents")
        return model
    if adm[ok].sum() < min_admissions:
        model.notes.append(f"fewer than {min_admissions} admissions in all")
        return model
    import statsmodels.api as sm

    x = sm.add_constant(np.log(rate[ok] + RATE_FLOOR), has_constant="add")
    try:
        fit = sm.GLM(adm[ok], x, family=sm.families.Poisson(), offset=np.log(pop[ok])).fit()
    except Exception as exc:  # a degenerate design (every ward the same rate): say so, flag nothing
        model.notes.append(f"the model could not be fitted ({type(exc).__name__})")
        return model
    expected = np.asarray(fit.fittedvalues, dtype="float64")
    z = (adm[ok] - expected) / np.sqrt(expected)
    phi = winsorised_dispersion(z)
    dof = max(int(ok.sum()) - 2, 1)
    phi_p = float(stats.chi2.sf(ok.sum() * phi, dof))
    over = phi > 1 and phi_p < 0.05
    if over:
        # Negative binomial with mean E and variance phi * E: n = E / (phi - 1), p = 1 / phi.
        size = expected / (phi - 1)
        dist = stats.nbinom(size, 1 / phi)
    else:
        dist = stats.poisson(expected)
    p_upper = dist.sf(adm[ok] - 1)  # P(Y >= y)
    table.loc[ok, "expected"] = expected
    table.loc[ok, "z"] = z / np.sqrt(phi if over else 1.0)
    table.loc[ok, "p_upper"] = p_upper
    table.loc[ok, "upper_limit"] = dist.isf(TAIL)
    table.loc[ok, "lower_limit"] = dist.ppf(TAIL)
    table.loc[ok, "flag"] = p_upper < TAIL
    # Quasi-Poisson standard errors when over-dispersed: the Pearson scale (statsmodels' scale="X2"). The
    # winsorised phi is the funnel's (Spiegelhalter 2005) and reads low on purpose: under no
    # over-dispersion its mean is about 0.68, not 1 (see the module docstring).
    params = np.asarray(fit.params)
    se = np.asarray(fit.bse) * np.sqrt(max(float(fit.pearson_chi2) / dof, 1.0) if over else 1.0)
    model.intercept, model.slope = float(params[0]), float(params[1])
    model.intercept_se, model.slope_se = float(se[0]), float(se[1])
    model.dispersion, model.dispersion_p, model.overdispersed = phi, phi_p, bool(over)
    model.converged = bool(getattr(fit, "converged", True))
    return model
