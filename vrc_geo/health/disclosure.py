"""Statistical disclosure control for health counts: primary and secondary suppression, audited.

Rule (as published hospital statistics apply it): a count from 1 to ``max_small`` (7) is not shown
(primary suppression). A suppressed count must not be recoverable from the numbers shown beside it, so
the published table is audited as an attacker would read it:

* every shown number is known exactly;
* a suppressed number could be anything from 0 up: the attacker cannot tell a small count from a zero
  or a large number hidden to protect it (zeros and large numbers are hidden too, where they would
  give a small count away; knowing which hidden cells are small would itself be a disclosure);
* every published sum (wards + "held at district level" = district total; districts = Kent & Medway
  total) narrows those intervals, repeatedly, until nothing changes. On this tree of sums the result
  equals what linear programming would find (the tests check it with an LP);
* a small count is exposed when the interval it can be narrowed to is narrower than ``min_width``
  (3: at least four possible values). The next number to hide is chosen among the numbers shown in the
  sums that hold it — zeros included, where a zero pins a neighbour — preferring the one that protects
  it outright and, among those, the smallest; failing that, the one that widens it most; failing that,
  the sum's total. The audit runs again until nothing is exposed.

Rates, classes and flags derived from a suppressed count are suppressed with it. The marker is ``[c]``
("confidential", the GSS shorthand).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping, Sequence

__all__ = ["SUPPRESSED", "audit_bounds", "protect_counts", "rounded"]

SUPPRESSED = "[c]"

Constraint = tuple[Hashable, Sequence[Hashable]]  # (total node, its parts)


def rounded(n: int, *, base: int = 10) -> str:
    """A count for publication beside suppressed figures: "0", "fewer than 10", or "about 750"."""
    if n == 0:
        return "0"
    if n < base:
        return f"fewer than {base}"
    return f"about {int(base * round(n / base)):,}"


def audit_bounds(
    values: Mapping[Hashable, int],
    constraints: Sequence[Constraint],
    suppressed: set[Hashable],
    *,
    unknown: frozenset[Hashable] | set[Hashable] = frozenset(),
) -> dict[Hashable, tuple[float, float]]:
    """What an attacker can infer: the interval of every node given the published table."""
    bounds: dict[Hashable, tuple[float, float]] = {}
    for node, value in values.items():
        if node in unknown or node in suppressed:
            bounds[node] = (0.0, math.inf)
        else:
            bounds[node] = (float(value), float(value))
    for _ in range(200):
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
    min_width: int = 3,
    unknown: frozenset[Hashable] | set[Hashable] = frozenset(),
) -> set[Hashable]:
    """Nodes to suppress so that no count from 1 to ``max_small`` is shown or can be narrowed to an
    interval narrower than ``min_width``.

    ``values`` holds every published count (cells and totals); ``constraints`` lists each published
    sum as (total node, part nodes); ``unknown`` nodes have no known value (suppressed at source) and are
    never shown. Deterministic: candidates are compared by value, ties in the order the parts are listed.
    """
    if max_small < 0:
        raise ValueError(f"max_small must be >= 0, got {max_small}")
    if min_width < 0:
        raise ValueError(f"min_width must be >= 0, got {min_width}")
    primary = {n for n, v in values.items() if 1 <= int(v) <= max_small and n not in unknown}
    suppressed = set(primary) | set(unknown)
    kw = {"unknown": unknown}
    for _ in range(len(values) + 1):
        bounds = audit_bounds(values, constraints, suppressed, **kw)
        exposed = [n for n in values if n in primary and bounds[n][1] - bounds[n][0] < min_width]
        if not exposed:
            return suppressed
        target = exposed[0]
        choice = _secondary(target, values, constraints, suppressed, min_width, kw)
        if choice is None:  # nothing left to hide it behind: the whole table must go
            return set(values)
        suppressed.add(choice)
    return suppressed


def _secondary(
    target: Hashable,
    values: Mapping[Hashable, int],
    constraints: Sequence[Constraint],
    suppressed: set[Hashable],
    min_width: int,
    kw: dict,
) -> Hashable | None:
    """The next number to hide so that ``target`` is protected (see the module docstring).

    Candidates: the shown numbers of the sums ``target`` takes part in (as a part or as the total),
    searched outwards through the other hidden numbers of those sums, nearest sums first."""
    seen_nodes, seen_sums = {target}, set()
    frontier = [target]
    while frontier:
        candidates: list[Hashable] = []
        following = []
        for node in frontier:
            for i, (total, parts) in enumerate(constraints):
                if i in seen_sums or (node != total and node not in parts):
                    continue
                seen_sums.add(i)
                candidates += [p for p in parts if p not in suppressed and p not in candidates]
                for other in (*parts, total):
                    if other in suppressed and other not in seen_nodes:
                        seen_nodes.add(other)
                        following.append(other)
                if total not in suppressed and total not in candidates:
                    candidates.append(total)
        if candidates:
            return _best(target, candidates, values, constraints, suppressed, min_width, kw)
        frontier = following
    return None


def _best(target, candidates, values, constraints, suppressed, min_width, kw) -> Hashable:
    scored = []
    for order, node in enumerate(candidates):
        lo, hi = audit_bounds(values, constraints, suppressed | {node}, **kw)[target]
        width = hi - lo
        scored.append((width < min_width, int(values[node]), -width, order, node))
    # Protects it outright first; then the smallest value (zeros first); then the widest; then order.
    protects = [s for s in scored if not s[0]]
    if protects:
        return min(protects)[4]
    return min(scored, key=lambda s: (s[2], s[1], s[3]))[4]
