"""What every analysis page does first: the data, the filters (from the URL), the selection."""

from __future__ import annotations

import streamlit as st

from vrc_geo.dataset.aggregate import Selection
from vrc_geo.dataset.store import PoliceDataset

from . import data, render, state


def through_app() -> None:
    """Pages run only inside ``app.py``'s navigation (sign-in gate, page set-up, the pages' own menu).

    With a ``pages/`` folder, a freshly started Streamlit runs a page file directly when a link names it
    (its older multipage mode) until some session has called ``st.navigation``. That would skip sign-in
    and show a bare menu of file names: switch the old mode off and rerun through ``app.py``."""
    from streamlit.runtime.pages_manager import PagesManager

    if getattr(PagesManager, "uses_pages_directory", False):
        PagesManager.uses_pages_directory = False
        st.rerun()


def setup(*, unused: tuple[str, ...] = ()) -> tuple[PoliceDataset, state.ViewState, Selection]:
    """This session's dataset, the sidebar's view state and its validated selection (or stop the page).
    ``unused``: the sidebar controls this page ignores (greyed out, with the reason: ``state.UNUSED``)."""
    through_app()
    dataset = data.current_dataset()
    view = state.sidebar(dataset.months, unused={k: state.UNUSED[k] for k in unused})
    with st.sidebar:
        render.glossary_popover()
    render.presentation(view)
    selection = state.safe_selection(view)
    if selection is None:
        st.stop()
    return dataset, view, selection
