"""Shown when no data could be loaded: how to get data, instead of an error."""

import streamlit as st

from ui import render, shell
from vrc_geo.config import HOW_TO_GET_DATA
from vrc_geo.reference.area import AREA

shell.start()
with st.sidebar:
    render.glossary_popover()
st.title(f"VRC Hotspot Explorer — {AREA.name}")
st.subheader("No data loaded yet")
problem = st.session_state.get("load_problem")
if problem:
    st.info(render.md_escape(problem))
st.markdown(
    f"""
This explorer maps police-recorded violence on the area's wards, finds hotspots (with a focus on
violence alongside the drugs trade) and reads hospital admissions beside them.

**To start:**

1. {HOW_TO_GET_DATA}
2. Or open the **Data** page and upload police.uk files (a month's CSV or the zip police.uk serves) to
   use for this session.
3. Then reload this page.
"""
)
st.page_link("pages/data.py", label="Upload files on the Data page", icon=":material/folder_open:")
render.footer()
