"""Statistical disclosure control for health counts: primary and secondary suppression.

Rule (as published hospital statistics apply it): a count from 1 to ``max_small`` (7) is not shown
(primary suppression; 0 is shown). A suppressed count must not be recoverable from the totals shown
beside it, so the published table is audited as an attacker would read it:

* every shown number is known exactly; a primary-suppressed count is known to lie in [1, max_small];
  any other suppressed number is taken to be at least ``max_small + 1`` (the attacker knows the rule);
* every published sum (wards + "not placed in a ward" = district total; districts = Kent & Medway total)
  tightens those intervals, repeatedly, until nothing changes;
* if a primary-suppressed count is pinned to one value, the smallest non-zero count still shown in a
  sum that pins it is suppressed too (secondary suppression) — or, when that sum has no such count left,
  its total — and the audit runs again.

Rates, classes and flags derived from a suppressed count are suppressed with it. The marker is ``[c]``
("confidential", the GSS shorthand).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence

__all__ = ["SUPPRESSED", "audit_bounds", "protect_counts"]

SUPPRESSED = "[c]"

Constraint = tuple[Hashable, Sequence[Hashable]]  # (total node, its parts)


def audit_bounds(
    values: Mapping[Hashable, int],
    constraints: Sequence[Constraint],
    suppressed: set[Hashable],
    primary: set[Hashable],
    *,
    max_small: int = 7,
    unknown: frozenset[Hashable] | set[Hashable] = frozenset(),
) -> dict[Hashable, tuple[float, float]]:
    """What an attacker can infer: the interval of every node given the published table."""
    bounds: dict[Hashable, tuple[float, float]] = {}
    for node, value in values.items():
        if node in unknown:
            bounds[node] = (0.0, math.inf)
        elif node not in suppressed:
            bounds[node] = (float(value), float(value))
        elif node in primary:
            bounds[node] = (1.0, float(max_small))
        else:
            bounds[node] = (float(max_small + 1), math.inf)
    for _ in range(100):
        changed = False
        for total, parts in constraints:
            los = [bounds[p][0] for p in parts]
            his = [bounds[p][1] for p in parts]
            infinite = sum(1 for h in his if math.isinf(h))
            finite_hi = sum(h for h in his if not math.isinf(h))
            sum_lo = sum(los)
            lo_t, hi_t = bounds[total]
            new_total = (max(lo_t, sum_lo), min(hi_t, math.inf if infinite else finite_hi))
            for part, lo_p, hi_p in zip(parts, los, his, strict=True):
                others_lo = sum_lo - lo_p
                others_inf = infinite - (1 if math.isinf(hi_p) else 0)
                others_hi = math.inf if others_inf else finite_hi - (0 if math.isinf(hi_p) else hi_p)
                new_lo = lo_p if math.isinf(others_hi) else max(lo_p, lo_t - others_hi)
                new_hi = hi_p if math.isinf(hi_t) else min(hi_p, hi_t - others_lo)
                if (new_lo, new_hi) != (lo_p, hi_p):
                    bounds[part], changed = (new_lo, new_hi), True
            if new_total != bounds[total]:
                bounds[total], changed = new_total, True
        if not changed:
            break
    return bounds


def protect_counts(
    values: Mapping[Hashable, int],
    constraints: Sequence[Constraint],
    *,
    max_small: int = 7,
    unknown: frozenset[Hashable] | set[Hashable] = frozenset(),
) -> set[Hashable]:
    """Nodes to suppress so that no count from 1 to ``max_small`` is shown or can be worked out.

    ``values`` holds every published count (cells and totals); ``constraints`` lists each published
    sum as (total node, part nodes); ``unknown`` nodes have no known value (suppressed at source) and are
    never shown. Deterministic: candidates are taken smallest first, ties in the order the parts are
    listed.
    """
    if max_small < 0:
        raise ValueError(f"max_small must be >= 0, got {max_small}")
    primary = {n for n, v in values.items() if 1 <= int(v) <= max_small and n not in unknown}
    suppressed = set(primary) | set(unknown)
    for _ in range(len(values) + 1):
        bounds = audit_bounds(values, constraints, suppressed, primary, max_small=max_small, unknown=unknown)
        exposed = [n for n in values if n in primary and bounds[n][1] - bounds[n][0] < 1]
        if not exposed:
            return suppressed
        target = exposed[0]
        choice = _secondary(target, values, constraints, suppressed)
        if choice is None:  # nothing left to hide it behind: the whole table must go
            return set(values)
        suppressed.add(choice)
    return suppressed


def _secondary(
    target: Hashable,
    values: Mapping[Hashable, int],
    constraints: Sequence[Constraint],
    suppressed: set[Hashable],
) -> Hashable | None:
    """A number to hide next so that ``target`` is no longer pinned.

    Search outwards from ``target`` through the published sums it takes part in (and, through any other
    hidden number of those sums, their sums): in the nearest sum with a shown non-zero part, the smallest
    such part; else that sum's total if it is still shown.
    """
    seen_nodes, seen_sums = {target}, set()
    frontier = [target]
    while frontier:
        following = []
        for node in frontier:
            for i, (total, parts) in enumerate(constraints):
                if i in seen_sums or (node != total and node not in parts):
                    continue
                seen_sums.add(i)
                candidates = [p for p in parts if p not in suppressed and int(values[p]) > 0]
                if candidates:
                    return min(candidates, key=lambda p: (int(values[p]), list(parts).index(p)))
                if total not in suppressed:
                    return total
                for other in (*parts, total):
                    if other in suppressed and other not in seen_nodes:
                        seen_nodes.add(other)
                        following.append(other)
        frontier = following
    return None
