"""Why each row of the list is there, in plain words: what drives its rank, read from its own figures.

One short phrase per reason that applies, most telling first: how steady its violence is ("violence in
11 of 13 months"), whether it is rising or falling (its last three months against the three before, when
the change is at least half and at least three records), drugs close by or the co-location flag, weapons
and robbery inside, a concentration far above quiet surroundings, one point holding most of it. Hot
wards say their Gi* class and trend; sites say what institution they are.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["explain_rows"]


def explain_rows(table: pd.DataFrame, *, months: list[str], since: str | None, routes: list[str | None]) -> list[str]:
    """One phrase list per row of the hotspot table (``kind``, counts, ``first_month``,
    ``violence_months``, ``last_3``, ``previous_3``, ``drug_related``, ``main_site_share``,
    ``hotspot_confidence``, ``trend_class``, ``site_type``, ``institution``); ``since``: the first month
    of police.uk's current snap-point map, if it changed in ``months`` (a place whose violence all lies
    on the new map is counted over its months); ``routes``: each place's route (``rate``, ``local``)."""
    n_months = len(months)
    n_current = sum(m >= since for m in months) if since else n_months
    out = []
    for row, route in zip(table.to_dict("records"), routes, strict=True):
        kind = row["kind"]
        if kind == "ward":
            out.append(f"hot ward, {row['hotspot_confidence']} sure (Gi*); over the months: {row['trend_class']}")
            continue
        if kind == "site":
            what = str(row.get("institution") or "").split(" — ")[0] or row.get("site_type") or "institution"
            out.append(f"listed apart: {what}")
            continue
        new_map = since is not None and str(row.get("first_month") or "") >= since
        of = f"{n_current} months (police.uk's current map)" if new_map else f"{n_months} months"
        parts = [f"violence in {int(row.get('violence_months', 0))} of {of}"]
        last, before = int(row.get("last_3", 0)), int(row.get("previous_3", 0))
        if n_months >= 6 and abs(last - before) >= 3:
            if last >= 1.5 * before:
                parts.append(f"rising ({before} to {last} in the last three months)")
            elif last <= before / 1.5:
                parts.append(f"falling ({before} to {last} in the last three months)")
        if row.get("drug_related"):
            parts.append("drugs offences gather with the violence")
        elif int(row.get("drugs_near_count", 0)) >= n_months:  # about one a month or more
            parts.append(f"drugs within 200 m ({int(row['drugs_near_count'])})")
        if int(row.get("weapons_count", 0)):
            parts.append(f"weapons ({int(row['weapons_count'])})")
        if int(row.get("robbery_count", 0)):
            parts.append(f"robbery ({int(row['robbery_count'])})")
        if route == "local":
            parts.append("far busier than its quiet surroundings")
        if float(row.get("main_site_share") or 0) >= 0.8:
            parts.append("one map point holds most of it")
        out.append("; ".join(parts))
    return out
