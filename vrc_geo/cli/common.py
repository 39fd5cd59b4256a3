"""Options and helpers every command shares: where data is, filters, progress, loading."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from ..reference.licences import ATTRIBUTION

if TYPE_CHECKING:
    from ..dataset.aggregate import Selection
    from ..dataset.store import PoliceDataset

EPILOG = (
    "Data is found by: the flags, then VRC_GEO_DATA_DIR / VRC_GEO_BOUNDARIES, then data/ and "
    "boundaries/ in the project, then the area profile's sample bundle (../shared/data/kent for Kent & Medway). "
    + ATTRIBUTION
)


def add_source_options(parser: argparse.ArgumentParser, *, filters: bool) -> None:
    """``--data-dir``, ``--crimes``, ``--boundaries``, ``--no-cache`` and (optionally) the filters."""
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


def selection_from(args: argparse.Namespace, *, crime_types: list[str] | None = None) -> Selection:
    """Validated selection from the filter options (before any data is read, so typos fail fast)."""
    from ..dataset.aggregate import make_selection

    return make_selection(start=args.start, end=args.end, districts=args.district, crime_types=crime_types)


@contextmanager
def progress(args: argparse.Namespace, total: int, desc: str) -> Iterator[Callable[[int], object]]:
    """A tqdm bar on stderr (only on a terminal); a no-op with ``--quiet``."""
    if args.quiet:
        yield lambda _n: None
        return
    from tqdm import tqdm

    with tqdm(total=total, desc=desc, unit="file", disable=None, file=sys.stderr) as bar:
        yield bar.update


def note(args: argparse.Namespace, text: str) -> None:
    if not args.quiet:
        print(f"note: {text}", file=sys.stderr)


def load_dataset(args: argparse.Namespace) -> PoliceDataset:
    """Find sources from the flags and load (or build) the police dataset."""
    from ..config import find_sources
    from ..dataset.store import load_police
    from ..io.police import expand_sources

    sources = find_sources(data_dir=args.data_dir, crimes=args.crimes, boundaries=args.boundaries)
    total = len(expand_sources(sources.crimes))
    with progress(args, total, "Reading police.uk files") as tick:
        dataset = load_police(sources, use_cache=not args.no_cache, progress=tick)
    for text in [*dataset.wards.notes, *dataset.notes]:
        note(args, text)
    return dataset
