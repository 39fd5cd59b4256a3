"""Counts and rates by ward, month and crime type; the filters every view shares.

A :class:`Selection` (period, districts, crime types) is validated once and then applied the same way
by the CLI, the exports and the app, so a number on screen equals the number in a file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..base.months import month_words, period_words
from ..base.params import check_period
from ..reference.area import resolve_districts, selection_name
from ..reference.taxonomy import resolve_crime_types

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    import geopandas as gpd

__all__ = [
    "LONG_COLUMNS",
    "Selection",
    "count_by_ward_month_type",
    "count_long",
    "count_records",
    "long_table",
    "make_selection",
    "month_range",
    "monthly_counts",
    "previous_period",
    "record_mask",
    "select_records",
    "sum_by_ward_month_type",
    "ward_counts",
]

#: Column contract of the long ward export.
LONG_COLUMNS = [
    "ward_code",
    "ward_name",
    "district_code",
    "district_name",
    "month",
    "crime_type",
    "count",
]


@dataclass(frozen=True)
class Selection:
    """Validated filters: inclusive months, district codes, police.uk categories (``None`` = all)."""

    start: str | None = None
    end: str | None = None
    districts: tuple[str, ...] | None = None
    crime_types: tuple[str, ...] | None = None

    def describe(self, *, types: bool = True) -> str:
        """ "Thanet; Jan to Dec 2022; all types" for captions; ``types=False`` leaves the offences to the
        caller (a page that picks its own, as Hotspots does)."""
        if self.start and self.end:
            period = period_words(self.start, self.end)
        else:
            start = month_words(self.start) if self.start else "first month"
            end = month_words(self.end) if self.end else "last month"
            period = f"{start} to {end}"
        where = selection_name(self.districts)
        if not types:
            return f"{where}; {period}"
        what = ", ".join(self.crime_types) if self.crime_types else "all types"
        return f"{where}; {period}; {what}"


def make_selection(
    *,
    start: str | None = None,
    end: str | None = None,
    districts: Iterable[str] | str | None = None,
    crime_types: Iterable[str] | str | None = None,
) -> Selection:
    """Validate filters from user words (district names or codes, groups or categories)."""
    start, end = check_period(start, end)
    codes = resolve_districts(districts)
    types = resolve_crime_types(crime_types)
    return Selection(
        start,
        end,
        tuple(codes) if codes is not None else None,
        tuple(types) if types is not None else None,
    )


def _labels(column: pd.Series) -> list[str]:
    """Distinct values of a column, cheaply for categoricals (no per-row string conversion)."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        return [str(c) for c in column.cat.categories]
    return [str(v) for v in column.dropna().unique()]


def select_records(
    records: pd.DataFrame, selection: Selection, *, columns: Sequence[str] | None = None
) -> pd.DataFrame:
    """In-area records matching a selection (the input is not modified); ``columns``: only these, for a
    view that needs few (copying the text columns of every matching record is the costly part)."""
    mask = record_mask(records, selection)
    return records.loc[mask] if columns is None else records.loc[mask, list(columns)]


def count_records(records: pd.DataFrame, selection: Selection) -> int:
    """How many in-area records match a selection (nothing copied)."""
    return int(record_mask(records, selection).sum())


def record_mask(records: pd.DataFrame, selection: Selection) -> np.ndarray:
    """Which rows of ``records`` are in the area and match a selection (a boolean array)."""
    mask = (records["status"] == "in_area").to_numpy().copy()
    if selection.start or selection.end:
        start, end = selection.start or "0000-00", selection.end or "9999-99"
        months = [m for m in _labels(records["month"]) if start <= m <= end]
        mask &= records["month"].isin(months).to_numpy()
    if selection.districts is not None:
        mask &= records["district_code"].isin(selection.districts).to_numpy()
    if selection.crime_types is not None:
        mask &= records["crime_type"].isin(selection.crime_types).to_numpy()
    return mask


def count_by_ward_month_type(records: pd.DataFrame) -> pd.DataFrame:
    """``ward_code, month, crime_type, count`` of ``records``: only combinations with records, labels as
    text, sorted by them. Counted on integer codes (each month's part is counted as it is built: a
    three-key ``groupby`` cost several times more)."""
    return _by_ward_month_type([(records, None)])


def sum_by_ward_month_type(*counts: pd.DataFrame) -> pd.DataFrame:
    """The counts of the frames (``ward_code, month, crime_type, count``: several parts, or a kept store
    and a new month) added up per combination, sorted by label as :func:`count_by_ward_month_type` gives
    them; a combination summing to 0 or less is left out (records taken out as repeats). Categorical
    labels are used by their codes (a kept store's 300,000 rows are not hashed again)."""
    summed = _by_ward_month_type([(frame, frame["count"].to_numpy(dtype=np.int64)) for frame in counts])
    return summed[summed["count"] > 0].reset_index(drop=True)


def _by_ward_month_type(frames: list[tuple[pd.DataFrame, np.ndarray | None]]) -> pd.DataFrame:
    """Rows (or weights) per combination over the frames, on integer codes: each label ranked by its
    text among all the frames' labels, the three ranks made one key; counted in a dense array when the
    combinations are few enough (they come out sorted), else sorted. The labels come back through Arrow
    (no Python string per row)."""
    import pyarrow as pa

    keys = ["ward_code", "month", "crime_type"]
    key = [np.zeros(len(frame), dtype=np.int64) for frame, _ in frames]
    present = [np.ones(len(frame), dtype=bool) for frame, _ in frames]
    labels, size = [], 1
    for name in keys:
        coded = [_codes_and_labels(frame[name]) for frame, _ in frames]
        union = np.unique(np.concatenate([text for _, text in coded])) if frames else np.array([], dtype=object)
        width = max(len(union), 1)
        for i, (codes, text) in enumerate(coded):
            rank = np.searchsorted(union, text).astype(np.int64) if len(text) else np.zeros(1, dtype=np.int64)
            present[i] &= codes >= 0
            key[i] = key[i] * width + rank[np.maximum(codes, 0)]
        labels.append(union)
        size *= width
    every = np.concatenate([k[p] for k, p in zip(key, present, strict=True)]) if frames else np.zeros(0, np.int64)
    counted = [w[p] if w is not None else None for (_, w), p in zip(frames, present, strict=True)]
    weight = (
        None
        if all(w is None for w in counted)
        else np.concatenate(
            [
                w if w is not None else np.ones(int(p.sum()), dtype=np.int64)
                for w, p in zip(counted, present, strict=True)
            ]
        )
    )
    if size <= 4 * len(every) + 1_000_000:
        dense = np.bincount(every, weights=weight, minlength=size)
        combos = np.flatnonzero(np.bincount(every, minlength=size) if weight is not None else dense)
        totals = dense[combos]
    else:
        combos, inverse = np.unique(every, return_inverse=True)
        totals = np.bincount(inverse, weights=weight, minlength=len(combos))
    columns = {}
    for name, text in zip(reversed(keys), reversed(labels), strict=True):
        combos, rank = np.divmod(combos, max(len(text), 1))
        dictionary = pa.array(list(text), type=pa.string())
        columns[name] = pa.DictionaryArray.from_arrays(pa.array(rank.astype(np.int32)), dictionary).cast(pa.string())
    result = pa.table({name: columns[name] for name in keys}).to_pandas()
    result["count"] = np.rint(totals).astype("int64")  # exact: whole numbers far below 2**53
    return result


def _codes_and_labels(column: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes (-1 for missing) and the text of each code."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        codes, values = column.cat.codes.to_numpy(), column.cat.categories
    else:
        codes, values = pd.factorize(column)
    return codes.astype(np.int64), np.asarray(pd.Index(values).astype(str), dtype=object)


def count_long(
    records: pd.DataFrame,
    wards: gpd.GeoDataFrame | pd.DataFrame,
    *,
    include_zeros: bool = False,
    months: list[str] | None = None,
    crime_types: list[str] | None = None,
) -> pd.DataFrame:
    """One row per ward, month and crime type with its count (columns :data:`LONG_COLUMNS`).

    Without ``include_zeros`` only combinations with at least one record appear. With it, every ward of
    ``wards`` gets a row for every month in ``months`` and type in ``crime_types`` (defaults: those seen).
    """
    return long_table(
        count_by_ward_month_type(records), wards, include_zeros=include_zeros, months=months, crime_types=crime_types
    )


def long_table(
    counts: pd.DataFrame,
    wards: gpd.GeoDataFrame | pd.DataFrame,
    *,
    include_zeros: bool = False,
    months: list[str] | None = None,
    crime_types: list[str] | None = None,
) -> pd.DataFrame:
    """:func:`count_long` from counts already made (:func:`count_by_ward_month_type`, possibly filtered)."""
    counts = counts.set_index(["ward_code", "month", "crime_type"])["count"]
    if include_zeros:
        grid = pd.MultiIndex.from_product(
            [
                wards["code"].astype(str),
                months if months is not None else sorted(counts.index.unique("month")),
                crime_types if crime_types is not None else sorted(counts.index.unique("crime_type")),
            ],
            names=counts.index.names,
        )
        counts = counts.reindex(grid, fill_value=0)
    out = counts.reset_index()
    info = pd.DataFrame(
        {
            "ward_code": wards["code"].astype(str).to_numpy(),
            "ward_name": wards["name"].astype(str).to_numpy(),
            "district_code": wards["district_code"].astype(str).to_numpy(),
            "district_name": wards["district_name"].astype(str).to_numpy(),
        }
    )
    out = out.merge(info, on="ward_code", how="left", validate="many_to_one")
    out = out.sort_values(["district_name", "ward_name", "ward_code", "month", "crime_type"])
    out["count"] = out["count"].astype("int64")
    return out[LONG_COLUMNS].reset_index(drop=True)


def ward_counts(
    records: pd.DataFrame,
    wards: gpd.GeoDataFrame | pd.DataFrame,
    *,
    previous: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Per ward of ``wards``: ``count``, ``rate_per_1000`` (needs ``population``), and with ``previous``
    records ``previous_count``, ``change`` and ``change_pct``. Wards with no records count 0."""
    codes = wards["code"].astype(str)
    per = _value_counts(records["ward_code"])
    out = pd.DataFrame(
        {
            "ward_code": codes.to_numpy(),
            "ward_name": wards["name"].astype(str).to_numpy(),
            "district_code": wards["district_code"].astype(str).to_numpy(),
            "district_name": wards["district_name"].astype(str).to_numpy(),
        }
    )
    out["count"] = codes.map(per).fillna(0).astype("int64").to_numpy()
    if "population" in wards:
        pop = pd.to_numeric(wards["population"], errors="coerce").to_numpy(dtype="float64")
        out["population"] = pop
        with np.errstate(divide="ignore", invalid="ignore"):
            out["rate_per_1000"] = np.where(pop > 0, 1000 * out["count"] / pop, np.nan)
    if previous is not None:
        prev = _value_counts(previous["ward_code"])
        out["previous_count"] = codes.map(prev).fillna(0).astype("int64").to_numpy()
        out["change"] = out["count"] - out["previous_count"]
        with np.errstate(divide="ignore", invalid="ignore"):
            out["change_pct"] = np.where(out["previous_count"] > 0, 100 * out["change"] / out["previous_count"], np.nan)
    return out


def _value_counts(column: pd.Series) -> pd.Series:
    counts = column.value_counts()
    return counts.set_axis(counts.index.astype(str))


def monthly_counts(records: pd.DataFrame, *, by: str | None = None) -> pd.DataFrame:
    """Records per month (``month, count``), optionally split by a column (``month, <by>, count``)."""
    keys = ["month"] if by is None else ["month", by]
    out = records.groupby(keys, observed=True).size().rename("count").reset_index()
    for key in keys:
        out[key] = out[key].astype(str)
    return out


def month_range(start: str, end: str) -> list[str]:
    """Every month from ``start`` to ``end`` inclusive, as ``YYYY-MM``."""
    months = pd.period_range(start, end, freq="M")
    return [str(m) for m in months]


def previous_period(start: str, end: str) -> tuple[str, str]:
    """The period of the same length that ends the month before ``start``."""
    first, last = pd.Period(start, "M"), pd.Period(end, "M")
    length = (last - first).n + 1
    return str(first - length), str(first - 1)
