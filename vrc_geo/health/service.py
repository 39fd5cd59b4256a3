"""One call for the faces: read or generate health data, place it, analyse it, publish it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from ..dataset.aggregate import Selection, month_range
from ..dataset.reconcile import RowAccount
from ..errors import InputFileError, ParameterError
from ..io.health import HealthRead, read_health, read_health_frames
from ..io.writers import table_bytes
from ..reference.area import AREA, DISTRICTS, selection_name
from ..reference.licences import OGL
from .analysis import HealthView, analyse_health
from .disclosure import SUPPRESSED
from .periods import HealthPeriod, choose_period, health_periods
from .placement import known_area_codes, place_health, row_account
from .synthetic import SYNTHETIC, generate_incidents

if TYPE_CHECKING:
    from ..dataset.store import PoliceDataset

__all__ = ["BANNER", "HealthBundle", "health_for", "health_periods_for", "load_health", "suppression_rule"]

BANNER = "SYNTHETIC DEMONSTRATION DATA — not real hospital records"

SCHEMA_NOTE = (
    "ISTV-style incident records are located where the assault happened (emergency-department data, "
    "Cardiff Model); HES-style admissions are counted by the patient's area of residence. Figures whose "
    "area is coarser than a ward (MSOA, district) are held at district level and never spread to wards."
)


def suppression_rule(max_small: int, min_width: int = 3) -> str:
    return (
        f"Counts from 1 to {max_small} are shown as {SUPPRESSED}; so are rates, classes and flags built "
        "on them. Further counts (zeros included) are hidden where a hidden count could otherwise be worked "
        f"out, or narrowed to fewer than {min_width + 1} possible values, from the district and {AREA.name} "
        "totals beside it. Health figures are published only for fixed, non-overlapping periods "
        f"(whole years) and always for the whole of {AREA.name}, so no two tables can be subtracted; a "
        "district view shows rows of that one table. Row counts of the extract are rounded to the nearest 10."
    )


@dataclass
class HealthBundle:
    """Health figures for one publication period, with everything needed to publish them."""

    view: HealthView
    read: HealthRead
    placed: pd.DataFrame
    account: RowAccount
    dataset: PoliceDataset
    periods: list[HealthPeriod]
    districts: tuple[str, ...] | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def synthetic(self) -> bool:
        return self.view.synthetic

    @property
    def period(self) -> HealthPeriod:
        return self.view.period

    def published(self) -> pd.DataFrame:
        """The ward table of the selected districts (rows of the one audited table)."""
        return self.view.published(self.districts)

    def published_totals(self) -> pd.DataFrame:
        return self.view.published_totals(self.districts)

    def metadata(self) -> dict[str, object]:
        meta: dict[str, object] = {}
        if self.synthetic:
            meta["WARNING"] = BANNER
        where = selection_name(self.districts)
        if where != AREA.name:
            where += f" (rows of the {AREA.name} table)"
        meta |= {
            "Title": "Police violence and hospital admissions for assault, by ward",
            "Period": self.period.describe(),
            "Districts": where,
            "Health data": self.view.data_source,
            "Police data": f"police.uk street-level crime, {AREA.force_name} ({OGL}): Violence and sexual offences",
            "Boundaries": f"{self.dataset.wards.vintage} wards from {self.dataset.wards.label}",
            "Disclosure control": suppression_rule(self.view.max_small, self.view.min_width),
            "Geography": SCHEMA_NOTE,
            "Under-reporting model": self.view.model.describe(),
            "Rows (rounded)": ", ".join(f"{k} {v}" for k, v in self.view.published_account().items()),
            "Publication periods": "; ".join(p.describe() for p in self.periods),
        }
        meta |= {f"Note {i + 1}": n for i, n in enumerate([*self.notes, *self.view.notes])}
        return meta

    _files: dict[str, bytes] = field(default_factory=dict, repr=False)

    def file_bytes(self, fmt: str) -> bytes:
        """The published ward table as ``.csv``, ``.xlsx`` (+ Totals and About) or ``.geojson`` (built once
        per format: the app asks again on every rerun)."""
        if fmt not in self._files:
            self._files[fmt] = self._build_file(fmt)
        return self._files[fmt]

    def file_name(self, fmt: str) -> str:
        """``health_<SYNTHETIC_>…_<period>_<districts>.<ext>``: what is inside, SYNTHETIC first."""
        where = (
            AREA.slug
            if not self.districts
            else "-".join(DISTRICTS[d].lower().replace(" ", "-") for d in self.districts)
        )
        period = self.period.label.split(" ")[0].replace("/", "-")
        prefix = "health_SYNTHETIC-DEMO" if self.synthetic else "health"
        return f"{prefix}_{period}_{where[:60]}{fmt}"

    def _build_file(self, fmt: str) -> bytes:
        table = self.published()
        geometry = None
        if fmt == ".geojson":
            by_code = self.dataset.wards.wards.set_index("code").geometry
            geometry = by_code.loc[table["ward_code"]].set_axis(table.index)
        return table_bytes(
            table,
            fmt,
            geometry=geometry,
            metadata=self.metadata(),
            sheet_name="health SYNTHETIC" if self.synthetic else "health",
            extra_sheets={"Totals": self.published_totals()},
        )


def load_health(
    dataset: PoliceDataset,
    *,
    admissions: Sequence[str | Path] | None = None,
    frames: Sequence[tuple[str, pd.DataFrame]] | None = None,
    synthetic_demo: bool = False,
    seed: int = 0,
    rate_per_100k: float = 40.0,
    months: list[str] | None = None,
) -> tuple[HealthRead, pd.DataFrame, str, bool]:
    """Read partner files (or in-memory tables), or generate the synthetic demo; place the rows in wards."""
    sources = sum(x is not None and x is not False and len(x) > 0 for x in (admissions, frames)) + synthetic_demo
    if sources != 1:
        raise ParameterError("Give health data one way: admissions files, an upload, or the synthetic demo.")
    known = known_area_codes(dataset.wards)
    if synthetic_demo:
        generated = generate_incidents(dataset, months=months or dataset.months, seed=seed, rate_per_100k=rate_per_100k)
        read = read_health_frames([(f"synthetic demo (seed {seed})", generated)], known_codes=known)
        # what the room reads: made up, and at what rate; the generator's seed is in the files table
        label = f"{SYNTHETIC} (made-up demo data, {rate_per_100k:g} admissions a year per 100,000 residents)"
        return read, place_health(read, dataset.wards), label, True
    read = read_health(admissions, known_codes=known) if admissions else read_health_frames(frames, known_codes=known)
    if read.rows_read and len(read.records) == 0:
        reasons = read.rejects["reason"].value_counts()
        listed = "; ".join(f"{reason} ({_rounded(n)})" for reason, n in reasons.head(3).items())
        raise InputFileError(
            f"No row of the health extract can be used: every row was refused ({listed}). Nothing was written."
        )
    kind = "ISTV-style incident records" if read.shape == "incidents" else "HES-style admission counts"
    names = ", ".join(Path(f).name for f in read.files)
    is_synthetic = (
        read.shape == "incidents" and read.records["source"].str.lower().eq(SYNTHETIC).all() and len(read.records) > 0
    )
    label = SYNTHETIC if is_synthetic else f"{kind}: {names}"
    return read, place_health(read, dataset.wards), label, is_synthetic


def extract_months(read: HealthRead) -> list[str]:
    """The months an extract covers: for incident records, every month from its first record's to its
    last's; for area counts, every month of every period a row is given for."""
    if not len(read.records):
        return []
    if read.shape == "incidents":
        months = read.records["month"].dropna()
        spans = [(months.min(), months.max())] if len(months) else []
    else:
        rows = read.records[["period_start", "period_end"]].dropna().drop_duplicates()
        spans = list(rows.itertuples(index=False, name=None))
    covered: set[str] = set()
    for first, last in spans:
        covered.update(month_range(str(first), str(last)))
    return sorted(covered)


def health_periods_for(dataset: PoliceDataset, read: HealthRead) -> list[HealthPeriod]:
    """The fixed publication periods for an extract: whole calendar years, or financial years when the
    area counts are given by financial year, that both the police data and the extract cover in full."""
    year_start = 1
    if read.shape == "counts" and len(read.records):
        starts = read.records["period_start"].dropna().str[5:7]
        ends = read.records["period_end"].dropna().str[5:7]
        if len(starts) and (starts == "04").all() and (ends == "03").all():
            year_start = 4
    return health_periods(dataset.months, year_start=year_start, covered=extract_months(read))


def _coverage_words(dataset: PoliceDataset, read: HealthRead) -> str:
    police = dataset.months
    extract = extract_months(read)
    span = f"{extract[0]} to {extract[-1]}" if extract else "no usable month"
    held = f"{police[0]} to {police[-1]} ({len(police)} months)" if police else "none"
    return f" (police data: {held}; health data: {span})"


def health_for(
    dataset: PoliceDataset,
    selection: Selection,
    *,
    admissions: Sequence[str | Path] | None = None,
    frames: Sequence[tuple[str, pd.DataFrame]] | None = None,
    synthetic_demo: bool = False,
    seed: int = 0,
    rate_per_100k: float = 40.0,
    max_small: int = 7,
    min_width: int = 3,
) -> HealthBundle:
    """Health figures beside police violence for one publication period (the selection's period must
    be one of them; with no period, the latest complete one) and the selection's districts."""
    read, placed, label, synthetic = load_health(
        dataset,
        admissions=admissions,
        frames=frames,
        synthetic_demo=synthetic_demo,
        seed=seed,
        rate_per_100k=rate_per_100k,
    )
    periods = health_periods_for(dataset, read)
    period = choose_period(periods, selection.start, selection.end, why_none=_coverage_words(dataset, read))
    account = row_account(read, placed)
    view = analyse_health(
        placed,
        dataset,
        period,
        shape=read.shape,
        account=account,
        data_source=label,
        synthetic=synthetic,
        max_small=max_small,
        min_width=min_width,
    )
    notes = list(read.notes)
    if max_small < 5:
        notes.insert(
            0,
            f"WARNING: counts are suppressed only up to {max_small} (below the usual 7, and below 5, which "
            "NHS Digital's small-number rules treat as the minimum): small counts may be recognisable.",
        )
    return HealthBundle(view, read, placed, account, dataset, periods, selection.districts, notes)


def _rounded(n: int) -> str:
    """A row count as published: to the nearest 10, "fewer than 10" below that (docs/methods/disclosure.md)."""
    return "fewer than 10 rows" if n < 10 else f"about {round(n, -1):,} rows"
