"""The area a Violence Reduction Unit covers: its districts, names and data bundle, from an area profile.

Kent is configuration, not code: the districts policed by one force, their current names, the names
users and older files give them, the police.uk force and the sample bundle come from a profile file
(``areas/<name>.toml``; Kent & Medway is the default). Another area is another profile, chosen with the
``VRC_GEO_AREA`` environment variable (a profile name or a path to a ``.toml``); see
``docs/area-profiles.md``. Codes are stable, names are not (Shepway became Folkestone and Hythe in April
2018, same code), so every table carries the code and takes its display name from here.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ParameterError

__all__ = [
    "AREA",
    "DISTRICTS",
    "ENV_AREA",
    "AreaProfile",
    "district_name",
    "load_area",
    "resolve_districts",
    "selection_name",
]

ENV_AREA = "VRC_GEO_AREA"
DEFAULT_AREA = "kent-medway"
_PROFILES = Path(__file__).with_name("areas")


@dataclass(frozen=True)
class AreaProfile:
    """One area: its name, police force, districts (code -> current name, in order) and data bundle."""

    name: str
    slug: str
    force: str
    force_name: str
    districts: Mapping[str, str]
    bundle: Path
    csp_force: str = ""
    aliases: Mapping[str, str] = field(default_factory=dict)
    context_areas: tuple[str, ...] = ()
    source: str = ""


def load_area(name_or_path: str | os.PathLike[str] | None = None) -> AreaProfile:
    """The profile named (``kent-medway``) or stored at a path; by default ``VRC_GEO_AREA``, else Kent & Medway."""
    wanted = str(name_or_path or os.environ.get(ENV_AREA) or DEFAULT_AREA)
    path = Path(wanted) if wanted.endswith(".toml") else _PROFILES / f"{wanted}.toml"
    if not path.is_file():
        known = sorted(p.stem for p in _PROFILES.glob("*.toml"))
        raise ParameterError(f"No area profile {wanted!r}: use one of {known} or a path to a .toml profile.")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        districts = {str(k).upper(): str(v) for k, v in data["districts"].items()}
        if not districts or not all(re.fullmatch(r"[EWSN]\d{8}", c) for c in districts):
            raise ValueError("districts must map ONS codes (E06000035…) to names")
        project = Path(__file__).resolve().parents[2]
        bundle = Path(data.get("bundle", ""))
        return AreaProfile(
            name=str(data["name"]),
            slug=str(data.get("slug") or re.sub(r"[^a-z0-9]+", "-", str(data["name"]).lower()).strip("-")),
            force=str(data["force"]),
            force_name=str(data.get("force_name", data["force"])),
            districts=districts,
            bundle=bundle if bundle.is_absolute() else Path(os.path.normpath(project / bundle)),
            csp_force=str(data.get("csp_force", data["force"])).lower(),
            aliases={str(k).lower(): str(v).upper() for k, v in data.get("aliases", {}).items()},
            context_areas=tuple(str(c) for c in data.get("context_areas", ())),
            source=str(path),
        )
    except (KeyError, ValueError, tomllib.TOMLDecodeError) as exc:
        raise ParameterError(f"The area profile {path.name} is not usable: {exc}.") from exc


#: The area in use (read once per process).
AREA = load_area()
#: Code -> current name of the area's districts, in the profile's order.
DISTRICTS: dict[str, str] = dict(AREA.districts)


def _key(text: str) -> str:
    text = text.lower().replace("&", " and ")
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


_BY_NAME: dict[str, str] = {_key(name): code for code, name in DISTRICTS.items()}
_BY_NAME.update({_key(k): v for k, v in AREA.aliases.items()})
_BY_NAME.update({_key(name).replace(" and ", " "): code for code, name in DISTRICTS.items()})
_WHOLE = {"all", _key(AREA.name), _key(AREA.name).replace(" and ", " ")}


def district_name(code: str) -> str:
    """Current name of one of the area's district codes; the code itself if it is not one of them."""
    return DISTRICTS.get(code, code)


def selection_name(districts: Iterable[str] | None) -> str:
    """Districts in words: the area's name when none or all are chosen, else their names joined."""
    chosen = list(districts or [])
    if not chosen or set(chosen) == set(DISTRICTS):
        return AREA.name
    return ", ".join(DISTRICTS.get(d, d) for d in chosen)


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
        elif _key(text) in _WHOLE:
            return None
        else:
            code = _BY_NAME.get(_key(text), "")
        if not code:
            allowed = ", ".join(f"{n} ({c})" for c, n in DISTRICTS.items())
            raise ParameterError(f"Unknown district {value!r}. Use a name or code: {allowed}.")
        if code not in codes:
            codes.append(code)
    return codes
