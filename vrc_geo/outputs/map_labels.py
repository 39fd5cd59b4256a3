"""Map markers that never sit on each other, and place names on the map, at the zoom the map opens at.

deck.gl draws Web Mercator with the world 512 * 2**zoom pixels wide, so where a marker lands on screen at
the opening zoom is known here, whatever the window's size (a wider window shows more, at the same scale).
:func:`declutter` moves markers that would overlap the ones ranked above them to the nearest free spot
on rings around their true place; the map draws a thin leader line back to that place.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["beside_names_clear", "declutter", "from_pixels", "place_names_clear", "to_pixels"]


def to_pixels(lon: np.ndarray, lat: np.ndarray, zoom: float) -> tuple[np.ndarray, np.ndarray]:
    """Web Mercator pixel coordinates (deck.gl's) of WGS84 points at ``zoom``."""
    world = 512 * 2**zoom
    x = (np.asarray(lon, dtype=float) + 180) / 360 * world
    phi = np.radians(np.asarray(lat, dtype=float))
    y = (1 - np.log(np.tan(np.pi / 4 + phi / 2)) / np.pi) / 2 * world
    return x, y


def from_pixels(x: np.ndarray, y: np.ndarray, zoom: float) -> tuple[np.ndarray, np.ndarray]:
    """WGS84 of Web Mercator pixel coordinates at ``zoom`` (inverse of :func:`to_pixels`)."""
    world = 512 * 2**zoom
    lon = np.asarray(x, dtype=float) / world * 360 - 180
    lat = np.degrees(2 * np.arctan(np.exp(np.pi * (1 - 2 * np.asarray(y, dtype=float) / world))) - np.pi / 2)
    return lon, lat


def declutter(
    lon: np.ndarray,
    lat: np.ndarray,
    radius_px: np.ndarray,
    *,
    zoom: float,
    gap_px: float = 2.0,
    directions: int = 16,
    max_rings: int = 40,
) -> tuple[np.ndarray, np.ndarray]:
    """New (lon, lat) for markers given in rank order: each stays put if it overlaps none placed before
    it, else moves to the nearest free spot on rings around its place (ring step: its own radius). The
    circles of the result do not overlap at ``zoom`` (each at least ``gap_px`` apart)."""
    x, y = to_pixels(lon, lat, zoom)
    r = np.asarray(radius_px, dtype=float)
    placed_x, placed_y, placed_r = [], [], []
    out_x, out_y = x.copy(), y.copy()
    angles = np.linspace(0, 2 * math.pi, directions, endpoint=False)
    for i in range(len(x)):
        candidates = [(x[i], y[i])]
        for ring in range(1, max_rings + 1):
            step = ring * max(r[i], 4.0)
            candidates += [(x[i] + step * math.cos(a), y[i] + step * math.sin(a)) for a in angles]
        px, py, pr = np.array(placed_x), np.array(placed_y), np.array(placed_r)
        for cx, cy in candidates:
            if not len(px) or (np.hypot(px - cx, py - cy) >= pr + r[i] + gap_px).all():
                out_x[i], out_y[i] = cx, cy
                break
        placed_x.append(out_x[i])
        placed_y.append(out_y[i])
        placed_r.append(r[i])
    return from_pixels(out_x, out_y, zoom)


def place_names_clear(
    names: list[dict],
    lon: np.ndarray,
    lat: np.ndarray,
    radius_px: np.ndarray,
    *,
    zoom: float,
    char_px: float = 8.0,
    height_px: float = 16.0,
) -> list[dict]:
    """The names (``lon, lat, text``) moved, where a marker covers them, to the nearest spot above, below
    or beside where no marker circle touches their box (13 px type: about ``char_px`` a character)."""
    mx, my = to_pixels(lon, lat, zoom)
    r = np.asarray(radius_px, dtype=float)
    out = []
    for name in names:
        (x,), (y,) = to_pixels(np.array([name["lon"]]), np.array([name["lat"]]), zoom)
        half_w, half_h = char_px * len(name["text"]) / 2, height_px / 2
        offsets = [(0.0, 0.0)] + [(dx * s, dy * s) for s in range(12, 241, 12) for dx, dy in _DIRECTIONS]
        for dx, dy in offsets:
            cx, cy = x + dx, y + dy
            if (
                not len(mx)
                or (_box_to_centres(mx, my, cx - half_w, cx + half_w, cy - half_h, cy + half_h) > r + 1).all()
            ):
                break
        (new_lon,), (new_lat,) = from_pixels(np.array([cx]), np.array([cy]), zoom)
        out.append({**name, "lon": round(float(new_lon), 5), "lat": round(float(new_lat), 5)})
    return out


_DIRECTIONS = [(0, 1), (0, -1), (1, 0), (-1, 0), (1, 1), (-1, 1), (1, -1), (-1, -1)]


def _box_to_centres(mx: np.ndarray, my: np.ndarray, left: float, right: float, top: float, bottom: float) -> np.ndarray:
    """Pixels from each marker centre to the nearest point of a label's box (0 inside it)."""
    return np.hypot(mx - np.clip(mx, left, right), my - np.clip(my, top, bottom))


def beside_names_clear(
    names: list[dict],
    lon: np.ndarray,
    lat: np.ndarray,
    radius_px: np.ndarray,
    *,
    zoom: float,
    char_px: float = 7.0,
    height_px: float = 14.0,
) -> list[dict]:
    """The names written beside their markers (``lon, lat, text, offset_px``: the text starts that far to
    the right), in the order given, keeping only those whose box touches no marker circle and no name kept
    before it: fewer names, each legible (12 px type: about ``char_px`` a character)."""
    mx, my = to_pixels(lon, lat, zoom)
    r = np.asarray(radius_px, dtype=float)
    boxes: list[tuple[float, float, float, float]] = []
    kept = []
    for name in names:
        (x,), (y,) = to_pixels(np.array([name["lon"]]), np.array([name["lat"]]), zoom)
        left, right = x + name["offset_px"], x + name["offset_px"] + char_px * len(name["text"])
        top, bottom = y - height_px / 2, y + height_px / 2
        if len(mx) and (_box_to_centres(mx, my, left, right, top, bottom) < r).any():
            continue  # a marker sits on the name
        if any(left < b[1] and b[0] < right and top < b[3] and b[2] < bottom for b in boxes):
            continue  # a better-ranked place's name is there
        boxes.append((left, right, top, bottom))
        kept.append(name)
    return kept
