"""Command line: ``python -m vrc_geo <command>``. Parsing and printing only; the work is elsewhere."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from .errors import VrcGeoError

if TYPE_CHECKING:
    from collections.abc import Iterator

    from .store import PoliceDataset

__all__ = ["main"]

EPILOG = (
    "Data is found by: the flags, then VRC_GEO_DATA_DIR / VRC_GEO_BOUNDARIES, then data/ and "
    "boundaries/ in the project, then the sample bundle at ../shared/data/kent. "
    "Contains public sector information licensed under the Open Government Licence v3.0; "
    "contains OS data © Crown copyright and database right."
)


def _source_options(parser: argparse.ArgumentParser, *, filters: bool) -> None:
    group = parser.add_argument_group("data")
    group.add_argument("--data-dir", metavar="DIR", help="folder with police_uk/ (and boundaries/)")
    group.add_argument("--crimes", nargs="+", metavar="P", help="police.uk CSVs, month folders or zips")
    group.add_argument("--boundaries", metavar="P", help="ward boundary file or folder")
    group.add_argument("--no-cache", action="store_true", help="rebuild processed tables")
    if filters:
        sel = parser.add_argument_group("filters")
        sel.add_argument("--from", dest="start", metavar="YYYY-MM", help="first month (inclusive)")
        sel.add_argument("--to", dest="end", metavar="YYYY-MM", help="last month (inclusive)")
        sel.add_argument("--district", nargs="+", metavar="NAME|CODE", help="districts (default: all 13)")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, with help text for every command and option."""
    parser = argparse.ArgumentParser(
        prog="python -m vrc_geo",
        description="Kent & Medway violence hotspot explorer: data checks, ward tables, hotspots, "
        "health data and official-source fetching.",
        epilog=EPILOG,
    )
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress bars or notes")
    parser.add_argument("--debug", action="store_true", help="show tracebacks for errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser(
        "summary",
        help="periods, totals by district and crime type, and the row reconciliation",
        description="Read the police.uk files and say what they hold and where every row went.",
        epilog=EPILOG,
    )
    _source_options(p, filters=False)
    p.add_argument("--json", action="store_true", help="print one JSON object instead of tables")
    p.set_defaults(handler=_cmd_summary)

    p = sub.add_parser(
        "export-wards",
        help="ward x month x crime type counts to CSV, XLSX or GeoJSON",
        description="Write counts per ward, month and crime type (long format: ward_code, "
        "ward_name, district_code, district_name, month, crime_type, count). The format follows "
        "the extension; GeoJSON carries each ward's geometry (WGS84).",
        epilog=EPILOG,
    )
    p.add_argument("--out", required=True, metavar="FILE", help="output .csv, .xlsx or .geojson")
    _source_options(p, filters=True)
    p.add_argument(
        "--crime-type",
        nargs="+",
        metavar="TYPE",
        help="police.uk categories or groups (violence, drugs, weapons, robbery, serious_violence, "
        "asb, crime...)",
    )
    p.add_argument(
        "--include-zeros",
        action="store_true",
        help="also write ward/month/type combinations with no records (count 0)",
    )
    p.set_defaults(handler=_cmd_export_wards)

    for register in _EXTRA_COMMANDS:
        register(sub)
    return parser


# Later modules add commands here (hotspots, health, fetch) without this file importing them eagerly.
_EXTRA_COMMANDS: list[Callable[[Any], None]] = []


@contextmanager
def _progress(args: argparse.Namespace, total: int, desc: str) -> Iterator[Callable[[int], object]]:
    if args.quiet:
        yield lambda _n: None
        return
    from tqdm import tqdm

    with tqdm(total=total, desc=desc, unit="file", disable=None, file=sys.stderr) as bar:
        yield bar.update


def load_dataset(args: argparse.Namespace) -> PoliceDataset:
    """Find sources from the flags and load (or build) the police dataset."""
    from .config import find_sources
    from .io.police import expand_sources
    from .store import load_police

    sources = find_sources(data_dir=args.data_dir, crimes=args.crimes, boundaries=args.boundaries)
    total = len(expand_sources(sources.crimes))
    with _progress(args, total, "Reading police.uk files") as tick:
        dataset = load_police(sources, use_cache=not args.no_cache, progress=tick)
    if not args.quiet:
        for note in [*dataset.wards.notes, *dataset.notes]:
            print(f"note: {note}", file=sys.stderr)
    return dataset


def _cmd_summary(args: argparse.Namespace) -> int:
    from .summary import summarise, summary_text

    dataset = load_dataset(args)
    facts = summarise(dataset)
    if args.json:
        print(json.dumps(facts, indent=2))
    else:
        print(summary_text(facts))
    return 0


def _cmd_export_wards(args: argparse.Namespace) -> int:
    from .aggregate import count_long, make_selection, month_range, select_records
    from .export import format_of, table_bytes, write_bytes

    fmt = format_of(args.out)
    selection = make_selection(
        start=args.start, end=args.end, districts=args.district, crime_types=args.crime_type
    )
    dataset = load_dataset(args)
    wards = dataset.wards.wards
    if selection.districts is not None:
        wards = wards[wards["district_code"].isin(selection.districts)]
    records = select_records(dataset.records, selection)
    months = dataset.months
    if selection.start or selection.end:
        months = month_range(selection.start or months[0], selection.end or months[-1])
    types = list(selection.crime_types) if selection.crime_types else None
    table = count_long(records, wards, include_zeros=args.include_zeros, months=months, crime_types=types)
    geometry = None
    if fmt == ".geojson":
        by_code = wards.set_index("code").geometry
        geometry = by_code.loc[table["ward_code"]].set_axis(table.index)
    meta = {
        "selection": selection.describe(),
        "boundaries": f"{dataset.wards.vintage} ({dataset.wards.source})",
        "source": "police.uk street-level crime (Open Government Licence v3.0)",
    }
    write_bytes(table_bytes(table, fmt, geometry=geometry, metadata=meta), args.out)
    if not args.quiet:
        print(f"Wrote {len(table):,} rows ({int(table['count'].sum()):,} records) to {args.out}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code (0 ok, 2 bad input or options, 1 unexpected failure)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except VrcGeoError as exc:
        if args.debug:
            raise
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:
        if args.debug:
            raise
        print(
            f"unexpected error ({type(exc).__name__}): {exc}\nRerun with --debug for details.",
            file=sys.stderr,
        )
        return 1
