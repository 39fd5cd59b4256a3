"""Write the generated parts of the docs from the registries: parameter tables and the sources' licences.

Each method page names the option table it documents in a block ``<!-- BEGIN params module:NAME -->``;
the README and ``docs/data.md`` hold a ``sources`` block. Figures are written by the benchmark scripts
(``--write-docs``), not here.

Usage: python scripts/write_docs.py [--check]   (--check: exit 1 when a page is out of date)
"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

from docs_blocks import blocks_in, replace_block  # noqa: E402

PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


def param_table(spec: str) -> str:
    """A Markdown table of one option table (``module:NAME`` or ``module:Class`` for its ``params``)."""
    module, _, name = spec.partition(":")
    found = getattr(importlib.import_module(module), name)
    table = getattr(found, "params", found)
    rows = ["| option | default | allowed | what it does |", "|---|---|---|---|"]
    for key, rule in table.items():
        flag = f" (`{rule.flag}`)" if rule.flag else ""
        default = "estimated" if rule.default is None and rule.optional else f"`{rule.default!r}`"
        rows.append(f"| `{key}`{flag} | {default} | {rule.allowed()} | {rule.help} |")
    return "\n".join(rows)


def sources_table(_: str) -> str:
    from vrc_geo.reference.licences import ATTRIBUTION
    from vrc_geo.reference.sources import SOURCES

    rows = ["| data | publisher | licence |", "|---|---|---|"]
    rows += [f"| {s.label} | {s.publisher} | {s.licence_text} |" for s in SOURCES.values()]
    return "\n".join(rows) + f"\n\n{ATTRIBUTION}"


def methods_table(_: str) -> str:
    from vrc_geo.hotspots.methods import METHODS

    rows = ["| `--method` | in the app | what it does | page |", "|---|---|---|---|"]
    for m in METHODS.values():
        rows.append(f"| `{m.key}` | {m.label} | {m.summary} | [{Path(m.docs).name}](../{m.docs}) |")
    return "\n".join(rows)


WRITERS = {"params": param_table, "sources": sources_table, "methods": methods_table}


def write_all(*, check: bool = False) -> list[str]:
    """Rewrite every generated block that is not figures; returns the pages that changed (or would)."""
    changed = []
    for page in PAGES:
        for kind, name in blocks_in(page.read_text(encoding="utf-8")):
            if kind in WRITERS and replace_block(page, kind, name, WRITERS[kind](name), check=check):
                changed.append(f"{page.relative_to(ROOT)} ({kind} {name})")
    return changed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report pages that are out of date")
    args = parser.parse_args()
    changed = write_all(check=args.check)
    for line in changed:
        print(("out of date: " if args.check else "wrote ") + line)
    return 1 if args.check and changed else 0


if __name__ == "__main__":
    sys.exit(main())
