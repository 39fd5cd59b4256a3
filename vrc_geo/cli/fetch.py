"""``fetch``: bring the official sources in (those registered with a fetcher), only what is missing."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .common import EPILOG

#: The commands this module adds, with the one line ``--help`` shows for each.
COMMANDS = {
    "fetch": "download official open data (police.uk months, boundaries, lookups, registers), only what is missing"
}


def register(sub: Any) -> None:
    from ..config import REPO_ROOT
    from ..reference.sources import fetchable

    sources = fetchable()
    p = sub.add_parser(
        "fetch",
        help=COMMANDS["fetch"],
        description="Fetch official open data into data/ and boundaries/, each source with a manifest (URL, "
        "retrieved at, licence, period, checksums). Only what is missing is fetched; files are written "
        "whole or not at all, so a failure leaves earlier data intact. Base URLs can point at mirrors. "
        "Sources: " + "; ".join(f"{s.key}: {s.label} ({s.publisher})" for s in sources) + ".",
        epilog=EPILOG,
    )
    keys = [s.key for s in sources]
    p.add_argument("--what", nargs="+", choices=keys, default=keys, help="sources (default: all)")
    p.add_argument(
        "--data-dir",
        default=str(REPO_ROOT / "data"),
        metavar="DIR",
        help="where police and context data go (default: the project's data/)",
    )
    p.add_argument(
        "--boundaries-dir",
        default=str(REPO_ROOT / "boundaries"),
        metavar="DIR",
        help="where boundaries go (default: the project's boundaries/)",
    )
    p.add_argument("--ward-year", type=int, default=2024, help="December vintage of wards and districts (2024)")
    p.add_argument("--ward-service", metavar="NAME", help="ONS ward service name, if ONS renamed it")
    p.add_argument("--district-service", metavar="NAME", help="ONS district service name, if ONS renamed it")
    p.add_argument("--from", dest="start", metavar="YYYY-MM", help="first police.uk month wanted")
    p.add_argument("--to", dest="end", metavar="YYYY-MM", help="last police.uk month wanted")
    p.add_argument("--months-back", type=int, default=12, help="without --from: the latest N months (12)")
    p.add_argument("--refetch", action="store_true", help="fetch again what is already on disk")
    for source in sources:
        p.add_argument(
            source.url_flag,
            dest=f"url_{source.key}",
            default=source.base_url,
            metavar="URL",
            help=f"{source.publisher} service ({source.base_url})",
        )
    p.add_argument("--timeout", type=float, default=30.0, help="seconds before a request is given up (30)")
    p.add_argument("--retries", type=int, default=4, help="retries with backoff per request (4)")
    p.add_argument("--max-per-second", type=float, default=10.0, help="request rate limit (10; police.uk asks <15)")
    p.set_defaults(handler=run_fetch)


def run_fetch(args: argparse.Namespace) -> int:
    from ..base.params import check_period
    from ..errors import ParameterError, ServiceError
    from ..fetch.http import Client
    from ..fetch.options import FetchOptions, fetch_sources

    check_period(args.start, args.end)
    if args.retries < 0 or args.timeout <= 0 or args.max_per_second <= 0 or args.months_back < 0:
        raise ParameterError("--retries and --months-back must be >= 0; --timeout and --max-per-second > 0.")
    client = Client(timeout_s=args.timeout, retries=args.retries, max_per_s=args.max_per_second)

    def say(text: str) -> None:
        if not args.quiet:
            print(text, file=sys.stderr, flush=True)

    options = FetchOptions(
        data_dir=Path(args.data_dir),
        boundaries_dir=Path(args.boundaries_dir),
        base_urls={k[4:]: v for k, v in vars(args).items() if k.startswith("url_") and v},
        ward_year=args.ward_year,
        ward_service=args.ward_service,
        district_service=args.district_service,
        start=args.start,
        end=args.end,
        months_back=args.months_back,
        refetch=args.refetch,
        progress=None if args.quiet else _bar,
    )
    lines, failures = fetch_sources(args.what, client, options, say)
    for line in lines:
        print(line)
    if failures:
        raise ServiceError(" | ".join(failures) + " (Everything fetched before the failure is kept.)")
    return 0


def _bar(total: int, desc: str) -> Callable[[str], object]:
    """A progress bar on stderr (only on a terminal): ``tick(month)`` after each month."""
    from tqdm import tqdm

    bar = tqdm(total=total, desc=desc, unit="month", disable=None, file=sys.stderr)

    def tick(month: str) -> None:
        bar.set_postfix_str(month)
        bar.update(1)
        if bar.n >= total:
            bar.close()

    return tick
