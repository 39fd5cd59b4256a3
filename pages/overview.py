"""Overview: headline figures, the ward map for the chosen measure, and a ward's detail."""

import pandas as pd
import streamlit as st

from ui import data, maps, page, render, state
from vrc_geo.outputs.views import MEASURES

with render.guard():
    dataset, view, selection = page.setup()
    wards_view = data.ward_view(dataset, dataset.key, selection, view.measure)
    figures = wards_view.headline
    st.title(f"Violence and crime in {view.place()}")
    st.caption(f"{view.describe()} · {wards_view.period} · police.uk records placed in {dataset.wards.vintage_words}")
    render.headline(
        [
            (f"Records, {wards_view.period}", f"{figures['records']:,}", None),
            (
                "Per 1,000 residents",
                f"{figures['rate_per_1000']:.1f}" if figures["rate_per_1000"] is not None else "n/a",
                None,
            ),
            figures["comparison"],
            ("Busiest ward", figures["busiest_name"] or "None", figures["busiest_note"]),
        ]
    )
    for note in wards_view.notes:
        st.info(render.md_escape(note))
    # A click on the map arrives as the chart's state at the start of this run: read it before drawing, so
    # the ward it picked is outlined on the map drawn now. The chart then starts afresh under a new key:
    # Streamlit's own selection styling would keep every other ward faded to 40 %; the blue outline shows
    # the selection instead.
    chart_key = f"overview_map_{st.session_state.get('_map_round', 0)}"
    clicked = render.picked(st.session_state.get(chart_key), maps.PICK_ID, "code")
    if clicked:
        st.session_state["f_ward"] = clicked
        st.session_state["_map_round"] = st.session_state.get("_map_round", 0) + 1
        chart_key = f"overview_map_{st.session_state['_map_round']}"
    deck, classes = data.overview_deck(
        dataset, dataset.key, selection, view.measure, view.basemap, st.session_state.get("f_ward")
    )
    valued = bool(wards_view.table["value"].notna().any())  # e.g. a change with no earlier month: all grey
    render.legend(
        f"{MEASURES[view.measure]} — {wards_view.period}",
        classes.legend() if valued else [],
        ("Grey: no value. " if valued else "Every ward is grey: no value to show (the note above says why). ")
        + "Click a ward for its detail (outlined in blue). Town centres have few residents and many visitors, "
        "so their residential rates run high: read rates beside counts.",
    )
    picked = st.session_state.get("f_ward")
    if picked in set(wards_view.table["ward_code"]):  # the answer where the person is looking: above the map
        chosen = wards_view.table.set_index("ward_code").loc[picked]
        st.info(
            f"**{render.md_escape(chosen['ward_name'])}** ({render.md_escape(chosen['district_name'])}): "
            f"{int(chosen['count']):,} records in the selection. Its months, offences and hotspots are below the map.",
            icon=":material/location_on:",
        )
    st.pydeck_chart(deck, on_select="rerun", selection_mode="single-object", key=chart_key, height=maps.MAP_HEIGHT_PX)

    st.subheader("Ward detail")
    names = data.ward_choices(dataset, dataset.key, selection.districts)
    if st.session_state.get("f_ward") not in names:
        st.session_state["f_ward"] = None
    ward = st.selectbox(
        "Ward (or click the map)",
        list(names),
        format_func=names.get,
        index=None,
        key="f_ward",
        placeholder="Choose a ward",
    )
    state.write_query(state.ViewState(**{**view.__dict__, "ward": ward}), dataset.months)
    if ward:
        detail = data.ward_detail(dataset, dataset.key, selection, ward)
        row = wards_view.table.set_index("ward_code").loc[ward]
        left, right = st.columns([3, 2])
        with left:
            name, district = render.md_escape(detail["ward_name"]), render.md_escape(detail["district_name"])
            st.markdown(
                f"**{name}**, {district}: **{detail['records']:,}** records "
                f"in the selection; rate {row['rate_per_1000']:.1f} per 1,000 residents"
                if pd.notna(row.get("rate_per_1000"))
                else f"**{name}**, {district}: **{detail['records']:,}** records"
            )
            st.bar_chart(detail["monthly"], x="month", y="records", height=220)
            st.markdown(
                f"**Commonest places:** {render.md_escape(detail['locations']) if detail['locations'] else '–'}"
            )
        with right:
            st.markdown("**All offence types in this ward and period**")
            render.table(detail["all_types"], height=260)
        status = data.ward_status(dataset, dataset.key, selection, view.health, ward, view.hotspot_params)
        for line in status:
            st.markdown(line)
    render.footer(f"Map: {dataset.wards.vintage_words}.")
