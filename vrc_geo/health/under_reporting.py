"""Possible under-reporting: admissions far above what a ward's police violence predicts (a funnel plot).

Model: a negative binomial (NB2) regression of each ward's admissions with log(residents) as offset,

    log E[admissions_i] = log(residents_i) + b0 + b1 * log(police violence rate_i + 0.1)
    Var[admissions_i]   = E_i + alpha * E_i**2

(rate per 1,000 residents; 0.1 keeps wards with no police violence in the model), every parameter —
alpha included — fitted by maximum likelihood (statsmodels' ``NegativeBinomial``, ``nb2``). Wards differ
for reasons the model does not see (real wards do), and alpha measures how much; with alpha near 0 the
model is the Poisson GLM. The expected admissions ``E_i`` are the benchmark of a funnel plot
(Spiegelhalter 2005), and its 99.8 % control limits are two-sided (0.1 % in each tail), computed exactly
from the fitted model: the negative binomial with mean ``E_i`` and that variance (Poisson when alpha is
under 1e-4). A ward is flagged when its admissions lie above its upper limit (P(Y >= y) < 0.001). The
coefficients' standard errors are the NB2 fit's.

Why not the winsorised dispersion of the earlier version: it averaged 0.68 with no over-dispersion at all,
so its test rarely fired, and in simulated null worlds with gamma heterogeneity of variance 0.25 it
flagged 1.3-2.3 wards a year where 0.3 were expected; the NB2 fit flags far fewer and still finds strongly
under-reported wards (``tests/test_health_analysis.py`` runs that simulation). Method page:
docs/methods/under-reporting.md.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from ..errors import ParameterError

__all__ = ["TAIL", "UnderreportingModel", "fit_underreporting"]

TAIL = 0.001  # each side of the 99.8 % limits
RATE_FLOOR = 0.1  # per 1,000 residents, added before the log
ALPHA_FLOOR = 1e-4  # below this the fitted over-dispersion is nil: Poisson limits


@dataclass
class UnderreportingModel:
    """The fitted model and its funnel, one row per ward in ``table``: ``expected, z, p_upper,
    upper_limit, lower_limit, flag`` (NaN where the ward was not in the fit)."""

    table: pd.DataFrame
    intercept: float = np.nan
    slope: float = np.nan
    intercept_se: float = np.nan
    slope_se: float = np.nan
    alpha: float = 0.0  #: NB2 over-dispersion: variance = mean + alpha * mean**2
    overdispersed: bool = False
    wards: int = 0
    converged: bool = False
    notes: list[str] = field(default_factory=list)

    @property
    def dispersion(self) -> float:
        """The NB2 over-dispersion alpha (0: Poisson)."""
        return self.alpha

    def describe(self) -> str:
        """The fit in words (coefficients rounded: they are published)."""
        if not self.converged:
            return "Not made: " + ("; ".join(self.notes) or "too few admissions.") + "."
        spread = (
            f"wards vary more than chance alone (over-dispersion alpha {self.alpha:.2f}: variance = mean + "
            "alpha x mean²), so the limits are those of that negative binomial"
            if self.overdispersed
            else "wards vary no more than chance (alpha near 0): Poisson limits"
        )
        return (
            f"Negative binomial (NB2) model fitted by maximum likelihood, offset log(residents), {self.wards} "
            f"wards: log admissions per resident = {self.intercept:.2f} (s.e. {self.intercept_se:.2f}) + "
            f"{self.slope:.2f} (s.e. {self.slope_se:.2f}) x log(police violence per 1,000 + 0.1); {spread}; "
            "flag above the upper 99.8 % limit (0.1 % in each tail)."
        )


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
    offset = np.log(pop[ok])
    try:
        poisson = sm.GLM(adm[ok], x, family=sm.families.Poisson(), offset=offset).fit()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # convergence chatter near alpha = 0 (the Poisson boundary)
            nb2 = sm.NegativeBinomial(adm[ok], x, offset=offset, loglike_method="nb2").fit(
                start_params=np.r_[poisson.params, 0.1], disp=0, maxiter=500
            )
    except Exception as exc:  # a degenerate design (every ward the same rate): say so, flag nothing
        model.notes.append(f"the model could not be fitted ({type(exc).__name__})")
        return model
    params = np.asarray(nb2.params, dtype="float64")
    alpha = float(params[-1])
    if not (np.isfinite(params).all() and alpha >= 0):
        model.notes.append("the negative binomial fit did not settle")
        return model
    over = alpha >= ALPHA_FLOOR
    if not over:  # at the Poisson boundary the NB2 optimiser stops short: the Poisson fit is the answer
        params, alpha = np.r_[np.asarray(poisson.params, dtype="float64"), 0.0], 0.0
    expected = np.exp(x @ params[:-1] + offset)
    if over:
        size = 1.0 / alpha
        dist = stats.nbinom(size, size / (size + expected))
    else:
        dist = stats.poisson(expected)
    p_upper = dist.sf(adm[ok] - 1)  # P(Y >= y)
    sd = np.sqrt(expected + (alpha * expected**2 if over else 0.0))
    table.loc[ok, "expected"] = expected
    table.loc[ok, "z"] = (adm[ok] - expected) / sd
    table.loc[ok, "p_upper"] = p_upper
    table.loc[ok, "upper_limit"] = dist.isf(TAIL)
    table.loc[ok, "lower_limit"] = dist.ppf(TAIL)
    table.loc[ok, "flag"] = p_upper < TAIL
    se = np.asarray(nb2.bse if over else poisson.bse, dtype="float64")
    model.intercept, model.slope = float(params[0]), float(params[1])
    model.intercept_se, model.slope_se = float(se[0]), float(se[1])
    model.alpha, model.overdispersed = alpha, bool(over)
    model.converged = bool(nb2.mle_retvals.get("converged", True)) if over else bool(poisson.converged)
    return model
