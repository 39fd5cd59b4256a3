"""The fixed periods health figures are published for: whole years both data sets cover, never overlapping.

Disclosure control audits one table at a time, so nothing may let two tables overlap:

* If a user could ask for any run of months, the tables for January–March and January–April would be
  audited separately and their difference would give April's counts.
* If a period followed the data's extent — "2022 (January–November)" while the police data reach
  November, then "2022" once December arrives — the same extract published before and after a monthly
  refresh would give December's counts by subtraction (found by an attacker on the earlier version).

So health figures are published only for **whole years** — calendar years (January–December), or
financial years (April–March) when a partner's area counts are given by financial year, as Hospital
Episode Statistics are — that **both** the police data and the health extract cover in full. A year that
either one covers only in part is not published at all, whatever it would show; a refresh can add a
year, never re-cut one. Each year's table covers the whole area and is audited once; a district view
shows that table's rows, never a new sum. The method: docs/methods/disclosure.md.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..base.months import period_words
from ..errors import ParameterError

__all__ = ["HealthPeriod", "HealthPeriodError", "choose_period", "health_periods", "year_months"]


class HealthPeriodError(ParameterError):
    """A health view was asked for a period that is not one of the fixed publication periods."""


@dataclass(frozen=True)
class HealthPeriod:
    """One publication period: ``label`` ("2022", "2022/23") and its twelve months."""

    label: str
    months: tuple[str, ...]
    complete: bool = True

    @property
    def start(self) -> str:
        return self.months[0]

    @property
    def end(self) -> str:
        return self.months[-1]

    def describe(self) -> str:
        return f"{self.label}: {period_words(self.start, self.end)}"


def year_months(year: int, year_start: int) -> tuple[str, ...]:
    """The twelve months of a calendar (``year_start=1``) or financial (``4``) year."""
    out = []
    for i in range(12):
        m = year_start - 1 + i
        out.append(f"{year + m // 12}-{m % 12 + 1:02d}")
    return tuple(out)


def _year_of(month: str, year_start: int) -> int:
    year, m = int(month[:4]), int(month[5:7])
    return year if m >= year_start else year - 1


def health_periods(
    months: Iterable[str], *, year_start: int = 1, covered: Iterable[str] | None = None
) -> list[HealthPeriod]:
    """The publication periods, oldest first: every whole year (calendar, ``year_start=1``, or financial,
    ``4``) all of whose months are among ``months`` (the police data's) and ``covered`` (the extract's)."""
    if year_start not in (1, 4):
        raise ParameterError(f"year_start must be 1 (calendar years) or 4 (financial years), got {year_start!r}.")
    police = set(months)
    extract = police if covered is None else set(covered)
    out = []
    for year in sorted({_year_of(m, year_start) for m in police}):
        inside = year_months(year, year_start)
        if all(m in police and m in extract for m in inside):
            label = str(year) if year_start == 1 else f"{year}/{(year + 1) % 100:02d}"
            out.append(HealthPeriod(label, inside))
    return out


def choose_period(
    periods: list[HealthPeriod], start: str | None, end: str | None, *, why_none: str = ""
) -> HealthPeriod:
    """The publication period a request means: exactly one of ``periods`` (its first and last months),
    or, with no period asked for, the latest."""
    if not periods:
        raise HealthPeriodError(
            "No health figures can be published: they are published for whole years only, and no year is "
            f"covered in full by both the police data and the health data{why_none}."
        )
    if start is None and end is None:
        return periods[-1]
    for period in periods:
        if (start or period.start) == period.start and (end or period.end) == period.end:
            return period
    listed = "; ".join(p.describe() for p in periods)
    raise HealthPeriodError(
        f"Health figures are published only for fixed, non-overlapping periods, so that tables for "
        f"overlapping periods cannot be subtracted from one another to reveal small counts. "
        f"{start or '…'} to {end or '…'} is not one of them; choose one of: {listed}."
    )
