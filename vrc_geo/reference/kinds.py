"""Kinds of hotspot rows and of institutional sites: key, label, order, ID prefix and map colour, once.

The ranked list (``kind`` column), its file names, the CLI's ``--kind`` choices, the app's filters,
legends and map colours all read these tables, so a new kind is one entry here.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "GI_CLASSES",
    "HOTSPOT_KINDS",
    "MARKER_COLOURS",
    "SITE_LABELS",
    "HotspotKind",
    "kind_keys",
    "kind_of_prefix",
]


@dataclass(frozen=True)
class HotspotKind:
    """One kind of row in the ranked list."""

    key: str  #: the ``kind`` value in files
    label: str  #: one row, in plain words
    plural: str  #: a list of them, in plain words
    file_part: str  #: what a file holding only this kind says in its name
    id_prefix: str  #: ``P001``…; hot wards: ``W-`` + ward code
    colour: tuple[int, int, int]  #: its marker on the map


#: In list order: places to patrol first, then hot wards (areas for partnership work), then sites.
HOTSPOT_KINDS: tuple[HotspotKind, ...] = (
    HotspotKind("place", "Place to patrol", "Places to patrol", "places", "P", (35, 35, 35)),
    HotspotKind("ward", "Hot ward", "Hot wards", "hot-wards", "W-", (0, 0, 0)),
    HotspotKind("site", "Institutional site", "Sites", "sites", "S", (120, 120, 120)),
)
_BY_KEY = {k.key: k for k in HOTSPOT_KINDS}

#: Markers on the hotspot map: a drug-related place stands out from other places and from sites.
MARKER_COLOURS: dict[str, tuple[int, int, int]] = {
    "drug": (197, 27, 125),
    "other": _BY_KEY["place"].colour,
    "site": _BY_KEY["site"].colour,
}

#: Site types (the ``site_type`` column of sites) and their labels.
SITE_LABELS: dict[str, str] = {
    "police": "police station / custody",
    "prison": "prison / young offender institution",
    "hospital": "hospital",
    "port": "port / ferry terminal",
    "blank": "blank location",
}

#: Gi* classes (bin -> label, colour): hot 99/95/90 %, not significant, cold 90/95/99 %.
GI_CLASSES: dict[int, tuple[str, tuple[int, int, int]]] = {
    3: ("Hot 99%", (189, 0, 38)),
    2: ("Hot 95%", (240, 59, 32)),
    1: ("Hot 90%", (253, 141, 60)),
    0: ("Not significant", (236, 236, 236)),
    -1: ("Cold 90%", (158, 202, 225)),
    -2: ("Cold 95%", (66, 146, 198)),
    -3: ("Cold 99%", (8, 81, 156)),
}


def kind_keys() -> tuple[str, ...]:
    """The ``kind`` values, in list order."""
    return tuple(k.key for k in HOTSPOT_KINDS)


def kind(key: str) -> HotspotKind:
    """The kind with this key (``KeyError`` when there is none)."""
    return _BY_KEY[key]


def kind_of_prefix(hotspot_id: str) -> HotspotKind | None:
    """The kind a ``hotspot_id`` belongs to, from its prefix (``None`` when none matches)."""
    for k in sorted(HOTSPOT_KINDS, key=lambda k: -len(k.id_prefix)):
        if hotspot_id.startswith(k.id_prefix):
            return k
    return None
