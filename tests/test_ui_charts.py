"""Chart axes read as a person reads numbers (``ui.charts``)."""

from __future__ import annotations

import pandas as pd

from ui import charts


def test_the_trend_axis_writes_whole_records_with_separators_not_scientific_notation():
    """Vega-Lite's bare "," format is given a precision from the tick step: 1,600 came out as "1.6e+3"."""
    wide = pd.DataFrame({"Medway": [1320, 1405], "Thanet": [760, 820]}, index=pd.Index(["2022-01", "2022-02"]))
    wide.index.name = "month"
    spec = charts.district_trend_chart(wide).to_dict()
    assert spec["encoding"]["y"]["axis"]["format"] == ",.0f"


def test_a_click_on_the_legend_picks_out_one_district():
    """Thirteen districts share colours a viewer can confuse: the legend selects, the rest fade."""
    wide = pd.DataFrame(
        {"Gravesham": [400, 410], "Tunbridge Wells": [390, 420]}, index=pd.Index(["2022-01", "2022-02"])
    )
    wide.index.name = "month"
    spec = charts.district_trend_chart(wide).to_dict()
    (param,) = spec["params"]
    assert param["bind"] == "legend" and param["select"]["fields"] == ["District"]
    assert spec["encoding"]["opacity"]["condition"]["param"] == param["name"]


def test_the_evaluation_axis_ticks_on_the_first_of_each_month():
    """A wide chart ticked mid-month and wrote "Jan 2022" twice, its labels off their points."""
    months = [f"2022-{m:02d}" for m in range(1, 13)]
    series = pd.DataFrame({"month": months, "targets": 10.0, "expected": 11.0, "buffer": 3.0, "buffer_expected": 3.0})
    series["after_start"] = [m >= "2022-09" for m in months]
    spec = charts.evaluation_chart(series).to_dict()
    axis = spec["layer"][0]["encoding"]["x"]["axis"]
    assert axis["tickCount"] == {"interval": "month", "step": 1} and axis["format"] == "%b %Y"
