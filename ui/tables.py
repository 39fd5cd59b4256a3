"""Tables as a person reads them: plain column names, numbers with sensible decimals, no empty columns.

``ui.render.table`` passes every on-screen table through here, in normal and presentation mode alike:
files keep the documented column contract (docs/contract.md); the screen says it in words.
"""

from __future__ import annotations

import math
import re
from typing import Any

import pandas as pd

from vrc_geo.base.decimals import decimals_for, percent_text

__all__ = ["COLUMN_LABELS", "auto_format", "format_number", "plain_header", "readable"]

#: Contract names shown on screen, in words; anything else loses its underscores (``plain_header``).
COLUMN_LABELS = {
    "ward_code": "Ward code",
    "ward_name": "Ward",
    "district_code": "District code",
    "district_name": "District",
    "crime_type": "Crime type",
    "month": "Month",
    "count": "Records",
    "population": "Residents",
    "period": "Period",
    "area": "Area",
    "police_violence": "Police violence",
    "police_rate_per_1000": "Police violence per 1,000 residents",
    "admissions": "Admissions",
    "admissions_rate_per_1000": "Admissions per 1,000 residents",
    "underreporting_flag": "Possible under-reporting",
    "expected_admissions": "Expected admissions",
    "upper_limit": "Upper limit (99.8 %)",
    "bivariate_class": "Map colour",
    "data_source": "Source",
    "held_at_district": "Admissions shown only at district level",
    "age_days": "Age (days)",
    "share_with_injury": "Share with injury",
    "severity_weighted_total": "Severity-weighted total",
    "rows_read": "Rows read",
    "in_area": "In a ward",
    "outside_area": "Outside the area",
    "no_location": "No location",
    "source_file": "File",
    "source_line": "Line",
}
_IDENTIFIER = re.compile(r"(^|_)(year|line|id|code|number)s?$", re.IGNORECASE)  # whole numbers, not counts
_WORDS = {"policeuk": "police.uk", "fingertips": "OHID Fingertips", "1000": "1,000", "pct": "%", "km2": "km²"}


def plain_header(name: object) -> str:
    """A column name for the screen: the label above, else its words without underscores."""
    text = str(name)
    if text in COLUMN_LABELS:
        return COLUMN_LABELS[text]
    if "_" not in text:
        return text[:1].upper() + text[1:] if text.islower() else text
    words = [_WORDS.get(w, w) for w in text.split("_") if w]
    out = " ".join(words)
    return out if out.startswith("police.uk") else out[:1].upper() + out[1:]


def format_number(value: float, spec: str) -> str:
    """One number in a printf ``spec`` or ``"percent"`` (a share: 0.123 -> 12.3 %); blank for missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if spec == "percent":
        return percent_text(float(value))
    if spec == "localized":  # the grid's thousands separators, in text
        return f"{int(value):,}" if float(value).is_integer() else f"{value:,.1f}"
    if spec.startswith("%"):
        text = spec % value
        return re.sub(r"^(-?\d+)(\d{3})", _thousands, text) if "," not in text else text
    return str(value)


def _thousands(match: re.Match) -> str:
    return f"{int(match.group(0)):,}"


def auto_format(values: pd.Series) -> str:
    """The printf format a float column reads best in (:func:`vrc_geo.base.decimals.decimals_for`: whole
    numbers without decimals, otherwise as few decimals as its typical size needs)."""
    return f"%.{decimals_for(values)}f"


def readable(frame: pd.DataFrame, column_config: dict[str, Any] | None = None) -> tuple[pd.DataFrame, dict, dict]:
    """The frame for the screen: empty columns dropped, yes/no for true/false, headers in words. Returns it,
    the column settings re-keyed to the new headers, and a number format for every float column without one,
    and every count column without one (``"localized"`` for whole numbers: thousands separators, no
    decimals; years, line numbers and codes are left as they are)."""
    shown = frame.loc[:, [c for c in frame.columns if not _empty(frame[c])]].copy()
    config = dict(column_config or {})
    formats: dict[str, str] = {}
    for column in shown.columns:
        values = shown[column]
        if values.dtype == bool or is_text(values):
            shown[column] = values.map(lambda v: {True: "Yes", False: "No"}.get(v, v) if isinstance(v, bool) else v)
        elif values.dtype.kind == "f" and column not in config:
            formats[column] = auto_format(values)
        elif values.dtype.kind in "iu" and column not in config and not _IDENTIFIER.search(str(column)):
            formats[column] = "%.0f"  # counts with thousands separators (15,194), as in the files' sheets
    names = {c: plain_header(c) for c in shown.columns}
    shown = shown.rename(columns=names)
    return shown, {names.get(k, k): v for k, v in config.items()}, {names[k]: v for k, v in formats.items()}


def _empty(column: pd.Series) -> bool:
    values = column.dropna()
    return values.empty or (is_text(values) and values.astype(str).str.strip().eq("").all())


def is_text(column: pd.Series) -> bool:
    """Text or mixed values: object columns and pandas' string columns (``str`` from pandas 3 on)."""
    return column.dtype == object or pd.api.types.is_string_dtype(column)
