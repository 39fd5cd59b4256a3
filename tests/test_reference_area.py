"""District names and codes, old names included."""

import pytest

from vrc_geo.errors import ParameterError
from vrc_geo.reference.area import DISTRICTS, district_name, resolve_districts


def test_thirteen_districts():
    assert len(DISTRICTS) == 13
    assert district_name("E07000112") == "Folkestone and Hythe"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("Shepway", "E07000112"),
        ("folkestone & hythe", "E07000112"),
        ("Folkestone and Hythe", "E07000112"),
        ("e06000035", "E06000035"),
        ("MEDWAY", "E06000035"),
        ("Tonbridge & Malling", "E07000115"),
        ("tunbridge-wells", "E07000116"),
    ],
)
def test_names_and_codes_resolve(value, code):
    assert resolve_districts(value) == [code]


def test_all_means_no_filter_and_duplicates_collapse():
    assert resolve_districts(None) is None
    assert resolve_districts(["all"]) is None
    assert resolve_districts(["Thanet", "E07000114"]) == ["E07000114"]


def test_unknown_district_lists_allowed_values():
    with pytest.raises(ParameterError, match=r"Unknown district 'Bexley'.*Thanet \(E07000114\)"):
        resolve_districts(["Bexley"])
    with pytest.raises(TypeError):
        resolve_districts([42])
