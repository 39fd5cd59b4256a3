"""Area statistics for the hotspot list: Gi* and emerging classes of every ward, on the whole study area.

Gi* compares a ward's neighbourhood with the whole study area, so the study area must not change with
the districts a user looks at: a selection of two districts that do not touch would otherwise be
stitched together with links of 35-60 km. The statistics are computed once for every ward of the
boundary set (queen contiguity of the whole area, islands joined to their nearest ward), FDR-adjusted
over all of them, and the selection only filters the result. A ward's class therefore does not depend
on which districts are shown beside it — and the statistics of a period are computed once, whichever
districts are then shown (:func:`period_ward_statistics`; on a shared server, a district change then
costs no Gi*).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..base.kept import KeptResults
from ..errors import ParameterError
from .stats.emerging import hotspot_classify
from .stats.gistar import hotspot_gistar
from .stats.spatial_weights import contiguity_weights

if TYPE_CHECKING:
    import geopandas as gpd

    from ..dataset.store import PoliceDataset

__all__ = ["period_ward_statistics", "ward_statistics", "whole_area_weights"]

_WEIGHTS: KeptResults[Any] = KeptResults(4)
_PERIODS: KeptResults[pd.DataFrame] = KeptResults(16)


def whole_area_weights(dataset: PoliceDataset) -> Any:
    """Contiguity weights of every ward of the dataset's boundary set (built once per boundary set)."""
    return _WEIGHTS.get(dataset.wards.key, lambda: contiguity_weights(dataset.wards.wards.reset_index(drop=True)))


def ward_statistics(
    violent: pd.DataFrame,
    dataset: PoliceDataset,
    *,
    months: list[str],
    measure: str,
    weight: np.ndarray | None,
    permutations: int,
    seed: int | None,
) -> pd.DataFrame:
    """Gi* and emerging class of every ward from the period's violence-group records of **all**
    districts (``violent``: ``ward_code, month``; ``weight``: harm per record for ``measure="harm"``).

    One row per ward of the boundary set: ``code, value, gi_z, p_norm, p_sim, p_value, q_value, gi_bin,
    hotspot_class, exact, trend_class, hot_periods, cold_periods, trend_z, trend_p, violence_records,
    ward_name, district_code``.
    """
    wards: gpd.GeoDataFrame = dataset.wards.wards.reset_index(drop=True)
    codes = wards["code"].astype(str)
    w = whole_area_weights(dataset)
    ward_code = violent["ward_code"].astype(str)
    counts = ward_code.value_counts()
    if measure == "harm":
        if weight is None:
            raise ParameterError("measure='harm' needs a harm weight per record.")
        values = pd.Series(weight, index=violent.index).groupby(ward_code.to_numpy()).sum().reindex(codes).fillna(0)
    else:
        values = counts.reindex(codes).fillna(0)
    if measure == "rate":
        pop = dataset.wards.population.set_index("ward_code")["population"].reindex(codes)
        if pop.isna().any() or (pop <= 0).any():
            raise ParameterError("Rates need a population for every ward; use measure='count'.")
        values = 1000 * values / pop.astype("float64").to_numpy()
    gi = hotspot_gistar(
        pd.Series(values.to_numpy(), index=codes),
        wards,
        permutations=permutations,
        seed=seed,
        w=w,
        exact_when_in_doubt=True,
    )
    monthly_values = pd.Series(weight if measure == "harm" else 1.0, index=violent.index, dtype="float64")
    monthly = (
        pd.DataFrame({"code": ward_code.to_numpy(), "period": violent["month"].astype(str).to_numpy()})
        .assign(count=monthly_values.to_numpy())
        .groupby(["code", "period"], observed=True)["count"]
        .sum()
        .reset_index()
    )
    if len(months) >= 2:
        trend = hotspot_classify(monthly, wards, w, periods=months)
    else:  # one month: no trend to speak of
        trend = pd.DataFrame(
            {
                "code": gi["code"],
                "trend_class": "one period only",
                "hot_periods": 0,
                "cold_periods": 0,
                "trend_z": np.nan,
                "trend_p": np.nan,
            }
        )
    out = gi.merge(trend, on="code")
    out["violence_records"] = counts.reindex(out["code"]).fillna(0).astype(int).to_numpy()
    out["ward_name"] = wards["name"].astype(str).to_numpy()
    out["district_code"] = wards["district_code"].astype(str).to_numpy()
    return out


def period_ward_statistics(
    dataset: PoliceDataset,
    *,
    months: list[str],
    measure: str,
    permutations: int,
    seed: int | None,
    build: Callable[[], pd.DataFrame],
) -> pd.DataFrame:
    """:func:`ward_statistics` of a period (``build`` computes it), kept for the dataset version and the
    options (the 16 latest): every ward of the whole area, so any choice of districts reads the same
    table. A seed of ``None`` (a new draw every time) is never kept."""
    if seed is None:
        return build()
    return _PERIODS.get((dataset.key, tuple(months), measure, permutations, seed), build).copy()
