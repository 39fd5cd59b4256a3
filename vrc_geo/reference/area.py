"""The 13 local authority districts policed by Kent Police, and how users may name them.

Codes are stable; names are not (Shepway became Folkestone and Hythe in April 2018, same code), so every
table carries the code and takes its display name from here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..errors import ParameterError

__all__ = ["DISTRICTS", "district_name", "resolve_districts"]

#: Code -> current name, in the order ONS lists them (Medway first, a unitary authority).
DISTRICTS: dict[str, str] = {
    "E06000035": "Medway",
    "E07000105": "Ashford",
    "E07000106": "Canterbury",
    "E07000107": "Dartford",
    "E07000108": "Dover",
    "E07000109": "Gravesham",
    "E07000110": "Maidstone",
    "E07000111": "Sevenoaks",
    "E07000112": "Folkestone and Hythe",
    "E07000113": "Swale",
    "E07000114": "Thanet",
    "E07000115": "Tonbridge and Malling",
    "E07000116": "Tunbridge Wells",
}

# Former or informal names users and older files use.
_ALIASES: dict[str, str] = {
    "shepway": "E07000112",
    "folkestone": "E07000112",
    "folkestone hythe": "E07000112",
    "medway ua": "E06000035",
    "medway towns": "E06000035",
    "tonbridge": "E07000115",
}


def _key(text: str) -> str:
    text = text.lower().replace("&", " and ")
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


_BY_NAME: dict[str, str] = {_key(name): code for code, name in DISTRICTS.items()}
_BY_NAME.update(_ALIASES)
_BY_NAME.update({_key(name).replace(" and ", " "): code for code, name in DISTRICTS.items()})


def district_name(code: str) -> str:
    """Current name of a Kent & Medway district code; the code itself if it is not one of the 13."""
    return DISTRICTS.get(code, code)


def resolve_districts(values: Iterable[str] | str | None) -> list[str] | None:
    """Turn names or codes (any case, old names too) into district codes; ``None`` means all.

    Raises :class:`ParameterError` naming the allowed values when one is unknown.
    """
    if values is None:
        return None
    if isinstance(values, str):
        values = [values]
    codes: list[str] = []
    for value in values:
        if not isinstance(value, str):
            raise TypeError(f"district must be a name or code string, not {type(value).__name__}")
        text = value.strip()
        if text.upper() in DISTRICTS:
            code = text.upper()
        elif text.lower() in {"all", "kent and medway", "kent & medway"}:
            return None
        else:
            code = _BY_NAME.get(_key(text), "")
        if not code:
            allowed = ", ".join(f"{n} ({c})" for c, n in DISTRICTS.items())
            raise ParameterError(f"Unknown district {value!r}. Use a name or code: {allowed}.")
        if code not in codes:
            codes.append(code)
    return codes
