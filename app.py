"""VRC Hotspot Explorer (Streamlit). Thin: widgets -> cached vrc_geo calls -> render."""

from __future__ import annotations

import streamlit as st

from vrc_geo.config import find_sources
from vrc_geo.errors import VrcGeoError
from vrc_geo.store import load_police

st.set_page_config(page_title="VRC Hotspot Explorer", layout="wide")


@st.cache_resource(show_spinner="Loading police.uk data…")
def dataset():
    return load_police(find_sources())


st.title("VRC Hotspot Explorer — Kent & Medway")
try:
    data = dataset()
except VrcGeoError as exc:
    st.error(str(exc))
    st.stop()
rec = data.reconciliation
st.metric("Police-recorded crimes in Kent & Medway", f"{rec.in_area_crimes:,}")
st.dataframe(rec.table(), hide_index=True)
st.caption(
    "Contains public sector information licensed under the Open Government Licence v3.0. "
    "Contains OS data © Crown copyright and database right."
)
