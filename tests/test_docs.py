"""The docs as a new engineer meets them: a short front door, a page per method with its reference and its
test, generated parts current (parameter tables from the registries, figures from the benchmarks), links
that resolve, and the licence sentence written in one place."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))

from docs_blocks import blocks_in  # noqa: E402
from write_docs import write_all  # noqa: E402

METHOD_PAGES = sorted((ROOT / "docs" / "methods").glob("*.md"))
PAGES = [ROOT / "README.md", ROOT / "benchmarks" / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]


def test_readme_is_a_front_door():
    text = (ROOT / "README.md").read_text()
    assert len(text.splitlines()) <= 150
    for needed in ("bash scripts/app.sh", "bash .ci/run", "docs/"):
        assert needed in text
    assert len(re.findall(r"^python -m vrc_geo ", text, re.M)) >= 5


def test_a_page_per_method_with_reference_and_test():
    assert len(METHOD_PAGES) >= 12
    for page in METHOD_PAGES:
        text = page.read_text()
        reference = text.split("## Reference", 1)[-1].split("\n## ", 1)[0]
        assert "## Reference" in text and re.search(r"\b(1[89]|20)\d\d\b", reference), f"{page.name}: no reference"
        checked = text.split("## Checked by", 1)[-1].split("\n## ", 1)[0]
        tests = re.findall(r"tests/(test_\w+\.py)", checked)
        assert tests, f"{page.name}: no test file named"
        missing = [t for t in tests if not (ROOT / "tests" / t).exists()]
        assert not missing, f"{page.name} names tests that do not exist: {missing}"


def test_generated_parts_are_current():
    assert write_all(check=True) == [], "run: python scripts/write_docs.py"


def test_figures_are_written_by_the_benchmarks():
    empty = []
    for page in PAGES:
        text = page.read_text()
        for kind, name in blocks_in(text):
            body = text.split(f"<!-- BEGIN {kind} {name} -->\n", 1)[1].split(f"<!-- END {kind} {name} -->")[0]
            if kind == "figures" and not body.strip():
                empty.append(f"{page.relative_to(ROOT)}: {name}")
    assert not empty, "run the benchmark with --write-docs for: " + "; ".join(empty)


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_links_resolve(page):
    text = page.read_text()
    broken = []
    for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
        if target.startswith(("http://", "https://", "mailto:")):
            continue
        if not (page.parent / target).exists():
            broken.append(target)
    assert not broken, broken


def test_the_licence_sentence_lives_in_one_module():
    files = [
        p
        for folder in ("vrc_geo", "ui", "pages")
        for p in (ROOT / folder).rglob("*.py")
        if "Open Government Licence" in p.read_text()
    ]
    files += [p for p in [ROOT / "app.py"] if "Open Government Licence" in p.read_text()]
    assert [p.relative_to(ROOT).as_posix() for p in files] == ["vrc_geo/reference/licences.py"]
