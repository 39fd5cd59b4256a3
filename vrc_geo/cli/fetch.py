"""``fetch``: bring the official sources in (ONS boundaries, police.uk months, Fingertips), incrementally."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from .common import EPILOG

SOURCES = ("boundaries", "police", "fingertips")


def register(sub: Any) -> None:
    from ..config import FINGERTIPS_URL, ONS_URL, POLICE_URL, REPO_ROOT

    p = sub.add_parser(
        "fetch",
        help="download ward boundaries, new police.uk months and Fingertips context, only what is missing",
        description="Fetch official open data into data/ and boundaries/, each source with a manifest (URL, "
        "retrieved at, licence, period, checksums). Only what is missing is fetched; files are written "
        "whole or not at all, so a failure leaves earlier data intact. Base URLs can point at mirrors.",
        epilog=EPILOG,
    )
    p.add_argument("--what", nargs="+", choices=SOURCES, default=list(SOURCES), help="sources (default: all)")
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
    p.add_argument("--ons-url", default=ONS_URL, help=f"ONS ArcGIS services base URL ({ONS_URL})")
    p.add_argument("--police-url", default=POLICE_URL, help=f"police.uk API base URL ({POLICE_URL})")
    p.add_argument("--fingertips-url", default=FINGERTIPS_URL, help=f"Fingertips base URL ({FINGERTIPS_URL})")
    p.add_argument("--timeout", type=float, default=30.0, help="seconds before a request is given up (30)")
    p.add_argument("--retries", type=int, default=4, help="retries with backoff per request (4)")
    p.add_argument("--max-per-second", type=float, default=10.0, help="request rate limit (10; police.uk asks <15)")
    p.set_defaults(handler=run_fetch)


def _months(available: list[str], start: str | None, end: str | None, back: int) -> list[str]:
    if start or end:
        return [m for m in available if (not start or m >= start) and (not end or m <= end)]
    return available[-back:] if back > 0 else []


def run_fetch(args: argparse.Namespace) -> int:
    from ..base.params import check_period
    from ..errors import ParameterError, ServiceError
    from ..fetch import Client, available_months, fetch_boundaries, fetch_fingertips, fetch_force_area

    check_period(args.start, args.end)
    if args.retries < 0 or args.timeout <= 0 or args.max_per_second <= 0 or args.months_back < 0:
        raise ParameterError("--retries and --months-back must be >= 0; --timeout and --max-per-second > 0.")
    client = Client(timeout_s=args.timeout, retries=args.retries, max_per_s=args.max_per_second)

    def say(text: str) -> None:
        if not args.quiet:
            print(text, file=sys.stderr, flush=True)

    failures = []
    if "boundaries" in args.what:
        try:
            say(f"Fetching ONS wards and districts (December {args.ward_year})…")
            for path in fetch_boundaries(
                client,
                Path(args.boundaries_dir),
                year=args.ward_year,
                base_url=args.ons_url,
                ward_service=args.ward_service,
                district_service=args.district_service,
            ):
                print(f"boundaries: wrote {path}")
        except ServiceError as exc:
            failures.append(f"boundaries: {exc}")
    if "police" in args.what:
        try:
            say("Fetching the Kent Police force area and the months police.uk holds…")
            area = fetch_force_area(client, Path(args.boundaries_dir), base_url=args.police_url)
            months = _months(available_months(client, args.police_url), args.start, args.end, args.months_back)
            results = _fetch_months(client, args, area, months, say)
            print(
                f"police: {len(results)} month(s) fetched"
                + (f" ({results[0].month} to {results[-1].month})" if results else " (none missing)")
            )
        except ServiceError as exc:
            failures.append(f"police: {exc}")
    if "fingertips" in args.what:
        try:
            say("Fetching OHID Fingertips context figures…")
            print(f"fingertips: wrote {fetch_fingertips(client, Path(args.data_dir), base_url=args.fingertips_url)}")
        except ServiceError as exc:
            failures.append(f"fingertips: {exc}")
    if failures:
        raise ServiceError(" | ".join(failures) + " (Everything fetched before the failure is kept.)")
    return 0


def _fetch_months(client: Any, args: argparse.Namespace, area: Any, months: list[str], say: Any) -> list:
    from ..fetch import fetch_police

    if args.quiet:
        return fetch_police(
            client, Path(args.data_dir), area, months=months, base_url=args.police_url, force_refetch=args.refetch
        )
    from tqdm import tqdm

    with tqdm(total=len(months), desc="police.uk months", unit="month", disable=None, file=sys.stderr) as bar:

        def tick(month: str) -> None:
            bar.set_postfix_str(month)
            bar.update(1)

        results = fetch_police(
            client,
            Path(args.data_dir),
            area,
            months=months,
            base_url=args.police_url,
            force_refetch=args.refetch,
            progress=tick,
        )
    say(f"{client.requests_made} requests made.")
    return results
