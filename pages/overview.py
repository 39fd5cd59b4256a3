"""Overview: headline figures, the ward map for the chosen measure, and a ward's detail."""

import pandas as pd
import streamlit as st

from ui import data, maps, page, render, state
from vrc_geo.overview import MEASURES

with render.guard():
    dataset, view, selection = page.setup()
    wards_view = data.ward_view(dataset, dataset.key, selection, view.measure)
    figures = wards_view.headline
    st.title("Violence and crime in Kent & Medway")
    st.caption(f"{view.describe()} · {wards_view.period} · police.uk records placed in {dataset.wards.vintage} wards")
    change = figures["change_pct"]
    render.headline(
        [
            (f"Records, {wards_view.period}", f"{figures['records']:,}", None),
            (
                "Per 1,000 residents",
                f"{figures['rate_per_1000']:.1f}" if figures["rate_per_1000"] is not None else "n/a",
                None,
            ),
            (
                f"Change on {wards_view.previous}" if wards_view.previous else "Change on previous period",
                f"{change:+.1f}%" if change is not None else "–",
                f"{figures['records'] - figures['previous_records']:+,} records"
                if change is not None
                else "no earlier data to compare",
            ),
            ("Busiest ward", figures["busiest_name"] or "–", figures["busiest_note"]),
        ]
    )
    for note in wards_view.notes:
        st.info(note)
    layers = data.browser_layers(dataset, dataset.key)
    label = {"count": "Records", "rate": "Per 1,000 residents", "change": "Change"}[view.measure]
    units = {"count": "records", "rate": "per 1,000 residents", "change": "records vs previous period"}[view.measure]
    deck, classes = maps.measure_deck(
        layers,
        wards_view.table,
        measure=view.measure,
        label=label,
        units=units,
        basemap=view.basemap,
        filtered=bool(view.districts),
    )
    event = st.pydeck_chart(deck, on_select="rerun", selection_mode="single-object", key="overview_map", height=560)
    clicked = render.picked(event, "wards", "code")
    if clicked and clicked != st.session_state.get("_last_click"):
        st.session_state["_last_click"] = clicked
        st.session_state["f_ward"] = clicked
    render.legend(
        f"{MEASURES[view.measure]} — {wards_view.period}",
        classes.legend(),
        "Grey: no value. Town centres have few residents and many visitors, so their residential rates run "
        "high: read rates beside counts.",
    )

    if not view.present:
        st.caption(
            f"Ward layer sent to the browser: {layers['ward_bytes'] / 1e6:.2f} MB (simplified 30 m); "
            f"district outlines {layers['district_bytes'] / 1e6:.2f} MB."
        )
    st.subheader("Ward detail")
    table = wards_view.table.sort_values(["district_name", "ward_name"])
    names = dict(zip(table["ward_code"], table["ward_name"] + " (" + table["district_name"] + ")", strict=True))
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
            st.markdown(
                f"**{detail['ward_name']}**, {detail['district_name']}: **{detail['records']:,}** records "
                f"in the selection; rate {row['rate_per_1000']:.1f} per 1,000 residents"
                if pd.notna(row.get("rate_per_1000"))
                else f"**{detail['ward_name']}**, {detail['district_name']}: **{detail['records']:,}** records"
            )
            st.bar_chart(detail["monthly"], x="month", y="records", height=220)
            st.markdown(f"**Commonest places:** {detail['locations'] or '–'}")
        with right:
            st.markdown("**All offence types in this ward and period**")
            st.dataframe(detail["all_types"], hide_index=True, height=260)
        status = data.ward_status(dataset, dataset.key, selection, view.health, ward)
        for line in status:
            st.markdown(line)
    render.footer(f"Map: {dataset.wards.vintage} ward boundaries.")
