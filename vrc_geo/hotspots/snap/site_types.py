"""Site type of every snap point of a set of records: names, the current map, succession, the rules.

:func:`snap_point_sites` runs the site rules of :mod:`.sites` on records as the patrol list sees them:
records from before police.uk's latest snap-point map are counted at the nearest current point (their
names go with them, :mod:`.epochs`), a new point that took over a named site's records across the
change inherits its type (:mod:`.succession`), and every name seen at a point counts.

The patrol list runs it twice: on the selection, and on every month available (``SiteHistory``),
because police.uk's names for institutions ("Hospital", "Police Station", "Prison") stopped with its
July 2022 map: a selection of later months alone cannot see them, yet its hospitals are the same
places. A point is a site when either run says so.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from ...base.categories import text_of
from ...base.kept import KeptResults
from ...reference.taxonomy import GROUPS
from .epochs import find_epochs, resnap
from .institutions import InstitutionClaims
from .sites import classify_sites
from .succession import inherit_sites

__all__ = ["PointSites", "SiteHistory", "label_points", "point_names", "snap_point_sites"]

ACQUISITIVE = GROUPS["acquisitive"]


@dataclass(frozen=True)
class SiteHistory:
    """Violence-group ``records`` (``x, y, month, location``) and every other crime record but
    anti-social behaviour (``context``) over ``months``: every month available, oldest first. ``key``
    names these records (e.g. the dataset's version and districts): with one, their sites are worked out
    once for each set of options and kept (the 8 latest), since any choice of months reads the same.
    ``load`` (:meth:`loaded_by`): the records and context are selected only when their sites are not
    kept yet (over ten years, a selection of millions of rows)."""

    records: pd.DataFrame | None
    context: pd.DataFrame | None
    months: list[str]
    key: Hashable | None = None
    load: Callable[[], tuple[pd.DataFrame, pd.DataFrame | None]] | None = field(default=None, repr=False)

    @classmethod
    def loaded_by(
        cls, load: Callable[[], tuple[pd.DataFrame, pd.DataFrame | None]], months: list[str], *, key: Hashable
    ) -> SiteHistory:
        """A history whose ``(records, context)`` ``load()`` selects when first needed."""
        return cls(None, None, months, key, load)

    def frames(self) -> tuple[pd.DataFrame, pd.DataFrame | None]:
        """``(records, context)``, selected now when given by ``load``."""
        return self.load() if self.load is not None else (self.records, self.context)


_HISTORY_SITES: KeptResults[pd.DataFrame] = KeptResults(8)


def _history_sites(history: SiteHistory, options: dict[str, object]) -> pd.DataFrame:
    """:func:`snap_point_sites` of every month of ``history``, kept under its key and the options."""

    def build() -> pd.DataFrame:
        records, context = history.frames()
        return snap_point_sites(records, months=history.months, context=context, **options)

    if history.key is None:
        return build()
    key = (history.key, tuple(sorted((name, _digest(value)) for name, value in options.items())))
    return _HISTORY_SITES.get(key, build)


def _digest(value: object) -> Hashable:
    """A table by its contents (registers are passed as tables); anything else as it is."""
    if isinstance(value, pd.DataFrame):
        hashed = pd.util.hash_pandas_object(value, index=True).to_numpy()
        return ("table", tuple(value.columns), hashlib.sha256(hashed.tobytes()).hexdigest())
    return value


@dataclass(frozen=True)
class PointSites:
    """Per snap point (in the order asked for): ``name``, ``all_names``, ``site_type`` (``""``: a street
    place) and ``institution`` (who claimed it, in words); the claims and unclaimed institutions of the
    public registers (``None`` without them)."""

    name: np.ndarray
    all_names: np.ndarray
    site_type: np.ndarray
    institution: np.ndarray
    claims: pd.DataFrame | None
    unclaimed: pd.DataFrame | None


def label_points(
    key: pd.MultiIndex,
    records: pd.DataFrame,
    *,
    months: list[str],
    history: SiteHistory | None = None,
    **options: object,
) -> PointSites:
    """:func:`snap_point_sites` of the selection for the points ``key`` (``x, y``), and of every month
    (``history``) where given: a point is a site when either run says so, since a hospital is a hospital
    whatever months are selected. The claims are the run's over every month when there is one."""
    own = snap_point_sites(records, months=months, **options)
    name = own["name"].reindex(key).fillna("").to_numpy()
    all_names = own["all_names"].reindex(key).fillna("").to_numpy()
    site_type = own["site_type"].reindex(key).fillna("").to_numpy()
    institution = own["institution"].reindex(key).fillna("").to_numpy()
    claims, unclaimed = own.attrs["claims"], own.attrs["unclaimed"]
    if history is not None:
        rest = {k: v for k, v in options.items() if k not in ("epochs", "context")}
        known = _history_sites(history, rest)
        blank = site_type == ""
        site_type = np.where(blank, known["site_type"].reindex(key).fillna("").to_numpy(), site_type)
        institution = np.where(blank, known["institution"].reindex(key).fillna("").to_numpy(), institution)
        if known.attrs["claims"] is not None:
            # copies: the kept run is shared by every selection that reads it
            claims, unclaimed = (
                None if t is None else t.copy() for t in (known.attrs["claims"], known.attrs["unclaimed"])
            )
    return PointSites(name, all_names, site_type, institution, claims, unclaimed)


def snap_point_sites(
    records: pd.DataFrame,
    *,
    months: list[str],
    context: pd.DataFrame | None = None,
    resnap_m: float = 150.0,
    site_radius_m: float = 100.0,
    touch_m: float = 40.0,
    succession_m: float = 500.0,
    epochs: tuple[tuple[str, ...], np.ndarray] | None = None,
    register: pd.DataFrame | None = None,
    institutions: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per snap point of the current map (index ``x, y``): ``records, name, all_names,
    site_type`` (``""`` for a street place) and ``institution`` (the register entry it belongs to, in
    words; ``""`` for none). ``epochs``: :func:`.find_epochs` of the same records and context, when the
    caller has it already. ``institutions``: public registers (``name, site_type, x, y, source,
    vintage``): each claims the snap points its records go to (:class:`.InstitutionClaims`); the claims
    and the institutions that claimed nothing are in ``attrs["claims"]`` and ``attrs["unclaimed"]``.
    ``register``: institutions kept by partners (``site_type, x, y, radius_m``,
    :func:`..io.site_register.read_site_register`), which come first: a point within an entry's radius
    is that site (the nearest entry, when several reach it), whatever its name."""
    located = records.dropna(subset=["x", "y"])
    located = located[located["month"].isin(list(months))]
    where = context.dropna(subset=["x", "y"]) if context is not None else located
    reference = (where["x"].to_numpy(), where["y"].to_numpy(), text_of(where["month"]))
    starts, current = epochs if epochs is not None else find_epochs(*reference, months)
    raw = (
        located["x"].to_numpy(dtype="float64"),
        located["y"].to_numpy(dtype="float64"),
        text_of(located["month"]),
    )
    x, y, _ = resnap(*raw, starts, current, resnap_m=resnap_m)
    moved = located.assign(x=x, y=y)
    points = moved.groupby(["x", "y"], sort=True).size().rename("records").reset_index()
    key = pd.MultiIndex.from_frame(points[["x", "y"]])
    points["name"], points["all_names"] = point_names(moved, points)
    # An institution's signature is read on the current map's months: records reach today's points then.
    since = starts[-1] if starts else months[0]
    mapped = moved[text_of(moved["month"]) >= since].groupby(["x", "y"])["month"]
    points["map_records"] = mapped.size().reindex(key).fillna(0).to_numpy()
    points["map_months"] = mapped.nunique().reindex(key).fillna(0).to_numpy()
    if context is not None:
        cx, cy, _ = resnap(*reference, starts, current, resnap_m=resnap_m)
        mix = pd.DataFrame({"x": cx, "y": cy, "acq": where["crime_type"].isin(ACQUISITIVE).to_numpy()})
        grouped = mix.groupby(["x", "y"])["acq"].agg(["size", "sum"])
        points["crime_records"] = grouped["size"].reindex(key).fillna(0).to_numpy()
        points["acquisitive_records"] = grouped["sum"].reindex(key).fillna(0).to_numpy()
    else:
        points["crime_records"], points["acquisitive_records"] = points["records"], 0
    if starts and succession_m > 0:
        heirs = inherit_sites(
            *raw,
            located["location"].to_numpy(dtype=object),
            change=starts[-1],
            months=months,
            resnap_m=resnap_m,
            succession_m=succession_m,
        )
        if len(heirs):
            points["inherited"] = heirs.reindex(key).fillna("").to_numpy()
    inherited = points["inherited"].to_numpy() if "inherited" in points else np.full(len(points), "", dtype=object)
    institution = np.full(len(points), "", dtype=object)
    claims = unclaimed = None
    if institutions is not None and len(institutions):
        n_map = sum(m >= since for m in months)
        model = InstitutionClaims().fit(points, institutions, n_months=n_map, map_xy=current if starts else None)
        claims, unclaimed = model.claims_, model.unclaimed_
        claimed = claims.set_index(["x", "y"]).reindex(key)
        hit = claimed["site_type"].notna().to_numpy()
        inherited = np.where(hit, claimed["site_type"].to_numpy(), inherited)
        institution = np.where(hit, claimed["label"].to_numpy(), institution)
    if register is not None and len(register):
        listed, names = _registered(points[["x", "y"]].to_numpy(), register)
        inherited = np.where(listed != "", listed, inherited)
        institution = np.where(listed != "", names, institution)
    points["inherited"] = inherited
    points["site_type"] = classify_sites(points, site_radius_m=site_radius_m, touch_m=touch_m).to_numpy()
    points["institution"] = np.where(points["site_type"] != "", institution, "")
    if claims is not None and len(claims):
        points["institution"] = _beside_claims(points, claims)
    out = points.set_index(["x", "y"])[["records", "name", "all_names", "site_type", "institution"]]
    out.attrs["claims"], out.attrs["unclaimed"] = claims, unclaimed
    return out


def _beside_claims(points: pd.DataFrame, claims: pd.DataFrame, *, campus_m: float = 250.0) -> np.ndarray:
    """Institution of each site point: its own, else that of the nearest claimed point of its type within
    a campus (the site rules extend a hospital or prison to dominant points beside it, such as the point
    its records went to before police.uk redrew its map)."""
    out = points["institution"].to_numpy().copy()
    todo = np.flatnonzero((points["site_type"] != "").to_numpy() & (out == ""))
    if len(todo) == 0:
        return out
    tree = cKDTree(claims[["x", "y"]].to_numpy())
    dist, idx = tree.query(points[["x", "y"]].to_numpy()[todo])
    kinds = claims["site_type"].to_numpy()[idx]
    ok = (dist <= campus_m) & (kinds == points["site_type"].to_numpy()[todo])
    rows = claims.iloc[idx]
    words = [
        f"{r.institution} — {r.site_type}, {d:.0f} m from the snap point it claimed ({r.source} {r.vintage})"
        for r, d in zip(rows.itertuples(), dist, strict=True)
    ]
    out[todo[ok]] = np.asarray(words, dtype=object)[ok]
    return out


def _registered(xy: np.ndarray, register: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Site type key and name of the nearest register entry whose radius reaches each point (``""``:
    none)."""
    kinds = np.full(len(xy), "", dtype=object)
    names = np.full(len(xy), "", dtype=object)
    best = np.full(len(xy), np.inf)
    entries = register.sort_values(["x", "y", "site_type"])
    if "name" not in entries:
        entries = entries.assign(name="")
    for ex, ey, kind, radius, name in entries[["x", "y", "site_type", "radius_m", "name"]].itertuples(index=False):
        dist = np.hypot(xy[:, 0] - ex, xy[:, 1] - ey)
        closer = (dist <= radius) & (dist < best)
        kinds[closer], best[closer] = kind, dist[closer]
        names[closer] = f"{name} ({kind}; your register of institutions)"
    return kinds, names


def point_names(located: pd.DataFrame, points: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """The commonest place name at each snap point (ties: alphabetical; "" when blank), and every name
    seen there joined by "|" (police.uk sometimes gives one coordinate two names)."""
    codes, locations = pd.factorize(located["location"], use_na_sentinel=False)  # no text copy per record
    cleaned = np.array([re.sub(r"(?i)^\s*on or near\s*", "", str(v)).strip() if v == v else "" for v in locations])
    name_codes, names = pd.factorize(cleaned[codes])
    frame = pd.DataFrame({"x": located["x"].to_numpy(), "y": located["y"].to_numpy(), "c": name_codes})
    counts = frame.groupby(["x", "y", "c"]).size().rename("n").reset_index()
    counts["name"] = names[counts["c"].to_numpy()]
    counts = counts.sort_values(["x", "y", "n", "name"], ascending=[True, True, False, True])
    first = counts.drop_duplicates(["x", "y"]).set_index(["x", "y"])["name"]
    index = pd.MultiIndex.from_frame(points[["x", "y"]])
    several = counts[counts.duplicated(["x", "y"], keep=False)]
    every = first.copy()
    if len(several):
        joined = several.sort_values(["x", "y", "name"]).groupby(["x", "y"])["name"].agg("|".join)
        every.loc[joined.index] = joined
    return first.reindex(index).fillna("").to_numpy(), every.reindex(index).fillna("").to_numpy()
