"""Generated blocks in the docs: text between ``<!-- BEGIN <kind> <name> -->`` and ``<!-- END <kind> <name> -->``.

Figures and parameter tables in ``docs/`` are written by code, not typed: the benchmark scripts write
their figures (``--write-docs``), ``scripts/write_docs.py`` writes the parameter tables from the
registries and the sources' licences. ``tests/test_docs.py`` checks the generated parts are current.
"""

from __future__ import annotations

import re
from pathlib import Path

__all__ = ["blocks_in", "replace_block", "write_figures"]

_BLOCK = re.compile(r"<!-- BEGIN (\w+) (\S+) -->\n(.*?)<!-- END \1 \2 -->", re.S)


def blocks_in(text: str) -> list[tuple[str, str]]:
    """(kind, name) of every generated block of a page, in order."""
    return [(m.group(1), m.group(2)) for m in _BLOCK.finditer(text)]


def replace_block(path: Path, kind: str, name: str, body: str, *, check: bool = False) -> bool:
    """Put ``body`` in the block ``kind name`` of ``path``; returns True when the page changed (with
    ``check``, nothing is written). A page without the block is an error (the docs name their blocks)."""
    text = path.read_text(encoding="utf-8")
    begin, end = f"<!-- BEGIN {kind} {name} -->\n", f"<!-- END {kind} {name} -->"
    if begin not in text or end not in text:
        raise SystemExit(f"{path} has no block '{kind} {name}'")
    head, rest = text.split(begin, 1)
    _, tail = rest.split(end, 1)
    new = head + begin + body.rstrip("\n") + "\n" + end + tail
    if new == text:
        return False
    if not check:
        path.write_text(new, encoding="utf-8")
    return True


def write_figures(name: str, lines: list[str], command: str) -> None:
    """A benchmark's printed table into its block ``figures name`` of ``benchmarks/README.md``, followed by
    the command that wrote it."""
    body = "```\n" + "\n".join(lines) + f"\n```\n\n(`{command}`)"
    replace_block(Path(__file__).resolve().parents[1] / "benchmarks" / "README.md", "figures", name, body)
