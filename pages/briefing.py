"""Briefing: a one-page summary of the chosen view, to download and hand to an operations meeting."""

import streamlit as st

from ui import data, page, render
from vrc_geo.dataset.aggregate import Selection
from vrc_geo.outputs.briefing import for_projector

with render.guard():
    dataset, view, selection = page.setup()
    st.title("One-page briefing")
    if not view.present:
        st.caption(
            "The current view (filters in the sidebar): map, key figures, top hotspots, method and caveats. "
            "Open the HTML file and print it for one A4 page."
        )
    scope = Selection(selection.start, selection.end, selection.districts, None)
    hot = data.hotspots(dataset, dataset.key, scope, view.hotspot_params)
    default = Selection(None, None, selection.districts, None)  # health: the latest publication period
    health = data.health(dataset, default, view.health)
    if health is not None and health.synthetic:
        render.synthetic_banner()
    evaluation = st.session_state.get("evaluation")
    include = evaluation is not None and st.checkbox(
        "Include the result of the 'Did it work?' page", value=True, key="f_brief_eval"
    )
    with st.spinner("Drawing the briefing…"):
        html_page = data.briefing(
            dataset, selection, view.measure, view.describe(), hot, health, evaluation if include else None
        )
    render.download("Download briefing (HTML)", html_page.encode("utf-8"), "briefing.html", key="dl_briefing")
    st.iframe(for_projector(html_page) if view.present else html_page, height=1150)
