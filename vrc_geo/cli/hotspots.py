"""``hotspots``: the ranked list of drug-related violence hotspots, with the backtest."""

from __future__ import annotations

import argparse
from typing import Any

from .common import EPILOG, add_source_options, load_dataset, note, selection_from


def register(sub: Any) -> None:
    p = sub.add_parser(
        "hotspots",
        help="ranked violence hotspots (clusters and hot wards), drug-related flag, backtest",
        description="Find density clusters and Gi* hot wards of violence-group offences, flag those "
        "where drugs offences co-locate significantly, class their trend, rank them and write one "
        "row per hotspot (.csv, .xlsx with an About sheet, or .geojson footprints in WGS84). "
        "Prints the backtest: hit rate and PAI against the busiest 250 m cells of the same area.",
        epilog=EPILOG,
    )
    p.add_argument("--out", required=True, metavar="FILE", help="output .csv, .xlsx or .geojson")
    add_source_options(p, filters=True)
    p.add_argument("--top", type=int, metavar="N", help="keep the first N hotspots (default: all)")
    p.add_argument(
        "--kind",
        choices=["all", "cluster", "ward"],
        default="all",
        help="which hotspots to list (default all)",
    )
    method = p.add_argument_group("method (defaults suit a year of Kent data)")
    method.add_argument("--eps-m", type=float, default=150.0, help="cluster neighbourhood radius in metres (150)")
    method.add_argument(
        "--min-records", type=int, help="records within eps-m for a cluster core (default: 6 per month)"
    )
    method.add_argument("--footprint-radius-m", type=float, default=40.0, help="footprint disc radius in metres (40)")
    method.add_argument("--permutations", type=int, default=999, help="permutations for p-values (999)")
    method.add_argument("--seed", type=int, default=0, help="random seed for permutations (0)")
    method.add_argument(
        "--measure", choices=["count", "rate"], default="count", help="Gi* on ward counts or rates per 1,000"
    )
    method.add_argument("--test-months", type=int, default=3, help="months held out by the backtest (3)")
    method.add_argument("--no-backtest", action="store_true", help="skip the backtest")
    p.set_defaults(handler=run_hotspots)


def run_hotspots(args: argparse.Namespace) -> int:
    from ..errors import ParameterError
    from ..export import format_of, write_bytes
    from ..hotspots.service import hotspots_for

    fmt = format_of(args.out)
    if args.top is not None and args.top < 1:
        raise ParameterError(f"--top must be at least 1, got {args.top}.")
    selection = selection_from(args)
    dataset = load_dataset(args)
    kinds = ("cluster", "ward") if args.kind == "all" else (args.kind,)
    params = {
        "eps_m": args.eps_m,
        "min_records": args.min_records,
        "footprint_radius_m": args.footprint_radius_m,
        "permutations": args.permutations,
        "seed": args.seed,
        "measure": args.measure,
        "kinds": kinds,
    }
    bundle = hotspots_for(dataset, selection, params, backtest=not args.no_backtest, test_months=args.test_months)
    for text in bundle.notes:
        note(args, text)
    write_bytes(bundle.file_bytes(fmt, top=args.top), args.out)
    if not args.quiet:
        table = bundle.result.table if args.top is None else bundle.result.table.head(args.top)
        print(f"Wrote {len(table)} hotspots to {args.out} ({int(table['drug_related'].sum())} drug-related).")
        for row in table.head(10).itertuples():
            flag = " drug-related" if row.drug_related else ""
            print(
                f"  {row.rank:>3}. {row.hotspot_id:<14} {row.district_name:<22} "
                f"violence {row.violence_count:>5}, drugs {row.drugs_count:>4}{flag} — {row.top_locations}"
            )
        if bundle.backtest is not None:
            print(bundle.backtest.sentence())
    return 0
