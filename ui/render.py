"""Rendering pieces every page uses: error guard, presentation mode, headline, legend, map, downloads."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import pandas as pd
import streamlit as st

from vrc_geo.errors import VrcGeoError
from vrc_geo.reference.licences import ATTRIBUTION

CREDIT = ATTRIBUTION
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&])")
BASE_CSS = """
<style>
.block-container { padding-top: 2.4rem !important; }
.vrc-legend { font-size: 0.95rem; line-height: 1.8; margin: 0.1rem 0 0.3rem; }
.vrc-key { display: inline-flex; align-items: center; margin-right: 14px; white-space: nowrap; }
.vrc-swatch { width: 18px; height: 13px; border: 1px solid #777; display: inline-block; margin-right: 5px; }
.vrc-note { color: #555; font-size: 0.85em; line-height: 1.4; }
[data-testid="stMetricValue"], [data-testid="stMetricValue"] * { white-space: normal !important;
  overflow: visible !important; text-overflow: clip !important; overflow-wrap: anywhere; }
[data-testid="stMetricDelta"], [data-testid="stMetricDelta"] * { white-space: normal !important;
  overflow: visible !important; text-overflow: clip !important; height: auto !important; }
.vrc-synthetic { background: #b00020; color: #fff; font-weight: 800; font-size: 1.2rem; letter-spacing: 0.04em;
  text-align: center; padding: 0.3rem 1rem; border-radius: 6px; box-shadow: 0 2px 6px rgba(0,0,0,.35); }
/* The band holds its own line at the top of the synthetic figures and stays at the top of the window from
   there on, on white, across the page's width: text scrolls under it, never beside it half-covered. */
[data-testid="stElementContainer"]:has(.vrc-synthetic) { position: sticky; top: 0; z-index: 999989;
  background: #fff; padding: 0.3rem 0; }
</style>
"""
# A projector at 1920 x 1080: no text below 20 px (max(20px, 1em) lifts every element that is smaller,
# headings and figures are set larger), tables drawn as HTML (ui.render.table) so the rule reaches them.
PRESENTATION_CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], header[data-testid="stHeader"] {
  display: none !important; }
.stApp [data-testid="stMain"] *:not(svg):not(svg *) { font-size: max(20px, 1em) !important; }
html body .stApp [data-testid="stMain"] h1, html body .stApp [data-testid="stMain"] h1 * {
  font-size: 2.6rem !important; }
html body .stApp [data-testid="stMain"] :is(h2, h3), html body .stApp [data-testid="stMain"] :is(h2, h3) * {
  font-size: 2rem !important; }
html body .stApp [data-testid="stMain"] [data-testid="stMetricValue"],
html body .stApp [data-testid="stMain"] [data-testid="stMetricValue"] * {
  font-size: clamp(2rem, 2.5vw, 3.2rem) !important; line-height: 1.1; }
html body .stApp [data-testid="stMain"] [data-testid="stMetricLabel"],
html body .stApp [data-testid="stMain"] [data-testid="stMetricLabel"] * { font-size: 1.35rem !important;
  white-space: normal !important; overflow: visible !important; }
html body .stApp [data-testid="stMain"] .vrc-synthetic { font-size: 2rem !important; padding: 0.4rem 1rem; }
.block-container { padding-top: 1.2rem; max-width: 96%; }
</style>
"""
PRESENT_ROWS = 15
#: The analysis pages, for the navigation row of presentation mode (the sidebar is hidden there).
PAGES = (
    ("pages/overview.py", "Overview"),
    ("pages/hotspots.py", "Hotspots"),
    ("pages/health.py", "Health"),
    ("pages/violence.py", "What violence is"),
    ("pages/trends.py", "Trends"),
    ("pages/evaluate.py", "Did it work?"),
    ("pages/briefing.py", "Briefing"),
    ("pages/data.py", "Data"),
)


def md_escape(text: object) -> str:
    """Text from the data (a police.uk "Location", a file or ward name, an error naming them) made safe to
    show in Markdown: every character Markdown would act on is escaped, so ``![x](http://…)`` shows as text
    and makes no viewer's browser fetch anything."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", str(text))


@contextmanager
def guard() -> Iterator[None]:
    """Show problems as messages, never as a traceback."""
    try:
        yield
    except VrcGeoError as exc:
        st.error(md_escape(exc))
    except Exception as exc:  # the steering group must never see a traceback
        st.error(
            f"Something went wrong ({type(exc).__name__}): {md_escape(exc)}. The view could not be drawn; "
            "try another selection, or check the data on the Data page."
        )


def presentation(*, present: bool) -> None:
    """Page styles; when presenting, larger type, no controls, and a row of page links and an exit
    button instead of the sidebar."""
    st.markdown(BASE_CSS, unsafe_allow_html=True)
    if not present:
        return
    st.markdown(PRESENTATION_CSS, unsafe_allow_html=True)
    # Each link as wide as its label, wrapping onto a second row when the screen is too narrow for all
    # (a 1366 px laptop): never a label cut short.
    with st.container(horizontal=True, vertical_alignment="center", gap="small"):
        for path, title in PAGES:
            st.page_link(path, label=title, width="content")
        glossary_popover()
        st.button("Exit presentation mode", key="exit_present", on_click=_leave_presentation, width="content")


def glossary_popover() -> None:
    """The glossary, one click away on every page."""
    from ui.glossary import GLOSSARY

    # One element, a paragraph per term ("Gi*" is text, not emphasis): every page draws it on every rerun.
    entries = "\n\n".join(f"**{md_escape(term)}**: {md_escape(meaning)}" for term, meaning in GLOSSARY)
    st.popover("Glossary", icon=":material/menu_book:").markdown(entries)


def _leave_presentation() -> None:
    st.session_state["p_present"] = False  # the filters keep their values under p_ keys (ui.state)


def headline(figures: Sequence[tuple[str, str, str | None]]) -> None:
    """A row of metrics: (label, value, note or None). Notes are plain text, not up/down arrows: a rise in
    crime is not "good" or "bad" on its own."""
    columns = st.columns(len(figures))
    for column, (label, value, note) in zip(columns, figures, strict=True):
        column.metric(label, value, note, delta_color="off", delta_arrow="off")


def legend(
    title: str,
    items: Sequence[tuple[str, tuple[int, int, int]]],
    note: str = "",
    *,
    alpha: float = 190 / 255,
    solid: int = 0,
) -> None:
    """A one-line legend (above its map, so it is in view with it). Swatches are the map's colours as
    they look on the page: blended with white at the map's fill opacity ``alpha`` (the first ``solid``
    items are drawn opaque)."""

    def seen(colour: tuple[int, int, int], opacity: float) -> tuple[int, ...]:
        return tuple(round(c * opacity + 255 * (1 - opacity)) for c in colour)

    boxes = "".join(
        f"<span class='vrc-key'><span class='vrc-swatch' style='background:rgb{seen(c, 1.0 if i < solid else alpha)}'>"
        f"</span>{html.escape(text)}</span>"
        for i, (text, c) in enumerate(items)
    )
    extra = f"<div class='vrc-note'>{html.escape(note)}</div>" if note else ""
    st.markdown(f"<div class='vrc-legend'><b>{html.escape(title)}</b><br>{boxes}{extra}</div>", unsafe_allow_html=True)


def picked(event: Any, layer: str, prop: str) -> str | None:
    """The ``prop`` of the object the user clicked on ``layer`` (a pydeck chart's selection, as returned
    by ``st.pydeck_chart`` or kept in session state under the chart's key), if any."""
    for obj in _selected(event).get(layer, []) or []:
        props = obj.get("properties", obj) if isinstance(obj, dict) else {}
        if isinstance(props, dict) and props.get(prop):
            return str(props[prop])
    return None


def picked_any(event: Any) -> bool:
    """Whether a pydeck chart's selection holds anything, on any layer: Streamlit's own selection styling
    (every other shape faded to 40 %) stays until the chart restarts under a new key."""
    return any(_selected(event).values())


def _selected(event: Any) -> dict:
    if event is None:
        return {}
    selection = event.get("selection") if isinstance(event, dict) else getattr(event, "selection", None)
    objects = selection.get("objects", {}) if isinstance(selection, dict) else {}
    return objects if isinstance(objects, dict) else {}


class Files(dict):
    """File name -> bytes, made on first read when given as a function (the tests compare them to the CLI)."""

    def __getitem__(self, name: str) -> bytes:
        value = super().__getitem__(name)
        if callable(value):
            value = value()
            super().__setitem__(name, value)
        return value


#: File formats as people write them, for the download buttons.
FORMAT_NAMES = {".csv": "CSV", ".xlsx": "XLSX", ".geojson": "GeoJSON", ".html": "HTML", ".pdf": "PDF"}


def format_name(suffix: str) -> str:
    """``".geojson"`` as "GeoJSON" (not "GEOJSON")."""
    return FORMAT_NAMES.get(suffix, suffix.lstrip(".").upper())


def download(label: str, data: bytes | Callable[[], bytes], file_name: str, *, key: str) -> None:
    """A download button. Given a function, the file is made only when someone clicks (on a shared server a
    rerun then never pays for files no one takes); it is also kept in session state for the tests."""
    mimes = {
        ".csv": "text/csv",
        ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ".geojson": "application/geo+json",
        ".html": "text/html",
    }
    suffix = file_name[file_name.rfind(".") :]
    files = st.session_state.get("downloads")
    if not isinstance(files, Files):
        files = st.session_state["downloads"] = Files(files or {})
    files[file_name] = data
    st.download_button(label, data, file_name=file_name, mime=mimes.get(suffix), key=key, on_click="ignore")


def table(
    frame: Any, *, wrap: bool = False, meanings: dict[str, str] | None = None, like: Any = None, **options: Any
) -> None:
    """``st.dataframe`` without the index, read as a person reads it (``ui.tables.readable``: plain headers,
    sensible decimals, no empty columns); text columns holding mixed values (a count beside "[c]", a number
    beside a blank) shown as text, so the browser gets what the file says and the log no Arrow warnings.
    Presenting, a plain HTML table with every number already written out (at most ``PRESENT_ROWS`` rows);
    ``wrap`` draws a table of sentences (licences, sources) that way too, all its rows, so its lines wrap
    on a laptop instead of running off the grid's edge. ``meanings``: a tooltip per header (its full meaning).
    ``like``: the larger table ``frame`` is part of, whose decimals it keeps (a ward's rate reads the same in
    both)."""
    from ui.tables import format_number, is_text, readable

    shown, config, formats = readable(frame, options.pop("column_config", None))
    whole = None
    if like is not None:
        whole, _, whole_formats = readable(like, None)
        formats = {column: whole_formats.get(column, spec) for column, spec in formats.items()}
    for column in shown.columns:
        source = whole[column] if whole is not None and column in whole.columns else None
        if is_text(shown[column]) or (source is not None and is_text(source)):
            # a part's plain numbers are text in the whole (a rate beside "[c]"): written as the whole writes them
            shown[column] = mixed_text(shown[column].astype(object), decimals_from=source)
            formats.pop(column, None)
    present = bool(st.session_state.get("p_present"))
    if present or wrap:
        # The grid draws on a canvas the projector type rules cannot reach, and st.table would print every
        # float with four decimals: numbers go as text, in the format the screen uses.
        for column in shown.columns:
            kind = shown[column].dtype.kind
            spec = _number_format(config.get(column)) or formats.get(column)
            if kind == "f" or (spec and kind in "iu"):
                spec = spec or "%.0f"
                shown[column] = [format_number(v, spec) for v in shown[column]]
            elif kind in "iu":  # counts with thousands separated; a year or a short line number as it is
                large = len(shown[column]) and shown[column].abs().max() >= 10_000
                shown[column] = [f"{v:,}" if large else str(v) for v in shown[column]]
        st.table((shown.head(PRESENT_ROWS) if present else shown).set_index(shown.columns[0]))
        if present and len(shown) > PRESENT_ROWS:
            st.markdown(f"First {PRESENT_ROWS} of {len(shown):,} rows.")
        return
    meanings = meanings or {}
    for column, spec in formats.items():
        number_format = "localized" if spec == "%.0f" else spec
        config[column] = st.column_config.NumberColumn(format=number_format, help=meanings.get(column))
    for column, meaning in meanings.items():
        if column not in shown.columns:
            continue
        if isinstance(config.get(column), dict):  # a page's own setting keeps its format and gains the meaning
            config[column] = {**config[column], "help": config[column].get("help") or meaning}
        elif column not in config:
            config[column] = st.column_config.Column(help=meaning)
    st.dataframe(shown, hide_index=True, column_config=config or None, **options)


def mixed_text(column: Any, *, decimals_from: Any = None) -> list[str]:
    """A column of mixed values as text: its numbers in the decimals their size needs (a rate beside "[c]"
    reads 0.31, not 0.312), blanks for missing, text as it is. ``decimals_from``: the column whose numbers
    decide the decimals (the whole table's, for a part of it)."""
    from vrc_geo.base.decimals import decimals_for

    floats = [v for v in (column if decimals_from is None else decimals_from) if isinstance(v, float) and v == v]
    places = decimals_for(pd.Series(floats, dtype="float64")) if floats else 0
    out = []
    for v in column:
        if v is None or (isinstance(v, float) and v != v):  # v != v: NaN
            out.append("")
        elif isinstance(v, float):
            out.append(f"{v:,.{places}f}")
        else:  # text, and whole numbers (a count, a year) as they are
            out.append(str(v))
    return out


def _number_format(config: Any) -> str | None:
    """The number format a column setting asks for (``"percent"``, ``"%.0f"``...), if any."""
    if isinstance(config, dict):
        return (config.get("type_config") or {}).get("format")
    return None


def synthetic_banner() -> None:
    """SYNTHETIC, a band where the figures start that then stays at the top of the window while scrolling
    (large when presenting), and a warning under it."""
    st.markdown("<div class='vrc-synthetic'>SYNTHETIC HEALTH DATA — NOT REAL</div>", unsafe_allow_html=True)
    st.warning(
        "SYNTHETIC health data — generated for demonstration, not real hospital records.", icon=":material/warning:"
    )


def footer(extra: str = "") -> None:
    st.caption((extra + " " if extra else "") + CREDIT)
