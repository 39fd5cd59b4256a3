"""Rendering pieces every page uses: error guard, presentation mode, headline, legend, map, downloads."""

from __future__ import annotations

import html
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import streamlit as st

from vrc_geo.errors import VrcGeoError

CREDIT = (
    "Contains public sector information licensed under the Open Government Licence v3.0 (police.uk, ONS). "
    "Contains OS data © Crown copyright and database right."
)
PRESENTATION_CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], header[data-testid="stHeader"] {
  display: none !important; }
.stMarkdown p, li, label { font-size: 1.25rem !important; }
h1 { font-size: 2.6rem !important; } h2, h3 { font-size: 2rem !important; }
[data-testid="stMetricValue"], [data-testid="stMetricValue"] * { font-size: 3.4rem !important; line-height: 1.1; }
[data-testid="stMetricLabel"], [data-testid="stMetricLabel"] * { font-size: 1.3rem !important;
  white-space: normal !important; overflow: visible !important; }
[data-testid="stMetricDelta"], [data-testid="stMetricDelta"] * { font-size: 1.1rem !important; }
.block-container { padding-top: 1.2rem; max-width: 96%; }
</style>
"""


@contextmanager
def guard() -> Iterator[None]:
    """Show problems as messages, never as a traceback."""
    try:
        yield
    except VrcGeoError as exc:
        st.error(str(exc))
    except Exception as exc:  # the steering group must never see a traceback
        st.error(
            f"Something went wrong ({type(exc).__name__}): {exc}. The view could not be drawn; "
            "try another selection, or check the data on the Data page."
        )


def presentation(state: Any) -> None:
    """Larger type and no controls; an exit button instead of the sidebar."""
    if not state.present:
        return
    st.markdown(PRESENTATION_CSS, unsafe_allow_html=True)
    st.button("Exit presentation mode", key="exit_present", on_click=_leave_presentation)


def _leave_presentation() -> None:
    st.session_state["p_present"] = False  # the filters keep their values under p_ keys (ui.state)


def headline(figures: Sequence[tuple[str, str, str | None]]) -> None:
    """A row of metrics: (label, value, note or None). Notes are plain text, not up/down arrows: a rise in
    crime is not "good" or "bad" on its own."""
    columns = st.columns(len(figures))
    for column, (label, value, note) in zip(columns, figures, strict=True):
        column.metric(label, value, note, delta_color="off", delta_arrow="off")


def legend(title: str, items: Sequence[tuple[str, tuple[int, int, int]]], note: str = "") -> None:
    boxes = "".join(
        f"<span style='display:inline-flex;align-items:center;margin-right:12px'>"
        f"<span style='width:16px;height:12px;background:rgb{tuple(c)};border:1px solid #888;"
        f"display:inline-block;margin-right:5px'></span>{html.escape(text)}</span>"
        for text, c in items
    )
    extra = f"<div style='color:#555;font-size:0.85em'>{html.escape(note)}</div>" if note else ""
    st.markdown(f"<div><b>{html.escape(title)}</b><br>{boxes}{extra}</div>", unsafe_allow_html=True)


def picked(event: Any, layer: str, prop: str) -> str | None:
    """The ``prop`` of the object the user clicked on ``layer`` (pydeck selection), if any."""
    try:
        objects = event.selection.get("objects", {}) if hasattr(event, "selection") else {}
    except AttributeError:
        return None
    for obj in objects.get(layer, []) or []:
        props = obj.get("properties", obj) if isinstance(obj, dict) else {}
        if props.get(prop):
            return str(props[prop])
    return None


def download(label: str, data: bytes, file_name: str, *, key: str) -> None:
    """A download button; the bytes are also kept in session state (the tests compare them to the CLI)."""
    mimes = {
        ".csv": "text/csv",
        ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ".geojson": "application/geo+json",
        ".html": "text/html",
    }
    suffix = file_name[file_name.rfind(".") :]
    st.session_state.setdefault("downloads", {})[file_name] = data
    st.download_button(label, data, file_name=file_name, mime=mimes.get(suffix), key=key, on_click="ignore")


def synthetic_banner() -> None:
    st.warning(
        "SYNTHETIC health data — generated for demonstration, not real hospital records.", icon=":material/warning:"
    )


def footer(extra: str = "") -> None:
    st.caption((extra + " " if extra else "") + CREDIT)
