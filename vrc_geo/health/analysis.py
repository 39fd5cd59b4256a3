"""Police violence and health figures side by side, by ward, with the under-reporting flag.

For one publication period (:mod:`.periods`: a whole year, never an arbitrary run of months) and the
**whole** of Kent & Medway — a district view only filters the audited table:

* ``police_violence``: police.uk "Violence and sexual offences" in the ward (the group is an option);
* ``admissions``: health records (incidents) or counts placed in the ward (see :mod:`.placement`);
  figures held at district level are not spread: they appear in the district totals only;
* rates per 1,000 residents over the period (ward populations as documented in docs/data.md);
* ``bivariate_class``: each rate against its Kent & Medway rate (above = "high");
* ``expected_admissions``, ``upper_limit`` and ``underreporting_flag``: the negative binomial model and
  funnel of :mod:`.under_reporting` — admissions above the upper 99.8 % limit of what the ward's police
  violence and residents predict — for incident-located records only (ISTV: where the assault happened,
  as police records are); counts by the patient's home area get no flag (:data:`RESIDENCE_NOTE`).

Raw counts live in :class:`HealthView`; only its ``published*`` methods (suppressed, audited once for
the whole table) leave the package through exports, the app and briefings.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..dataset.aggregate import Selection, select_records
from ..dataset.reconcile import RowAccount
from ..errors import ParameterError
from ..reference.area import AREA, district_name
from ..reference.taxonomy import resolve_crime_types
from .disclosure import SUPPRESSED, protect_counts, rounded
from .periods import HealthPeriod
from .under_reporting import UnderreportingModel, fit_underreporting

if TYPE_CHECKING:
    from ..dataset.store import PoliceDataset

__all__ = ["HEALTH_COLUMNS", "RESIDENCE_NOTE", "HealthView", "analyse_health"]

#: Why counts by residence get no under-reporting flag (shown wherever the flag would be).
RESIDENCE_NOTE = (
    "no under-reporting comparison for counts by the patients' home area (HES-style): police records are "
    "placed where the crime happened, so residential wards beside town centres would read as under-reported; "
    "incident-located records (ISTV, Cardiff Model) are needed for it"
)

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
    "upper_limit",
    "bivariate_class",
    "underreporting_flag",
    "data_source",
]
_DERIVED = ("admissions", "admissions_rate_per_1000", "expected_admissions", "bivariate_class", "underreporting_flag")


@dataclass
class HealthView:
    """Ward and district figures of one publication period for all of Kent & Medway (raw; publish
    through the ``published*`` methods)."""

    wards: pd.DataFrame
    districts: pd.DataFrame
    period: HealthPeriod
    data_source: str
    synthetic: bool
    account: RowAccount
    model: UnderreportingModel
    max_small: int = 7
    min_width: int = 3
    notes: list[str] = field(default_factory=list)
    unknown: set = field(default_factory=set)  # cells whose value is not known (suppressed at source)
    _hidden: set | None = field(default=None, repr=False)

    @property
    def dispersion(self) -> float:
        return self.model.dispersion

    @property
    def flags_made(self) -> bool:
        """Whether wards were tested for under-reporting (not for counts by home area: :data:`RESIDENCE_NOTE`)."""
        return RESIDENCE_NOTE not in self.model.notes

    def suppressed(self) -> set:
        """What to hide, audited once for the whole table (the view is not changed after it is built)."""
        if self._hidden is None:
            self._hidden = self._audit()
        return self._hidden

    def _audit(self) -> set:
        values: dict[object, int] = {}
        constraints = []
        held = self.districts.set_index("district_code")
        for code, group in self.wards.groupby("district_code"):
            parts = []
            for row in group.itertuples():
                values[("ward", row.ward_code)] = int(row.admissions)
                parts.append(("ward", row.ward_code))
            values[("held", code)] = int(held.at[code, "held_at_district"])
            values[("district", code)] = int(held.at[code, "admissions"])
            constraints.append((("district", code), [*parts, ("held", code)]))
        values[("total", "")] = int(self.districts["admissions"].sum())
        constraints.append((("total", ""), [("district", c) for c in self.districts["district_code"]]))
        return protect_counts(
            values, constraints, max_small=self.max_small, min_width=self.min_width, unknown=self.unknown
        )

    def _selected(self, frame: pd.DataFrame, districts: Iterable[str] | None) -> pd.DataFrame:
        if districts is None:
            return frame
        return frame[frame["district_code"].isin(list(districts))]

    def published(self, districts: Iterable[str] | None = None) -> pd.DataFrame:
        """Ward table in :data:`HEALTH_COLUMNS` order with disclosure control applied (optionally the
        wards of some districts: rows of the one audited table)."""
        hidden = self.suppressed()
        table = self._selected(self.wards, districts).copy()
        mask = np.array([("ward", c) in hidden for c in table["ward_code"]], dtype=bool)
        for col in _DERIVED:
            table[col] = table[col].astype(object)
            table.loc[mask, col] = SUPPRESSED
        return table[HEALTH_COLUMNS].reset_index(drop=True)

    def published_totals(self, districts: Iterable[str] | None = None) -> pd.DataFrame:
        """District totals (``area, police_violence, admissions, held_at_district, data_source``) and
        the Kent & Medway total, suppressed consistently with the ward table. A district view lists its
        districts and the Kent & Medway total; it never adds up a new "selected districts" total."""
        hidden = self.suppressed()
        rows = []
        for row in self._selected(self.districts, districts).itertuples():
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
                "area": AREA.name,
                "police_violence": int(self.districts["police_violence"].sum()),
                "admissions": SUPPRESSED if ("total", "") in hidden else total,
                "held_at_district": "",
            }
        )
        frame = pd.DataFrame(rows)
        frame["data_source"] = self.data_source
        return frame

    def published_account(self) -> dict[str, str]:
        """Where the extract's rows went, rounded to the nearest 10 ("fewer than 10" below): exact row
        counts could be set against the suppressed totals (a five-record extract would say five)."""
        acc = self.account
        out = {
            "rows read": rounded(acc.rows_read),
            "used": rounded(acc.in_area),
            f"outside {AREA.name}": rounded(acc.outside_area),
            "no location": rounded(acc.no_location),
            "rejected": rounded(acc.rejected_total),
        }
        out |= {f"rejected: {reason}": rounded(n) for reason, n in sorted(acc.rejected.items())}
        return out


def analyse_health(
    placed: pd.DataFrame,
    dataset: PoliceDataset,
    period: HealthPeriod,
    *,
    shape: str,
    account: RowAccount,
    data_source: str,
    synthetic: bool,
    police_types: str | list[str] = "violence",
    max_small: int = 7,
    min_width: int = 3,
) -> HealthView:
    """Join placed health figures to police violence by ward for one publication period, all wards."""
    if max_small < 0:
        raise ParameterError(f"The suppression threshold must be >= 0, got {max_small}.")
    start, end = period.start, period.end
    notes: list[str] = []
    wards = dataset.wards.with_population()
    codes = wards["code"].astype(str)
    health = placed[placed["status"].eq("in_area")]
    if shape == "incidents":
        inside = health["month"].between(start, end)
        weights = pd.Series(1, index=health.index)
        partial = pd.Series(False, index=health.index)
    else:
        inside = (health["period_start"] >= start) & (health["period_end"] <= end)
        partial = ~inside & (health["period_end"] >= start) & (health["period_start"] <= end)
        if partial.any():
            notes.append(f"Count rows for periods not wholly inside {period.label} were left out.")
        if health.loc[inside, "suppressed_at_source"].any():
            notes.append("Some counts were suppressed in the source file; their areas show as suppressed.")
        weights = health["admissions"].fillna(0).astype(int)
    if (~inside & ~partial).any():
        notes.append(f"Health rows of other periods are not counted in {period.label}.")
    health, weights = health[inside], weights[inside]
    by_ward = weights[health["level"].eq("ward")].groupby(health["ward_code"]).sum()
    held = weights[health["level"].eq("district")].groupby(health["district_code"]).sum()
    at_source = health.get("suppressed_at_source", pd.Series(False, index=health.index)).astype(bool)
    source_hidden = set(health.loc[at_source & health["level"].eq("ward"), "ward_code"].dropna())
    held_hidden = set(health.loc[at_source & health["level"].eq("district"), "district_code"].dropna())

    types = resolve_crime_types(police_types)
    police = select_records(dataset.records, Selection(start, end, None, tuple(types)))
    police_counts = police["ward_code"].astype(str).value_counts()
    table = pd.DataFrame(
        {
            "ward_code": codes.to_numpy(),
            "ward_name": wards["name"].astype(str).to_numpy(),
            "district_code": wards["district_code"].astype(str).to_numpy(),
            "district_name": wards["district_name"].astype(str).to_numpy(),
            "period": period.label,
            "population": wards["population"].astype("float64").to_numpy(),
            "police_violence": codes.map(police_counts).fillna(0).astype(int).to_numpy(),
            "admissions": codes.map(by_ward).fillna(0).astype(int).to_numpy(),
        }
    )
    pop = table["population"].to_numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        police_rate = np.where(pop > 0, 1000 * table["police_violence"] / pop, np.nan)
        table["police_rate_per_1000"] = np.round(police_rate, 2)
        table["admissions_rate_per_1000"] = np.round(np.where(pop > 0, 1000 * table["admissions"] / pop, np.nan), 3)
    known = ~table["ward_code"].isin(source_hidden).to_numpy()
    if shape == "incidents":
        model = fit_underreporting(np.where(known, table["admissions"], np.nan), police_rate, pop)
        notes += [f"Under-reporting model not fitted: {n}." for n in model.notes]
        table["underreporting_flag"] = model.table["flag"].to_numpy()
    else:
        # Counts by the patient's home area beside police records placed where the crime happened: a
        # residential ward next to a town centre would read as "under-reported". No flag is made.
        model = fit_underreporting(np.full(len(table), np.nan), police_rate, pop)
        model.notes = [RESIDENCE_NOTE]
        notes.append(RESIDENCE_NOTE)
        table["underreporting_flag"] = ""
    table["expected_admissions"] = model.table["expected"].round(1).to_numpy()
    table["upper_limit"] = model.table["upper_limit"].to_numpy()
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
        period,
        data_source,
        synthetic,
        account,
        model,
        max_small,
        min_width,
        notes,
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
    codes = sorted(set(wards["district_code"].astype(str)))
    grouped = grouped.reindex(codes, fill_value=0)
    grouped["held_at_district"] = held.reindex(codes).fillna(0).astype(int).to_numpy()
    grouped["admissions"] = grouped["admissions"] + grouped["held_at_district"]
    return grouped.reset_index().rename(columns={"index": "district_code"})
