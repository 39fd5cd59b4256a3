"""Trends: monthly series by district for the chosen offences, and the change over the period."""

import streamlit as st

from ui import charts, data, page, render
from vrc_geo.base.months import month_words

with render.guard():
    dataset, view, selection = page.setup(unused=("measure", "health", "method"))
    wide, change = data.trends(dataset, dataset.key, selection)
    st.title(f"Trends by district: {view.place()}")
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
                month_words(str(total.idxmax())) if len(total) else "None",
                f"{int(total.max()):,} records" if len(total) else None,
            ),
        ]
    )
    st.altair_chart(charts.district_trend_chart(wide, font_size=20 if view.present else 13), width="stretch")
    st.caption("Click a district in the legend to pick out its line (shift-click for more; click elsewhere to reset).")
    st.subheader("Change over the period")
    plain = change.sort_values("records", ascending=False).rename(
        columns={"district": "District", "records": "Records", "change_pct": "Change (%)"}
    )
    plain.columns = [c[0].upper() + c[1:] for c in plain.columns]
    render.table(
        plain, column_config={c: st.column_config.NumberColumn(format="localized") for c in plain.columns[1:-1]}
    )
    middle = len(total) - 2 * half
    st.caption(
        "Counts of police.uk records (not rates); months are the months police.uk assigns records to. "
        f"The change compares the first {half} months with the last {half}"
        + (
            f", so the middle month{'s' if middle > 1 else ''} of the {len(total)} "
            "count in the period's records but in neither half."
            if middle > 0
            else "."
        )
    )
    render.footer()
