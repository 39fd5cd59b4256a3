"""Public registers of institutions, read from the data folder: hospitals, NHS trust sites, prisons, and
the postcodes that place them.

Where records gather for institutional reasons — hospitals, prisons and young offender institutions,
police stations and custody — police.uk gives no reliable name since its July 2022 map. These public
registers locate them independently (``institutions/`` and ``lookups/codepoint_open_*`` of a data
folder; the sample bundle's MANIFEST describes each):

* ``nhs_hospital_*.csv`` — the NHS website's "Hospital" dataset: Latin-1, fields separated by ``¬``, with
  coordinates (postcode centroids);
* ``nhs_trust_sites_*.csv(.gz)`` — NHS ODS trust sites ("ets" layout, no header, 27 columns: code, name,
  ..., postcode, open date, close date); those whose names say inpatient or emergency care are kept, one per
  postcode (department rows share a site), placed by postcode;
* ``prison_address_*.tsv`` — prison estate addresses with coordinates (its ``long`` and ``lat`` headers
  are swapped in the published file: the values are told apart by their range);
* ``moj_prison_register_*.sql`` — the Ministry of Justice prison register's addresses (``INSERT`` rows),
  placed by postcode;
* ``police_stations_*.csv`` — police stations fetched from police.uk's neighbourhood API
  (``python -m vrc_geo fetch --what police-stations``);
* ``lookups/codepoint_open_*/*.csv`` — OS Code-Point Open: postcode -> British National Grid.

:func:`read_public_register` returns one row per institution: ``name, site_type, x, y, source, vintage,
postcode`` (British National Grid metres), every file read within bounds; what could not be placed is
counted in the notes.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..base.crs import project_lonlat
from ..errors import InputFileError
from .archives import read_gzip

__all__ = ["REGISTERS", "PublicRegister", "read_codepoint", "read_public_register", "register_files"]

MAX_BYTES = 64 * 2**20
#: Trust sites kept: names that say inpatient or emergency care.
_CARE = re.compile(
    r"hospital|infirmary|\ba ?& ?e\b|accident (?:and|&) emergency|emergency|urgent (?:care|treatment)|minor injur"
    r"|inpatient|\bward\b|secure unit|psychiatric intensive",
    re.IGNORECASE,
)
_NOT_CARE = re.compile(
    r"day hospital|liaison office|\bhq\b|headquarters|offices?\b|rest centre|outpatient", re.IGNORECASE
)
_POSTCODE = re.compile(r"[^A-Z0-9]")
_YEAR = re.compile(r"(20\d\d)")


def _key(postcode: object) -> str:
    return _POSTCODE.sub("", str(postcode).upper())


def _vintage(path: Path) -> str:
    found = _YEAR.findall(path.name)
    return found[-1] if found else ""


def _read(path: Path) -> bytes:
    if path.stat().st_size > MAX_BYTES:
        raise InputFileError(f"{path.name} is over the {MAX_BYTES // 2**20} MiB limit for a register.")
    return read_gzip(path, max_total=4 * MAX_BYTES) if path.suffix == ".gz" else path.read_bytes()


@dataclass
class PublicRegister:
    """Institutions placed (``sites``) and what was left out (``notes``)."""

    sites: pd.DataFrame
    notes: list[str] = field(default_factory=list)

    def describe(self) -> str:
        counts = self.sites.groupby(["source", "site_type"]).size()
        parts = [f"{n} {kind} ({source})" for (source, kind), n in counts.items()]
        return "Public registers of institutions: " + ("; ".join(parts) or "none found") + "."


def read_codepoint(folder: Path | None, districts: set[str] | None = None) -> pd.Series:
    """Postcode (no spaces, upper case) -> (easting, northing) from OS Code-Point Open files, optionally
    only the postcodes of some districts (``Admin_district_code``)."""
    if folder is None or not folder.is_dir():
        return pd.Series(dtype=object)
    frames = []
    for path in sorted(folder.glob("*.csv")):
        if "header" in path.name.lower():
            continue
        table = pd.read_csv(io.BytesIO(_read(path)), header=None, dtype=str, usecols=[0, 2, 3, 8])
        table.columns = ["postcode", "x", "y", "district"]
        if districts is not None:
            table = table[table["district"].isin(districts)]
        frames.append(table)
    if not frames:
        return pd.Series(dtype=object)
    table = pd.concat(frames, ignore_index=True)
    table["key"] = table["postcode"].map(_key)
    xy = table[["x", "y"]].apply(pd.to_numeric, errors="coerce")
    table = table[xy.notna().all(axis=1)]
    return pd.Series(list(zip(xy.loc[table.index, "x"], xy.loc[table.index, "y"], strict=True)), index=table["key"])


#: (file pattern, reader, the register in words) — a new register is one reader and one line here.
REGISTERS: tuple[tuple[str, str, str], ...] = (
    ("nhs_hospital_*.csv", "_hospitals", "NHS website hospital list"),
    ("nhs_trust_sites_*.csv*", "_trust_sites", "NHS trust sites (ODS)"),
    ("prison_address_*.tsv", "_prisons", "prison estate addresses"),
    ("moj_prison_register_*.sql", "_moj_prisons", "Ministry of Justice prison register"),
    ("police_stations_*.csv", "_police_stations", "police.uk neighbourhood police stations"),
)
#: Two entries of one type this close are one institution (the newest register's entry is kept).
SAME_SITE_M = 250.0


def _roots(folders: Path | Sequence[Path | None] | None) -> list[Path]:
    if folders is None or isinstance(folders, (str, Path)):
        folders = [folders]
    return list(dict.fromkeys(Path(f).resolve() for f in folders if f is not None and Path(f).is_dir()))


def _codepoint_dir(roots: list[Path]) -> Path | None:
    found = [d for root in roots if (d := _newest_dir(root / "lookups", "codepoint_open*")) is not None]
    return found[0] if found else None


def register_files(folders: Path | Sequence[Path | None] | None) -> list[Path]:
    """Every file :func:`read_public_register` would read (for cache keys and the data version)."""
    roots = _roots(folders)
    files: list[Path] = []
    for pattern, _, _ in REGISTERS:
        for root in roots:
            files += sorted((root / "institutions").glob(pattern))
    codepoint = _codepoint_dir(roots)
    if codepoint is not None:
        files += sorted(codepoint.glob("*.csv"))
    return [f for f in files if f.is_file()]


def read_public_register(
    folders: Path | Sequence[Path | None] | None, *, districts: set[str] | None = None
) -> PublicRegister:
    """Every institution of the registers found in the ``institutions/`` folder of each data folder given
    (the sample bundle, the project's ``data/``), placed with the first Code-Point Open found; entries of
    one type within :data:`SAME_SITE_M` of each other are one institution, named by its newest register."""
    roots = _roots(folders)
    if not roots:
        return PublicRegister(_empty(), ["No data folder with public registers."])
    notes: list[str] = []
    frames: list[pd.DataFrame] = []
    codepoint = read_codepoint(_codepoint_dir(roots), districts)
    for pattern, reader, label in REGISTERS:
        for root in roots:
            for path in sorted((root / "institutions").glob(pattern)):
                table = globals()[reader](path, codepoint, notes)
                frames.append(table.assign(source=label, vintage=_vintage(path), file=path.name))
    if not frames:
        return PublicRegister(_empty(), notes)
    sites = pd.concat(frames, ignore_index=True)
    if codepoint.empty and len(sites):
        notes.append("No Code-Point Open postcodes found: registers without coordinates could not be placed.")
    sites["name"] = sites["name"].map(_tidy_name)
    return PublicRegister(_one_per_site(sites.dropna(subset=["x", "y"]))[_COLUMNS].reset_index(drop=True), notes)


def _one_per_site(sites: pd.DataFrame) -> pd.DataFrame:
    """An entry of an older register within :data:`SAME_SITE_M` of a newer register's entry of the same
    type (the one with its postcode, else the nearest) is that institution: the newer entry is kept, the
    older name goes to ``also`` (or names it, when the newer register gives only a code). Entries of one
    register are merged only when they share a name: a hospital campus may hold two institutions."""
    order = sites.assign(_len=sites["name"].str.len()).sort_values(
        ["vintage", "_len", "name"], ascending=[False, True, True], kind="mergesort"
    )
    named = sites["named"].fillna(True).astype(bool) if "named" in sites else pd.Series(True, index=sites.index)
    names = sites["name"].copy()
    keys = sites["postcode"].map(_key)
    kept: list[int] = []
    also: dict[int, list[str]] = {}
    for i, row in order.iterrows():
        near = [
            (keys[k] != keys[i], float(np.hypot(sites.at[k, "x"] - row["x"], sites.at[k, "y"] - row["y"])), k)
            for k in kept
            if sites.at[k, "site_type"] == row["site_type"]
            and (sites.at[k, "source"] != row["source"] or names[k].lower() == row["name"].lower())
        ]
        near = [n for n in near if n[1] <= SAME_SITE_M]
        if not near:
            kept.append(i)
            continue
        twin = min(near)[2]
        if not named[twin] and named[i]:  # a register of codes takes an older register's name
            also.setdefault(twin, []).append(f"{names[twin]} ({sites.at[twin, 'source']})")
            names[twin], named[twin] = row["name"], True
        elif row["name"].lower() != names[twin].lower():
            also.setdefault(twin, []).append(f"{row['name']} ({row['source']} {row['vintage']})")
    out = sites.loc[kept].assign(name=names[kept])
    out["also"] = ["; ".join(also.get(i, [])) for i in kept]
    return out.sort_values(["site_type", "name"], kind="mergesort")


_WORD = re.compile(r"[A-Za-z][A-Za-z']*")
_ACRONYMS = re.compile(r"\b(Hm|Hmp|Yoi|Stc|Nhs|Bmi|Kims|Qeqm|Opmh|Ek|Ent|Gstt|Amh|Ccg|Dmc|Ae)\b")


def _tidy_name(name: object) -> str:
    """Register names in capitals made readable: "HM PRISON ELMLEY" -> "HM Prison Elmley"."""
    text = " ".join(str(name).split())
    if text.isupper() or text.islower():
        text = _WORD.sub(lambda m: m.group(0)[:1].upper() + m.group(0)[1:].lower(), text)
    return _ACRONYMS.sub(lambda m: m.group(1).upper(), text)


_COLUMNS = ["name", "site_type", "x", "y", "postcode", "source", "vintage", "file", "also"]


def _empty() -> pd.DataFrame:
    return pd.DataFrame(columns=_COLUMNS)


def _newest_dir(root: Path, pattern: str) -> Path | None:
    found = sorted(p for p in root.glob(pattern) if p.is_dir()) if root.is_dir() else []
    return found[-1] if found else None


def _placed(table: pd.DataFrame, codepoint: pd.Series, notes: list[str], label: str) -> pd.DataFrame:
    """Rows given ``x, y`` from their postcode; those whose postcode is not in Code-Point are counted."""
    xy = table["postcode"].map(_key).map(codepoint)
    missing = xy.isna()
    if missing.any():
        notes.append(f"{label}: {int(missing.sum())} site(s) whose postcode is not a live postcode here were left out.")
    table = table[~missing].copy()
    table["x"] = [p[0] for p in xy[~missing]]
    table["y"] = [p[1] for p in xy[~missing]]
    return table


def _hospitals(path: Path, codepoint: pd.Series, _notes: list[str]) -> pd.DataFrame:
    text = _read(path).decode("latin-1")
    table = pd.read_csv(io.StringIO(text), sep="¬", engine="python", dtype=str, keep_default_na=False)
    lat = pd.to_numeric(table["Latitude"], errors="coerce")
    lon = pd.to_numeric(table["Longitude"], errors="coerce")
    ok = lat.notna() & lon.notna() & table["OrganisationStatus"].str.lower().ne("closed")
    x, y = project_lonlat(lon[ok].to_numpy(), lat[ok].to_numpy())
    out = pd.DataFrame({"name": table.loc[ok, "OrganisationName"].to_numpy(), "site_type": "hospital", "x": x, "y": y})
    out["postcode"] = table.loc[ok, "Postcode"].to_numpy()
    return _inside(out, codepoint)


def _trust_sites(path: Path, codepoint: pd.Series, notes: list[str]) -> pd.DataFrame:
    table = pd.read_csv(io.BytesIO(_read(path)), header=None, dtype=str, keep_default_na=False)
    table = table[[1, 9, 11]].set_axis(["name", "postcode", "closed"], axis=1)
    care = table["name"].str.contains(_CARE) & ~table["name"].str.contains(_NOT_CARE) & table["closed"].eq("")
    table = table[care].assign(key=lambda t: t["postcode"].map(_key)).drop_duplicates("key")
    table = table[table["key"].isin(codepoint.index)]
    return _placed(table[["name", "postcode"]].assign(site_type="hospital"), codepoint, notes, path.name)


def _prisons(path: Path, codepoint: pd.Series, _notes: list[str]) -> pd.DataFrame:
    table = pd.read_csv(io.BytesIO(_read(path)), sep="\t", dtype=str, keep_default_na=False)
    a, b = pd.to_numeric(table["long"], errors="coerce"), pd.to_numeric(table["lat"], errors="coerce")
    # The published headers are swapped: the column whose values lie 49-61 is latitude.
    lat, lon = (a, b) if a.between(49, 61.5).mean() > 0.5 else (b, a)
    ok = lat.notna() & lon.notna()
    x, y = project_lonlat(lon[ok].to_numpy(), lat[ok].to_numpy())
    names = table.loc[ok, "address:name"].str.strip()
    # "HM PRISON" alone (East Sutton Park's entry) says which only with its street.
    generic = names.str.upper().isin(_GENERIC_PRISON) & table.loc[ok, "street:name"].ne("")
    names = names.where(~generic, names + ", " + table.loc[ok, "street:name"])
    out = pd.DataFrame({"name": names.to_numpy(), "site_type": "prison"})
    out["x"], out["y"], out["postcode"] = x, y, table.loc[ok, "postcode"].to_numpy()
    return _inside(out, codepoint)


_GENERIC_PRISON = {"HM PRISON", "HMP", "HM YOUTH CUSTODY CENTRE", "HM YOUNG OFFENDER INSTITUTION", "HMYOI"}
_SQL_ROW = re.compile(r"\(\s*'([^']*)'\s*,\s*((?:'[^']*'|null)\s*(?:,\s*(?:'[^']*'|null)\s*)*)\)", re.IGNORECASE)


def _moj_prisons(path: Path, codepoint: pd.Series, notes: list[str]) -> pd.DataFrame:
    rows = []
    for match in _SQL_ROW.finditer(_read(path).decode("utf-8", errors="replace")):
        values = [v.strip().strip("'") for v in match.group(2).split(",")]
        if len(values) >= 6:
            prison, street, _, town, _, _, postcode = match.group(1), *values[:6]
            where = ", ".join(v for v in (street, town) if v and v != "null")
            name = f"Prison {prison} (Ministry of Justice code), {where}"
            rows.append({"name": name, "postcode": postcode, "site_type": "prison", "named": False})
    table = pd.DataFrame(rows, columns=["name", "postcode", "site_type", "named"])
    table = table[table["postcode"].map(_key).isin(codepoint.index)]
    return _placed(table, codepoint, notes, path.name)


def _police_stations(path: Path, codepoint: pd.Series, notes: list[str]) -> pd.DataFrame:
    table = pd.read_csv(io.BytesIO(_read(path)), dtype=str, keep_default_na=False)
    lat = pd.to_numeric(table.get("latitude", ""), errors="coerce")
    lon = pd.to_numeric(table.get("longitude", ""), errors="coerce")
    out = pd.DataFrame({"name": table["name"], "postcode": table.get("postcode", ""), "site_type": "police"})
    has = lat.notna() & lon.notna()
    x, y = project_lonlat(lon.fillna(0).to_numpy(), lat.fillna(0).to_numpy())
    out["x"], out["y"] = np.where(has, x, np.nan), np.where(has, y, np.nan)
    need = out["x"].isna()
    if need.any():
        placed = _placed(out[need].drop(columns=["x", "y"]), codepoint, notes, path.name)
        out = pd.concat([out[~need], placed], ignore_index=True)
    return out


def _inside(table: pd.DataFrame, codepoint: pd.Series) -> pd.DataFrame:
    """Rows whose postcode is one of the area's (Code-Point filtered to the area's districts); all rows
    when there is no Code-Point to tell."""
    if codepoint.empty:
        return table
    return table[table["postcode"].map(_key).isin(codepoint.index)]
