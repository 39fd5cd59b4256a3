"""Evaluate: did violence in the target areas fall after the work began, more than it would have anyway?"""

import streamlit as st

from ui import charts, data, page, render
from ui import evaluate as ev
from vrc_geo.base.months import month_words
from vrc_geo.dataset.aggregate import Selection
from vrc_geo.evaluation.report import evaluation_file_bytes, evaluation_file_name
from vrc_geo.evaluation.service import EVALUATION_PARAMS

GROUPS = {
    "serious_violence": "Violence, robbery and weapons offences",
    "violence": "Violence and sexual offences",
    "robbery": "Robbery",
    "weapons": "Possession of weapons",
    "drugs": "Drugs",
}

with render.guard():
    dataset, view, selection = page.setup(unused=("groups", "measure", "health"))
    st.title("Did it work?")
    st.caption(
        "Compare violence in the areas where work was done (patrols, youth work, licensing) before and after "
        "it began with what the rest of the area says would have happened, test it against places nobody "
        "touched, and look for violence moving next door."
    )
    scope = Selection(None, None, selection.districts, None)
    hot = data.hotspots(dataset, dataset.key, scope, view.hotspot_params)
    targets = ev.choose_targets(dataset, hot)
    months = dataset.months
    left, mid, right = st.columns(3)
    start = left.selectbox(
        "Work began in", months[3:], index=max(len(months[3:]) - 5, 0), format_func=month_words, key="f_ev_start"
    )
    group = mid.selectbox("Offences", list(GROUPS), format_func=GROUPS.get, key="f_ev_group")
    buffer_m = right.slider("Buffer ring (metres)", 0, 1000, int(EVALUATION_PARAMS["buffer_m"].default), step=50)
    harm = st.toggle("Weigh offences by harm (ONS Crime Severity Score)", key="f_ev_harm")
    if targets is None:
        st.info("Choose the target areas above: zones, places, wards, or a file of areas.")
        render.footer()
        st.stop()
    for text in targets.notes:
        st.info(render.md_escape(text))
    result = ev.run(
        dataset, targets, start=start, group=group, buffer_m=float(buffer_m), measure="harm" if harm else "count"
    )
    st.session_state["evaluation"] = result  # for the briefing (this session only)
    (st.success if result.beyond_chance else st.info)(render.md_escape(result.sentence()))
    for text in result.warnings:
        st.warning(render.md_escape(text))
    for text in result.notes:
        st.caption(render.md_escape(text))
    st.altair_chart(charts.evaluation_chart(result.series, font_size=20 if view.present else 14), width="stretch")
    shown, meanings = ev.screen_table(result.table)
    render.table(  # the target stays in view when the grid scrolls sideways to the buffer's columns
        shown,
        meanings=meanings,
        height=min(420, 38 * (len(shown) + 1)),
        column_config={"Target area": st.column_config.TextColumn(pinned=True)},
    )
    if not view.present:
        cols = st.columns(2)
        for col, fmt in zip(cols, (".csv", ".xlsx"), strict=True):
            with col:
                render.download(
                    f"Download {render.format_name(fmt)}",
                    lambda fmt=fmt: evaluation_file_bytes(result, fmt),
                    evaluation_file_name(result, fmt),
                    key=f"dl_eval_{fmt}",
                )
        st.caption(
            "How it works: a Poisson model with area and month effects gives what was expected; the p-value "
            "and interval come from the same model run on sets of comparable places nobody touched (a small "
            "p-value: a change that untouched places rarely show by chance). The method in full, for "
            "analysts: docs/methods/evaluation.md."
        )
    render.footer()
