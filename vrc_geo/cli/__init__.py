"""Command line: ``python -m vrc_geo <command>``. Parsing and printing only; the work is elsewhere.

Each command lives in its own module with a ``register(subparsers)`` function; the heavy imports
happen inside the handlers, so ``--help`` is instant.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from ..errors import VrcGeoError
from ..reference.area import AREA
from . import data, evaluate, fetch, health, hotspots, profile
from .common import EPILOG

__all__ = ["build_parser", "main"]

COMMAND_MODULES = [data, hotspots, evaluate, health, profile, fetch]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, with help text for every command and option."""
    parser = argparse.ArgumentParser(
        prog="python -m vrc_geo",
        description=f"{AREA.name} violence hotspot explorer: data checks, ward tables, hotspots, "
        "health data and official-source fetching.",
        epilog=EPILOG,
    )
    parser.add_argument("--quiet", "-q", action="store_true", help="no progress bars or notes")
    parser.add_argument("--debug", action="store_true", help="show tracebacks for errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in COMMAND_MODULES:
        module.register(sub)
    return parser


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
    except BrokenPipeError:  # output piped into `head` and closed early: not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
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
