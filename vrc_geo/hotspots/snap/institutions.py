"""Institutions from public registers claim the snap points their records go to.

police.uk moves each record to the nearest of its anonymised snap points, so an institution's records
land on the snap point(s) nearest its buildings — which in a village or on a hospital campus can be
hundreds of metres from its postcode, and since July 2022 carry a street's name ("Park Lane" for a
mental-health hospital at Godden Green). A registered institution (hospital, prison, police station:
:mod:`vrc_geo.io.institutions`) therefore **claims** snap points by where records go, not by name.
All is read on the current snap-point map (the months since police.uk last redrew it):

* **reach** — ``spacing`` (2) times the distance to its ``nearest``-th (3rd) nearest snap point, at
  most ``max_m`` (1 km): tens of metres in a town, hundreds in a village;
* **signature** — a snap point within reach looks like an institution's when it has at least
  ``min_rate`` (1.5) violence-group records a month, in at least ``steady`` (60 %) of the months; is
  **dominant** (at least ``dominance``, half, of the violence within 100 m is at this point);
  **violence-heavy** (at least ``violence_share``, 40 %, of its crime other than anti-social behaviour
  is violence, robbery or weapons); **not a shopping street** (at most ``max_acquisitive``, 30 %, of its
  crime is theft, shoplifting, burglary or vehicle crime);
* **stands out** — it has at least ``stands_out`` (3) times the records of the busiest tenth of the
  other snap points within ``neighbourhood_m`` (1 km), unless it is the snap point nearest the
  institution (where its records go first). A quiet residential close near a hospital has the
  signature but not the lift; a busy high street beside one fails the mix; both stay places to patrol.

A point two institutions reach goes to the nearer. Every claim keeps its evidence (institution, register
and vintage, distance, records, shares, lift) and every institution that claims nothing is listed with
the reason: docs/methods/sites.md.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from ...base.params import Estimator, Param
from ...base.plurals import counted
from ...reference.kinds import SITE_LABELS

__all__ = ["CLAIM_COLUMNS", "InstitutionClaims", "describe_claims", "institutions_sheet"]

SITE_WORDS = {key: label.lower() for key, label in SITE_LABELS.items()}
CLAIM_COLUMNS = [
    "x",
    "y",
    "site_type",
    "institution",
    "source",
    "vintage",
    "distance_m",
    "records",
    "violence_share",
    "acquisitive_share",
    "dominance",
    "lift",
    "label",
]
UNCLAIMED_COLUMNS = ["institution", "site_type", "source", "vintage", "reason"]


class InstitutionClaims(Estimator):
    """``fit(points, institutions, n_months=T, map_xy=None)`` sets ``claims_`` (one row per claimed snap
    point, :data:`CLAIM_COLUMNS`) and ``unclaimed_`` (``institution, site_type, source, vintage,
    reason``)."""

    params: ClassVar[dict[str, Param]] = {
        "nearest": Param(low=1, high=20, integer=True, default=3, help="snap points that set the local spacing"),
        "spacing": Param(low=1, high=10, default=2.0, help="reach, as a multiple of the local spacing"),
        "max_m": Param(low=10, high=5000, default=1000.0, help="farthest a claimed snap point may be, metres"),
        "min_rate": Param(low=0, high=1000, default=1.5, help="least violence-group records a month"),
        "steady": Param(low=0, high=1, default=0.6, help="least share of months with violence"),
        "dominance": Param(low=0, high=1, default=0.5, help="least share of the violence within 100 m"),
        "violence_share": Param(low=0, high=1, default=0.4, help="least share of its crime that is violence"),
        "max_acquisitive": Param(low=0, high=1, default=0.3, help="most share of its crime that is acquisitive"),
        "stands_out": Param(low=1, high=1000, default=3.0, help="least records over the neighbourhood's busiest"),
        "neighbourhood_m": Param(low=100, high=5000, default=1000.0, help="the neighbourhood it must stand out in"),
    }

    def fit(
        self,
        points: pd.DataFrame,
        institutions: pd.DataFrame,
        *,
        n_months: int,
        map_xy: np.ndarray | None = None,
    ) -> InstitutionClaims:
        """``points``: one row per snap point with violence-group records: ``x, y, map_records,
        map_months`` (records and months with records on the current map, over its ``n_months``),
        ``records`` (all months), ``crime_records``, ``acquisitive_records``. ``institutions``: ``name,
        site_type, x, y, source, vintage``. ``map_xy``: every snap point of the current map (with or
        without violence), for the local spacing; default the points themselves."""
        self._validate()
        claims: list[tuple] = []
        unclaimed: list[tuple] = []
        live = points[points["map_records"] > 0].reset_index(drop=True) if len(points) else points
        if len(live) == 0 or len(institutions) == 0:
            for inst in institutions.itertuples(index=False):
                unclaimed.append((inst.name, inst.site_type, inst.source, inst.vintage, "no snap point with violence"))
            self.claims_, self.unclaimed_ = _frames(claims, unclaimed)
            return self
        xy = live[["x", "y"]].to_numpy(dtype="float64")
        evidence = self._evidence(live, xy, n_months)
        spread = np.asarray(map_xy, dtype="float64") if map_xy is not None and len(map_xy) else xy
        spacing_tree, tree = cKDTree(spread), cKDTree(xy)
        k = min(self.nearest, len(spread))
        lifts: dict[int, float] = {}
        ordered = institutions.sort_values(["site_type", "name", "x", "y"], kind="mergesort")
        for inst in ordered.itertuples(index=False):
            gaps, _ = spacing_tree.query([inst.x, inst.y], k=k)
            reach = min(self.max_m, self.spacing * float(np.atleast_1d(gaps)[-1]))
            near = np.array(sorted(tree.query_ball_point([inst.x, inst.y], r=reach)), dtype=np.int64)
            if len(near) == 0:
                reason = f"no snap point with violence within {reach:.0f} m"
                unclaimed.append((inst.name, inst.site_type, inst.source, inst.vintage, reason))
                continue
            distance = np.hypot(xy[near, 0] - inst.x, xy[near, 1] - inst.y)
            first = near[np.argmin(distance)]
            chosen = []
            for i, d in zip(near, distance, strict=True):
                if not evidence["signature"][i]:
                    continue
                if i not in lifts:
                    lifts[i] = self._lift(tree, xy, live["map_records"].to_numpy(dtype="float64"), i)
                if i == first or lifts[i] >= self.stands_out:
                    chosen.append((i, d))
            if not chosen:
                reason = f"none of the {len(near)} snap point(s) within {reach:.0f} m looks like an institution's"
                unclaimed.append((inst.name, inst.site_type, inst.source, inst.vintage, reason))
                continue
            kind = SITE_WORDS.get(inst.site_type, inst.site_type)
            for i, d in chosen:
                label = f"{inst.name} — {kind}, {d:.0f} m from its snap point ({inst.source} {inst.vintage})"
                claims.append(
                    (xy[i, 0], xy[i, 1], inst.site_type, inst.name, inst.source, inst.vintage, round(float(d)))
                    + (int(live["map_records"].iat[i]), round(float(evidence["share"][i]), 2))
                    + (round(float(evidence["acquisitive"][i]), 2), round(float(evidence["dominance"][i]), 2))
                    + (round(lifts.get(i, float("nan")), 1), label.replace(" )", ")"))
                )
        self.claims_, self.unclaimed_ = _frames(claims, unclaimed)
        return self

    def _evidence(self, live: pd.DataFrame, xy: np.ndarray, n_months: int) -> dict[str, np.ndarray]:
        """Per point: its shares, dominance and whether it has an institution's signature."""
        records = live["map_records"].to_numpy(dtype="float64")
        violence = live["records"].to_numpy(dtype="float64")
        crime = np.maximum(live["crime_records"].to_numpy(dtype="float64"), violence)
        acquisitive = live["acquisitive_records"].to_numpy(dtype="float64")
        around = records.copy()
        pairs = cKDTree(xy).query_pairs(100.0, output_type="ndarray")
        if len(pairs):
            np.add.at(around, pairs[:, 0], records[pairs[:, 1]])
            np.add.at(around, pairs[:, 1], records[pairs[:, 0]])
        with np.errstate(divide="ignore", invalid="ignore"):
            dominance = np.where(around > 0, records / around, 0.0)
            share = np.where(crime > 0, violence / crime, 0.0)
            acq = np.where(crime > 0, acquisitive / crime, 0.0)
        n = max(n_months, 1)
        signature = (
            (records / n >= self.min_rate)
            & (live["map_months"].to_numpy(dtype="float64") / n >= self.steady)
            & (dominance >= self.dominance)
            & (share >= self.violence_share)
            & (acq <= self.max_acquisitive)
        )
        return {"signature": signature, "share": share, "acquisitive": acq, "dominance": dominance}

    def _lift(self, tree: cKDTree, xy: np.ndarray, records: np.ndarray, i: int) -> float:
        """A point's records over the 90th percentile of the other points' within the neighbourhood (at
        least one record)."""
        others = [j for j in tree.query_ball_point(xy[i], r=self.neighbourhood_m) if j != i]
        busiest = float(np.percentile(records[others], 90)) if others else 0.0
        return float(records[i]) / max(busiest, 1.0)


def _frames(claims: list, unclaimed: list) -> tuple[pd.DataFrame, pd.DataFrame]:
    claimed = pd.DataFrame(claims, columns=CLAIM_COLUMNS)
    # A point two institutions claim (a hospital and a clinic on its campus) goes to the nearer one.
    ranked = claimed.sort_values(["x", "y", "distance_m", "institution"], kind="mergesort")
    kept = ranked.drop_duplicates(["x", "y"])
    winner = kept.set_index(["x", "y"])["institution"]
    for row in ranked[~ranked["institution"].isin(kept["institution"])].drop_duplicates("institution").itertuples():
        reason = f"its snap point is {winner[(row.x, row.y)]}'s, which is nearer"
        unclaimed.append((row.institution, row.site_type, row.source, row.vintage, reason))
    left = pd.DataFrame(unclaimed, columns=UNCLAIMED_COLUMNS).sort_values(
        ["site_type", "institution"], kind="mergesort"
    )
    return kept.sort_values(["site_type", "institution", "distance_m"]).reset_index(drop=True), left.reset_index(
        drop=True
    )


def describe_claims(claims: pd.DataFrame, unclaimed: pd.DataFrame | None) -> str:
    """One sentence for notes and screens: how many institutions claimed how many snap points."""
    n_claimed = claims["institution"].nunique()
    total = n_claimed + (0 if unclaimed is None else unclaimed["institution"].nunique())
    sources = sorted({f"{s} {v}".strip() for s, v in zip(claims["source"], claims["vintage"], strict=True)})
    return (
        f"Public registers: {n_claimed} of {total} institutions claimed {counted(len(claims), 'snap point')} as sites"
        + (f" ({'; '.join(sources)})" if sources else "")
        + "; the others had no snap point that looks like an institution's (see the Sites list)."
    )


def institutions_sheet(claims: pd.DataFrame, unclaimed: pd.DataFrame | None) -> pd.DataFrame:
    """Claims and unclaimed institutions as one plain table (the XLSX "Institutions" sheet, the Sites
    list): institution, what it is, register and year, the snap point (WGS84), distance, evidence."""
    from ...base.crs import unproject_xy

    lon, lat = unproject_xy(claims["x"].to_numpy(dtype="float64"), claims["y"].to_numpy(dtype="float64"))
    claimed = pd.DataFrame(
        {
            "Institution": claims["institution"],
            "What": claims["site_type"].map(SITE_WORDS).fillna(claims["site_type"]),
            "Register": claims["source"] + " " + claims["vintage"].astype(str),
            "Claimed snap point (lat, lon)": [f"{a:.5f}, {b:.5f}" for a, b in zip(lat, lon, strict=True)],
            "Distance (m)": claims["distance_m"],
            "Violence records there (current map)": claims["records"],
            "Violence share of its crime": claims["violence_share"],
            "Acquisitive share": claims["acquisitive_share"],
            "Share of the violence within 100 m": claims["dominance"],
            "Times its neighbourhood's busiest": claims["lift"],
            "Why not claimed": "",
        }
    )
    if unclaimed is None or unclaimed.empty:
        return claimed
    left = pd.DataFrame(
        {
            "Institution": unclaimed["institution"],
            "What": unclaimed["site_type"].map(SITE_WORDS).fillna(unclaimed["site_type"]),
            "Register": unclaimed["source"] + " " + unclaimed["vintage"].astype(str),
            "Why not claimed": unclaimed["reason"],
        }
    )
    return pd.concat([claimed, left], ignore_index=True)
