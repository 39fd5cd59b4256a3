"""``health``: police violence beside hospital admissions for assault, by ward, with disclosure control."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from .common import EPILOG, add_source_options, load_dataset, note, selection_from

#: The commands this module adds, with the one line ``--help`` shows for each.
COMMANDS = {
    "health": "police violence and health admissions side by side per ward (suppressed), under-reporting flag",
}


def register(sub: Any) -> None:
    p = sub.add_parser(
        "health",
        help=COMMANDS["health"],
        description="Read a partner health extract (ISTV-style incident records or HES-style area counts, "
        "see docs/data.md) or generate the SYNTHETIC demo data, put it beside police violence by ward and "
        "write one row per ward (.csv, .xlsx with Totals and About sheets, or .geojson). Health figures "
        "are published only for fixed, non-overlapping periods (calendar years, or financial years for "
        "counts given by financial year), always for the whole area (--district keeps that table's "
        "rows). Counts from 1 to 7 (--suppress-up-to) are suppressed, with secondary suppression against "
        "the totals.",
        epilog=EPILOG,
    )
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--admissions", nargs="+", metavar="FILE", help="partner extract(s), .csv or .xlsx")
    source.add_argument("--synthetic-demo", action="store_true", help="generate SYNTHETIC demo records")
    p.add_argument("--out", required=True, metavar="FILE", help="output .csv, .xlsx or .geojson")
    add_source_options(p, filters=True)
    p.add_argument(
        "--period", metavar="LABEL", help="publication period, e.g. 2022 or 2022/23 (default: the latest complete)"
    )
    p.add_argument("--suppress-up-to", type=int, default=7, metavar="N", help="suppress counts 1..N (7)")
    p.add_argument(
        "--min-width",
        type=int,
        default=3,
        metavar="W",
        help="a hidden count must stay uncertain over at least W+1 values (3)",
    )
    demo = p.add_argument_group("synthetic demo")
    demo.add_argument("--seed", type=int, default=0, help="generator seed (0)")
    demo.add_argument("--rate-per-100k", type=float, default=40.0, help="admissions a year per 100,000 residents (40)")
    demo.add_argument("--write-synthetic", metavar="FILE", help="also save the generated records (.csv)")
    p.set_defaults(handler=run_health)


def run_health(args: argparse.Namespace) -> int:
    from ..errors import ParameterError
    from ..health.service import BANNER, health_for, suppression_rule
    from ..health.synthetic import generate_incidents
    from ..io.writers import format_of, table_bytes, write_bytes

    fmt = format_of(args.out)
    if args.suppress_up_to < 0:
        raise ParameterError(f"--suppress-up-to must be 0 or more, got {args.suppress_up_to}.")
    if args.min_width < 0:
        raise ParameterError(f"--min-width must be 0 or more, got {args.min_width}.")
    if args.write_synthetic and not args.synthetic_demo:
        raise ParameterError("--write-synthetic goes with --synthetic-demo.")
    if args.period and (args.start or args.end):
        raise ParameterError("Give the health period either as --period or as --from/--to, not both.")
    selection = selection_from(args)
    dataset = load_dataset(args)
    if args.period:
        selection = _period_selection(dataset, args, selection)
    bundle = health_for(
        dataset,
        selection,
        admissions=args.admissions,
        synthetic_demo=args.synthetic_demo,
        seed=args.seed,
        rate_per_100k=args.rate_per_100k,
        max_small=args.suppress_up_to,
        min_width=args.min_width,
    )
    if bundle.synthetic:
        print(f"*** {BANNER} ***", file=sys.stderr, flush=True)
    write_bytes(bundle.file_bytes(fmt), args.out)
    if args.write_synthetic:
        records = generate_incidents(dataset, months=dataset.months, seed=args.seed, rate_per_100k=args.rate_per_100k)
        write_bytes(table_bytes(records, ".csv"), args.write_synthetic)
    for text in [*bundle.notes, *bundle.view.notes]:
        if text.startswith("WARNING"):
            print(text, file=sys.stderr, flush=True)  # not silenced by --quiet
        else:
            note(args, text)
    if not args.quiet:
        account = ", ".join(f"{k} {v}" for k, v in bundle.view.published_account().items())
        print(f"Health rows (rounded to 10 so they cannot be set against the totals): {account}.")
        published = bundle.published()
        flagged = published["underreporting_flag"].eq(True).sum()
        print(
            f"Wrote {len(published)} wards ({bundle.period.describe()}) to {args.out}; {flagged} flagged for "
            "possible under-reporting."
        )
        print(bundle.view.model.describe())
        print(suppression_rule(args.suppress_up_to, args.min_width))
    return 0


def _period_selection(dataset: object, args: argparse.Namespace, selection: object) -> object:
    """The selection with the months of the named publication period."""
    from ..dataset.aggregate import Selection
    from ..health.periods import HealthPeriodError, health_periods

    for year_start in (1, 4):
        for period in health_periods(dataset.months, year_start=year_start):
            if period.label == args.period:
                return Selection(period.start, period.end, selection.districts, selection.crime_types)
    raise HealthPeriodError(
        f"--period {args.period!r} is not a publication period of this data; calendar years look like 2022, "
        "financial years like 2022/23."
    )
