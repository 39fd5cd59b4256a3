"""The house rules, checked on the source: data flows one way, and ``vrc_geo`` never imports the UI.

Stages, lowest first (``docs/contributing.md``): a module imports only from its own stage or below.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "vrc_geo"

#: Stage of each top-level part of the package, lowest first.
STAGES: tuple[tuple[str, ...], ...] = (
    ("errors", "base"),
    ("reference",),
    ("config",),
    ("io", "fetch"),
    ("dataset",),
    ("hotspots", "health", "profile", "evaluation"),
    ("outputs",),
    ("cli", "__main__"),
)
LEVEL = {part: i for i, parts in enumerate(STAGES) for part in parts}
#: Readers (``io``) never import an analysis or output module.
READERS = ("io",)


def _module(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, absolute module) of every ``vrc_geo`` import in a file, wherever it stands."""
    module = _module(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            if node.module is None:
                found += [(node.lineno, f"{name}.{a.name}") for a in node.names]
            else:
                found.append((node.lineno, name))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
    return [(line, name) for line, name in found if name == "vrc_geo" or name.startswith("vrc_geo.")]


def _part(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


FILES = sorted(PACKAGE.rglob("*.py"))


def test_every_part_has_a_stage():
    parts = {_part(_module(p)) for p in FILES} - {""}
    assert parts <= set(LEVEL), f"give these a stage in STAGES: {sorted(parts - set(LEVEL))}"


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_imports_point_down_the_flow(path: Path):
    own = _part(_module(path))
    if not own:
        # the package's __init__ imports the ground floor only
        assert all(LEVEL[_part(n)] == 0 for _, n in _imports(path) if _part(n))
        return
    up = [
        f"line {line}: {name} ({_part(name)} is above {own})"
        for line, name in _imports(path)
        if _part(name) and LEVEL[_part(name)] > LEVEL[own]
    ]
    assert not up, "imports climbing up the flow: " + "; ".join(up)


@pytest.mark.parametrize("path", [p for p in FILES if _part(_module(p)) in READERS], ids=lambda p: p.name)
def test_readers_never_import_analysis_or_outputs(path: Path):
    analysis = {p for stage in STAGES[LEVEL["dataset"] :] for p in stage}
    bad = [name for _, name in _imports(path) if _part(name) in analysis]
    assert not bad, f"{path.name} imports {bad}"


def test_package_never_imports_the_ui():
    bad = []
    for path in FILES:
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level:
                names = [node.module or ""]
            bad += [f"{path.relative_to(ROOT)}: {n}" for n in names if n.split(".")[0] in {"streamlit", "ui", "pages"}]
    assert not bad, bad


def test_at_most_five_top_level_modules():
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(top) <= 5, top


def test_no_module_over_400_lines():
    long = {str(p.relative_to(ROOT)): n for p in FILES if (n := len(p.read_text().splitlines())) > 420}
    assert not long, long
