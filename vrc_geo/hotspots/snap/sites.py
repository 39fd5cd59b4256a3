"""Places where records gather for institutional reasons: police stations, prisons, hospitals, ports.

Violence recorded at a custody suite, a prison, a hospital's emergency department or a ferry terminal
is real, but it is not a street a patrol can make safer: an officer reading such a place in a patrol
list takes it for a mistake. police.uk names every snap point ("On or near <name>"), and institutions
have their own snap points, so they are recognised by name, with three documented rules:

1. **By name** — a name the snap point carries matches a word list (:data:`SITE_WORDS`, case-insensitive,
   whole words; police.uk sometimes gives one coordinate two names, and any of them counts). A street
   *named after* an institution ("Hospital Road") is not the institution.
2. **Next to a named site** — a snap point takes the type of a named site nearby when its name is
   blank, or when it dominates its surroundings (it holds at least ``dominance`` of the violence within
   ``site_radius_m``): records of one institution are often snapped to an unnamed point or to the
   street at its gate (e.g. Cookham Wood young offender institution, Rochester). "Nearby" is
   ``site_radius_m`` (100 m) for police stations and ports, ``campus_radius_m`` (250 m) for hospitals
   and prisons, which spread over a campus.
3. **Blank location** — a snap point with no name that dominates its surroundings in the same sense and
   whose crime is mostly violence (at least ``violence_share`` of its crime records other than
   anti-social behaviour) is a site of its own ("blank location"): large institutions are often unnamed
   on police.uk. A blank point inside a busy street area does not dominate, and an unnamed shopping
   centre or supermarket (mostly shoplifting) is not violence-dominated: both stay street places.
4. **Touching a site** — a snap point within ``touch_m`` (the footprint radius, 40 m) of a site found
   above is part of it: a patrol footprint round it would enclose the site's records.
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from ...base.params import Param, validate_params

__all__ = ["SITE_WORDS", "classify_sites", "place_name", "site_of_name"]

_STREET = r"(?!\s+(?:road|lane|street|hill|avenue|way|close|drive|view|gardens|rise|place|walk|terrace)\b)"

#: Word list per site type (regular expressions on the place name, case-insensitive).
SITE_WORDS: dict[str, tuple[str, ...]] = {
    "police": (r"\bpolice (?:station|office)\b", r"\bcustody\b"),
    "prison": (
        r"\bprison\b" + _STREET,
        r"\bhmp\b",
        r"\bhmyoi\b",
        r"\byoung offenders?\b",
        r"\bsecure training centre\b",
        r"\bimmigration removal centre\b",
        r"\bcookham wood\b",  # Cookham Wood young offender institution, Rochester (its street included)
    ),
    "hospital": (r"\bhospital\b" + _STREET, r"\binfirmary\b", r"\baccident (?:and|&) emergency\b"),
    "port": (
        r"\bferry terminal\b",
        r"\bcruise terminal\b",
        r"\b(?:eastern|western) docks\b",
        r"\bchannel tunnel terminal\b",
        r"\beurotunnel\b",
        r"\bport of\b",
        r"\bescape lane\b",  # the lorry lane into Dover's Eastern Docks
    ),
}
_COMPILED = {kind: [re.compile(p, re.IGNORECASE) for p in pats] for kind, pats in SITE_WORDS.items()}
_PARAMS = {
    "site_radius_m": Param(low=0, high=2000),
    "campus_radius_m": Param(low=0, high=5000),
    "dominance": Param(low=0, high=1),
    "violence_share": Param(low=0, high=1),
    "touch_m": Param(low=0, high=500),
}
_CAMPUS = ("hospital", "prison")


def place_name(location: object) -> str:
    """The place in a police.uk ``Location`` ("On or near High Street" -> "High Street"; blank -> ""),
    with police.uk's title-casing slip mended ("Baker'S Lane" -> "Baker's Lane")."""
    text = "" if location is None or (isinstance(location, float) and np.isnan(location)) else str(location)
    text = re.sub(r"^\s*on or near\s*", "", text, flags=re.IGNORECASE).strip()
    return _POSSESSIVE.sub("'s", text)


_POSSESSIVE = re.compile(r"(?<=[A-Za-z])['’]S\b")


@lru_cache(maxsize=65536)
def site_of_name(name: str) -> str:
    """Site type key of a place name by the word list (``""`` when none matches)."""
    for kind, patterns in _COMPILED.items():
        if any(p.search(name) for p in patterns):
            return kind
    return ""


def classify_sites(
    places: pd.DataFrame,
    *,
    site_radius_m: float = 100.0,
    campus_radius_m: float = 250.0,
    dominance: float = 0.5,
    violence_share: float = 0.6,
    touch_m: float = 40.0,
) -> pd.Series:
    """Site type key per snap point (``""`` = a street place), by the four rules above.

    ``places``: one row per snap point with ``x, y`` (metres), ``name`` (its commonest place name, ""
    when blank), ``records`` (violence-group records there), optionally ``all_names`` (every name seen
    there, "|"-separated), ``crime_records`` (all its crime records but anti-social behaviour;
    without it every point counts as violence-dominated) and ``inherited`` (a site type key taken over
    across a snap-point redraw, :func:`.succession.inherit_sites`: counts as a name match).
    """
    validate_params(
        {
            "site_radius_m": site_radius_m,
            "campus_radius_m": campus_radius_m,
            "dominance": dominance,
            "violence_share": violence_share,
            "touch_m": touch_m,
        },
        _PARAMS,
    )
    names = places["name"].fillna("").astype(str).to_numpy()
    every = places["all_names"].fillna("").astype(str).to_numpy() if "all_names" in places else names
    distinct = pd.unique(every)
    by_name = {n: next((k for k in map(site_of_name, n.split("|")) if k), "") for n in distinct}
    kinds = np.array([by_name[n] for n in every], dtype=object)
    if "inherited" in places:
        inherited = places["inherited"].fillna("").astype(str).to_numpy()
        kinds = np.where(inherited != "", inherited, kinds).astype(object)
    n = len(places)
    if n == 0:
        return pd.Series(kinds, index=places.index, dtype=object)
    xy = places[["x", "y"]].to_numpy(dtype="float64")
    records = places["records"].to_numpy(dtype="float64")
    pairs = cKDTree(xy).query_pairs(site_radius_m, output_type="ndarray")
    local_total = records.copy()
    if len(pairs):
        np.add.at(local_total, pairs[:, 0], records[pairs[:, 1]])
        np.add.at(local_total, pairs[:, 1], records[pairs[:, 0]])
    dominant = records >= dominance * np.maximum(local_total, 1e-9)
    blank = names == ""
    out = kinds.copy()
    candidate = (kinds == "") & (blank | (dominant & (records > 0)))
    for types, radius in ((("police", "port"), site_radius_m), (_CAMPUS, campus_radius_m)):
        named = np.flatnonzero(np.isin(kinds, types))
        if len(named) == 0:
            continue
        dist, nearest = cKDTree(xy[named]).query(xy, k=1)
        near = candidate & (out == "") & (dist <= radius)
        out[near] = kinds[named[nearest[near]]]
    crime = places["crime_records"].to_numpy(dtype="float64") if "crime_records" in places else records
    violent = records >= violence_share * np.maximum(crime, 1e-9)
    out[(out == "") & blank & dominant & violent & (records > 0)] = "blank"
    sites = np.flatnonzero(out != "")
    if len(sites) and touch_m > 0:
        dist, nearest = cKDTree(xy[sites]).query(xy, k=1)
        touching = (out == "") & (dist <= touch_m)
        out[touching] = out[sites[nearest[touching]]]
    return pd.Series(out, index=places.index, dtype=object)
