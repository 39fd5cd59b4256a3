"""Institutional sites: the word list, the street rule, neighbours of named sites, blank locations."""

from __future__ import annotations

import pandas as pd
import pytest

from vrc_geo.errors import ParameterError
from vrc_geo.hotspots import classify_sites
from vrc_geo.hotspots.snap.sites import place_name, site_of_name
from vrc_geo.reference.kinds import SITE_LABELS


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("Police Station", "police"),
        ("Medway Police Station", "police"),
        ("Margate Police Station/Odell House", "police"),
        ("West Malling Police Office", "police"),
        ("Custody Suite", "police"),
        ("Prison", "prison"),
        ("HMP Elmley", "prison"),
        ("Cookham Wood Road", "prison"),
        ("Young Offenders Institution", "prison"),
        ("Hospital", "hospital"),
        ("Kent And Canterbury Hospital", "hospital"),
        ("Ferry Terminal", "port"),
        ("Dover Western Docks", "port"),
        ("Channel Tunnel Terminal", "port"),
        ("Escape Lane", "port"),
        # Streets named after an institution, and look-alikes, are not institutions.
        ("Hospital Road", ""),
        ("Hospital Hill", ""),
        ("Prison Lane", ""),
        ("Portland Road", ""),
        ("Harbour Street", ""),
        ("Dock Head Road", ""),
        ("Petrol Station", ""),
        ("Bus/Coach Station", ""),
        ("High Street", ""),
        ("", ""),
    ],
)
def test_word_list(name, kind):
    assert site_of_name(name) == kind


def test_place_name():
    assert place_name("On or near High Street") == "High Street"
    assert place_name("On or near ") == ""
    assert place_name(None) == ""
    assert place_name(float("nan")) == ""


def test_place_name_mends_police_uk_title_casing():
    """police.uk writes "Packer'S Lane": the audience reads "Packer's Lane"; other apostrophes stay."""
    assert place_name("On or near Packer'S Lane") == "Packer's Lane"
    assert place_name("On or near St James'S Road") == "St James's Road"
    assert place_name("On or near All Saints' Road") == "All Saints' Road"
    assert place_name("On or near O'Sullivan Close") == "O'Sullivan Close"


def _places(rows):
    return pd.DataFrame(rows, columns=["x", "y", "name", "records", "crime_records"])


def test_the_rules_one_by_one():
    places = _places(
        [
            # A named prison and, 60 m away, the dominant street at its gate (rule 2, campus radius).
            (0, 0, "Prison", 50, 60),
            (60, 0, "Gate Close", 120, 130),
            # A hospital with an unnamed point 200 m off on its campus (rule 2, blank, campus radius).
            (5000, 0, "Hospital", 30, 40),
            (5200, 0, "", 10, 12),
            # A police station in a busy street: the busy, non-dominant street 80 m off stays a street.
            (10000, 0, "Police Station", 20, 25),
            (10080, 0, "High Street", 40, 200),
            (10120, 0, "Market Street", 45, 220),
            # A street 30 m from the police station touches it (rule 4).
            (9970, 0, "Station Road", 15, 40),
            # An unnamed point dominating quiet surroundings, mostly violence: a blank site (rule 3).
            (20000, 0, "", 80, 95),
            (20090, 0, "Quiet Lane", 2, 6),
            # An unnamed shopping centre: dominant but mostly shoplifting, so a street place.
            (30000, 0, "", 60, 700),
            # An unnamed point inside a busy street area: not dominant, a street place.
            (40000, 0, "", 20, 30),
            (40050, 0, "Bank Street", 60, 90),
        ]
    )
    kinds = classify_sites(places).tolist()
    assert kinds == [
        "prison",
        "prison",
        "hospital",
        "hospital",
        "police",
        "",
        "",
        "police",
        "blank",
        "",
        "",
        "",
        "",
    ]
    assert set(SITE_LABELS) >= {k for k in kinds if k}


def test_any_name_at_a_coordinate_counts():
    places = pd.DataFrame({"x": [0.0], "y": [0.0], "name": [""], "all_names": ["|Police Station"], "records": [40]})
    assert classify_sites(places).tolist() == ["police"]


def test_bad_arguments():
    places = _places([(0, 0, "", 1, 1)])
    with pytest.raises(ParameterError, match="dominance"):
        classify_sites(places, dominance=2)
    with pytest.raises(ParameterError, match="site_radius_m"):
        classify_sites(places, site_radius_m=-1)
    assert classify_sites(places.iloc[:0]).tolist() == []


def test_the_sites_of_every_month_are_worked_out_once_per_history(monkeypatch):
    from vrc_geo.hotspots.snap import site_types

    history_records = pd.DataFrame(
        {
            "x": [1000.0, 1000.0, 5000.0, 5000.0],
            "y": [1000.0, 1000.0, 5000.0, 5000.0],
            "month": ["2022-01", "2022-02", "2022-01", "2022-02"],
            "location": ["On or near Hospital"] * 2 + ["On or near High Street"] * 2,
            "crime_type": ["Violence and sexual offences"] * 4,
        }
    )
    runs = []
    real = site_types.snap_point_sites
    monkeypatch.setattr(site_types, "snap_point_sites", lambda *a, **k: runs.append(k["months"]) or real(*a, **k))
    monkeypatch.setattr(site_types, "_HISTORY_SITES", site_types.KeptResults(8))
    history = site_types.SiteHistory(history_records, None, ["2022-01", "2022-02"], key=("test", None))
    key = pd.MultiIndex.from_tuples([(1000.0, 1000.0), (5000.0, 5000.0)], names=["x", "y"])
    first = site_types.label_points(key, history_records.iloc[[0, 2]], months=["2022-01"], history=history)
    second = site_types.label_points(key, history_records.iloc[[1, 3]], months=["2022-02"], history=history)
    # the selection's own run each time; the history's once
    assert runs == [["2022-01"], ["2022-01", "2022-02"], ["2022-02"]]
    assert list(first.site_type) == list(second.site_type)
    assert first.site_type[0] != "" and first.site_type[1] == ""
    unkept = site_types.SiteHistory(history_records, None, ["2022-01", "2022-02"])  # no key: never kept
    site_types.label_points(key, history_records.iloc[[0, 2]], months=["2022-01"], history=unkept)
    site_types.label_points(key, history_records.iloc[[0, 2]], months=["2022-01"], history=unkept)
    assert len(runs) == 7
