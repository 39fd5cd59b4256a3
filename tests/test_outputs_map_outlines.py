"""Areas simplified as one coverage: neighbours share their simplified border, each border drawn once."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from vrc_geo.outputs.map_outlines import simplify_coverage


def _wiggle(x0: float, y0: float, x1: float, y1: float, n: int = 40, amp: float = 10.0) -> list:
    """A straight border with a small zig-zag (amp metres): under the tolerance, so simplified away."""
    t = np.linspace(0, 1, n)
    xs, ys = x0 + (x1 - x0) * t, y0 + (y1 - y0) * t
    off = np.where(np.arange(n) % 2 == 1, amp, 0.0)
    off[0] = off[-1] = 0.0
    if x0 == x1:
        xs = xs + off
    else:
        ys = ys + off
    return list(zip(xs.tolist(), ys.tolist(), strict=True))


def _grid() -> tuple[np.ndarray, np.ndarray]:
    """Three 1 km squares in a row, A | B | C, with zig-zag borders; A and B in group "west", C in "east"."""
    ab = _wiggle(1000, 0, 1000, 1000)
    bc = _wiggle(2000, 0, 2000, 1000)
    a = shapely.Polygon([(0, 0), *ab, (0, 1000)])
    b = shapely.Polygon([*ab, *bc[::-1]])
    c = shapely.Polygon([*bc, (3000, 1000), (3000, 0)])
    geoms = shapely.make_valid(np.array([a, b, c], dtype=object))
    assert shapely.coverage_is_valid(geoms)
    return geoms, np.array(["west", "west", "east"])


def test_neighbours_share_their_simplified_border():
    geoms, groups = _grid()
    shapes = simplify_coverage(geoms, groups, tolerance_m=50)
    assert shapes.rebuilt == 3
    assert shapely.coverage_is_valid(shapes.areas)  # no sliver, no overlap
    shared = shapely.intersection(shapes.areas[0].boundary, shapes.areas[1].boundary)
    assert shared.length == pytest.approx(1000, abs=1)  # the zig-zag is gone: one straight km
    assert shapely.area(shapes.areas).sum() == pytest.approx(3e6, rel=1e-3)
    assert shapely.get_num_coordinates(shapes.areas[1]) <= 6


def test_each_border_drawn_once_inside_its_group():
    geoms, groups = _grid()
    shapes = simplify_coverage(geoms, groups, tolerance_m=50)
    # West: only A|B is inner; B|C is between the groups, drawn once for both.
    assert set(shapes.inner) == {"west"}
    assert shapes.inner["west"].length == pytest.approx(1000, abs=1)
    assert set(shapes.outline) == {("east", "west"), ("west", ""), ("east", "")}
    assert shapes.outline[("east", "west")].length == pytest.approx(1000, abs=1)
    assert shapes.outline[("west", "")].length == pytest.approx(5000, abs=1)
    assert shapes.outline[("east", "")].length == pytest.approx(3000, abs=1)


def test_a_ward_with_an_island_and_one_inside_another():
    outer = shapely.Polygon(
        [(0, 0), (0, 3000), (3000, 3000), (3000, 0)], [[(1000, 1000), (2000, 1000), (2000, 2000), (1000, 2000)]]
    )
    island = shapely.Polygon([(5000, 0), (5000, 500), (5500, 500), (5500, 0)])
    first = shapely.MultiPolygon([outer, island])
    inside = shapely.Polygon([(1000, 1000), (2000, 1000), (2000, 2000), (1000, 2000)])
    shapes = simplify_coverage(np.array([first, inside], dtype=object), np.array(["d", "d"]), tolerance_m=50)
    assert shapes.rebuilt == 2
    assert shapes.areas[0].area == pytest.approx(9e6 - 1e6 + 0.25e6)
    assert shapes.areas[1].area == pytest.approx(1e6)
    assert shapes.inner["d"].length == pytest.approx(4000)  # the hole's ring, once
    assert shapes.outline[("d", "")].length == pytest.approx(12000 + 2000)


def test_a_ward_narrower_than_the_tolerance_survives_and_still_tiles():
    # A 40 m strip between two wards, its borders zig-zagging: simplified, it keeps its width and tiles.
    xs = np.linspace(0, 3000, 61)
    top = [(x, 1020 + (8 if i % 2 else 0)) for i, x in enumerate(xs)]
    bottom = [(x, 980 - (8 if i % 2 else 0)) for i, x in enumerate(xs)]
    north = shapely.Polygon([(0, 2000), *top, (3000, 2000)])
    south = shapely.Polygon([(0, 0), *bottom, (3000, 0)])
    strip = shapely.Polygon([*bottom, *top[::-1]])
    west = shapely.Polygon([(-500, 0), (0, 0), (0, 980), (0, 1020), (0, 2000), (-500, 2000)])
    geoms = shapely.make_valid(np.array([north, south, strip, west], dtype=object))
    assert shapely.coverage_is_valid(geoms)
    shapes = simplify_coverage(geoms, np.array(["d"] * 4), tolerance_m=50)
    assert shapes.rebuilt == 4
    assert shapely.coverage_is_valid(shapes.areas)
    assert shapes.areas[2].area >= 0.5 * strip.area
    assert shapely.hausdorff_distance(shapes.areas[2], strip) <= 50


def test_areas_that_do_not_tile_are_simplified_one_by_one():
    a = shapely.box(0, 0, 1000, 1000)
    b = shapely.box(900, 0, 2000, 1000)  # overlaps a by 100 m: not a coverage
    shapes = simplify_coverage(np.array([a, b], dtype=object), np.array(["d", "d"]), tolerance_m=50)
    assert shapes.rebuilt == 0
    assert shapely.equals(shapes.areas[0], a) and shapely.equals(shapes.areas[1], b)
    assert shapes.inner["d"].length == pytest.approx(4000 + 4200)  # each outlined on its own, as before


def test_the_sample_wards(sample_dataset):
    wards = sample_dataset.wards.wards
    geoms = wards.geometry.to_numpy()
    shapes = simplify_coverage(geoms, wards["district_code"].to_numpy(), tolerance_m=50)
    assert shapes.rebuilt == len(wards)
    assert shapely.coverage_is_valid(shapes.areas)
    assert shapely.hausdorff_distance(geoms, shapes.areas).max() <= 50 + 1e-6
    assert {a for a, _ in shapes.outline} | {b for _, b in shapes.outline if b} == set(wards["district_code"])
    # Each border once: the lines hold well under the segments of every ward stroked on its own.
    stroked = shapely.get_num_coordinates(shapely.get_rings(shapely.get_parts(shapely.simplify(geoms, 50)))) - 1
    drawn = sum(shapely.get_num_coordinates(shapely.get_parts(g)).sum() for g in shapes.inner.values())
    assert drawn < 0.5 * stroked.sum()
