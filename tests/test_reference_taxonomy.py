"""Crime types and groups."""

import pytest

from vrc_geo.errors import ParameterError
from vrc_geo.reference.taxonomy import ASB, CRIME_TYPES, GROUPS, crime_group, resolve_crime_types


def test_fourteen_categories_each_in_one_group():
    assert len(CRIME_TYPES) == 14
    members = [t for types in GROUPS.values() for t in types]
    assert sorted(members) == sorted(CRIME_TYPES)
    assert crime_group(ASB) == "asb"
    assert crime_group("Violent crime") == "violence"
    assert crime_group("Nonsense") is None


def test_groups_selections_and_categories():
    assert resolve_crime_types("drugs") == ["Drugs"]
    assert resolve_crime_types("violence") == ["Violence and sexual offences", "Violent crime"]
    assert resolve_crime_types("serious_violence") == [
        "Violence and sexual offences",
        "Robbery",
        "Possession of weapons",
        "Violent crime",
    ]
    assert ASB not in resolve_crime_types("crime")
    assert len(resolve_crime_types("all")) == 16
    assert resolve_crime_types(["shoplifting", "Shoplifting"]) == ["Shoplifting"]
    assert resolve_crime_types("Serious Violence")[0] == "Violence and sexual offences"
    assert resolve_crime_types(None) is None


def test_unknown_type_lists_allowed():
    with pytest.raises(ParameterError, match=r"Unknown crime type or group 'knife'.*serious_violence"):
        resolve_crime_types("knife")
    with pytest.raises(TypeError):
        resolve_crime_types([3])
