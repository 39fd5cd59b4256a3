"""What "violence" is made of: the Home Office subgroups behind police-recorded violence, by partnership.

police.uk publishes one category, "Violence and sexual offences", for some 55 Home Office offences, many
without injury. The Home Office table of recorded crime by Community Safety Partnership (ONS Table C2)
splits it: homicide, death or serious injury caused by illegal driving, violence with injury, violence
without injury, stalking and harassment — together "violence against the person" — and sexual offences.
:func:`violence_profile` gives one row per Kent & Medway partnership and one for Kent & Medway (the Kent
force row), with the share of violence against the person that involved injury and a severity-weighted
total (each subgroup's count times its ONS Crime Severity Score weight, as :mod:`vrc_geo.reference.harm` derives
them). :func:`district_context` sets beside it, district by district, police.uk's "Violence and sexual
offences" for the loaded period and OHID Fingertips' hospital admissions for violence where fetched.

Read with care: Dartford and Gravesham are one partnership; the force row includes "Unassigned Kent"
(offences not placed in a partnership); the Home Office table, police.uk and Fingertips cover different
periods.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from ..errors import DataNotFoundError
from ..io.context import read_csp_crime
from ..io.context import read_harm_weights as harm_weights
from ..reference.area import AREA, DISTRICTS
from ..reference.harm import VIOLENCE_SUBGROUPS

if TYPE_CHECKING:
    from ..dataset.store import PoliceDataset

__all__ = ["PROFILE_COLUMNS", "ViolenceProfile", "district_context", "violence_profile"]

#: Output column contract, in order.
PROFILE_COLUMNS = [
    "area_name",
    "area_code",
    "period",
    "violence_against_the_person",
    "homicide",
    "death_or_serious_injury_driving",
    "violence_with_injury",
    "violence_without_injury",
    "stalking_and_harassment",
    "sexual_offences",
    "share_with_injury",
    "severity_weighted_total",
]
_FROM_TABLE = {
    "violence_against_the_person": "violence_against_the_person",
    "homicide": "homicide",
    "death_or_serious_injury_driving": "death_or_serious_injury_caused_by_illegal_driving",
    "violence_with_injury": "violence_with_injury",
    "violence_without_injury": "violence_without_injury",
    "stalking_and_harassment": "stalking_and_harassment",
    "sexual_offences": "sexual_offences",
}


@dataclass
class ViolenceProfile:
    """The profile table (:data:`PROFILE_COLUMNS`), the subgroup weights used, and what to read it with."""

    table: pd.DataFrame
    weights: pd.DataFrame
    period: str
    source: str
    notes: list[str] = field(default_factory=list)


def violence_profile(reference: Path | None) -> ViolenceProfile:
    """The profile from the reference folder's ``crime_context/`` and ``harm/`` tables."""
    csp = read_csp_crime(reference)
    if csp is None:
        raise DataNotFoundError(
            "The violence profile needs ONS Table C2 (police recorded crime by Community Safety Partnership) "
            f"in crime_context/ of the reference data folder ({reference})."
        )
    harm = harm_weights(reference)
    parts = harm.derivation[
        (harm.derivation["category"] == "Violence and sexual offences") & (harm.derivation["area"] == "")
    ]
    weight = dict(zip(parts["part"], parts["weight"], strict=True))
    by_column = {col: weight[label] for col, (label, _) in VIOLENCE_SUBGROUPS.items()}
    kent = csp[csp["pfa_name"].str.lower() == AREA.csp_force]
    rows = []
    unassigned = None
    for _, row in kent.iterrows():
        name = str(row["csp_name"])
        if name.lower().startswith("unassigned"):
            unassigned = row
            continue
        out = {
            "area_name": name or AREA.name,
            "area_code": str(row["csp_code"] or row["pfa_code"]),
            "period": csp.attrs.get("period", ""),
        }
        for mine, theirs in _FROM_TABLE.items():
            out[mine] = int(row[theirs])
        vap = out["violence_against_the_person"]
        out["share_with_injury"] = round(out["violence_with_injury"] / vap, 4) if vap else float("nan")
        out["severity_weighted_total"] = round(sum(int(row[c]) * w for c, w in by_column.items()), 1)
        rows.append(out)
    table = pd.DataFrame(rows, columns=PROFILE_COLUMNS)
    county = table["area_name"] == AREA.name
    table = pd.concat([table[~county].sort_values("area_name"), table[county]], ignore_index=True)
    notes = [
        "Dartford and Gravesham are one Community Safety Partnership: one row for the two districts.",
        "Violence against the person = homicide + death or serious injury by illegal driving + violence with "
        "injury + violence without injury + stalking and harassment; sexual offences are counted apart "
        "(police.uk's 'Violence and sexual offences' is the two together).",
        f"Periods differ: this table is the {csp.attrs.get('period', '')}; police.uk figures are for the months "
        "loaded; OHID Fingertips figures are for the periods it publishes.",
    ]
    if unassigned is not None:
        notes.insert(
            1,
            f"'Unassigned Kent' holds {int(unassigned['violence_against_the_person']):,} violence against the person "
            f"offences not placed in any partnership: the {AREA.name} row includes them, the partnership rows "
            f"do not, so the partnerships add up to less than {AREA.name}.",
        )
    weights = pd.DataFrame(
        {
            "subgroup": [VIOLENCE_SUBGROUPS[c][0] for c in by_column],
            "weight": list(by_column.values()),
            "offence weight used": [parts.set_index("part").at[VIOLENCE_SUBGROUPS[c][0], "rule"] for c in by_column],
        }
    )
    return ViolenceProfile(table, weights, str(csp.attrs.get("period", "")), str(csp.attrs.get("source", "")), notes)


def district_context(dataset: PoliceDataset, fingertips: pd.DataFrame | None) -> pd.DataFrame:
    """One row per district: its partnership, police.uk's "Violence and sexual offences" for the loaded
    period, and (where fetched) OHID Fingertips admissions for violence: ``district_code,
    district_name, partnership, policeuk_period, policeuk_violence_and_sexual_offences,
    fingertips_period, fingertips_admissions, fingertips_rate_per_100k``."""
    records = dataset.in_area
    violent = records[records["crime_type"].astype(str) == "Violence and sexual offences"]
    counts = violent["district_code"].astype(str).value_counts()
    months = dataset.months
    rows = []
    for code, name in DISTRICTS.items():
        partnership = "Dartford and Gravesham" if code in ("E07000107", "E07000109") else name
        row = {
            "district_code": code,
            "district_name": name,
            "partnership": partnership,
            "policeuk_period": f"{months[0]} to {months[-1]}" if months else "",
            "policeuk_violence_and_sexual_offences": int(counts.get(code, 0)),
            "fingertips_period": "",
            "fingertips_admissions": None,
            "fingertips_rate_per_100k": None,
        }
        if fingertips is not None and "Area Code" in fingertips:
            mine = fingertips[fingertips["Area Code"] == code]
            if "Sex" in mine:
                persons = mine[mine["Sex"].astype(str).str.lower() == "persons"]
                mine = persons if len(persons) else mine
            if len(mine):
                latest = mine.sort_values("Time period").iloc[-1] if "Time period" in mine else mine.iloc[-1]
                row["fingertips_period"] = str(latest.get("Time period", ""))
                row["fingertips_admissions"] = pd.to_numeric(latest.get("Count"), errors="coerce")
                row["fingertips_rate_per_100k"] = pd.to_numeric(latest.get("Value"), errors="coerce")
        rows.append(row)
    return pd.DataFrame(rows)
