"""The briefing's places to patrol sit under their patrol zones: every zone a listed place is in is named
once, with the figures of the zone list, and the largest zones are named beside them (issue: the zones
table named three zones while the places below sat in others)."""

from __future__ import annotations

import re

import pytest

from vrc_geo.dataset.aggregate import Selection, make_selection
from vrc_geo.hotspots.service import hotspots_for
from vrc_geo.outputs.briefing import briefing_html, build_briefing


@pytest.fixture(scope="module")
def county(sample_dataset):
    selection = make_selection(crime_types=["violence"])
    bundle = hotspots_for(sample_dataset, Selection(selection.start, selection.end, None, None), backtest=False)
    brief = build_briefing(sample_dataset, selection, measure="count", describe="", hotspots=bundle)
    return brief, bundle.result.zones, briefing_html(brief)


def test_every_zone_of_a_listed_place_is_named_once_in_the_order_of_its_first_place(county):
    brief, zones, page = county
    listed = list(dict.fromkeys(brief.hotspots["zone"]))
    assert list(brief.zones["zone"]) == listed
    named = re.findall(r"<tr class='zone'><td colspan='\d+'><b>(Z\d{3}) ", page)
    assert named == listed
    by_id = zones.set_index("zone_id")
    for row in brief.zones.itertuples(index=False):
        assert row.where == by_id.loc[row.zone, "zone_name"]
        assert row.places == by_id.loc[row.zone, "places"]
        assert row.expected.startswith(f"{by_id.loc[row.zone, 'expected_per_month']:.0f} (")


def test_the_places_keep_the_lists_order_and_figures_under_their_zones(county):
    brief, _, page = county
    ranks = [int(r) for r in re.findall(r"<tr><td>(\d+)</td>", page)]
    assert sorted(ranks) == list(brief.hotspots["#"])  # each listed place once
    for zone, places in brief.hotspots.groupby("zone", sort=False):
        block = page.split(f"<b>{zone} ")[1].split("<tr class='zone'>")[0]
        assert [int(r) for r in re.findall(r"<tr><td>(\d+)</td>", block)] == list(places["#"])


def test_the_largest_zones_are_named_by_district_and_ward(county):
    brief, zones, page = county
    first = zones.iloc[0]
    assert brief.largest_zones.startswith(f"Largest patrol zones: Z001 {first['zone_name'].split(':')[0]} (about ")
    assert brief.largest_zones in page.replace("&#x27;", "'")


def test_two_largest_zones_in_one_ward_are_told_apart_by_their_streets():
    import pandas as pd

    from vrc_geo.outputs.briefing import _zones_in_brief

    zones = pd.DataFrame(
        {
            "zone_id": ["Z001", "Z002", "Z003"],
            "zone_name": [
                "Thanet, Margate Central: High Street and Cecil Street",
                "Medway, Chatham Central: High Street",
                "Thanet, Margate Central: Marine Terrace",
            ],
            "places": [3, 2, 2],
            "expected_per_month": [30.0, 20.0, 10.0],
            "expected_low": [25, 15, 6],
            "expected_high": [35, 25, 14],
            "drug_related": [True, False, False],
        }
    )
    _, sentence = _zones_in_brief(zones, pd.DataFrame({"zone_id": ["Z001"]}))
    assert sentence == (
        "Largest patrol zones: Z001 Thanet, Margate Central: High Street and Cecil Street (about 30 a month); "
        "Z002 Medway, Chatham Central (about 20 a month); Z003 Thanet, Margate Central: Marine Terrace (about 10 "
        "a month). Every zone is in the exports."
    )


def test_rows_in_no_zone_are_listed_after_the_zones_never_dropped():
    import pandas as pd

    from vrc_geo.outputs.briefing import _by_zone

    zones = pd.DataFrame(
        {"zone": ["Z002"], "where": ["Dover, Castle"], "places": [3], "expected": ["9 (4-15)"], "drug": ["no"]}
    )
    places = pd.DataFrame({"#": [1, 2, 3], "zone": ["Z002", "", "Z002"], "where (busiest place)": ["A", "B ward", "C"]})
    page = _by_zone(zones, places)
    assert re.findall(r"<td>(\d)</td>", page) == ["1", "3", "2"]
    assert page.index("Not in a patrol zone") < page.index("<td>2</td>")


def test_an_evaluation_in_the_briefing_names_its_target_areas(sample_dataset):
    """The briefing's selection may be the whole county: the answer says which areas it is about."""
    import pandas as pd

    from vrc_geo.outputs.briefing import _evaluation_words

    class Answer:
        table = pd.DataFrame({"area": ["Margate Central (E05005093)", "Cliftonville West (E05005088)", "all"]})

        def sentence(self) -> str:
            return "No clear change."

    words = _evaluation_words(Answer())
    assert words == "Target areas: Margate Central (E05005093); Cliftonville West (E05005088). No clear change."
