"""Chart specifications for the pages (Altair, which Streamlit ships): built here, drawn by the pages."""

from __future__ import annotations

import altair as alt
import pandas as pd

from vrc_geo.base.months import month_words

__all__ = ["district_trend_chart", "evaluation_chart", "violence_mix_chart"]

#: Thirteen colours a viewer tells apart (one per district; none pale on white).
DISTRICT_COLOURS = [
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
    "#4d4d4d", "#9a9a00", "#17becf", "#393b79", "#637939", "#843c39",
]  # fmt: skip

MIX = [
    ("violence_with_injury", "Violence with injury", "#b2182b"),
    ("violence_without_injury", "Violence without injury", "#ef8a62"),
    ("stalking_and_harassment", "Stalking and harassment", "#67a9cf"),
    ("sexual_offences", "Sexual offences", "#2166ac"),
    ("other", "Homicide, death or serious injury by driving", "#444444"),
]


def violence_mix_chart(profile: pd.DataFrame, *, font_size: int = 14) -> alt.Chart:
    """One bar per partnership: what its police-recorded "violence and sexual offences" is made of, as
    shares, ordered by the share with injury (highest first)."""
    frame = profile.copy()
    frame["other"] = frame["homicide"] + frame["death_or_serious_injury_driving"]
    frame["all"] = frame["violence_against_the_person"] + frame["sexual_offences"]
    long = frame.melt(id_vars=["area_name", "all", "share_with_injury"], value_vars=[m[0] for m in MIX])
    long["share"] = long["value"] / long["all"]
    long["part"] = long["variable"].map({m[0]: m[1] for m in MIX})
    long["order"] = long["variable"].map({m[0]: i for i, m in enumerate(MIX)})
    order = frame.sort_values("share_with_injury", ascending=False)["area_name"].tolist()
    return (
        alt.Chart(long)
        .mark_bar()
        .encode(
            y=alt.Y("area_name:N", sort=order, title=None, axis=alt.Axis(labelLimit=320)),
            x=alt.X("share:Q", stack="normalize", axis=alt.Axis(format="%"), title="share of police-recorded violence"),
            color=alt.Color(
                "part:N",
                scale=alt.Scale(domain=[m[1] for m in MIX], range=[m[2] for m in MIX]),
                legend=alt.Legend(orient="bottom", title=None, columns=3, labelLimit=400),
            ),
            order=alt.Order("order:Q"),
            tooltip=[
                alt.Tooltip("area_name:N", title="area"),
                alt.Tooltip("part:N", title="part"),
                alt.Tooltip("value:Q", title="offences", format=","),
                alt.Tooltip("share:Q", title="share", format=".1%"),
            ],
        )
        .properties(height=34 * len(order) + 40)
        .configure_axis(labelFontSize=font_size, titleFontSize=font_size)
        .configure_legend(labelFontSize=font_size)
    )


def district_trend_chart(wide: pd.DataFrame, *, font_size: int = 13) -> alt.Chart:
    """Monthly records, one line per district, each its own colour (a click on the legend picks one out);
    thousands separated on the axis."""
    long = wide.reset_index().melt(id_vars="month", var_name="District", value_name="Records")
    long["Month"] = [month_words(m) for m in long["month"].astype(str)]  # "Jan 2022" on the axis and tooltips
    order = [month_words(str(m)) for m in wide.index]
    names = list(wide.columns)
    colours = (DISTRICT_COLOURS * (len(names) // len(DISTRICT_COLOURS) + 1))[: len(names)]
    # Thirteen lines share colours a viewer can confuse: a click on a name in the legend picks out its line.
    picked = alt.selection_point(fields=["District"], bind="legend")
    return (
        alt.Chart(long)
        .mark_line(point=True, strokeWidth=2.5)
        .add_params(picked)
        .encode(
            opacity=alt.condition(picked, alt.value(1.0), alt.value(0.12)),
            x=alt.X("Month:O", title="Month", sort=order, axis=alt.Axis(labelAngle=-45)),
            y=alt.Y("Records:Q", title="Records a month", axis=alt.Axis(format=",.0f")),
            color=alt.Color(
                "District:N",
                scale=alt.Scale(domain=names, range=colours),
                legend=alt.Legend(orient="right", labelLimit=260),
            ),
            tooltip=[
                alt.Tooltip("District:N"),
                alt.Tooltip("Month:O"),
                alt.Tooltip("Records:Q", format=","),
            ],
        )
        .properties(height=420)
        .configure_axis(labelFontSize=font_size, titleFontSize=font_size)
        .configure_legend(labelFontSize=font_size, titleFontSize=font_size)
    )


def evaluation_chart(series: pd.DataFrame, *, font_size: int = 14) -> alt.LayerChart:
    """Records a month in the target areas and the buffer, beside what was expected had nothing changed,
    with the start month marked."""
    lines = {
        "targets": "Target areas: recorded",
        "expected": "Target areas: expected had nothing changed",
        "buffer": "Buffer: recorded",
        "buffer_expected": "Buffer: expected",
    }
    frame = series.melt(id_vars=["month"], value_vars=[c for c in lines if series[c].notna().any()])
    frame["line"] = frame["variable"].map(lines)
    frame["date"] = pd.to_datetime(frame["month"] + "-01")
    frame["Month"] = [month_words(m) for m in frame["month"]]
    colours = ["#b2182b", "#b2182b", "#2166ac", "#2166ac"]
    chart = (
        alt.Chart(frame)
        .mark_line(point=True)
        .encode(
            # ticks on the first of each month only (a wide chart put two "Jan 2022" labels off their points)
            x=alt.X("date:T", title=None, axis=alt.Axis(format="%b %Y", tickCount={"interval": "month", "step": 1})),
            y=alt.Y("value:Q", title="records a month"),
            color=alt.Color(
                "line:N",
                scale=alt.Scale(domain=list(lines.values()), range=colours),
                legend=alt.Legend(orient="bottom", title=None, columns=2, labelLimit=400),
            ),
            strokeDash=alt.StrokeDash(
                "line:N",
                scale=alt.Scale(domain=list(lines.values()), range=[[1, 0], [6, 4], [1, 0], [6, 4]]),
                legend=None,
            ),
            tooltip=[
                alt.Tooltip("Month:N"),
                alt.Tooltip("line:N", title="Line"),
                alt.Tooltip("value:Q", title="Records a month", format=",.1f"),
            ],
        )
    )
    start = series.loc[series["after_start"], "month"].iloc[0]
    rule = (
        alt.Chart(pd.DataFrame({"date": [pd.Timestamp(start + "-01")], "label": [f"start {month_words(start)}"]}))
        .mark_rule(color="#444", strokeDash=[2, 2])
        .encode(x="date:T")
    )
    text = rule.mark_text(align="left", dx=4, dy=-8, color="#444").encode(text="label:N", y=alt.value(0))
    return (
        alt.layer(chart, rule, text)
        .properties(height=320)
        .configure_axis(labelFontSize=font_size, titleFontSize=font_size)
        .configure_legend(labelFontSize=font_size)
    )
