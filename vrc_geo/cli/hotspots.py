"""``hotspots``: the ranked list of drug-related violence hotspots, with the backtest."""

from __future__ import annotations

import argparse
from typing import Any

from .common import EPILOG, add_source_options, load_dataset, note, selection_from


def register(sub: Any) -> None:
    p = sub.add_parser(
        "hotspots",
        help="ranked violence hotspots (places to patrol, hot wards, sites), drug-related flag, backtest",
        description="Rank the places to patrol (40 m circles placed where most violence is expected, and "
        "concentrations far above their surroundings), list Gi* hot wards and institutional sites "
        "apart, flag places where drugs offences co-locate significantly with violence, class their "
        "trend and write one row per hotspot (.csv, .xlsx with About, Labels, Backtest and Harm weights "
        "sheets, or .geojson footprints in WGS84). Prints the backtest: PAI of the list's top tenth, "
        "top third and all of it against the busiest snap points and grid cells of the same area.",
        epilog=EPILOG,
    )
    p.add_argument("--out", required=True, metavar="FILE", help="output .csv, .xlsx or .geojson")
    add_source_options(p, filters=True)
    p.add_argument("--top", type=int, metavar="N", help="keep the first N hotspots (default: all)")
    p.add_argument(
        "--kind",
        choices=["all", "cluster", "ward", "site"],
        default="all",
        help="which hotspots to list: places to patrol (cluster), hot wards, sites (default all)",
    )
    p.add_argument("--plain", action="store_true", help="plain-English column headers (CSV and XLSX)")
    method = p.add_argument_group("method (defaults suit a year of Kent data)")
    method.add_argument(
        "--min-rate", type=float, default=1.0, help="expected records a month for a patrol circle to be listed (1)"
    )
    method.add_argument("--footprint-radius-m", type=float, default=40.0, help="patrol circle radius in metres (40)")
    method.add_argument("--half-life-months", type=float, default=2.0, help="recency half-life in months (2)")
    method.add_argument(
        "--include-sites", action="store_true", help="rank police stations, prisons, hospitals, ports with the rest"
    )
    method.add_argument(
        "--sites-file",
        metavar="FILE",
        help="a register of institutions (CSV/XLSX: name, site_type, latitude+longitude or x+y, radius_m): "
        "snap points near them are sites whatever police.uk calls them (default: institutions.csv or "
        ".xlsx beside the crime files or in data/, if there is one)",
    )
    method.add_argument("--permutations", type=int, default=999, help="co-location permutations (999)")
    method.add_argument("--gi-permutations", type=int, default=9999, help="Gi* permutations (9999)")
    method.add_argument("--seed", type=int, default=0, help="random seed for permutations (0)")
    method.add_argument(
        "--measure",
        choices=["count", "rate", "harm"],
        default="count",
        help="count; rate per 1,000 residents (Gi*); harm: ONS crime severity (Gi* and the ranking)",
    )
    method.add_argument("--test-months", type=int, default=3, help="months held out by the backtest (3)")
    method.add_argument("--no-backtest", action="store_true", help="skip the backtest")
    p.set_defaults(handler=run_hotspots)


def run_hotspots(args: argparse.Namespace) -> int:
    from ..errors import ParameterError
    from ..hotspots.service import hotspots_for
    from ..io.writers import format_of, write_bytes

    fmt = format_of(args.out)
    if args.top is not None and args.top < 1:
        raise ParameterError(f"--top must be at least 1, got {args.top}.")
    selection = selection_from(args)
    dataset = load_dataset(args)
    params = {
        "min_rate_per_month": args.min_rate,
        "footprint_radius_m": args.footprint_radius_m,
        "half_life_months": args.half_life_months,
        "include_sites": args.include_sites,
        "permutations": args.permutations,
        "gi_permutations": args.gi_permutations,
        "seed": args.seed,
        "measure": args.measure,
    }
    register = None
    found = args.sites_file
    if not found:
        from ..config import find_sources

        found = find_sources(data_dir=args.data_dir, crimes=args.crimes, boundaries=args.boundaries).sites_register
    if found:
        from ..io.site_register import read_site_register

        read = read_site_register(found)
        note(args, read.describe())
        register = read.sites
    bundle = hotspots_for(
        dataset, selection, params, backtest=not args.no_backtest, test_months=args.test_months, register=register
    )
    for text in bundle.notes:
        note(args, text)
    write_bytes(bundle.file_bytes(fmt, top=args.top, kind=args.kind, plain=args.plain), args.out)
    if not args.quiet:
        table = bundle.result.table
        if args.kind != "all":
            table = table[table["kind"] == args.kind]
        if args.top is not None:
            table = table.head(args.top)
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
