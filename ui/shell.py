"""The app's frame: page set-up, the sign-in gate and the navigation, for ``app.py`` and for every page.

``app.py`` calls :func:`run_app`. Every page calls :func:`start` first, so that a page file run on its
own is safe too: with a ``pages/`` folder beside ``app.py``, a freshly started Streamlit runs the page
file a link names directly (its older multipage mode) until some session has reached ``st.navigation``.
Such a run draws nothing of its own: it hands over to the app's navigation (the public ``st.navigation``)
and reruns through ``app.py``, so the sign-in gate and the set-up come first, as for any other link.
"""

from __future__ import annotations

import threading

import streamlit as st

from ui.auth import require_sign_in, sign_out_button
from vrc_geo.reference.area import AREA

__all__ = ["app_pages", "run_app", "start"]

_RUN = threading.local()  # set while app.py's navigation runs a page (each session has its own thread)


def _set_up() -> list:
    """Page config, sign-in (stops here until signed in), who is signed in, the data check; the pages."""
    from ui.data import server_dataset

    st.set_page_config(page_title=f"VRC Hotspot Explorer — {AREA.name}", page_icon="🗺️", layout="wide")
    require_sign_in()  # only when [auth] is configured in .streamlit/secrets.toml
    sign_out_button()
    problem = None
    if st.session_state.get("dataset_override") is None:
        try:
            server_dataset()
        except Exception as exc:  # no data, or unreadable data: the welcome page explains, never a traceback
            problem = str(exc)
    st.session_state["load_problem"] = problem
    return app_pages(with_data=problem is None)


def app_pages(*, with_data: bool) -> list:
    """The app's pages: the analysis pages when there is data, else a "Get started" page; Data always."""
    data_page = st.Page("pages/data.py", title="Data", icon=":material/folder_open:", url_path="data")
    if not with_data:
        welcome = st.Page(
            "pages/welcome.py", title="Get started", icon=":material/waving_hand:", url_path="welcome", default=True
        )
        return [welcome, data_page]
    overview = st.Page("pages/overview.py", title="Overview", icon=":material/map:", url_path="home", default=True)

    def _to_overview() -> None:
        """``/overview`` (the default page lives at ``/``): the same view, links and filters kept."""
        st.switch_page(overview, query_params=dict(st.query_params))

    return [
        overview,
        st.Page(_to_overview, title="Overview", url_path="overview", visibility="hidden"),
        st.Page("pages/hotspots.py", title="Hotspots", icon=":material/target:", url_path="hotspots"),
        st.Page("pages/health.py", title="Health", icon=":material/local_hospital:", url_path="health"),
        st.Page(
            "pages/violence.py", title="What violence is", icon=":material/stacked_bar_chart:", url_path="violence"
        ),
        st.Page("pages/trends.py", title="Trends", icon=":material/show_chart:", url_path="trends"),
        st.Page("pages/evaluate.py", title="Did it work?", icon=":material/fact_check:", url_path="evaluate"),
        st.Page("pages/briefing.py", title="Briefing", icon=":material/description:", url_path="briefing"),
        data_page,
    ]


def run_app() -> None:
    """``app.py``: set up, then run the page the link names through the app's navigation."""
    navigation = st.navigation(_set_up())
    _RUN.inside = True
    try:
        navigation.run()
    finally:
        _RUN.inside = False


def start() -> None:
    """Every page's first call: nothing when ``app.py`` runs it. Run on its own, nothing of the page is
    drawn: the app's navigation takes over (public ``st.navigation``) and the run starts again through
    ``app.py``, whose sign-in gate and set-up come first."""
    if getattr(_RUN, "inside", False):
        return
    st.navigation(app_pages(with_data=True), position="hidden")
    st.rerun()
