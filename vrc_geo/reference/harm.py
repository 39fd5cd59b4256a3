"""Crime harm weights for police.uk categories, derived from ONS Crime Severity Score weights.

UK forces rank hotspots by harm (ONS Crime Severity Score; Cambridge Crime Harm Index): a stalking
report and a wounding do not weigh the same. The ONS weight of an offence is the average sentence-days
equivalent of its sentences. police.uk rows carry no Home Office offence code, only a broad category, so
each category needs one weight, and "Violence and sexual offences" bundles offences whose weights run
from 13.5 (assault without injury) to 7,973 (homicide). The derivation, from two published tables:

1. **Violence and sexual offences** — the mix of the Home Office subgroups recorded in each Community
   Safety Partnership (ONS Table C2: homicide, death or serious injury by illegal driving, violence
   with injury, violence without injury, stalking and harassment, sexual offences) weights a
   representative weight per subgroup (:data:`VIOLENCE_SUBGROUPS`): the offence that names the
   subgroup and makes most of it, or the median of its offences where no single offence does (stalking
   and harassment: 8L, 8Q, 8R; sexual offences: every sexual offence in the weights file — rape and
   sexual assault are both common and weigh ~3,000 and ~460). One weight per district (Dartford and
   Gravesham share a partnership, so a weight); Kent & Medway's from the Kent force row.
2. **Burglary** — the same for residential (28E) and business and community (30C) burglary.
3. **Possession of weapons** and **Public order** — the offence that is the bulk of the category:
   10D possession of an article with a blade or point; 9A public fear, alarm or distress.
4. **Every other category** — the median weight of the offences the weights file maps to it (no volume
   split is published beside the weights; the median is not pulled by a rare, very serious offence).
5. **Anti-social behaviour** — 0: incidents, not crimes, with no severity weight.

The assumption behind all of it: within a category (or subgroup) the unrecorded offence mix of a place is
its district's (or the county's). The weights rank places; they are not sentence predictions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..base.categories import text_of
from .area import AREA, DISTRICTS
from .taxonomy import ASB

__all__ = ["VIOLENCE_SUBGROUPS", "HarmWeights", "derive_harm_weights"]

VIOLENCE = "Violence and sexual offences"
#: Table C2 column -> (label, how its weight is taken from the weights file).
VIOLENCE_SUBGROUPS: dict[str, tuple[str, dict[str, object]]] = {
    "homicide": ("Homicide", {"offence": "Homicide"}),
    "death_or_serious_injury_caused_by_illegal_driving": (
        "Death or serious injury by illegal driving",
        {"code": "4.4"},
    ),
    "violence_with_injury": ("Violence with injury", {"code": "8N"}),
    "violence_without_injury": ("Violence without injury", {"code": "105A"}),
    "stalking_and_harassment": ("Stalking and harassment", {"median_of": ("8L", "8Q", "8R")}),
    "sexual_offences": ("Sexual offences", {"median_category": "sexual offences"}),
}
BURGLARY_SUBGROUPS: dict[str, tuple[str, dict[str, object]]] = {
    "residential_burglary": ("Residential burglary", {"code": "28E"}),
    "non_residential_burglary": ("Business and community burglary", {"code": "30C"}),
}
#: Categories whose bulk is one offence.
BULK_OFFENCE = {"Possession of weapons": "10D", "Public order": "9A"}
#: police.uk category -> category name used by the weights file's police.uk map.
_FILE_CATEGORY = {
    "Bicycle theft": "Bicycle Theft",
    "Criminal damage and arson": "Criminal Damage and Arson",
    "Drugs": "Drugs",
    "Other crime": "Other Crime",
    "Other theft": "Other Theft",
    "Robbery": "Robbery",
    "Shoplifting": "Shoplifting",
    "Theft from the person": "Theft from the Person",
    "Vehicle crime": "Vehicle Crime",
}


@dataclass
class HarmWeights:
    """Weights per police.uk category (``county``) and, where the partnership mix allows, per district
    (``by_district``: category -> {district code: weight}); ``derivation`` documents every number."""

    county: dict[str, float]
    by_district: dict[str, dict[str, float]]
    derivation: pd.DataFrame
    period: str
    sources: list[str] = field(default_factory=list)

    def weight(self, crime_type: str, district_code: str | None = None) -> float:
        per = self.by_district.get(crime_type, {})
        if district_code in per:
            return per[district_code]
        return self.county.get(crime_type, 0.0)

    def record_weights(self, crime_type: pd.Series, district_code: pd.Series) -> np.ndarray:
        """One weight per record (by category, and district where known)."""
        types = text_of(crime_type)
        districts = text_of(district_code)
        out = np.array([self.county.get(t, 0.0) for t in types], dtype="float64")
        for category, per in self.by_district.items():
            mask = types == category
            if mask.any():
                out[mask] = [per.get(d, self.county.get(category, 0.0)) for d in districts[mask]]
        return out


def _pick(weights: pd.DataFrame, rule: dict[str, object]) -> tuple[float, str]:
    """A weight from the file by one rule, and the words saying how it was taken."""
    if "code" in rule:
        hit = weights[weights["code"] == rule["code"]]
        return float(hit["weight"].iloc[0]), f"{rule['code']} {hit['offence'].iloc[0]}"
    if "offence" in rule:
        hit = weights[weights["offence"].str.lower() == str(rule["offence"]).lower()]
        return float(hit["weight"].iloc[0]), f"{hit['code'].iloc[0]} {hit['offence'].iloc[0]}"
    if "median_of" in rule:
        hit = weights[weights["code"].isin(rule["median_of"])]
        return float(hit["weight"].median()), "median of " + ", ".join(sorted(hit["code"]))
    hit = weights[weights["counts_category"] == rule["median_category"]]
    return float(hit["weight"].median()), f"median of the {len(hit)} {rule['median_category']} in the file"


def _district_rows(csp: pd.DataFrame) -> list[tuple[list[str], pd.Series, str]]:
    """(district codes, Table C2 row, area name) for Kent & Medway's partnerships; the force row last."""
    kent = csp[csp["pfa_name"].str.lower() == AREA.csp_force]
    by_name = {re.sub(r"[^a-z]", "", n.lower()): c for c, n in DISTRICTS.items()}
    out = []
    for _, row in kent.iterrows():
        name = str(row["csp_name"])
        key = re.sub(r"[^a-z]", "", name.lower())
        if not name:
            out.append(([], row, AREA.name))
        elif key in by_name:
            out.append(([by_name[key]], row, name))
        else:
            parts = [re.sub(r"[^a-z]", "", p.lower()) for p in re.split(r"\s+and\s+", name, flags=re.IGNORECASE)]
            codes = [by_name[p] for p in parts if p in by_name]
            if codes and len(codes) == len(parts):
                out.append((codes, row, name))
    return out


def _mix(row: pd.Series, groups: dict[str, tuple[float, str]]) -> float:
    counts = {col: row[col] for col in groups}
    if any(pd.isna(v) for v in counts.values()) or sum(counts.values()) == 0:
        return float("nan")
    total = sum(int(v) for v in counts.values())
    return float(sum(int(counts[c]) * groups[c][0] for c in groups) / total)


def derive_harm_weights(weights: pd.DataFrame, csp: pd.DataFrame) -> HarmWeights:
    """Derive the weights from the ONS weights table and Table C2 (as :mod:`vrc_geo.io.context` reads them)."""
    rows: list[dict[str, object]] = []
    county: dict[str, float] = {ASB: 0.0}
    by_district: dict[str, dict[str, float]] = {}
    for category, groups in ((VIOLENCE, VIOLENCE_SUBGROUPS), ("Burglary", BURGLARY_SUBGROUPS)):
        picked = {col: _pick(weights, rule) for col, (_, rule) in groups.items()}
        for col, (label, _) in groups.items():
            rows.append(
                {"category": category, "area": "", "part": label, "weight": picked[col][0], "rule": picked[col][1]}
            )
        per: dict[str, float] = {}
        for codes, row, area in _district_rows(csp):
            value = _mix(row, picked)
            if np.isnan(value):
                continue
            shares = ", ".join(f"{groups[c][0].lower()} {int(row[c]):,}" for c in groups)
            rows.append({"category": category, "area": area, "part": "mix", "weight": value, "rule": shares})
            if codes:
                per.update(dict.fromkeys(codes, value))
            else:
                county[category] = value
        by_district[category] = per
        if category not in county and per:
            county[category] = float(np.mean(list(per.values())))
    for category, code in BULK_OFFENCE.items():
        value, words = _pick(weights, {"code": code})
        county[category] = value
        rows.append({"category": category, "area": "", "part": "bulk offence", "weight": value, "rule": words})
    for category, file_name in _FILE_CATEGORY.items():
        hit = weights[weights["policeuk_category"].str.lower() == file_name.lower()]
        value = float(hit["weight"].median())
        county[category] = value
        rule = f"median of {len(hit)} offence(s): " + ", ".join(hit["code"])
        rows.append({"category": category, "area": "", "part": "median", "weight": value, "rule": rule})
    rows.append({"category": ASB, "area": "", "part": "", "weight": 0.0, "rule": "not a crime: no weight"})
    derivation = pd.DataFrame(rows, columns=["category", "area", "part", "weight", "rule"])
    derivation["weight"] = derivation["weight"].round(2)
    return HarmWeights(
        county=county,
        by_district=by_district,
        derivation=derivation,
        period=str(csp.attrs.get("period", "")),
        sources=[str(weights.attrs.get("source", "")), str(csp.attrs.get("source", ""))],
    )
