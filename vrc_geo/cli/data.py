"""``summary`` and ``export-wards``: what the data holds, and ward counts to a file."""

from __future__ import annotations

import argparse
import json
from typing import Any

from .common import EPILOG, add_source_options, load_dataset, selection_from

#: The commands this module adds, with the one line ``--help`` shows for each.
COMMANDS = {
    "summary": "periods, totals by district and crime type, and the row reconciliation",
    "export-wards": "ward x month x crime type counts to CSV, XLSX or GeoJSON",
}


def register(sub: Any) -> None:
    p = sub.add_parser(
        "summary",
        help=COMMANDS["summary"],
        description="Read the police.uk files and say what they hold and where every row went.",
        epilog=EPILOG,
    )
    add_source_options(p, filters=False)
    p.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
    p.set_defaults(handler=run_summary)

    p = sub.add_parser(
        "export-wards",
        help=COMMANDS["export-wards"],
        description="Write counts per ward, month and crime type (long format: ward_code, "
        "ward_name, district_code, district_name, month, crime_type, count). The format follows "
        "the extension; GeoJSON carries each ward's geometry (WGS84).",
        epilog=EPILOG,
    )
    p.add_argument("--out", required=True, metavar="FILE", help="output .csv, .xlsx or .geojson")
    add_source_options(p, filters=True)
    p.add_argument(
        "--crime-type",
        nargs="+",
        metavar="TYPE",
        help="police.uk categories or groups (violence, drugs, weapons, robbery, serious_violence, asb, crime...)",
    )
    p.add_argument(
        "--include-zeros",
        action="store_true",
        help="also write ward/month/type combinations with no records (count 0)",
    )
    p.set_defaults(handler=run_export_wards)


def run_summary(args: argparse.Namespace) -> int:
    from ..dataset.summary import summarise, summary_text

    facts = summarise(load_dataset(args))
    print(json.dumps(facts, indent=2) if args.json else summary_text(facts))
    return 0


def run_export_wards(args: argparse.Namespace) -> int:
    from ..io.writers import format_of, write_bytes
    from ..outputs.ward_tables import ward_export_bytes

    fmt = format_of(args.out)
    selection = selection_from(args, crime_types=args.crime_type)
    dataset = load_dataset(args)
    data, rows, records = ward_export_bytes(dataset, selection, fmt, include_zeros=args.include_zeros)
    write_bytes(data, args.out)
    if not args.quiet:
        print(f"Wrote {rows:,} rows ({records:,} records) to {args.out}")
    return 0
