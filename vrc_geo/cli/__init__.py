"""Command line: ``python -m vrc_geo <command>``. Parsing and printing only; the work is elsewhere.

Each command lives in its own module with a ``register(subparsers)`` function and a ``COMMANDS`` table
(name -> one-line help). Only the command being run is registered whole (its options import the method's
parameter declarations); the others are listed by name and help, so ``--help`` and ``export-wards`` import no
statistics (``python -X importtime``); the heavy imports happen inside the handlers.
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


ALL = "*"


def build_parser(only: str | None = ALL) -> argparse.ArgumentParser:
    """The argument parser, with help text for every command and option of ``only`` (a command name; ``ALL``
    registers every command whole, ``None`` none: names and one-line help only)."""
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
        if only == ALL or only in module.COMMANDS:
            module.register(sub)
        else:
            for name, line in module.COMMANDS.items():
                sub.add_parser(name, help=line)
    return parser


def _command_in(argv: Sequence[str]) -> str | None:
    """The command word of ``argv`` (the first word not an option), if any."""
    return next((word for word in argv if not word.startswith("-")), None)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code (0 ok, 2 bad input or options, 1 unexpected failure)."""
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(only=_command_in(argv))
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
