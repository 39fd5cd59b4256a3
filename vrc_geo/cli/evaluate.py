"""``evaluate``: did violence in target areas fall after a start month, more than it would have anyway?"""

from __future__ import annotations

import argparse
from typing import Any

from .common import EPILOG, add_source_options, load_dataset, note

#: The commands this module adds, with the one line ``--help`` shows for each.
COMMANDS = {
    "evaluate": "did it work? target areas before and after a start month against what would have happened",
}


def register(sub: Any) -> None:
    from ..base.params import add_param_options
    from ..evaluation.service import EVALUATION_PARAMS

    p = sub.add_parser(
        "evaluate",
        help=COMMANDS["evaluate"],
        description="Compare violence in target areas before and after a start month with what the rest of the "
        "area says would have happened (difference in differences, Poisson with area and month effects), test "
        "it against placebo places nobody touched, and read a buffer ring for displacement (WDQ, WDD). One row "
        "per target and one pooled (area = all): before and after a month, expected, change %, 95 % interval, "
        "p-value, buffer figures. docs/methods/evaluation.md explains each.",
        epilog=EPILOG,
    )
    p.add_argument("--out", required=True, metavar="FILE", help="output .csv or .xlsx")
    p.add_argument(
        "--target",
        required=True,
        metavar="AREAS",
        help="target polygons (GeoJSON, GeoPackage, zipped Shapefile: a hotspot or zone export works), or "
        "wards:CODE,CODE for wards by code",
    )
    p.add_argument("--start", required=True, metavar="YYYY-MM", help="first month of the work")
    p.add_argument("--end", metavar="YYYY-MM", help="last month to look at (default: the last month held)")
    p.add_argument("--control", metavar="AREAS", help="control polygons (default: the wards, targets and buffer out)")
    p.add_argument(
        "--group",
        default="serious_violence",
        metavar="GROUP",
        help="offences: serious_violence (violence, robbery, weapons; default), violence, robbery, weapons, drugs…",
    )
    add_source_options(p, filters=False)
    add_param_options(p.add_argument_group("method (docs/methods/evaluation.md)"), EVALUATION_PARAMS)
    p.set_defaults(handler=run_evaluate)


def run_evaluate(args: argparse.Namespace) -> int:
    from ..base.params import check_period
    from ..evaluation.report import evaluation_file_bytes
    from ..evaluation.service import EVALUATION_PARAMS, evaluate_targets
    from ..io.targets import read_targets, wards_as_targets
    from ..io.writers import format_of, write_bytes

    fmt = format_of(args.out, allowed=(".csv", ".xlsx"))
    check_period(args.start, args.end)
    dataset = load_dataset(args)
    if args.target.startswith("wards:"):
        codes = [c.strip() for c in args.target[6:].split(",") if c.strip()]
        targets = wards_as_targets(dataset.wards.wards, codes)
    else:
        targets = read_targets(args.target)
    controls = None
    if args.control:
        controls = read_targets(args.control).areas.rename(columns={"area": "name"})
    options = {name: getattr(args, name) for name in EVALUATION_PARAMS}
    result = evaluate_targets(
        dataset, targets, start=args.start, end=args.end, group=args.group, controls=controls, **options
    )
    write_bytes(evaluation_file_bytes(result, fmt), args.out)
    for text in result.notes + result.warnings:
        note(args, text)
    if not args.quiet:
        print(f"Wrote {len(result.table)} rows to {args.out}.")
        print(result.sentence())
    return 0
