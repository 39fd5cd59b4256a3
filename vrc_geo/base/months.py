"""Months as people read them: ``month_words`` ("Jan 2022") and ``period_words`` ("Jan to Dec 2022").

The data label a month ``YYYY-MM`` (police.uk's folders and Month column); files and exports keep that
label, since it sorts and parses. Words written for people (headlines, sentences, the briefing, the
sidebar) use these instead, so a council member reads "Nov 2022 to Jan 2023", not "2022-11 to 2023-01".
"""

from __future__ import annotations

import re
from datetime import date

from .plurals import counted

__all__ = ["count_months", "day_words", "month_words", "months_in_words", "period_words"]

_LABEL = re.compile(r"(\d{4})-(\d{2})")
_IN_TEXT = re.compile(r"(?<![\d-])\d{4}-\d{2}(?![\d-])")  # a label on its own, not part of a date
_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _parts(label: str) -> tuple[str, str] | None:
    match = _LABEL.fullmatch(str(label))
    if match is None or not 1 <= int(match.group(2)) <= 12:
        return None
    return _NAMES[int(match.group(2)) - 1], match.group(1)


def month_words(label: str) -> str:
    """``"2022-01"`` as ``"Jan 2022"``; anything that is not a month label is returned as it is."""
    parts = _parts(label)
    return f"{parts[0]} {parts[1]}" if parts else str(label)


def period_words(start: str, end: str) -> str:
    """The months ``start`` to ``end`` in words: "Jan 2022" (one month), "Jan to Dec 2022" (one year),
    "Nov 2022 to Jan 2023"."""
    if start == end:
        return month_words(start)
    first, last = _parts(start), _parts(end)
    if first and last and first[1] == last[1]:
        return f"{first[0]} to {last[0]} {last[1]}"
    return f"{month_words(start)} to {month_words(end)}"


def months_in_words(text: str) -> str:
    """Every month label in a text written in words: a fetched source's "2022-01 to 2023-01" read as
    "Jan 2022 to Jan 2023"; anything else is left as it is."""
    return _IN_TEXT.sub(lambda match: month_words(match.group(0)), str(text))


def day_words(day: date) -> str:
    """A date as people write it on a briefing: "3 Dec 2026"."""
    return f"{day.day} {_NAMES[day.month - 1]} {day.year}"


def count_months(n: int) -> str:
    """ "1 month", "5 months": a count of months in a sentence."""
    return counted(n, "month")
