"""What lies in and near each hotspot footprint: counts by type, wards, months, commonest locations."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import shapely

from ..base.categories import text_of
from .snap.sites import place_name

__all__ = ["UNNAMED", "describe_footprints", "place_label", "row_place", "top_locations"]

_GENERIC = {"", "on or near", "no location"}


UNNAMED = "(unnamed location)"


def _place_names(locations: pd.Series) -> pd.Series:
    """Place names from police.uk ``Location`` values; a blank "On or near" becomes :data:`UNNAMED`
    (records with no location at all stay missing)."""
    names = locations.astype(object).where(locations.notna(), None)
    distinct = pd.unique(names.dropna().to_numpy())
    cleaned = {}
    for value in distinct:
        text = place_name(value)
        cleaned[value] = UNNAMED if text.lower() in _GENERIC else text
    return names.map(cleaned)


def place_label(top_locations: object, ward_names: object) -> str:
    """The busiest named place of a list row (its ``top_locations``); a point police.uk leaves unnamed is
    placed by its ward ("unnamed point, High Street ward"), as every surface writes it."""
    name = str(top_locations).split(" (")[0]
    if not name or name == UNNAMED or name == "nan":
        ward = str(ward_names).split(";")[0].strip()
        return f"unnamed point, {ward} ward" if ward and ward != "nan" else "unnamed point"
    return name


def row_place(kind: str, top_locations: object, ward_names: object, institution: object) -> str:
    """What a list row is, in a word or two: a hot ward by its name, a site by its institution's (when a
    public register named it), a place by :func:`place_label`."""
    if kind == "ward" and str(ward_names) not in ("", "nan"):
        return f"{ward_names} ward"
    if kind == "site" and institution and str(institution) != "nan":
        return str(institution).split(" — ")[0]
    return place_label(top_locations, ward_names)


def top_locations(locations: pd.Series, *, n: int = 3) -> str:
    """The commonest "On or near ..." places, as ``"High Street (120); Market Place (45)"``."""
    names = _place_names(locations).dropna()
    top = _ranked_counts(names).iloc[:n]
    return "; ".join(f"{name} ({count})" for name, count in top.items())


def _ranked_counts(values: pd.Series) -> pd.Series:
    """Value counts, most first, ties in value order (so row order never changes the answer)."""
    return values.value_counts().sort_index().sort_values(ascending=False, kind="stable")


def _first_by_count(frame: pd.DataFrame, key: str) -> pd.Series:
    """Per footprint, the value of ``key`` with most rows (ties: lowest value)."""
    counts = frame.groupby(["fp", key], observed=True).size().rename("n").reset_index()
    counts = counts.sort_values(["fp", "n", key], ascending=[True, False, True])
    return counts.drop_duplicates("fp").set_index("fp")[key]


def describe_footprints(
    footprints: Sequence[shapely.Geometry],
    records: pd.DataFrame,
    *,
    types: dict[str, Sequence[str]],
    violence_types: Sequence[str],
    near_m: float,
    ward_names: pd.Series,
    n_locations: int = 3,
    months: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Per footprint: ``<name>_count`` for each entry of ``types`` (records inside), ``drugs_near_count``
    (drugs within ``near_m`` of the edge, inside included), ``ward_codes``, ``ward_names``,
    ``main_ward_code`` and ``district_code`` (of most violence records), ``first_month``, ``last_month``,
    ``top_locations`` (the ``n_locations`` commonest) and ``main_site_share`` (share of violence at its
    busiest snap point), all of the violence records; with the selection's ``months``, also
    ``violence_months`` (months with violence inside), ``last_3`` and ``previous_3`` (violence in its
    last three months and the three before). ``records`` need ``x, y, crime_type, month, location,
    ward_code, district_code``."""
    n_fp = len(footprints)
    located = records.dropna(subset=["x", "y"])
    snap, unique = pd.factorize(located["x"].to_numpy() + 1j * located["y"].to_numpy())
    tree = shapely.STRtree(shapely.points(unique.real, unique.imag))
    geoms = np.asarray(footprints, dtype=object)
    out = pd.DataFrame(index=pd.RangeIndex(n_fp, name="fp"))
    if n_fp == 0:
        columns = [f"{name}_count" for name in types] + [
            "drugs_near_count",
            "ward_codes",
            "ward_names",
            "main_ward_code",
            "district_code",
            "first_month",
            "last_month",
            "top_locations",
            "main_site_share",
        ]
        if months is not None:
            columns += ["violence_months", "last_3", "previous_3"]
        return pd.DataFrame(columns=columns)
    fp, pt = tree.query(geoms, predicate="intersects")
    near_fp, near_pt = tree.query(shapely.buffer(geoms, near_m), predicate="intersects")
    # Only records at snap points inside or near a footprint are read (over ten years, a small share of
    # all records: the text columns of the rest are never made).
    needed = np.zeros(len(unique), dtype=bool)
    needed[pt], needed[near_pt] = True, True
    rows = needed[snap]
    located = located[rows]
    crime = text_of(located["crime_type"])
    table = pd.DataFrame(
        {
            "snap": snap[rows],
            "crime_type": crime,
            "violent": np.isin(crime, list(violence_types)),
            "month": text_of(located["month"]),
            "location": located["location"].to_numpy(),
            "ward_code": text_of(located["ward_code"]),
            "district_code": text_of(located["district_code"]),
        }
    )
    inside = pd.DataFrame({"fp": fp, "snap": pt}).merge(table, on="snap")
    for name, kinds in types.items():
        hits = inside[inside["crime_type"].isin(list(kinds))].groupby("fp").size()
        out[f"{name}_count"] = hits.reindex(out.index, fill_value=0).astype(int)
    near = pd.DataFrame({"fp": near_fp, "snap": near_pt}).merge(table[table["crime_type"] == "Drugs"], on="snap")
    out["drugs_near_count"] = near.groupby("fp").size().reindex(out.index, fill_value=0).astype(int)

    violent = inside[inside["violent"]]
    pairs = violent[["fp", "ward_code"]].drop_duplicates().sort_values(["fp", "ward_code"])
    wards = pairs.groupby("fp")["ward_code"].agg(list)  # each footprint's wards, once each, in code order
    out["ward_codes"] = ["; ".join(wards.get(i, [])) for i in out.index]
    out["ward_names"] = ["; ".join(str(ward_names.get(c, c)) for c in wards.get(i, [])) for i in out.index]
    out["main_ward_code"] = _first_by_count(violent, "ward_code").reindex(out.index)
    out["district_code"] = _first_by_count(violent, "district_code").reindex(out.index)
    months_of = violent.groupby("fp")["month"]
    out["first_month"] = months_of.min().reindex(out.index)
    out["last_month"] = months_of.max().reindex(out.index)
    named = violent.assign(place=_place_names(violent["location"]).to_numpy()).dropna(subset=["place"])
    places = named.groupby(["fp", "place"]).size().rename("n").reset_index()
    places = places.sort_values(["fp", "n", "place"], ascending=[True, False, True]).groupby("fp").head(n_locations)
    text = places.assign(item=places["place"] + " (" + places["n"].astype(str) + ")").groupby("fp")["item"]
    out["top_locations"] = text.agg("; ".join).reindex(out.index).fillna("")
    if months is not None:
        order = {m: i for i, m in enumerate(months)}
        age = len(months) - 1 - violent["month"].map(order)
        out["violence_months"] = months_of.nunique().reindex(out.index, fill_value=0).astype(int)
        out["last_3"] = violent[age < 3].groupby("fp").size().reindex(out.index, fill_value=0).astype(int)
        out["previous_3"] = violent[(age >= 3) & (age < 6)].groupby("fp").size().reindex(out.index, fill_value=0)
    per_site = violent.groupby(["fp", "snap"]).size()
    share = per_site.groupby(level="fp").max() / per_site.groupby(level="fp").sum()
    out["main_site_share"] = share.reindex(out.index).round(3)
    return out.reset_index(drop=True)
