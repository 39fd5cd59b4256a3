"""VRC Hotspot Explorer — Streamlit entry point: page set-up and navigation only.

Run with ``streamlit run app.py`` (or ``bash scripts/app.sh``). Pages live in ``pages/``; they read the
sidebar filters (kept in the URL), call cached ``vrc_geo`` functions through ``ui.data`` and render.
"""

from __future__ import annotations

import streamlit as st

import ui.preload  # noqa: F401  (first: the pages' modules are imported whole, once, before any page runs)
from ui.auth import require_sign_in, sign_out_button
from ui.data import server_dataset

st.set_page_config(page_title="VRC Hotspot Explorer — Kent & Medway", page_icon="🗺️", layout="wide")
require_sign_in()  # only when [auth] is configured in .streamlit/secrets.toml; stops here until signed in
sign_out_button()

problem = None
if st.session_state.get("dataset_override") is None:
    try:
        server_dataset()
    except Exception as exc:  # no data, or unreadable data: the welcome page explains, never a traceback
        problem = str(exc)
st.session_state["load_problem"] = problem

data_page = st.Page("pages/data.py", title="Data", icon=":material/folder_open:", url_path="data")
if problem is None:
    overview = st.Page("pages/overview.py", title="Overview", icon=":material/map:", url_path="home", default=True)

    def _to_overview() -> None:
        """``/overview`` (the default page lives at ``/``): the same view, links and filters kept."""
        st.switch_page(overview, query_params=dict(st.query_params))

    pages = [
        overview,
        st.Page(_to_overview, title="Overview", url_path="overview", visibility="hidden"),
        st.Page("pages/hotspots.py", title="Hotspots", icon=":material/target:", url_path="hotspots"),
        st.Page("pages/health.py", title="Health", icon=":material/local_hospital:", url_path="health"),
        st.Page(
            "pages/violence.py", title="What violence is", icon=":material/stacked_bar_chart:", url_path="violence"
        ),
        st.Page("pages/trends.py", title="Trends", icon=":material/show_chart:", url_path="trends"),
        st.Page("pages/briefing.py", title="Briefing", icon=":material/description:", url_path="briefing"),
        data_page,
    ]
else:
    pages = [
        st.Page(
            "pages/welcome.py", title="Get started", icon=":material/waving_hand:", url_path="welcome", default=True
        ),
        data_page,
    ]
st.navigation(pages).run()
