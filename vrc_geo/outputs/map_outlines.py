"""Area shapes for the browser simplified as one coverage: each shared border once (docs/app.md).

Simplifying each ward on its own moves a shared border two ways (slivers and overlaps between
neighbours) and stroking every ward draws each border twice. Here the borders are cut into arcs (runs of
edge with the same areas either side), each arc is simplified once, and every area is rebuilt from its
arcs, so neighbours meet exactly. The borders inside a group (wards of one district) and the groups'
outlines come back as lines, each border once (one between two groups is tagged with both): a
software-drawn browser spends most of the first map on outline segments.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import shapely

__all__ = ["CoverageShapes", "simplify_coverage"]


@dataclass(frozen=True)
class CoverageShapes:
    """Simplified areas (one per input, same order); per group, the borders between its areas; and each
    outline arc once, keyed by the two groups it divides (``(a, b)`` sorted, ``(a, "")`` at the edge)."""

    areas: np.ndarray
    inner: dict[str, shapely.Geometry]
    outline: dict[tuple[str, str], shapely.Geometry]
    rebuilt: int  # areas rebuilt from shared arcs (all of them, or none: simplified one by one)
    tolerance_m: float  # the tolerance used (halved, at most twice, until every area survives)


def simplify_coverage(geoms: np.ndarray, groups: np.ndarray, *, tolerance_m: float) -> CoverageShapes:
    """Simplify polygons (metres, e.g. EPSG:27700) that tile an area, keeping shared borders shared.

    ``groups`` gives each polygon's group (e.g. its district). An area narrower than about twice the
    tolerance would collapse: the tolerance is then halved (twice at most) for the whole coverage, so
    neighbours still meet exactly. Polygons that do not form a valid coverage (borders that do not
    match vertex for vertex), or that still collapse, are simplified one by one and outlined each on
    its own, as before this module."""
    geoms = np.asarray(geoms, dtype=object)
    groups = np.asarray(groups).astype(str)
    if len(geoms) == 0 or not shapely.coverage_is_valid(geoms):
        return _one_by_one(geoms, groups, tolerance_m=tolerance_m)
    arcs, owners = _arcs(geoms)
    for tolerance in (tolerance_m, tolerance_m / 2, tolerance_m / 4):
        shapes = _from_arcs(geoms, groups, arcs, owners, tolerance)
        if shapes is not None:
            return shapes
    return _one_by_one(geoms, groups, tolerance_m=tolerance_m)


def _from_arcs(
    geoms: np.ndarray, groups: np.ndarray, arcs: list, owners: list, tolerance_m: float
) -> CoverageShapes | None:
    """The coverage rebuilt from its arcs simplified at ``tolerance_m``, or None if any area collapses."""
    simple = _simplify_arcs(arcs, tolerance_m)
    by_area: dict[int, list] = defaultdict(list)
    inner: dict[str, list] = defaultdict(list)
    outline: dict[tuple[str, str], list] = defaultdict(list)
    for arc, owner in zip(simple, owners, strict=True):
        for i in owner:
            by_area[i].append(arc)
        sides = sorted({groups[i] for i in owner})
        if len(owner) == 2 and len(sides) == 1:
            inner[sides[0]].append(arc)
        else:  # between two groups (drawn once for both), or at the edge of the whole
            outline[(sides[0], sides[1] if len(sides) > 1 else "")].append(arc)
    areas = np.empty(len(geoms), dtype=object)
    for i, geom in enumerate(geoms):
        shape = _rebuild(geom, by_area[i])
        # Collapsed or half lost (a strip narrower than the tolerance): try a finer tolerance.
        if shape is None or shape.area < 0.5 * geom.area or shapely.hausdorff_distance(shape, geom) > 1.5 * tolerance_m:
            return None
        areas[i] = shape
    return CoverageShapes(
        areas=areas,
        inner={g: shapely.multilinestrings(_parts(lines)) for g, lines in inner.items()},
        outline={k: shapely.multilinestrings(_parts(lines)) for k, lines in outline.items()},
        rebuilt=len(geoms),
        tolerance_m=tolerance_m,
    )


def _arcs(geoms: np.ndarray) -> tuple[list, list[tuple[int, ...]]]:
    """The coverage's edges merged into arcs, each with the areas on its sides."""
    polygons, of_area = shapely.get_parts(geoms, return_index=True)
    rings, of_polygon = shapely.get_rings(polygons, return_index=True)
    index = of_area[of_polygon]
    owners: dict[tuple, list[int]] = defaultdict(list)
    for ring, i in zip(rings, index, strict=True):
        xy = shapely.get_coordinates(ring)
        for a, b in zip(map(tuple, xy[:-1]), map(tuple, xy[1:]), strict=True):
            if a != b:
                owners[(a, b) if a <= b else (b, a)].append(int(i))
    segments: dict[tuple[int, ...], list] = defaultdict(list)
    for segment, owner in owners.items():
        segments[tuple(sorted(set(owner)))].append(segment)
    # A vertex where three or more arcs meet (or an arc meets the outside) is a node: arcs are merged
    # between nodes only, so each node stays where every arc ending there puts it.
    degree: dict[tuple, int] = defaultdict(int)
    for a, b in owners:
        degree[a] += 1
        degree[b] += 1
    arcs, arc_owners = [], []
    for owner, segs in segments.items():
        for line in _merge(segs, degree):
            arcs.append(line)
            arc_owners.append(owner)
    return arcs, arc_owners


def _merge(segments: list, degree: dict) -> list:
    """Chain segments into lines, breaking at every node of the whole coverage."""
    ends: dict[tuple, list[int]] = defaultdict(list)
    for k, (a, b) in enumerate(segments):
        ends[a].append(k)
        ends[b].append(k)
    used = np.zeros(len(segments), dtype=bool)
    lines = []

    def walk(start: tuple, k: int) -> list:
        path = [start]
        point = start
        while True:
            used[k] = True
            a, b = segments[k]
            point = b if a == point else a
            path.append(point)
            if degree[point] != 2:
                return path
            nxt = [j for j in ends[point] if not used[j]]
            if not nxt:
                return path
            k = nxt[0]

    for point, ks in ends.items():  # open arcs first, from their nodes
        if degree[point] != 2:
            for k in ks:
                if not used[k]:
                    lines.append(shapely.linestrings(walk(point, k)))
    for k in range(len(segments)):  # what is left are closed loops
        if not used[k]:
            lines.append(shapely.linestrings(walk(segments[k][0], k)))
    return lines


def _simplify_arcs(arcs: list, tolerance_m: float) -> list:
    """Douglas-Peucker over all arcs at once, keeping their topology (no arc made to cross another; the
    ends, where arcs meet, kept), so each area can be rebuilt from its arcs."""
    simple = shapely.get_parts(shapely.simplify(shapely.multilinestrings(arcs), tolerance_m, preserve_topology=True))
    if len(simple) != len(arcs):  # never seen; the arcs as they are rather than a mismatch
        return arcs
    return list(simple)


def _rebuild(original: shapely.Geometry, arcs: list) -> shapely.Geometry | None:
    """The area from its simplified arcs: the faces they enclose that lie mostly inside the original."""
    if not arcs:
        return None
    faces = shapely.get_parts(shapely.polygonize(arcs))
    if len(faces) == 0:
        return None
    inside = shapely.area(shapely.intersection(faces, original)) > 0.5 * shapely.area(faces)
    kept = faces[inside]
    if len(kept) == 0:
        return None
    shape = shapely.union_all(kept)
    return shape if shape.is_valid and not shape.is_empty else None


def _parts(lines: list) -> list:
    return [p for line in lines for p in shapely.get_parts(line)]


def _one_by_one(geoms: np.ndarray, groups: np.ndarray, *, tolerance_m: float) -> CoverageShapes:
    """No shared borders to keep: each area simplified alone, outlined on its own."""
    areas = shapely.simplify(geoms, tolerance_m, preserve_topology=True)
    inner: dict[str, list] = defaultdict(list)
    outline: dict[tuple[str, str], list] = {}
    for group in dict.fromkeys(groups):
        mine = areas[groups == group]
        inner[group] = _parts(list(shapely.boundary(mine)))
        outline[(group, "")] = _parts([shapely.boundary(shapely.union_all(mine))])
    return CoverageShapes(
        areas=areas,
        inner={g: shapely.multilinestrings(v) for g, v in inner.items()},
        outline={k: shapely.multilinestrings(v) for k, v in outline.items()},
        rebuilt=0,
        tolerance_m=tolerance_m,
    )
