"""``violence-profile``: what police-recorded violence is made of, by Community Safety Partnership."""

from __future__ import annotations

import argparse
from typing import Any

from ..reference.area import AREA
from .common import EPILOG, add_source_options, load_dataset

#: The commands this module adds, with the one line ``--help`` shows for each.
COMMANDS = {
    "violence-profile": "violence with / without injury, stalking and harassment, sexual offences by partnership",
}


def register(sub: Any) -> None:
    p = sub.add_parser(
        "violence-profile",
        help=COMMANDS["violence-profile"],
        description="One row per Community Safety Partnership of the area and one for the whole area, from the "
        "Home Office table of recorded crime by partnership (ONS Table C2): violence against the person and its "
        "subgroups, sexual offences, the share with injury and a severity-weighted total (ONS Crime Severity "
        "Score weights). The XLSX adds police.uk and OHID Fingertips figures per district, the weights and notes.",
        epilog=EPILOG,
    )
    p.add_argument("--out", required=True, metavar="FILE", help="output .csv or .xlsx")
    add_source_options(p, filters=False)
    p.set_defaults(handler=run_profile)


def run_profile(args: argparse.Namespace) -> int:
    from ..io.writers import format_of, write_bytes
    from ..profile.report import profile_file_bytes

    fmt = format_of(args.out, allowed=(".csv", ".xlsx"))
    dataset = load_dataset(args)
    data, profile = profile_file_bytes(dataset, fmt)
    write_bytes(data, args.out)
    if not args.quiet:
        table = profile.table
        county = table[table["area_name"] == AREA.name].iloc[0]
        print(
            f"Wrote {len(table)} rows ({profile.period}) to {args.out}. {AREA.name}: "
            f"{county['violence_against_the_person']:,} violence against the person, "
            f"{100 * county['share_with_injury']:.1f}% with injury."
        )
        for text in profile.notes:
            print(f"note: {text}")
    return 0
