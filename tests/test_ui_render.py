"""Reading a map click from a pydeck chart's selection (ui/render.py)."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd

from ui.render import picked, picked_any

WARD = {"type": "Feature", "properties": {"code": "E05009999", "name": "Abbey"}, "geometry": None}


def _event(objects: dict) -> dict:
    return {"selection": {"indices": {k: [0] for k in objects}, "objects": objects}}


def test_the_clicked_property_of_the_named_layer():
    event = _event({"wards": [WARD]})
    assert picked(event, "wards", "code") == "E05009999"
    assert picked(event, "zones", "zone_id") is None  # another layer's click is not this one's
    assert picked(SimpleNamespace(selection=event["selection"]), "wards", "code") == "E05009999"
    assert picked(_event({"zones": [{"zone_id": "Z3"}]}), "zones", "zone_id") == "Z3"  # plain objects too


def test_any_click_is_told_apart_from_none():
    # a ward clicked on the Hotspots map is no zone, but the chart must still restart (Streamlit would
    # otherwise keep every other shape faded)
    assert picked_any(_event({"wards": [WARD]}))
    assert picked_any(_event({"markers": [{"name": "#1"}]}))
    for nothing in (None, {}, {"selection": {}}, _event({}), _event({"wards": []}), {"selection": "odd"}):
        assert not picked_any(nothing)
        assert picked(nothing, "wards", "code") is None


def test_numbers_in_a_mixed_column_read_in_the_decimals_their_size_needs():
    from ui.render import mixed_text

    # A rate beside a suppressed cell: two significant figures of its typical size, never 0.312.
    assert mixed_text(pd.Series([0.312, "[c]", 1.25, None, float("nan")], dtype=object)) == [
        "0.31",
        "[c]",
        "1.25",
        "",
        "",
    ]
    assert mixed_text(pd.Series([12, "[c]", 2022], dtype=object)) == ["12", "[c]", "2022"]  # whole: as they are
    assert mixed_text(pd.Series([1234.5, "x"], dtype=object)) == ["1,234", "x"]


def test_a_part_of_a_table_keeps_the_decimals_of_the_whole():
    """The flagged wards are a few rows of the table of all wards: a ward's rate reads the same in both
    (on its own the part would pick its own decimals, 3 against 3.0)."""
    from ui.render import mixed_text

    whole = pd.Series([3.0, "[c]", 0.35, 12.0], dtype=object)
    part = pd.Series([3.0, 12.0], dtype=object)
    assert mixed_text(part) == ["3", "12"]  # on its own
    assert mixed_text(part, decimals_from=whole) == ["3.0", "12.0"] == [mixed_text(whole)[i] for i in (0, 3)]
