"""The briefing's map as a static image: wards classed, district outlines, numbered hotspot footprints.

Drawn with matplotlib's Agg canvas (no pyplot state), sized so the page with its figures, zones, places and
method prints on one A4 page (docs/app.md, the browser test).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import geopandas as gpd

    from .maps import Classes

__all__ = ["MAP_HEIGHT_WITH_HEALTH_IN", "MAP_MAX_HEIGHT_IN", "render_map_png"]

MAP_MAX_HEIGHT_IN = 2.7  # with the figures, zones, eight places and the method: one A4 page
MAP_HEIGHT_WITH_HEALTH_IN = 2.0  # the county's thirteen district health totals need the room


def render_map_png(
    wards: gpd.GeoDataFrame,
    values: np.ndarray,
    classes: Classes,
    *,
    districts: gpd.GeoDataFrame | None = None,
    footprints: gpd.GeoSeries | None = None,
    labels: Sequence[str] | None = None,
    width_in: float = 7.2,
    max_height_in: float = MAP_MAX_HEIGHT_IN,
) -> bytes:
    """Static choropleth (EPSG:27700) with district outlines and numbered hotspot footprints, as PNG.

    Drawn on its own ``Figure`` with the Agg canvas, not through ``pyplot``: pyplot keeps global state, and
    two sessions drawing briefings at once on a shared server must not share a figure."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    minx, miny, maxx, maxy = wards.total_bounds
    height_in = width_in * (maxy - miny) / max(maxx - minx, 1) + 0.2
    fig = Figure(figsize=(width_in, min(max(height_in, 3.0), max_height_in)), dpi=110)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    colours = np.array(classes.colour(values), dtype=float)[:, :3] / 255
    wards.plot(ax=ax, color=colours, edgecolor="#8a8a8a", linewidth=0.25)
    if districts is not None:
        districts.boundary.plot(ax=ax, color="#222222", linewidth=0.9)
    if footprints is not None and len(footprints):
        footprints.plot(ax=ax, facecolor="none", edgecolor="#5a0014", linewidth=1.1)
        if labels is not None:
            _place_labels(ax, fig, footprints, labels, (minx, miny, maxx, maxy))
    ax.set_axis_off()
    ax.set_aspect("equal")
    fig.tight_layout(pad=0.1)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


def _place_labels(ax, fig, footprints: gpd.GeoSeries, labels: Sequence[str], bounds: tuple) -> None:
    """Rank numbers in white boxes beside their footprints, none on top of another: each tries spots
    round its footprint (nearest first) and takes the first whose box meets no box already placed; a
    thin line joins a moved number to its place."""
    minx, miny, maxx, maxy = bounds
    width_in, height_in = fig.get_size_inches()
    # Map units per point of text (equal aspect: the larger of the two scales).
    unit = max((maxx - minx) / (width_in * 72), (maxy - miny) / (height_in * 72))
    placed: list[tuple[float, float, float, float]] = []
    for geom, text in zip(footprints, labels, strict=False):
        point = geom.representative_point()
        w, h = (5.2 * len(text) + 5) * unit, 10 * unit
        spots = [(0.0, 0.0)] + [
            (r * np.cos(a), r * np.sin(a))
            for r in (12 * unit, 24 * unit, 38 * unit)
            for a in np.linspace(0, 2 * np.pi, 12, endpoint=False)
        ]
        for dx, dy in spots:
            x, y = point.x + dx, point.y + dy
            box = (x - w / 2, y - h / 2, x + w / 2, y + h / 2)
            if all(box[2] < b[0] or box[0] > b[2] or box[3] < b[1] or box[1] > b[3] for b in placed):
                break
        placed.append(box)
        if (dx, dy) != (0.0, 0.0):
            ax.plot([point.x, x], [point.y, y], color="#5a0014", linewidth=0.5)
        ax.text(
            x, y, text, fontsize=6.5, fontweight="bold", color="#5a0014", ha="center", va="center",
            bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "#5a0014", "linewidth": 0.5},
        )  # fmt: skip
