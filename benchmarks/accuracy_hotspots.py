"""Accuracy of the ranked list on months it never saw: PAI at each cut against the simple peers.

For each split of the sample in time (build on the first months, score on the next ones) the ranked list
of places is cut at its top tenth, top third and all of it, and compared with the busiest snap points
(40 m discs) and the busiest 250 m and 100 m cells of the earlier months covering the same land — the
backtest of :func:`vrc_geo.hotspots.hotspot_backtest`, run at several origins. Also reported: the same
comparison with the snap-point peer leaving out the institutional sites our list leaves out (the
like-for-like peer), so the cost of keeping prisons, hospitals and police stations out of a patrol
list can be read separately from the method.

Usage: python benchmarks/accuracy_hotspots.py [--splits 10:3 9:3 8:3 7:3 12:1 11:2 6:7 4:3]
       [--no-public-registers]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import shapely

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from vrc_geo.config import find_sources  # noqa: E402
from vrc_geo.dataset.store import load_police  # noqa: E402
from vrc_geo.hotspots.evaluate.backtest import CUTS, DISCS, OURS, hotspot_backtest  # noqa: E402
from vrc_geo.hotspots.evaluate.coverage import DiscCoverage  # noqa: E402
from vrc_geo.hotspots.rank import VIOLENCE_GROUP  # noqa: E402
from vrc_geo.reference.taxonomy import ASB  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--splits", nargs="+", default=["10:3", "9:3", "8:3", "7:3", "12:1", "11:2", "6:7", "4:3"])
    parser.add_argument(
        "--no-public-registers", action="store_true", help="leave out the claims of the public registers"
    )
    args = parser.parse_args()
    dataset = load_police(find_sources())
    records = dataset.in_area
    months = dataset.months
    land = shapely.union_all(dataset.wards.wards.geometry.to_numpy())
    violent = records[records["crime_type"].isin(VIOLENCE_GROUP)]
    context = records[records["crime_type"] != ASB]
    print("train->test | cut        | ours PAI | /discs | /250 m | /100 m | /discs without sites")
    worst = {}
    for split in args.splits:
        n_train, n_test = (int(v) for v in split.split(":"))
        window = months[: n_train + n_test]
        sub = violent[violent["month"].astype(str).isin(window)]
        ctx = context[context["month"].astype(str).isin(window)]
        bt = hotspot_backtest(
            sub,
            land,
            test_months=n_test,
            context=ctx,
            institutions=dataset.institutions.sites,
            place_params={"public_registers": not args.no_public_registers},
        )
        ratios = bt.ratios()
        fair = _without_sites(bt, sub, land, window[:n_train], window[n_train:])
        for cut in CUTS:
            ours = bt.card(OURS, cut)
            row = ratios.loc[cut]
            print(
                f"{n_train:>5}->{n_test:<5} | {cut:<10} | {ours.pai:8.1f} | {row[DISCS]:6.3f} | "
                f"{row['busiest 250 m cells']:6.3f} | {row['busiest 100 m cells']:6.3f} | {ours.pai / fair[cut]:6.3f}"
            )
            worst[split] = min(worst.get(split, np.inf), float(row.min()))
    print("lowest ratio per split:", {k: round(v, 3) for k, v in worst.items()})


def _without_sites(bt, violent, land, train_months, test_months) -> dict[str, float]:
    """PAI of the busiest snap points when the sites our list leaves out (as built on the same months)
    are left out too."""
    month = violent["month"].astype(str)
    train, test = violent[month.isin(train_months)], violent[month.isin(test_months)]
    points = bt.places.points
    sites = points[points["site_type"] != ""][["x", "y"]]
    keys = set(map(tuple, sites.to_numpy()))
    stacked = train.groupby(["x", "y"]).size().rename("n").reset_index()
    stacked = stacked[[(x, y) not in keys for x, y in zip(stacked["x"], stacked["y"], strict=True)]]
    stacked = stacked.sort_values(["n", "x", "y"], ascending=[False, True, True])
    area, (hits,) = DiscCoverage(land).curve(stacked["x"], stacked["y"], test[["x", "y"]].to_numpy())
    land_km2 = land.area / 1e6
    out = {}
    for cut in CUTS:
        target = bt.card(OURS, cut).area_km2
        i = int(np.argmin(np.abs(area - target)))
        out[cut] = (hits[i] / len(test)) / (area[i] / land_km2)
    return out


if __name__ == "__main__":
    main()
