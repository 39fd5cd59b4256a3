"""What the explorer's pages show, computed here (pure) so the pages only render.

* :func:`ward_view` — one value per ward for the map (count, rate per 1,000 or change on the previous
  period of equal length), plus headline figures;
* :func:`ward_detail` — a ward's monthly trend, breakdown by crime type and commonest locations;
* :func:`district_trends` — monthly series by district and the change over the period.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..base.months import count_months, month_words, period_words
from ..dataset.aggregate import Selection, count_records, month_range, previous_period, select_records, ward_counts
from ..errors import ParameterError
from ..hotspots.footprint import top_locations

if TYPE_CHECKING:
    from ..dataset.store import PoliceDataset

__all__ = ["MEASURES", "WardView", "district_trends", "ward_detail", "ward_view"]

MEASURES = {
    "count": "Records",
    "rate": "Records per 1,000 residents",
    "change": "Change on the previous period (records)",
}


@dataclass
class WardView:
    """Per-ward values for one selection and measure, and the headline figures above the map."""

    table: pd.DataFrame
    measure: str
    period: str
    previous: str | None
    headline: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def resolved_period(dataset: PoliceDataset, selection: Selection) -> tuple[str, str]:
    months = dataset.months
    if not months:
        raise ParameterError("The data holds no months.")
    return selection.start or months[0], selection.end or months[-1]


_WARD_ONLY = ("ward_code",)


def ward_view(dataset: PoliceDataset, selection: Selection, measure: str = "count") -> WardView:
    """Values per ward of the selected districts; ``value`` holds the chosen measure."""
    if measure not in MEASURES:
        raise ParameterError(f"measure must be one of {', '.join(MEASURES)}; got {measure!r}.")
    start, end = resolved_period(dataset, selection)
    wards = dataset.wards.with_population()
    if selection.districts is not None:
        wards = wards[wards["district_code"].isin(selection.districts)]
    # the ward of each record only: ward_counts reads no other column, and copying them all was the largest
    # single cost of a filter change under load (py-spy on benchmarks/bench_load.py)
    current = select_records(
        dataset.records, Selection(start, end, selection.districts, selection.crime_types), columns=_WARD_ONLY
    )
    prev_start, prev_end = previous_period(start, end)
    notes = []
    # The same number of months just before, or as many of them as the data holds: then the change
    # compares monthly averages (the earlier months scaled up to the selection's length), and says so.
    has_previous = prev_end >= dataset.months[0]
    prev_start = max(prev_start, dataset.months[0])
    scale = len(month_range(start, end)) / len(month_range(prev_start, prev_end)) if has_previous else 1.0
    previous = None
    if has_previous:
        previous = select_records(
            dataset.records,
            Selection(prev_start, prev_end, selection.districts, selection.crime_types),
            columns=_WARD_ONLY,
        )
        if scale != 1 and measure == "change":
            notes.append(
                f"Only {count_months(len(month_range(prev_start, prev_end)))} of data before {month_words(start)}: "
                f"change compares monthly averages ({period_words(prev_start, prev_end)} scaled to "
                f"{len(month_range(start, end))} months)."
            )
    elif measure == "change":
        notes.append(f"The data start in {month_words(start)}: there is no earlier month to compare with.")
    table = ward_counts(current, wards, previous=previous)
    if has_previous and scale != 1:
        table["previous_count"] = table["previous_count"] * scale
        table["change"] = table["count"] - table["previous_count"]
        with np.errstate(divide="ignore", invalid="ignore"):
            table["change_pct"] = np.where(
                table["previous_count"] > 0, 100 * table["change"] / table["previous_count"], np.nan
            )
    if measure == "count":
        table["value"] = table["count"].astype(float)
    elif measure == "rate":
        table["value"] = table["rate_per_1000"]
        if table["population"].isna().any():
            notes.append("Some wards have no population: their rate is not shown.")
    else:
        table["value"] = table["change"].astype(float) if has_previous else np.nan
    population = table["population"].sum()
    total = int(table["count"].sum())
    prev_total = round(float(table["previous_count"].sum())) if has_previous else None
    busiest = table.sort_values(["count", "ward_name"], ascending=[False, True]).iloc[0] if len(table) else None
    headline = {
        "records": total,
        "rate_per_1000": 1000 * total / population if population else None,
        "previous_records": prev_total,
        "change_pct": 100 * (total - prev_total) / prev_total if prev_total else None,
        "months": len(month_range(start, end)),
        "busiest_ward": f"{busiest['ward_name']} ({busiest['district_name']})" if busiest is not None else "",
        "busiest_name": str(busiest["ward_name"]) if busiest is not None else "",
        "busiest_note": f"{busiest['district_name']}, {int(busiest['count']):,} records"
        if busiest is not None
        else None,
        "busiest_count": int(busiest["count"]) if busiest is not None else 0,
        "wards": len(table),
    }
    period = period_words(start, end)
    prev = None
    if has_previous:
        prev = period_words(prev_start, prev_end)
        headline["previous_months"] = len(month_range(prev_start, prev_end))
    headline["comparison"] = _comparison(dataset, selection, end, prev, headline)
    if has_previous and scale != 1:
        prev += " (monthly average)"
    return WardView(table, measure, period, prev, headline, notes)


def _comparison(
    dataset: PoliceDataset, selection: Selection, end: str, previous: str | None, head: dict[str, Any]
) -> tuple[str, str, str]:
    """The change headline as (label, value, note), the same words on the page and in the briefing.

    Against the period before where the data hold one; else the selection's last month against the same
    month a year earlier, where the data reach back that far; else it says where the data start."""
    if head["change_pct"] is not None:
        if head["previous_months"] != head["months"]:  # fewer months before: monthly averages, said in the note
            now, then = head["records"] / head["months"], head["previous_records"] / head["months"]
            return (
                f"Change on {previous}",
                f"{head['change_pct']:+.1f}%",
                f"{now:,.0f} a month against {then:,.0f} before",
            )
        return (
            f"Change on {previous}",
            f"{head['change_pct']:+.1f}%",
            f"{head['records'] - head['previous_records']:+,} records",
        )
    year, month = (int(v) for v in end.split("-"))
    earlier = f"{year - 1:04d}-{month:02d}"
    if earlier >= dataset.months[0]:
        now = count_records(dataset.records, Selection(end, end, selection.districts, selection.crime_types))
        then = count_records(dataset.records, Selection(earlier, earlier, selection.districts, selection.crime_types))
        if then:
            change = f"{100 * (now - then) / then:+.1f}%"
            label = f"{month_words(end)} against {month_words(earlier)}"
            return (label, change, f"{now:,} records, {then:,} a year earlier")
    return ("Change on previous period", "No earlier data", f"the data start in {month_words(dataset.months[0])}")


def ward_detail(dataset: PoliceDataset, selection: Selection, ward_code: str) -> dict[str, Any]:
    """Monthly series, crime-type breakdown and commonest locations of one ward in the selection."""
    wards = dataset.wards.wards
    match = wards[wards["code"].astype(str) == ward_code]
    if match.empty:
        raise ParameterError(f"Unknown ward {ward_code!r}.")
    start, end = resolved_period(dataset, selection)
    records = select_records(dataset.records, Selection(start, end, None, selection.crime_types))
    records = records[records["ward_code"] == ward_code]
    months = month_range(start, end)
    monthly = records["month"].astype(str).value_counts().reindex(months, fill_value=0)
    by_type = records["crime_type"].astype(str).value_counts()
    all_types = select_records(dataset.records, Selection(start, end, None, None))
    all_types = all_types[all_types["ward_code"] == ward_code]["crime_type"].astype(str).value_counts()
    row = match.iloc[0]
    return {
        "ward_code": ward_code,
        "ward_name": str(row["name"]),
        "district_name": str(row["district_name"]),
        "records": len(records),
        "monthly": pd.DataFrame({"month": months, "records": monthly.to_numpy()}),
        "by_type": by_type.rename_axis("crime_type").rename("records").reset_index(),
        "all_types": all_types.rename_axis("crime_type").rename("records").reset_index(),
        "locations": top_locations(records["location"], n=8),
    }


def district_trends(dataset: PoliceDataset, selection: Selection) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(monthly records by district, wide: months x districts; change table per district)."""
    start, end = resolved_period(dataset, selection)
    records = select_records(dataset.records, Selection(start, end, selection.districts, selection.crime_types))
    names = dataset.wards.wards.drop_duplicates("district_code").set_index("district_code")["district_name"]
    months = month_range(start, end)
    wide = (
        records.groupby(["month", "district_code"], observed=True)
        .size()
        .unstack(fill_value=0)
        .reindex(index=months, fill_value=0)
    )
    wide.columns = [str(names.get(c, c)) for c in wide.columns]
    wide = wide.reindex(columns=sorted(wide.columns), fill_value=0)
    wide.index.name = "month"
    half = max(1, len(months) // 2)
    first, last = wide.iloc[:half].sum(), wide.iloc[-half:].sum()
    change = pd.DataFrame(
        {
            "district": wide.columns,
            "records": wide.sum().to_numpy(),
            f"first {half} months": first.to_numpy(),
            f"last {half} months": last.to_numpy(),
        }
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        change["change_pct"] = np.round(np.where(first > 0, 100 * (last - first) / first, np.nan), 1)
    return wide, change
