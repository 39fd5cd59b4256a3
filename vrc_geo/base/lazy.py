"""Package names resolved on first use (PEP 562) rather than when the package is imported.

A package ``__init__`` that imports its submodules makes every first import of one submodule import
them all, under the package's import lock. Two threads importing different submodules for the first time
(two app sessions on a freshly started server) then wait on each other's locks, and Python hands one of
them a half-initialised module ("cannot import name ..."). Resolving names lazily removes that.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["lazy_exports"]


def lazy_exports(package: str, where: Mapping[str, str]) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``(__getattr__, __dir__)`` for ``package``: ``where`` maps each public name to its submodule."""
    module_globals = importlib.import_module(package).__dict__

    def getattr_(name: str) -> Any:
        submodule = where.get(name)
        if submodule is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(f".{submodule}", package), name)
        module_globals[name] = value
        return value

    def dir_() -> list[str]:
        return sorted(where)

    return getattr_, dir_
