"""What a list row is called on every surface: streets, unnamed points by their ward, wards, sites."""

from __future__ import annotations

from vrc_geo.hotspots.footprint import UNNAMED, place_label, row_place


def test_place_label_names_unnamed_points_by_their_ward():
    assert place_label("Bank Street (151); High Street (20)", "High Street") == "Bank Street"
    assert place_label(f"{UNNAMED} (25); Mill Road (3)", "Cliftonville West; Margate Central") == (
        "unnamed point, Cliftonville West ward"
    )
    assert place_label(UNNAMED, "") == "unnamed point"
    assert place_label(float("nan"), float("nan")) == "unnamed point"


def test_row_place_says_what_each_kind_of_row_is():
    assert row_place("ward", f"{UNNAMED} (257); High Street (92)", "River", "") == "River ward"
    site = "HM Prison Swaleside — prison / young offender institution, 0 m from its snap point (MoJ 2022)"
    assert row_place("site", "Prison (117)", "Sheppey Central", site) == "HM Prison Swaleside"
    assert row_place("site", "Laurence Rise (139)", "Newtown", "") == "Laurence Rise"  # no register named it
    assert row_place("place", f"{UNNAMED} (12)", "Thanet Villages", "") == "unnamed point, Thanet Villages ward"
