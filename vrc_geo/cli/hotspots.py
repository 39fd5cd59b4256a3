"""``hotspots``: the ranked list of drug-related violence hotspots, with the backtest."""

from __future__ import annotations

import argparse
from typing import Any

from .common import EPILOG, add_source_options, load_dataset, note, selection_from

#: The commands this module adds, with the one line ``--help`` shows for each.
COMMANDS = {
    "hotspots": "ranked violence hotspots (places to patrol, hot wards, sites), drug-related flag, backtest",
}


def register(sub: Any) -> None:
    from ..base.params import add_param_options
    from ..hotspots.evaluate.backtest import BACKTEST_PARAMS
    from ..hotspots.methods import METHODS
    from ..hotspots.rank import PARAMS
    from ..reference.kinds import HOTSPOT_KINDS

    p = sub.add_parser(
        "hotspots",
        help=COMMANDS["hotspots"],
        description="Rank the places to patrol (40 m circles placed where most violence is expected, and "
        "concentrations far above their surroundings), list Gi* hot wards and institutional sites "
        "apart, flag places where drugs offences co-locate significantly with violence, class their "
        "trend, group the places into named patrol zones (at most 1 km wide) and write one row per "
        "hotspot — or per zone with --by zone — (.csv, .xlsx with About, Labels, Zones, Backtest, "
        "Calibration, Institutions and Harm weights sheets, or .geojson footprints in WGS84). Prints the "
        "backtest: PAI of the list's top tenth, top third and all of it against the busiest snap points "
        "and grid cells of the same area. "
        "Ranking methods: " + " ".join(f"{m.key}: {m.summary}" for m in METHODS.values()),
        epilog=EPILOG,
    )
    p.add_argument("--out", required=True, metavar="FILE", help="output .csv, .xlsx or .geojson")
    add_source_options(p, filters=True)
    p.add_argument("--top", type=int, metavar="N", help="keep the first N hotspots (default: all)")
    p.add_argument(
        "--kind",
        choices=["all", *(k.key for k in HOTSPOT_KINDS)],
        default="all",
        help="which hotspots to list: " + ", ".join(f"{k.key} ({k.plural.lower()})" for k in HOTSPOT_KINDS),
    )
    p.add_argument(
        "--by",
        choices=["place", "zone"],
        default="place",
        help="one row per hotspot (place; default) or per patrol zone (zone: places grouped into named areas)",
    )
    p.add_argument("--plain", action="store_true", help="plain-English column headers (CSV and XLSX)")
    method = p.add_argument_group("method (defaults suit a year of police.uk data; docs/methods/ explains each)")
    add_param_options(method, PARAMS)
    method.add_argument(
        "--sites-file",
        metavar="FILE",
        help="a register of institutions (CSV/XLSX: name, site_type, latitude+longitude or x+y, radius_m): "
        "snap points near them are sites whatever police.uk calls them (default: institutions.csv or "
        ".xlsx beside the crime files or in data/, if there is one)",
    )
    add_param_options(method, BACKTEST_PARAMS)
    method.add_argument("--no-backtest", action="store_true", help="skip the backtest")
    p.set_defaults(handler=run_hotspots)


def run_hotspots(args: argparse.Namespace) -> int:
    from ..config import find_sources
    from ..errors import ParameterError
    from ..hotspots.rank import PARAMS
    from ..hotspots.service import hotspots_for
    from ..io.site_register import find_site_register
    from ..io.writers import format_of, write_bytes

    fmt = format_of(args.out)
    if args.top is not None and args.top < 1:
        raise ParameterError(f"--top must be at least 1, got {args.top}.")
    selection = selection_from(args)
    dataset = load_dataset(args)
    params = {name: getattr(args, name) for name, rule in PARAMS.items() if rule.flag}
    sources = find_sources(data_dir=args.data_dir, crimes=args.crimes, boundaries=args.boundaries)
    read = find_site_register(args.sites_file, sources)
    if read is not None:
        note(args, read.describe())
    bundle = hotspots_for(
        dataset,
        selection,
        params,
        backtest=not args.no_backtest,
        test_months=args.test_months,
        register=None if read is None else read.sites,
    )
    for text in bundle.notes:
        note(args, text)
    if args.by == "zone":
        write_bytes(bundle.file_bytes(fmt, top=args.top, by="zone", plain=args.plain), args.out)
        if not args.quiet:
            _print_zones(bundle.result.zones, args)
        return 0
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
            where = row.institution if row.kind == "site" and row.institution else row.top_locations
            print(
                f"  {row.rank:>3}. {row.hotspot_id:<14} {row.district_name:<22} "
                f"violence {row.violence_count:>5}, drugs {row.drugs_count:>4}{flag} — {where}"
            )
        if bundle.backtest is not None:
            print(bundle.backtest.sentence())
    return 0


def _print_zones(zones: Any, args: argparse.Namespace) -> None:
    shown = zones.head(args.top) if args.top is not None else zones
    print(f"Wrote {len(shown)} patrol zones to {args.out} ({int(shown['drug_related'].sum())} drug-related).")
    for row in shown.head(10).itertuples():
        flag = " drug-related" if row.drug_related else ""
        print(
            f"  {row.zone_rank:>3}. {row.zone_id} {row.zone_name} — {row.places} place(s), expected "
            f"{row.expected_per_month:.0f} a month ({row.expected_low}-{row.expected_high}){flag}"
        )
