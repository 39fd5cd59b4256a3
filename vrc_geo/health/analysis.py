"""Police violence and health figures side by side, by ward, with the under-reporting flag.

For one period and set of districts:

* ``police_violence``: police.uk "Violence and sexual offences" in the ward (the group is an option);
* ``admissions``: health records (incidents) or counts placed in the ward (see :mod:`.placement`);
  figures held at district level are not spread: they appear in the district totals only;
* rates per 1,000 residents over the period (ward populations as documented in the README);
* ``bivariate_class``: each rate against its Kent & Medway rate (above = "high");
* ``underreporting_flag``: the ward's admissions are above the upper 99.8 % control limit of what its
  police violence rate and residents predict. Expected admissions come from a Poisson regression of the
  admissions rate on log(police violence rate) weighted by residents (scikit-learn, no penalty) — the
  funnel-plot logic with the police picture as the benchmark. Limits are exact Poisson when the data are
  not overdispersed; otherwise the Pearson dispersion widens them (z > 2.878 on sqrt(dispersion x
  expected), Spiegelhalter 2005).

Raw counts live in :class:`HealthView`; only :meth:`HealthView.published` (suppressed) leaves the
package through exports, the app and briefings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from scipy import stats

from ..aggregate import Selection, select_records
from ..districts import DISTRICTS, district_name
from ..errors import ParameterError
from ..reconcile import RowAccount
from ..taxonomy import resolve_crime_types
from .disclosure import SUPPRESSED, protect_counts

if TYPE_CHECKING:
    from ..store import PoliceDataset

__all__ = ["HEALTH_COLUMNS", "HealthView", "analyse_health", "underreporting"]

HEALTH_COLUMNS = [
    "ward_code",
    "ward_name",
    "district_name",
    "period",
    "population",
    "police_violence",
    "police_rate_per_1000",
    "admissions",
    "admissions_rate_per_1000",
    "expected_admissions",
    "bivariate_class",
    "underreporting_flag",
    "data_source",
]


def underreporting(admissions: np.ndarray, police_rate: np.ndarray, population: np.ndarray) -> pd.DataFrame:
    """Expected admissions, z-score and flag per area (see module docstring). NaN rows are skipped."""
    from sklearn.linear_model import PoissonRegressor

    adm = np.asarray(admissions, dtype="float64")
    pol = np.asarray(police_rate, dtype="float64")
    pop = np.asarray(population, dtype="float64")
    ok = np.isfinite(adm) & np.isfinite(pol) & (pop > 0)
    out = pd.DataFrame({"expected": np.nan, "z": np.nan, "p": np.nan, "flag": False}, index=range(len(adm)))
    if ok.sum() < 3 or adm[ok].sum() == 0:
        return out
    x = np.log(pol[ok] + 0.1).reshape(-1, 1)
    model = PoissonRegressor(alpha=0.0, max_iter=1000).fit(x, adm[ok] / pop[ok], sample_weight=pop[ok])
    expected = model.predict(x) * pop[ok]
    dispersion = max(1.0, float(np.sum((adm[ok] - expected) ** 2 / expected) / max(ok.sum() - 2, 1)))
    z = (adm[ok] - expected) / np.sqrt(dispersion * expected)
    p = stats.poisson.sf(adm[ok] - 1, expected) if dispersion == 1.0 else stats.norm.sf(z)
    out.loc[ok, "expected"], out.loc[ok, "z"], out.loc[ok, "p"] = expected, z, p
    out.loc[ok, "flag"] = p < 0.002
    out.attrs["dispersion"] = dispersion
    return out


@dataclass
class HealthView:
    """Ward and district figures for one period (raw; publish through :meth:`published`)."""

    wards: pd.DataFrame
    districts: pd.DataFrame
    period: str
    data_source: str
    synthetic: bool
    account: RowAccount
    max_small: int = 7
    notes: list[str] = field(default_factory=list)
    dispersion: float = 1.0
    unknown: set = field(default_factory=set)  # cells whose value is not known (suppressed at source)
    _hidden: set | None = field(default=None, repr=False)

    def _suppressed(self) -> set:
        """What to hide (computed once: the view is not changed after it is built)."""
        if self._hidden is None:
            self._hidden = self._audit()
        return self._hidden

    def _audit(self) -> set:
        values: dict[object, int] = {}
        constraints = []
        for code, group in self.wards.groupby("district_code"):
            parts = []
            for row in group.itertuples():
                values[("ward", row.ward_code)] = int(row.admissions)
                parts.append(("ward", row.ward_code))
            held = self.districts.set_index("district_code").loc[code]
            values[("held", code)] = int(held["held_at_district"])
            values[("district", code)] = int(held["admissions"])
            constraints.append((("district", code), [*parts, ("held", code)]))
        values[("total", "")] = int(self.districts["admissions"].sum())
        constraints.append((("total", ""), [("district", c) for c in self.districts["district_code"]]))
        return protect_counts(values, constraints, max_small=self.max_small, unknown=self.unknown)

    def published(self) -> pd.DataFrame:
        """Ward table in :data:`HEALTH_COLUMNS` order with disclosure control applied."""
        hidden = self._suppressed()
        table = self.wards.copy()
        mask = np.array([("ward", c) in hidden for c in table["ward_code"]], dtype=bool)
        for col in (
            "admissions",
            "admissions_rate_per_1000",
            "expected_admissions",
            "bivariate_class",
            "underreporting_flag",
        ):
            table[col] = table[col].astype(object)
            table.loc[mask, col] = SUPPRESSED
        return table[HEALTH_COLUMNS].reset_index(drop=True)

    def published_totals(self) -> pd.DataFrame:
        """District and Kent & Medway totals (``area, police_violence, admissions,
        held_at_district, data_source``), suppressed consistently with the ward table."""
        hidden = self._suppressed()
        rows = []
        for row in self.districts.itertuples():
            rows.append(
                {
                    "area": district_name(row.district_code),
                    "police_violence": int(row.police_violence),
                    "admissions": SUPPRESSED if ("district", row.district_code) in hidden else int(row.admissions),
                    "held_at_district": SUPPRESSED
                    if ("held", row.district_code) in hidden
                    else int(row.held_at_district),
                }
            )
        total = int(self.districts["admissions"].sum())
        rows.append(
            {
                "area": "Kent & Medway" if len(self.districts) == len(DISTRICTS) else "Selected districts",
                "police_violence": int(self.districts["police_violence"].sum()),
                "admissions": SUPPRESSED if ("total", "") in hidden else total,
                "held_at_district": "",
            }
        )
        frame = pd.DataFrame(rows)
        frame["data_source"] = self.data_source
        return frame


def analyse_health(
    placed: pd.DataFrame,
    dataset: PoliceDataset,
    selection: Selection,
    *,
    shape: str,
    account: RowAccount,
    data_source: str,
    synthetic: bool,
    police_types: str | list[str] = "violence",
    max_small: int = 7,
) -> HealthView:
    """Join placed health figures to police violence by ward for a selection (period, districts)."""
    if max_small < 0:
        raise ParameterError(f"The suppression threshold must be >= 0, got {max_small}.")
    months = dataset.months
    start, end = selection.start or months[0], selection.end or months[-1]
    notes: list[str] = []
    wards = dataset.wards.with_population()
    if selection.districts is not None:
        wards = wards[wards["district_code"].isin(selection.districts)]
    codes = wards["code"].astype(str)
    health = placed[placed["status"].eq("in_area")]
    if selection.districts is not None:
        health = health[health["district_code"].isin(selection.districts)]
    if shape == "incidents":
        inside = health["month"].between(start, end)
        weights = pd.Series(1, index=health.index)
    else:
        inside = (health["period_start"] >= start) & (health["period_end"] <= end)
        partial = ~inside & (health["period_end"] >= start) & (health["period_start"] <= end)
        if partial.any():
            notes.append(
                f"{int(partial.sum())} count row(s) cover periods not wholly inside {start} to {end} and were left out."
            )
        if health.loc[inside, "suppressed_at_source"].any():
            notes.append("Some counts were suppressed in the source file; their areas show as suppressed.")
        weights = health["admissions"].fillna(0).astype(int)
    outside = int((~inside).sum()) - (int(partial.sum()) if shape != "incidents" else 0)
    if outside:
        notes.append(f"{outside} health row(s) fall outside {start} to {end} and are not counted here.")
    health, weights = health[inside], weights[inside]
    by_ward = weights[health["level"].eq("ward")].groupby(health["ward_code"]).sum()
    held = weights[health["level"].eq("district")].groupby(health["district_code"]).sum()
    at_source = health.get("suppressed_at_source", pd.Series(False, index=health.index)).astype(bool)
    source_hidden = set(health.loc[at_source & health["level"].eq("ward"), "ward_code"].dropna())
    held_hidden = set(health.loc[at_source & health["level"].eq("district"), "district_code"].dropna())

    types = resolve_crime_types(police_types)
    police = select_records(dataset.records, Selection(start, end, selection.districts, tuple(types)))
    police_counts = police["ward_code"].astype(str).value_counts()
    table = pd.DataFrame(
        {
            "ward_code": codes.to_numpy(),
            "ward_name": wards["name"].astype(str).to_numpy(),
            "district_code": wards["district_code"].astype(str).to_numpy(),
            "district_name": wards["district_name"].astype(str).to_numpy(),
            "period": f"{start} to {end}",
            "population": wards["population"].astype("float64").to_numpy(),
            "police_violence": codes.map(police_counts).fillna(0).astype(int).to_numpy(),
            "admissions": codes.map(by_ward).fillna(0).astype(int).to_numpy(),
        }
    )
    pop = table["population"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        table["police_rate_per_1000"] = np.round(np.where(pop > 0, 1000 * table["police_violence"] / pop, np.nan), 2)
        table["admissions_rate_per_1000"] = np.round(np.where(pop > 0, 1000 * table["admissions"] / pop, np.nan), 3)
    known = ~table["ward_code"].isin(source_hidden).to_numpy()
    flags = underreporting(np.where(known, table["admissions"], np.nan), table["police_rate_per_1000"], pop)
    table["expected_admissions"] = flags["expected"].round(1).to_numpy()
    table["underreporting_flag"] = flags["flag"].to_numpy()
    table["bivariate_class"] = _bivariate(table)
    table["data_source"] = data_source
    districts = _district_totals(table, held, wards)
    # A count suppressed at source is unknown: so are its ward, its district total and the grand total.
    unknown = {("ward", c) for c in source_hidden} | {("held", d) for d in held_hidden}
    unknown |= {("district", d) for d in table.loc[table["ward_code"].isin(source_hidden), "district_code"]}
    unknown |= {("district", d) for d in held_hidden}
    unknown |= {("total", "")} if unknown else set()
    return HealthView(
        table,
        districts,
        f"{start} to {end}",
        data_source,
        synthetic,
        account,
        max_small,
        notes,
        flags.attrs.get("dispersion", 1.0),
        unknown,
    )


def _bivariate(table: pd.DataFrame) -> list[str]:
    pop = table["population"].sum()
    police_rate = 1000 * table["police_violence"].sum() / pop if pop else np.nan
    health_rate = 1000 * table["admissions"].sum() / pop if pop else np.nan
    out = []
    for p, h in zip(table["police_rate_per_1000"], table["admissions_rate_per_1000"], strict=True):
        if not (np.isfinite(p) and np.isfinite(h)):
            out.append("no population")
            continue
        out.append(f"{'high' if p > police_rate else 'low'} police, {'high' if h > health_rate else 'low'} health")
    return out


def _district_totals(table: pd.DataFrame, held: pd.Series, wards: pd.DataFrame) -> pd.DataFrame:
    grouped = table.groupby("district_code")[["police_violence", "admissions"]].sum()
    codes = sorted(wards["district_code"].astype(str).unique())
    grouped = grouped.reindex(codes, fill_value=0)
    grouped["held_at_district"] = held.reindex(codes).fillna(0).astype(int).to_numpy()
    grouped["admissions"] = grouped["admissions"] + grouped["held_at_district"]
    return grouped.reset_index().rename(columns={"index": "district_code"})
