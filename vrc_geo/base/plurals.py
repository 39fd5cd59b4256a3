"""Counts in sentences people read: "1 record", "9 records", never "record(s)"."""

from __future__ import annotations

__all__ = ["counted"]


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """``n`` with its noun, singular or plural ("1 area", "12 areas", "2 police stations"), thousands
    separated; ``plural`` for a noun that does not just take an "s"."""
    return f"{n:,} {noun}" if n == 1 else f"{n:,} {plural or noun + 's'}"
