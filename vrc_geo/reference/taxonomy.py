"""police.uk crime types and the offence groups analyses ask for.

police.uk publishes 14 categories (13 crime types and anti-social behaviour). Analyses speak in groups:
"violence", "drugs", "weapons"... One table, here, says which category belongs to which group; the
docs/data.md reproduces it. Categories police.uk used before 2014 are mapped too, so old files still read.

=====================  =============================================================
group                  police.uk categories
=====================  =============================================================
violence               Violence and sexual offences (before April 2013: Violent crime)
robbery                Robbery
weapons                Possession of weapons
drugs                  Drugs
public_order           Public order (before May 2014: Public disorder and weapons)
acquisitive            Burglary, Bicycle theft, Other theft, Shoplifting,
                       Theft from the person, Vehicle crime
damage                 Criminal damage and arson
other                  Other crime
asb                    Anti-social behaviour (incidents, not crimes: kept apart)
=====================  =============================================================

Selections that combine groups: ``serious_violence`` (violence + robbery + weapons: the violence-group
offences used for hotspots), ``crime`` (every crime group, no ASB) and ``all`` (everything).
"""

from __future__ import annotations

from collections.abc import Iterable

from ..errors import ParameterError

__all__ = [
    "ASB",
    "CRIME_TYPES",
    "GROUPS",
    "GROUP_LABELS",
    "SELECTIONS",
    "crime_group",
    "known_crime_types",
    "resolve_crime_types",
]

ASB = "Anti-social behaviour"

#: group -> current police.uk categories in it.
GROUPS: dict[str, tuple[str, ...]] = {
    "violence": ("Violence and sexual offences",),
    "robbery": ("Robbery",),
    "weapons": ("Possession of weapons",),
    "drugs": ("Drugs",),
    "public_order": ("Public order",),
    "acquisitive": (
        "Burglary",
        "Bicycle theft",
        "Other theft",
        "Shoplifting",
        "Theft from the person",
        "Vehicle crime",
    ),
    "damage": ("Criminal damage and arson",),
    "other": ("Other crime",),
    "asb": (ASB,),
}

GROUP_LABELS: dict[str, str] = {
    "violence": "Violence and sexual offences",
    "robbery": "Robbery",
    "weapons": "Possession of weapons",
    "drugs": "Drugs",
    "public_order": "Public order",
    "acquisitive": "Acquisitive crime",
    "damage": "Criminal damage and arson",
    "other": "Other crime",
    "asb": "Anti-social behaviour",
}

#: Categories police.uk no longer publishes, and the group they belong to.
_LEGACY: dict[str, str] = {
    "Violent crime": "violence",
    "Public disorder and weapons": "public_order",
}

#: Named combinations of groups.
SELECTIONS: dict[str, tuple[str, ...]] = {
    "serious_violence": ("violence", "robbery", "weapons"),
    "crime": tuple(g for g in GROUPS if g != "asb"),
    "all": tuple(GROUPS),
}

#: The 14 categories police.uk publishes today, in its own order.
CRIME_TYPES: tuple[str, ...] = tuple(sorted(t for types in GROUPS.values() for t in types))

_TYPE_TO_GROUP: dict[str, str] = {t: g for g, types in GROUPS.items() for t in types}
_TYPE_TO_GROUP.update(_LEGACY)
_LOWER: dict[str, str] = {t.lower(): t for t in _TYPE_TO_GROUP}


def crime_group(crime_type: str) -> str | None:
    """Group of a police.uk category (current or legacy), or ``None`` if it is not one."""
    return _TYPE_TO_GROUP.get(crime_type)


def known_crime_types() -> tuple[str, ...]:
    """Every category the reader accepts, legacy ones included."""
    return tuple(_TYPE_TO_GROUP)


def resolve_crime_types(values: Iterable[str] | str | None) -> list[str] | None:
    """Turn group names, selection names or category names into police.uk categories.

    ``None`` means no filter. Matching ignores case. Raises :class:`ParameterError` listing what is
    allowed when a value is unknown.
    """
    if values is None:
        return None
    if isinstance(values, str):
        values = [values]
    out: list[str] = []
    for value in values:
        if not isinstance(value, str):
            raise TypeError(f"crime type must be a string, not {type(value).__name__}")
        key = value.strip().lower().replace("-", "_").replace(" ", "_")
        groups: tuple[str, ...] = ()
        if key in SELECTIONS:
            groups = SELECTIONS[key]
        elif key in GROUPS:
            groups = (key,)
        if groups:
            # A group also covers its legacy categories, so old files filter the same way.
            types = [t for g in groups for t in GROUPS[g]]
            types += [t for t, g in _LEGACY.items() if g in groups]
        elif value.strip().lower() in _LOWER:
            types = [_LOWER[value.strip().lower()]]
        else:
            allowed = ", ".join([*SELECTIONS, *GROUPS, *CRIME_TYPES])
            raise ParameterError(f"Unknown crime type or group {value!r}. Allowed: {allowed}.")
        out.extend(t for t in types if t not in out)
    return out
