"""Trends: monthly series by district for the chosen offences, and the change over the period."""

import streamlit as st

from ui import data, page, render

with render.guard():
    dataset, view, selection = page.setup()
    wide, change = data.trends(dataset, dataset.key, selection)
    st.title("Trends by district")
    st.caption(f"{view.describe()} · monthly police.uk records")
    total = wide.sum(axis=1)
    half = max(1, len(total) // 2)
    first, last = int(total.iloc[:half].sum()), int(total.iloc[-half:].sum())
    render.headline(
        [
            ("Records in the period", f"{int(total.sum()):,}", None),
            (
                f"Last {half} months",
                f"{last:,}",
                f"{100 * (last - first) / first:+.1f}% on the first {half}" if first else None,
            ),
            (
                "Busiest month",
                str(total.idxmax()) if len(total) else "–",
                f"{int(total.max()):,} records" if len(total) else None,
            ),
        ]
    )
    st.line_chart(wide, height=420, x_label="month", y_label="records")
    st.subheader("Change over the period")
    st.dataframe(change.sort_values("records", ascending=False), hide_index=True)
    st.caption("Counts of police.uk records (not rates); months are the months police.uk assigns records to.")
    render.footer()
