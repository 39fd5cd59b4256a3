"""The fixed periods health figures are published for: whole years, never overlapping.

Disclosure control audits one table at a time. If a user could ask for any run of months, the tables
for January–March and January–April would be audited separately and their difference would give
April's counts — small counts included. So health figures are published only for fixed periods that do
not overlap: calendar years (January–December), or financial years (April–March) when a partner's
area counts are given by financial year, as Hospital Episode Statistics are. The last period may be
partial (the months the police data reach); it is still one fixed period, never re-cut. Each period's
table covers the whole of Kent & Medway and is audited once; a district view shows that table's rows,
never a new sum. A request for any other period is refused with the periods that can be shown.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass

from ..errors import ParameterError

__all__ = ["HealthPeriod", "HealthPeriodError", "choose_period", "health_periods"]


class HealthPeriodError(ParameterError):
    """A health view was asked for a period that is not one of the fixed publication periods."""


@dataclass(frozen=True)
class HealthPeriod:
    """One publication period: ``label`` ("2022", "2022/23", "2023 (January)"), its months."""

    label: str
    months: tuple[str, ...]
    complete: bool

    @property
    def start(self) -> str:
        return self.months[0]

    @property
    def end(self) -> str:
        return self.months[-1]

    def describe(self) -> str:
        span = self.start if self.start == self.end else f"{self.start} to {self.end}"
        return f"{self.label}: {span}" + ("" if self.complete else ", part of a year")


def _year_of(month: str, year_start: int) -> int:
    year, m = int(month[:4]), int(month[5:7])
    return year if m >= year_start else year - 1


def health_periods(months: list[str], *, year_start: int = 1) -> list[HealthPeriod]:
    """The publication periods covering ``months`` (the months both data sets reach), oldest first:
    calendar years (``year_start=1``) or financial years (``year_start=4``)."""
    if year_start not in (1, 4):
        raise ParameterError(f"year_start must be 1 (calendar years) or 4 (financial years), got {year_start!r}.")
    groups: dict[int, list[str]] = {}
    for m in sorted(months):
        groups.setdefault(_year_of(m, year_start), []).append(m)
    out = []
    for year, inside in groups.items():
        complete = len(inside) == 12
        label = str(year) if year_start == 1 else f"{year}/{(year + 1) % 100:02d}"
        if not complete:
            names = [calendar.month_name[int(m[5:7])] for m in (inside[0], inside[-1])]
            span = names[0] if len(inside) == 1 else f"{names[0]}–{names[1]}"
            label = f"{label} ({span})"
        out.append(HealthPeriod(label, tuple(inside), complete))
    return out


def choose_period(periods: list[HealthPeriod], start: str | None, end: str | None) -> HealthPeriod:
    """The publication period a request means: exactly one of ``periods`` (its first and last months),
    or, with no period asked for, the latest complete one (else the latest)."""
    if not periods:
        raise HealthPeriodError(
            "No health figures can be published: the health data and the police data share no month."
        )
    if start is None and end is None:
        complete = [p for p in periods if p.complete]
        return (complete or periods)[-1]
    for period in periods:
        if (start or period.start) == period.start and (end or period.end) == period.end:
            return period
    listed = "; ".join(p.describe() for p in periods)
    raise HealthPeriodError(
        f"Health figures are published only for fixed, non-overlapping periods, so that tables for "
        f"overlapping periods cannot be subtracted from one another to reveal small counts. "
        f"{start or '…'} to {end or '…'} is not one of them; choose one of: {listed}."
    )
