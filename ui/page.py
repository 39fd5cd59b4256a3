"""What every analysis page does first: the data, the filters (from the URL), the selection."""

from __future__ import annotations

import streamlit as st

from vrc_geo.aggregate import Selection
from vrc_geo.store import PoliceDataset

from . import data, render, state


def setup() -> tuple[PoliceDataset, state.ViewState, Selection]:
    """This session's dataset, the sidebar's view state and its validated selection (or stop the page)."""
    dataset = data.current_dataset()
    view = state.sidebar(dataset.months)
    render.presentation(view)
    selection = state.safe_selection(view)
    if selection is None:
        st.stop()
    return dataset, view, selection
