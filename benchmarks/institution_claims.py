"""What the public registers change in the ranked list, and whether any first place sits on an institution.

For the whole sample and for a build/held-out split in time (the list built on the first months, the
institutions' snap points read on the later months it never saw), this prints:

* the check of docs/methods/sites.md: none of the first 30 places to patrol holds the snap point nearest
  to a registered hospital or prison (within 1 km);
* the first 30 and 100 places before (``public_registers=False``) and after: which left, which came in;
* the 20 closest calls: snap points within an institution's reach that nearly had, or only just had, an
  institution's signature, for checking by hand;
* the claims and the institutions that claimed nothing.

With ``--write-docs`` the summary goes into the figures block of docs/methods/sites.md.

Usage: python benchmarks/institution_claims.py [--write-docs] [--held-out 3]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

from docs_blocks import replace_block  # noqa: E402

from vrc_geo.config import find_sources  # noqa: E402
from vrc_geo.dataset.aggregate import make_selection  # noqa: E402
from vrc_geo.dataset.store import load_police  # noqa: E402
from vrc_geo.hotspots.rank import find_hotspots  # noqa: E402
from vrc_geo.hotspots.snap.epochs import find_epochs  # noqa: E402
from vrc_geo.hotspots.snap.institutions import InstitutionClaims  # noqa: E402
from vrc_geo.reference.taxonomy import ASB  # noqa: E402

FIRST = 30
MAX_M = 1000.0


def nearest_points(records: pd.DataFrame, months: list[str], register: pd.DataFrame) -> pd.DataFrame:
    """Each registered hospital's and prison's nearest snap point of the map in use over ``months``
    (within 1 km): ``name, site_type, x, y, distance_m``."""
    crime = records[records["month"].astype(str).isin(months)].dropna(subset=["x", "y"])
    starts, current = find_epochs(crime["x"].to_numpy(), crime["y"].to_numpy(), crime["month"].astype(str), months)
    xy = current if starts else crime[["x", "y"]].drop_duplicates().to_numpy()
    tree = cKDTree(xy)
    wanted = register[register["site_type"].isin(["hospital", "prison"])]
    dist, idx = tree.query(wanted[["x", "y"]].to_numpy())
    out = wanted[["name", "site_type"]].assign(x=xy[idx, 0], y=xy[idx, 1], distance_m=dist.round())
    return out[out["distance_m"] <= MAX_M].reset_index(drop=True)


def first_places_on(result, nearest: pd.DataFrame, first: int = FIRST) -> pd.DataFrame:
    """Institutions whose nearest snap point is held by one of the first places (a member point, or
    inside its circles)."""
    table = result.table
    places = table[table["kind"] == "place"].head(first)
    shapes = result.footprints[places.index.to_numpy()]
    hits = []
    for row, shape in zip(places.itertuples(), shapes, strict=True):
        for inst in nearest.itertuples():
            if shape.buffer(0.5).contains(_point(inst.x, inst.y)):
                hits.append((row.rank, row.hotspot_id, row.top_locations, inst.name, inst.distance_m))
    return pd.DataFrame(hits, columns=["rank", "hotspot_id", "top_locations", "institution", "distance_m"])


def _point(x: float, y: float):
    import shapely

    return shapely.Point(x, y)


def compare(before, after, first: int) -> tuple[list[str], list[str]]:
    """Places (by their busiest named locations) in the first ``first`` before but not after, and back."""

    def names(result) -> list[str]:
        table = result.table[result.table["kind"] == "place"].head(first)
        return [f"{d}: {t}" for d, t in zip(table["district_name"], table["top_locations"], strict=True)]

    a, b = names(before), names(after)
    return [n for n in a if n not in b], [n for n in b if n not in a]


def closest_calls(dataset, months: list[str], register: pd.DataFrame, n: int = 20) -> pd.DataFrame:
    """The ``n`` snap points within an institution's reach whose signature was nearest the line either way."""
    import vrc_geo.hotspots.snap.site_types as site_types
    from vrc_geo.hotspots.rank import VIOLENCE_GROUP

    seen: dict = {}
    fit = InstitutionClaims.fit

    def spy(self, points, institutions, *, n_months, map_xy=None):
        seen.update(points=points, n=n_months, map_xy=map_xy)
        return fit(self, points, institutions, n_months=n_months, map_xy=map_xy)

    records = dataset.in_area
    records = records[records["month"].astype(str).isin(months) & (records["crime_type"] != ASB)]
    violent = records[records["crime_type"].isin(VIOLENCE_GROUP)]
    site_types.InstitutionClaims.fit = spy
    try:
        site_types.snap_point_sites(violent, months=months, context=records, institutions=register)
    finally:
        site_types.InstitutionClaims.fit = fit
    model = InstitutionClaims()
    live = seen["points"][seen["points"]["map_records"] > 0].reset_index(drop=True)
    xy = live[["x", "y"]].to_numpy()
    evidence = model._evidence(live, xy, seen["n"])
    tree, spread = cKDTree(xy), cKDTree(seen["map_xy"] if seen["map_xy"] is not None else xy)
    rows = []
    per_month = live["map_records"].to_numpy() / max(seen["n"], 1)
    steady = live["map_months"].to_numpy() / max(seen["n"], 1)
    for inst in register.itertuples():
        gaps, _ = spread.query([inst.x, inst.y], k=model.nearest)
        reach = min(model.max_m, model.spacing * float(np.atleast_1d(gaps)[-1]))
        near = tree.query_ball_point([inst.x, inst.y], r=reach)
        if not near:
            continue
        dist = np.hypot(xy[near, 0] - inst.x, xy[near, 1] - inst.y)
        first = near[int(np.argmin(dist))]
        for i, d in zip(near, dist, strict=True):
            lift = model._lift(tree, xy, live["map_records"].to_numpy(dtype=float), i)
            margins = {
                "rate": per_month[i] / model.min_rate - 1,
                "steady": steady[i] / model.steady - 1,
                "dominance": evidence["dominance"][i] / model.dominance - 1,
                "violence": evidence["share"][i] / model.violence_share - 1,
                "acquisitive": 1 - evidence["acquisitive"][i] / model.max_acquisitive,
            }
            if i != first:
                margins["stands out"] = lift / model.stands_out - 1
            worst = min(margins, key=margins.get)
            rows.append(
                {
                    "x": xy[i, 0],
                    "y": xy[i, 1],
                    "institution": inst.name,
                    "point": live["name"].iat[i] or "(unnamed location)",
                    "distance_m": round(float(d)),
                    "records": int(live["map_records"].iat[i]),
                    "claimed": all(v >= 0 for v in margins.values()),
                    "deciding": worst,
                    "margin": round(float(margins[worst]), 2),
                    "violence_share": round(float(evidence["share"][i]), 2),
                    "acquisitive_share": round(float(evidence["acquisitive"][i]), 2),
                    "lift": round(lift, 1),
                }
            )
    calls = pd.DataFrame(rows).sort_values(["x", "y", "distance_m"]).drop_duplicates(["x", "y"])
    calls = calls[calls["records"] >= 10].drop(columns=["x", "y"])  # quieter points do not matter to a patrol list
    order = calls["margin"].abs().sort_values(kind="mergesort").index
    return calls.reindex(order).head(n).reset_index(drop=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--held-out", type=int, default=3, help="later months the split keeps back (3)")
    parser.add_argument("--write-docs", action="store_true", help="write the summary into docs/methods/sites.md")
    args = parser.parse_args()
    pd.set_option("display.width", 200)
    pd.set_option("display.max_colwidth", 70)
    dataset = load_police(find_sources())
    register = dataset.institutions.sites
    months = dataset.months
    build, later = months[: -args.held_out], months[-args.held_out :]
    crime = dataset.in_area[dataset.in_area["crime_type"] != ASB]
    options = {"permutations": 99, "refine_permutations": None, "gi_permutations": 99}
    runs = {
        "whole sample": (make_selection(), months),
        f"built on {build[0]} to {build[-1]}, read on {later[0]} to {later[-1]}": (
            make_selection(start=build[0], end=build[-1]),
            later,
        ),
    }
    lines = []
    for label, (selection, read_on) in runs.items():
        before = find_hotspots(dataset, selection, public_registers=False, **options)
        after = find_hotspots(dataset, selection, **options)
        nearest = nearest_points(crime, read_on, register)
        hits_before, hits_after = first_places_on(before, nearest), first_places_on(after, nearest)
        print(f"\n== {label}: {len(nearest)} hospitals and prisons with a snap point within 1 km")
        print(f"first {FIRST} places on an institution's nearest snap point: ", end="")
        print(f"before {len(hits_before)}, after {len(hits_after)}")
        for frame in (hits_before, hits_after):
            if len(frame):
                print(frame.to_string(index=False))
        for first in (30, 100):
            left, came = compare(before, after, first)
            print(f"first {first}: {len(left)} left the list, {len(came)} came in")
            for name in left:
                print(f"   - {name}")
            for name in came:
                print(f"   + {name}")
        lines.append(
            f"{label}: first {FIRST} places on the snap point nearest a registered hospital or prison: "
            f"{len(hits_before)} without the registers, {len(hits_after)} with them; "
            f"{len(compare(before, after, 30)[0])} of the first 30 and {len(compare(before, after, 100)[0])} "
            "of the first 100 places changed."
        )
        if selection.start is None:
            claims, unclaimed = after.places.claims, after.places.unclaimed
            print(f"\nclaims ({len(claims)}):")
            print(claims.drop(columns=["x", "y", "label"]).to_string(index=False))
            print(f"\ninstitutions that claimed nothing ({len(unclaimed)}):")
            print(unclaimed.to_string(index=False))
            lines.append(
                f"Whole sample: {claims['institution'].nunique()} of "
                f"{claims['institution'].nunique() + unclaimed['institution'].nunique()} registered institutions "
                f"claimed {len(claims)} snap points."
            )
    calls = closest_calls(dataset, months, register)
    print("\n20 closest calls (whole sample):")
    print(calls.to_string(index=False))
    if args.write_docs:
        head = "| institution | snap point | m | records | claimed | deciding test | margin |\n" + "|---" * 7 + "|"
        table = "\n".join(
            f"| {r.institution} | {r.point} | {r.distance_m} | {r.records} | {'yes' if r.claimed else 'no'} | "
            f"{r.deciding} | {r.margin:+.2f} |"
            for r in calls.itertuples()
        )
        body = (
            "\n".join(f"- {line}" for line in lines)
            + "\n\nThe 20 closest calls (points with 10 or more records on the current map; margin: how far the "
            "deciding test was from its line, as a share of it):\n\n"
            + head
            + "\n"
            + table
            + "\n\n(`python benchmarks/institution_claims.py`)"
        )
        replace_block(ROOT / "docs" / "methods" / "sites.md", "figures", "institutions", body)


if __name__ == "__main__":
    main()
