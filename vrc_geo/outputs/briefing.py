"""The one-page briefing: an HTML page (prints to one A4 sheet) for an operations meeting.

It holds the map as an image, the key figures, the top hotspots, the backtest in a sentence, health
figures when chosen (published with disclosure control, labelled SYNTHETIC when they are), the period,
method, caveats and licences. Pure: the app offers it as a download, and tests read it.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..base.months import day_words
from ..hotspots.footprint import place_label
from ..hotspots.headline import hotspot_headline
from ..reference.area import AREA
from ..reference.licences import ATTRIBUTION
from .briefing_map import MAP_HEIGHT_WITH_HEALTH_IN, MAP_MAX_HEIGHT_IN, render_map_png

if TYPE_CHECKING:
    from ..dataset.aggregate import Selection
    from ..dataset.store import PoliceDataset
    from ..health.service import HealthBundle
    from ..hotspots.service import HotspotBundle

__all__ = ["Briefing", "briefing_html", "build_briefing", "for_projector", "render_map_png"]

#: The method in plain words for a meeting (the XLSX About sheet holds the full method).
METHOD = (
    "Places to patrol are circles of 40 m radius (what one officer can watch) where police.uk's records of "
    "violence, robbery and weapons offences say most are expected next month — recent months counting more, a quiet "
    "point steadied by its neighbours, the figures checked against months held back — grouped into patrol "
    "zones at most 1 km wide. Hospitals, prisons, police stations and ports are listed apart. Drug-related: "
    "drugs offences sit closer to the violence than in nearly all of 999 random shuffles of the crimes' labels."
)
CAVEATS = (
    "police.uk places each record on the nearest of a fixed set of map points (snap points), not the exact "
    'spot; "violence" includes violence without injury, stalking and harassment; drugs offences largely reflect '
    "police searches; expected figures are averages, not a forecast of any one night."
)
LICENCE = ATTRIBUTION


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
    zones: pd.DataFrame | None = None  #: the zones of the places listed (``hotspots``), in the list's order
    largest_zones: str | None = None  #: the largest zones, in words
    hotspots: pd.DataFrame | None = None
    evaluation: str | None = None  #: the answer of an evaluation, in words (optional section)
    backtest: str | None = None
    health: pd.DataFrame | None = None
    health_note: str | None = None
    synthetic: bool = False
    method: str = ""
    caveats: str = ""
    notes: list[str] = field(default_factory=list)
    generated: str = field(default_factory=lambda: day_words(date.today()))


def _table(frame: pd.DataFrame) -> str:
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(_rows(frame))}</tbody></table>"


def _cell(value: object) -> str:
    """A table cell as a person reads it: whole numbers with thousands separators."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return f"{int(value):,}"
    return str(value)


def _side_by_side(frame: pd.DataFrame, *, longer_than: int = 6) -> str:
    """A long table as two tables side by side (a county's 13 districts fit the page), else one."""
    if len(frame) <= longer_than:
        return _table(frame)
    half = (len(frame) + 1) // 2
    return f"<div class='cols'>{_table(frame.iloc[:half])}{_table(frame.iloc[half:])}</div>"


def _by_zone(zones: pd.DataFrame, places: pd.DataFrame) -> str:
    """The places as one table, each zone's places under a row naming the zone (in the list's order): every
    zone a place is in is named, and nothing is listed twice."""
    columns = [c for c in places.columns if c != "zone"]
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in columns)
    rows = []
    for zone in zones.itertuples(index=False):
        drugs = "; drug-related" if zone.drug == "yes" else ""
        words = f"{zone.places} places, about {zone.expected} records a month{drugs}"
        rows.append(
            f"<tr class='zone'><td colspan='{len(columns)}'><b>{html.escape(f'{zone.zone} {zone.where}')}</b>"
            f" — {html.escape(words)}</td></tr>"
        )
        rows += _rows(places[places["zone"] == zone.zone][columns])
    rest = places[~places["zone"].isin(set(zones["zone"]))]
    if len(rest):  # hot wards and sites belong to no patrol zone: listed after the zones, never dropped
        rows.append(f"<tr class='zone'><td colspan='{len(columns)}'><b>Not in a patrol zone</b></td></tr>")
        rows += _rows(rest[columns])
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"


def _rows(frame: pd.DataFrame) -> list[str]:
    return [
        "<tr>" + "".join(f"<td>{html.escape(_cell(v))}</td>" for v in row) + "</tr>"
        for row in frame.itertuples(index=False)
    ]


def _zones_in_brief(
    zones: pd.DataFrame | None, listed: pd.DataFrame, *, largest: int = 3
) -> tuple[pd.DataFrame | None, str | None]:
    """The zones of the places ``listed`` (in the order of their first place; ``zone, where, places,
    expected, drug``), and a sentence naming the ``largest`` zones by expected records."""
    if zones is None or not len(zones):
        return None, None
    order = list(dict.fromkeys(z for z in listed["zone_id"] if z))
    first = zones.set_index("zone_id").reindex([z for z in order if z in set(zones["zone_id"])]).reset_index()
    rows = pd.DataFrame(
        {
            "zone": first["zone_id"],
            "where": first["zone_name"],
            "places": first["places"],
            "expected": [
                f"{e:.0f} ({lo}-{hi})"
                for e, lo, hi in zip(
                    first["expected_per_month"], first["expected_low"], first["expected_high"], strict=True
                )
            ],
            "drug": first["drug_related"].map({True: "yes", False: "no"}),
        }
    )
    top = zones.head(largest)
    # The district and ward (the streets are in the table above), or the whole name where two of the zones
    # named share a ward.
    short = [str(name).split(":")[0] for name in top["zone_name"]]
    shown = [s if short.count(s) == 1 else str(name) for s, name in zip(short, top["zone_name"], strict=True)]
    named = "; ".join(
        f"{z} {name} (about {e:.0f} a month)"
        for z, name, e in zip(top["zone_id"], shown, top["expected_per_month"], strict=True)
    )
    sentence = f"Largest patrol zones: {named}. Every zone is in the exports."
    return rows, sentence


def _reasons(why: object, *, max_chars: int = 48) -> str:
    """The row's first reasons, as many as fit one line of the page (the file keeps them all)."""
    reasons = [r for r in str(why).split("; ") if r]
    kept = reasons[:1]
    for reason in reasons[1:]:
        if len("; ".join([*kept, reason])) > max_chars:
            break
        kept.append(reason)
    return "; ".join(kept)


_CSS = """
@page { size: A4; margin: 11mm; }
body { font-family: Arial, Helvetica, sans-serif; font-size: 9.5pt; color: #1a1a1a; margin: 0; }
h1 { font-size: 15pt; margin: 0 0 2px 0; }
h2 { font-size: 10.5pt; margin: 8px 0 3px 0; border-bottom: 1px solid #bbb; }
.sub { color: #444; margin-bottom: 6px; }
p { margin: 6px 0; }
.synthetic { background: #ffe9a8; border: 2px solid #b58900; padding: 4px 8px; font-weight: bold; }
.figures { display: flex; gap: 10px; margin: 6px 0; }
.figure { border: 1px solid #ccc; border-radius: 4px; padding: 4px 8px; flex: 1; }
.figure b { display: block; font-size: 13pt; }
.map { display: flex; gap: 8px; align-items: flex-start; }
.map img { width: 78%; border: 1px solid #ddd; }
.legend div { display: flex; align-items: center; gap: 4px; margin: 1px 0; font-size: 8.5pt; }
.legend span.box { width: 12px; height: 10px; display: inline-block; border: 1px solid #999; }
table { border-collapse: collapse; width: 100%; font-size: 8.3pt; }
th, td { border-bottom: 1px solid #e2e2e2; padding: 1px 4px; text-align: left; }
th { background: #f2f2f2; }
tr.zone td { background: #f7f3f4; padding-top: 2px; }
.small { font-size: 7.8pt; color: #444; }
.cols { display: flex; gap: 10px; align-items: flex-start; }
"""


_PROJECTOR_CSS = """
body { font-size: 22px; max-width: none; }
h1 { font-size: 32px; } h2 { font-size: 26px; } .figure b { font-size: 28px; }
table, .small, .legend div, .sub { font-size: 20px !important; }
.map { flex-direction: column; } .map img { width: 100%; } .cols { flex-direction: column; }
"""


def for_projector(page: str) -> str:
    """The briefing for a screen in a meeting room: every text at least 20 px, the map full width (the
    printed page stays as it is: this is the preview's, not the file's)."""
    return page.replace("</style>", _PROJECTOR_CSS + "</style>", 1)


def briefing_html(brief: Briefing, *, signed_in_as: str | None = None) -> str:
    """The page as one self-contained HTML document (image inline). ``signed_in_as`` (when sign-in is on)
    is printed in the footer: who prepared this copy."""
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
        if brief.zones is not None and len(brief.zones):
            parts.append("<h2>Places to patrol, by patrol zone</h2>" + _by_zone(brief.zones, brief.hotspots))
        else:
            parts.append("<h2>Places to patrol</h2>" + _table(brief.hotspots))
        if brief.largest_zones:
            parts.append(f"<p class='small'>{esc(brief.largest_zones)}</p>")
    if brief.backtest:
        parts.append(f"<p class='small'><b>How good are they?</b> {esc(brief.backtest)}</p>")
    if brief.evaluation:
        parts.append(f"<h2>Did it work?</h2><p>{esc(brief.evaluation)}</p>")
    if brief.health is not None:
        label = " (SYNTHETIC)" if brief.synthetic else ""
        parts.append(f"<h2>Hospital admissions for assault{label}</h2>" + _side_by_side(brief.health))
        if brief.health_note:
            parts.append(f"<p class='small'>{esc(brief.health_note)}</p>")
    parts.append(f"<h2>Method and caveats</h2><p class='small'>{esc(brief.method)} {esc(brief.caveats)}</p>")
    for note in brief.notes:
        parts.append(f"<p class='small'>{esc(note)}</p>")
    prepared = f"Prepared by {esc(signed_in_as)} on {esc(brief.generated)}. " if signed_in_as else ""
    parts.append(f"<p class='small'>{prepared}{esc(LICENCE)}</p></body></html>")
    return "".join(parts)


def build_briefing(
    dataset: PoliceDataset,
    selection: Selection,
    *,
    measure: str,
    describe: str,
    hotspots: HotspotBundle,
    health: HealthBundle | None = None,
    top: int = 8,
    evaluation: Any = None,
) -> Briefing:
    """Assemble the page for a view: its ward map, figures, top hotspots and (optionally) health."""
    from .maps import classify
    from .views import MEASURES, ward_view

    view = ward_view(dataset, selection, measure)
    wards = dataset.wards.wards.set_index("code").loc[view.table["ward_code"]].reset_index()
    classes = classify(
        view.table["value"].tolist(),
        kind="change" if measure == "change" else "magnitude",
        units=MEASURES[measure],
    )
    districts = wards.dissolve(by="district_code", as_index=False)
    table = hotspots.result.table
    clusters = table["kind"].eq("place").to_numpy()
    shown = hotspots.result.footprints[clusters].iloc[:top]
    labels = [str(r) for r in table.loc[clusters, "rank"].iloc[:top]]
    png = render_map_png(
        wards,
        view.table["value"].to_numpy(),
        classes,
        districts=districts,
        footprints=shown,
        labels=labels,
        max_height_in=MAP_HEIGHT_WITH_HEALTH_IN if health is not None else MAP_MAX_HEIGHT_IN,
    )
    head = view.headline
    spots = hotspot_headline(table)
    figures = [
        ("Records", f"{head['records']:,}"),
        (
            "Per 1,000 residents",
            f"{head['rate_per_1000']:.1f}" if head["rate_per_1000"] is not None else "n/a",
        ),
        head["comparison"][:2],
        ("Places to patrol (drug-related)", f"{spots.places:,} ({spots.drug_related_places:,})"),
    ]
    top_rows = table.head(top)
    zone_rows, largest = _zones_in_brief(hotspots.result.zones, top_rows)
    listing = pd.DataFrame(
        {
            "#": top_rows["rank"],
            "zone": top_rows["zone_id"],
            "district": top_rows["district_name"],
            "where (busiest place)": [
                place_label(top, wards)
                for top, wards in zip(top_rows["top_locations"], top_rows["ward_names"], strict=True)
            ],
            "violence": top_rows["violence_count"],
            "drug-related": top_rows["drug_related"].map({True: "yes", False: "no"}),
            "why": [_reasons(w) for w in top_rows["why"]],
        }
    )
    brief = Briefing(
        title=f"Violence hotspots — {describe.split(' · ')[0] or AREA.name}",
        selection=describe,
        period=view.period,
        figures=figures,
        map_png=png,
        legend=classes.legend(),
        legend_title=MEASURES[measure],
        zones=zone_rows,
        largest_zones=largest,
        hotspots=listing,
        evaluation=_evaluation_words(evaluation) if evaluation is not None else None,
        backtest=hotspots.backtest.sentence() if hotspots.backtest else None,  # the Hotspots page's words
        method=METHOD,
        caveats=CAVEATS,
        notes=[
            f"Boundaries: {dataset.wards.vintage_words}. Source: police.uk street-level crime, {AREA.force_name}.",
            *_sites_in_brief(table),
        ],
    )
    if health is not None:
        from ..health.service import suppression_rule

        totals = health.published_totals()
        columns = ["area", "police_violence", "admissions", "held_at_district"]
        if not pd.to_numeric(totals["held_at_district"], errors="coerce").fillna(0).astype(bool).any():
            columns.remove("held_at_district")  # a column of zeros says nothing
        brief.health = totals[columns].rename(
            columns={
                "area": "Area",
                "police_violence": "Police violence",
                "admissions": "Admissions",
                "held_at_district": "Admissions shown only at district level",
            }
        )
        brief.synthetic = health.synthetic
        brief.health_note = (
            f"{health.view.data_source}, {health.period.describe()}. "
            f"{suppression_rule(health.view.max_small, health.view.min_width)}"
        )
    return brief


def _sites_in_brief(table: pd.DataFrame, first: int = 3) -> list[str]:
    """The busiest institutional sites, named (they are listed apart, not patrolled)."""
    sites = table[table["kind"].eq("site")].head(first)
    if sites.empty:
        return []
    named = [
        f"{str(row.institution).split(' — ')[0] or str(row.top_locations).split(' (')[0]} ({row.district_name}, "
        f"{int(row.violence_count):,} violence records)"
        for row in sites.itertuples()
    ]
    return [f"Listed apart as institutional sites (busiest first): {'; '.join(named)}."]


def _evaluation_words(evaluation: Any) -> str:
    """The evaluation's answer, naming its target areas first (the briefing's selection may be wider)."""
    areas = [str(a) for a in evaluation.table["area"] if a != "all"]
    named = "; ".join(areas[:6]) + (f" and {len(areas) - 6} more" if len(areas) > 6 else "")
    return f"Target areas: {named}. {evaluation.sentence()}"
