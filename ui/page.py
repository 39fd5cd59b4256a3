"""What every analysis page does first: the data, the filters (from the URL), the selection."""

from __future__ import annotations

import streamlit as st

from vrc_geo.dataset.aggregate import Selection
from vrc_geo.dataset.store import PoliceDataset

from . import data, render, shell, state


def setup(*, unused: tuple[str, ...] = ()) -> tuple[PoliceDataset, state.ViewState, Selection]:
    """This session's dataset, the sidebar's view state and its validated selection (or stop the page).
    ``unused``: the sidebar controls this page ignores (greyed out, with the reason: ``state.UNUSED``)."""
    shell.start()
    dataset = data.current_dataset()
    view = state.sidebar(dataset.months, unused={k: state.UNUSED[k] for k in unused})
    with st.sidebar:
        render.glossary_popover()
    render.presentation(present=view.present)
    selection = state.safe_selection(view)
    if selection is None:
        st.stop()
    return dataset, view, selection
