"""The one-page briefing: an HTML page (prints to one A4 sheet) for an operations meeting.

It holds the map as an image, the key figures, the top hotspots, the backtest in a sentence, health
figures when chosen (published with disclosure control, labelled SYNTHETIC when they are), the period,
method, caveats and licences. Pure: the app offers it as a download, and tests read it.
"""

from __future__ import annotations

import base64
import html
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    import geopandas as gpd

    from .aggregate import Selection
    from .health.service import HealthBundle
    from .hotspots.service import HotspotBundle
    from .mapping import Classes
    from .store import PoliceDataset

__all__ = ["Briefing", "briefing_html", "build_briefing", "render_map_png"]

LICENCE = (
    "Contains public sector information licensed under the Open Government Licence v3.0 (police.uk, ONS). "
    "Contains OS data © Crown copyright and database right."
)


@dataclass
class Briefing:
    """Everything the page shows."""

    title: str
    selection: str
    period: str
    figures: Sequence[tuple[str, str]]
    map_png: bytes
    legend: Sequence[tuple[str, tuple[int, int, int]]]
    legend_title: str
    hotspots: pd.DataFrame | None = None
    backtest: str | None = None
    health: pd.DataFrame | None = None
    health_note: str | None = None
    synthetic: bool = False
    method: str = ""
    caveats: str = ""
    notes: list[str] = field(default_factory=list)
    generated: str = field(default_factory=lambda: date.today().isoformat())


def render_map_png(
    wards: gpd.GeoDataFrame,
    values: np.ndarray,
    classes: Classes,
    *,
    districts: gpd.GeoDataFrame | None = None,
    footprints: gpd.GeoSeries | None = None,
    labels: Sequence[str] | None = None,
    width_in: float = 7.2,
) -> bytes:
    """Static choropleth (EPSG:27700) with district outlines and numbered hotspot footprints, as PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    minx, miny, maxx, maxy = wards.total_bounds
    height_in = width_in * (maxy - miny) / max(maxx - minx, 1) + 0.2
    fig, ax = plt.subplots(figsize=(width_in, min(max(height_in, 3.0), 6.0)), dpi=110)
    colours = np.array(classes.colour(values), dtype=float)[:, :3] / 255
    wards.plot(ax=ax, color=colours, edgecolor="#8a8a8a", linewidth=0.25)
    if districts is not None:
        districts.boundary.plot(ax=ax, color="#222222", linewidth=0.9)
    if footprints is not None and len(footprints):
        footprints.plot(ax=ax, facecolor="none", edgecolor="#5a0014", linewidth=1.1)
        for i, geom in enumerate(footprints):
            if labels is not None and i < len(labels):
                point = geom.representative_point()
                ax.annotate(
                    labels[i],
                    (point.x, point.y),
                    fontsize=7,
                    fontweight="bold",
                    color="#5a0014",
                    xytext=(3, 3),
                    textcoords="offset points",
                )
    ax.set_axis_off()
    ax.set_aspect("equal")
    fig.tight_layout(pad=0.1)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    plt.close(fig)
    return buffer.getvalue()


def _table(frame: pd.DataFrame) -> str:
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    rows = []
    for row in frame.itertuples(index=False):
        cells = "".join(f"<td>{html.escape(str(v))}</td>" for v in row)
        rows.append(f"<tr>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


_CSS = """
@page { size: A4; margin: 11mm; }
body { font-family: Arial, Helvetica, sans-serif; font-size: 9.5pt; color: #1a1a1a; margin: 0; }
h1 { font-size: 15pt; margin: 0 0 2px 0; }
h2 { font-size: 10.5pt; margin: 8px 0 3px 0; border-bottom: 1px solid #bbb; }
.sub { color: #444; margin-bottom: 6px; }
.synthetic { background: #ffe9a8; border: 2px solid #b58900; padding: 4px 8px; font-weight: bold; }
.figures { display: flex; gap: 10px; margin: 6px 0; }
.figure { border: 1px solid #ccc; border-radius: 4px; padding: 4px 8px; flex: 1; }
.figure b { display: block; font-size: 13pt; }
.map { display: flex; gap: 8px; align-items: flex-start; }
.map img { width: 78%; border: 1px solid #ddd; }
.legend div { display: flex; align-items: center; gap: 4px; margin: 1px 0; font-size: 8.5pt; }
.legend span.box { width: 12px; height: 10px; display: inline-block; border: 1px solid #999; }
table { border-collapse: collapse; width: 100%; font-size: 8.3pt; }
th, td { border-bottom: 1px solid #e2e2e2; padding: 2px 4px; text-align: left; }
th { background: #f2f2f2; }
.small { font-size: 7.8pt; color: #444; }
"""


def briefing_html(brief: Briefing) -> str:
    """The page as one self-contained HTML document (image inline)."""
    esc = html.escape
    parts = [
        f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>{esc(brief.title)}</title>"
        f"<style>{_CSS}</style></head><body>"
    ]
    if brief.synthetic:
        parts.append(
            "<div class='synthetic'>SYNTHETIC health data: demonstration only, not real hospital records.</div>"
        )
    parts.append(f"<h1>{esc(brief.title)}</h1>")
    parts.append(
        f"<div class='sub'>{esc(brief.selection)} · Period {esc(brief.period)} · Prepared {esc(brief.generated)}</div>"
    )
    figs = "".join(f"<div class='figure'>{esc(label)}<b>{esc(value)}</b></div>" for label, value in brief.figures)
    parts.append(f"<div class='figures'>{figs}</div>")
    png = base64.b64encode(brief.map_png).decode("ascii")
    legend = "".join(
        f"<div><span class='box' style='background: rgb{tuple(colour)}'></span>{esc(text)}</div>"
        for text, colour in brief.legend
    )
    parts.append(
        f"<div class='map'><img alt='Map of the selection' src='data:image/png;base64,{png}'>"
        f"<div class='legend'><b>{esc(brief.legend_title)}</b>{legend}"
        "<div><span class='box' style='border: 2px solid #5a0014'></span>hotspot footprint (numbered)</div>"
        "</div></div>"
    )
    if brief.hotspots is not None and len(brief.hotspots):
        parts.append("<h2>Top hotspots</h2>" + _table(brief.hotspots))
    if brief.backtest:
        parts.append(f"<p class='small'><b>How good are they?</b> {esc(brief.backtest)}</p>")
    if brief.health is not None:
        label = " (SYNTHETIC)" if brief.synthetic else ""
        parts.append(f"<h2>Hospital admissions for assault{label}</h2>" + _table(brief.health))
        if brief.health_note:
            parts.append(f"<p class='small'>{esc(brief.health_note)}</p>")
    parts.append(
        f"<h2>Method and caveats</h2><p class='small'>{esc(brief.method)}</p><p class='small'>{esc(brief.caveats)}</p>"
    )
    for note in brief.notes:
        parts.append(f"<p class='small'>{esc(note)}</p>")
    parts.append(f"<p class='small'>{esc(LICENCE)}</p></body></html>")
    return "".join(parts)


def build_briefing(
    dataset: PoliceDataset,
    selection: Selection,
    *,
    measure: str,
    describe: str,
    hotspots: HotspotBundle,
    health: HealthBundle | None = None,
    top: int = 10,
) -> Briefing:
    """Assemble the page for a view: its ward map, figures, top hotspots and (optionally) health."""
    from .hotspots.report import CAVEATS, METHOD
    from .mapping import classify
    from .overview import MEASURES, ward_view

    view = ward_view(dataset, selection, measure)
    wards = dataset.wards.wards.set_index("code").loc[view.table["ward_code"]].reset_index()
    classes = classify(
        view.table["value"].tolist(),
        kind="change" if measure == "change" else "magnitude",
        units=MEASURES[measure],
    )
    districts = wards.dissolve(by="district_code", as_index=False)
    table = hotspots.result.table
    clusters = table["kind"].eq("cluster").to_numpy()
    shown = hotspots.result.footprints[clusters].iloc[:top]
    labels = [str(r) for r in table.loc[clusters, "rank"].iloc[:top]]
    png = render_map_png(
        wards, view.table["value"].to_numpy(), classes, districts=districts, footprints=shown, labels=labels
    )
    head = view.headline
    figures = [
        ("Records", f"{head['records']:,}"),
        (
            "Per 1,000 residents",
            f"{head['rate_per_1000']:.1f}" if head["rate_per_1000"] is not None else "n/a",
        ),
        (
            "Change on previous period",
            f"{head['change_pct']:+.1f}%" if head["change_pct"] is not None else "n/a",
        ),
        ("Hotspots (drug-related)", f"{len(table)} ({int(table['drug_related'].sum())})"),
    ]
    top_rows = table.head(top)
    listing = pd.DataFrame(
        {
            "#": top_rows["rank"],
            "district": top_rows["district_name"],
            "where (commonest places)": top_rows["top_locations"],
            "violence": top_rows["violence_count"],
            "drugs": top_rows["drugs_count"],
            "drug-related": top_rows["drug_related"].map({True: "yes", False: "no"}),
            "trend": top_rows["trend_class"],
        }
    )
    brief = Briefing(
        title="Violence hotspots — Kent & Medway",
        selection=describe,
        period=view.period,
        figures=figures,
        map_png=png,
        legend=classes.legend(),
        legend_title=MEASURES[measure],
        hotspots=listing,
        backtest=hotspots.backtest.sentence() if hotspots.backtest else None,
        method=METHOD,
        caveats=CAVEATS,
        notes=[f"Boundaries: {dataset.wards.vintage} wards. Source: police.uk street-level crime, Kent Police."],
    )
    if health is not None:
        from .health.service import suppression_rule

        totals = health.published_totals()
        brief.health = totals[["area", "police_violence", "admissions", "held_at_district"]]
        brief.synthetic = health.synthetic
        brief.health_note = (
            f"{health.view.data_source}, {health.period.describe()}. "
            f"{suppression_rule(health.view.max_small, health.view.min_width)}"
        )
    return brief
