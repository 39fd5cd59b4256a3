"""What "violence" is made of: the Home Office subgroups behind police-recorded violence, by partnership."""

import streamlit as st

from ui import charts, data, page, render
from vrc_geo.base.months import months_in_words
from vrc_geo.io.context import read_fingertips_context
from vrc_geo.reference.area import AREA

with render.guard():
    dataset, view, selection = page.setup(unused=("groups", "measure", "health", "method"))
    profile = data.violence_profile(dataset, dataset.key)
    table = profile.table
    county = table[table["area_name"] == AREA.name].iloc[0]
    st.title("What “violent crime” is made of")
    st.caption(
        f"Home Office police recorded crime by Community Safety Partnership, {profile.period} · the subgroups "
        "that police.uk publishes as one category, “Violence and sexual offences”"
    )
    vap = int(county["violence_against_the_person"])
    render.headline(
        [
            ("Violence against the person", f"{vap:,}", f"{AREA.name}, {profile.period}"),
            ("With injury", f"{100 * county['share_with_injury']:.0f}%", f"{int(county['violence_with_injury']):,}"),
            (
                "Without injury",
                f"{100 * county['violence_without_injury'] / vap:.0f}%",
                f"{int(county['violence_without_injury']):,}",
            ),
            (
                "Stalking and harassment",
                f"{100 * county['stalking_and_harassment'] / vap:.0f}%",
                f"{int(county['stalking_and_harassment']):,}",
            ),
        ]
    )
    st.subheader("How much of it involves injury, partnership by partnership")
    st.altair_chart(charts.violence_mix_chart(table, font_size=20 if view.present else 14), width="stretch")
    st.caption(
        "Each bar is 100 % of a partnership's police-recorded violence and sexual offences; bars are ordered by the "
        "share with injury. Most “violent crime” involves no injury."
    )
    for note in profile.notes:
        st.markdown(f"- {note}")
    st.subheader("The numbers")
    render.table(
        table,
        column_config={
            "share_with_injury": st.column_config.NumberColumn("share with injury", format="percent"),
            "severity_weighted_total": st.column_config.NumberColumn("severity-weighted total", format="%.0f"),
        },
    )
    st.subheader("Beside it, district by district")
    beside = data.district_context(dataset, dataset.key, read_fingertips_context())
    render.table(beside.assign(policeuk_period=[months_in_words(p) for p in beside["policeuk_period"]]))
    st.caption(
        "police.uk figures are for the months loaded; OHID Fingertips (hospital admissions for violence, by the "
        "patient's district of residence) appears once an analyst has fetched it (the tool's fetch command, see "
        "docs/data.md)."
    )
    with st.expander("Severity weights used (ONS Crime Severity Score)"):
        render.table(profile.weights)
    if not view.present:
        cols = st.columns(2)
        for col, fmt in zip(cols, (".csv", ".xlsx"), strict=True):
            with col:
                render.download(
                    f"Download {render.format_name(fmt)}",
                    lambda fmt=fmt: data.violence_profile_file(dataset, dataset.key, fmt),
                    f"violence_profile_{AREA.slug}_{profile.period.replace(' ', '-').lower()}{fmt}",
                    key=f"dl_profile_{fmt}",
                )
    render.footer("Home Office police recorded crime by Community Safety Partnership (ONS).")
