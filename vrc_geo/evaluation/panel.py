"""Records into the units an evaluation compares: target areas, the buffer ring, control areas, by month.

* **targets** — the areas where the work was done (each its own unit);
* **buffer** — the ring ``buffer_m`` round the targets (the targets themselves taken out): where
  displaced violence would show first; one unit for the model, and one ring per target for its WDQ;
* **controls** — the rest of the study area, one unit per control area (the wards, or the areas of a
  ``--control`` file), with the targets and the buffer taken out.

The checks that make an evaluation meaningless are refused here with what to change: a start month
outside the data or with too few months before it, targets outside the study area or overlapping each
other, a buffer that swallows the control (targets and buffer holding over half the records).
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..base.plurals import counted
from ..errors import ParameterError

__all__ = ["MIN_MONTHS_BEFORE", "Panel", "build_panel"]

MIN_MONTHS_BEFORE = 3  # the model needs a level for every area before the start
MAX_TREATED_SHARE = 0.5  # targets and buffer may hold at most this share of the records


@dataclass
class Panel:
    """Monthly counts (weighted by harm when asked) of every unit, and where each record fell."""

    months: list[str]
    post: np.ndarray  #: per month: on or after the start
    targets: np.ndarray  #: targets x months
    rings: np.ndarray  #: per target's own ring x months (rings of nearby targets may overlap)
    buffer: np.ndarray  #: months: the union ring
    controls: np.ndarray  #: control areas x months
    control_names: list[str]
    target_names: list[str]
    #: every record: x, y, month index, weight, and its unit (control index, or -1 inside a target or buffer)
    points: pd.DataFrame
    target_shapes: gpd.GeoSeries
    notes: list[str]


def build_panel(
    records: pd.DataFrame,
    weight: np.ndarray,
    months: list[str],
    *,
    start: str,
    targets: gpd.GeoDataFrame,
    controls: gpd.GeoDataFrame,
    land: shapely.Geometry,
    buffer_m: float,
) -> Panel:
    """The panel of ``records`` (``x, y, month``, located, one ``weight`` each) over ``months`` for the
    ``targets`` (``area, geometry``) and ``controls`` (``name, geometry``), EPSG:27700."""
    if start not in months or start == months[0]:
        first = months[1] if len(months) > 1 else months[0]
        raise ParameterError(
            f"The start month must lie within the data, after its first month ({first} to {months[-1]}); got {start}."
        )
    before = months.index(start)
    if before < MIN_MONTHS_BEFORE:
        raise ParameterError(
            f"At least {MIN_MONTHS_BEFORE} months of data before the start are needed to know each area's usual "
            f"level; {start} leaves {before}. Choose a later start or load earlier months."
        )
    notes: list[str] = []
    shapes = gpd.GeoSeries(targets.geometry.to_numpy(), crs="EPSG:27700")
    names = [str(n) for n in targets["area"]]
    _refuse_outside(shapes, names, land, notes)
    _refuse_overlaps(shapes, names)
    union = shapely.union_all(shapes.to_numpy())
    ring = shapely.difference(union.buffer(buffer_m), union) if buffer_m > 0 else shapely.Polygon()
    rings = [shapely.difference(s.buffer(buffer_m), union) if buffer_m > 0 else shapely.Polygon() for s in shapes]
    x = records["x"].to_numpy(dtype="float64")
    y = records["y"].to_numpy(dtype="float64")
    index = {m: i for i, m in enumerate(months)}
    month = records["month"].astype(str).map(index).to_numpy()
    pts = shapely.points(x, y)
    n_t = len(months)

    def monthly(mask: np.ndarray) -> np.ndarray:
        return np.bincount(month[mask], weights=weight[mask], minlength=n_t)

    in_target = np.zeros(len(pts), dtype=bool)
    target_counts = []
    for shape in shapes:
        hit = shapely.contains_xy(shape, x, y) | shapely.touches(shape, pts)
        in_target |= hit
        target_counts.append(monthly(hit))
    in_ring = shapely.contains_xy(ring, x, y) & ~in_target if buffer_m > 0 else np.zeros(len(pts), dtype=bool)
    ring_counts = [monthly(shapely.contains_xy(r, x, y) & ~in_target) for r in rings]
    outside = ~(in_target | in_ring)
    total = float(weight.sum())
    if total > 0 and float(weight[~outside].sum()) > MAX_TREATED_SHARE * total:
        raise ParameterError(
            f"The targets and their {buffer_m:g} m buffer hold {100 * weight[~outside].sum() / total:.0f} % of the "
            f"records, leaving too little to compare with (at most {100 * MAX_TREATED_SHARE:.0f} %): use a smaller "
            "buffer or fewer targets."
        )
    unit = np.full(len(pts), -1, dtype=np.int64)
    tree = shapely.STRtree(controls.geometry.to_numpy())
    pairs = tree.query(pts[outside], predicate="intersects")
    where = np.flatnonzero(outside)
    first = pd.Series(pairs[1], index=pairs[0]).groupby(level=0).min()  # the first control area a record falls in
    unit[where[first.index.to_numpy()]] = first.to_numpy()
    lost = int((outside & (unit < 0)).sum())
    if lost:
        notes.append(
            f"{counted(lost, 'record')} outside every control area {'was' if lost == 1 else 'were'} "
            "left out of the control."
        )
    n_c = len(controls)
    control_counts = np.zeros((n_c, n_t))
    keep = unit >= 0
    np.add.at(control_counts, (unit[keep], month[keep]), weight[keep])
    points = pd.DataFrame({"x": x, "y": y, "month": month, "weight": weight, "unit": unit})
    return Panel(
        months=list(months),
        post=np.arange(n_t) >= before,
        targets=np.vstack(target_counts),
        rings=np.vstack(ring_counts),
        buffer=monthly(in_ring),
        controls=control_counts,
        control_names=[str(n) for n in controls["name"]],
        target_names=names,
        points=points,
        target_shapes=shapes,
        notes=notes,
    )


def _refuse_outside(shapes: gpd.GeoSeries, names: list[str], land: shapely.Geometry, notes: list[str]) -> None:
    inside = shapely.area(shapely.intersection(shapes.to_numpy(), land))
    area = shapes.area.to_numpy()
    out = [n for n, a in zip(names, inside, strict=True) if a <= 0]
    if out:
        raise ParameterError(
            f"Target area(s) outside the study area: {', '.join(out[:5])}. Targets must lie in the districts loaded."
        )
    part = [n for n, a, b in zip(names, inside, area, strict=True) if a < 0.99 * b]
    if part:
        notes.append(
            f"Part of {', '.join(part[:5])} lies outside the study area (or in the sea): only records inside count."
        )


def _refuse_overlaps(shapes: gpd.GeoSeries, names: list[str]) -> None:
    tree = shapely.STRtree(shapes.to_numpy())
    left, right = tree.query(shapes.to_numpy(), predicate="intersects")
    pairs = [(i, j) for i, j in zip(left, right, strict=True) if i < j]
    shared = [(i, j) for i, j in pairs if shapes.iloc[i].intersection(shapes.iloc[j]).area > 1.0]
    if shared:
        listed = "; ".join(f"{names[i]} and {names[j]}" for i, j in shared[:5])
        raise ParameterError(
            f"Target areas overlap ({listed}): a record would count twice. Merge them into one area or move them apart."
        )
