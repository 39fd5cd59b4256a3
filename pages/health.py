"""Health: police violence beside hospital admissions for assault, with disclosure control applied."""

import streamlit as st

from ui import data, maps, page, render, state
from vrc_geo.dataset.aggregate import Selection
from vrc_geo.health.analysis import RESIDENCE_NOTE
from vrc_geo.health.disclosure import SUPPRESSED
from vrc_geo.health.service import suppression_rule
from vrc_geo.io.context import read_fingertips_context
from vrc_geo.outputs.maps import BIVARIATE
from vrc_geo.reference.area import AREA

with render.guard():
    dataset, view, selection = page.setup(unused=("months", "groups", "measure", "method"))
    st.title("Police violence and hospital admissions for assault")
    if view.health == "none":
        st.info(
            "Hospital data is not shown yet. The button below shows the **SYNTHETIC demo** (generated "
            "demonstration data); a partner's extract is loaded on the Data page"
            + ("." if view.present else ", then chosen under *Data sources* in the sidebar.")
        )  # the sidebar is hidden when presenting: the button is the way in there
        st.button("Show the SYNTHETIC demo", on_click=state.set_value, args=("f_health", state.HEALTH_LABELS["demo"]))
        st.stop()
    if view.health == "upload" and not data.health_upload():
        st.info("No health extract uploaded in this session. Load one on the Data page (templates: docs/data.md).")
        st.page_link("pages/data.py", label="Go to the Data page", icon=":material/folder_open:")
        st.stop()
    scope = Selection(None, None, selection.districts, None)
    bundle = data.health(dataset, scope, view.health)
    labels = [p.label for p in bundle.periods]
    chosen = st.selectbox(
        "Health period (published for whole years only)",
        labels,
        index=labels.index(bundle.period.label),
        key="f_hperiod",
        help="Health figures are published only for fixed, non-overlapping periods so that no two tables can "
        "be subtracted to reveal a small count; the police figures beside them cover the same months.",
    )
    if chosen != bundle.period.label:
        period = bundle.periods[labels.index(chosen)]
        scope = Selection(period.start, period.end, selection.districts, None)
        bundle = data.health(dataset, scope, view.health)
    if bundle.synthetic:
        render.synthetic_banner()
    published = bundle.published()
    totals = bundle.published_totals()
    st.caption(f"{bundle.view.data_source} · {bundle.period.describe()} · police: violence and sexual offences")
    # The headline covers the districts chosen (their published rows; the last row is the whole area).
    chosen_rows = totals.iloc[:-1] if selection.districts else totals.iloc[-1:]
    police = sum(int(v) for v in chosen_rows["police_violence"])
    held = chosen_rows["admissions"].astype(str)
    admissions = SUPPRESSED if held.eq(SUPPRESSED).any() else f"{sum(int(v) for v in held):,}"
    shown = published["admissions"].ne(SUPPRESSED)
    render.headline(
        [
            (f"Police violence, {view.place()}", f"{police:,}", bundle.period.label),
            ("Admissions" + (" (SYNTHETIC)" if bundle.synthetic else ""), admissions, view.place()),
            (
                "Under-reporting flags (wards)",
                str(int(published["underreporting_flag"].eq(True).sum())) if bundle.view.flags_made else "not made",
                None if bundle.view.flags_made else "counts by home area",
            ),
            ("Wards suppressed (small numbers)", f"{int((~shown).sum())} of {len(published)}", None),
        ]
    )
    st.info(suppression_rule(bundle.view.max_small, bundle.view.min_width))
    if not view.present:  # the model's coefficients are for analysts, not for the projector
        with st.expander("The model behind the under-reporting flags (for analysts)"):
            st.caption(bundle.view.model.describe())
        for note in [*bundle.notes, *bundle.view.notes]:
            st.caption(render.md_escape(note))
    layers = data.browser_layers(dataset, dataset.key)
    render.legend(
        f"Police violence rate × admissions rate, each against its {AREA.name} rate"
        + (" (admissions SYNTHETIC)" if bundle.synthetic else ""),
        [*BIVARIATE.items(), ("suppressed [c] or no population (blank)", maps.SUPPRESSED_FILL)],
        alpha=210 / 255,
    )
    deck = maps.bivariate_deck(
        layers, published, basemap=view.basemap, filtered=bool(selection.districts), synthetic=bundle.synthetic
    )
    st.pydeck_chart(deck, key="health_map", height=maps.MAP_HEIGHT_PX)
    st.subheader("Possible under-reporting")
    if not bundle.view.flags_made:  # counts by home area: a comparison with police places would mislead
        st.info(RESIDENCE_NOTE[0].upper() + RESIDENCE_NOTE[1:] + ".")
    else:
        st.markdown(
            "Wards with more admissions than their police violence and their residents would lead one to "
            "expect: above the upper 99.8% limit of a count model fitted across all wards (its limits widened "
            "where wards vary more than chance alone; the model is above the map). Violence here may be "
            "reaching hospital without reaching the police."
        )
        flagged = published[published["underreporting_flag"].eq(True)]
        if len(flagged):
            render.table(flagged, like=published)  # each ward's rate as the table of all wards writes it
        else:
            st.caption("No ward is above its limit (or those that are have suppressed counts).")
    st.subheader("All wards, side by side")
    render.table(published, height=380)
    st.subheader("Totals")
    render.table(totals)
    context = read_fingertips_context()
    if context is not None:
        st.subheader("Published context: OHID hospital admissions for violence (district level)")
        st.caption(
            "Directly standardised rates per 100,000 by area of residence, from OHID Fingertips "
            "(indicator 11201), as fetched by the tool's fetch command (docs/fetch.md)."
        )
        render.table(context)
    if not view.present:
        cols = st.columns(3)
        for col, fmt in zip(cols, (".csv", ".xlsx", ".geojson"), strict=True):
            with col:
                render.download(
                    f"Download {render.format_name(fmt)}",
                    lambda fmt=fmt: bundle.file_bytes(fmt),
                    bundle.file_name(fmt),
                    key=f"dl_health_{fmt}",
                )
    render.footer("Health figures: disclosure control applied to every number shown and exported.")
