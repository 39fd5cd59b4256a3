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


def test_kent_and_medway_is_the_default_profile():
    from vrc_geo.reference.area import AREA, load_area

    assert AREA.name == "Kent & Medway" and AREA.force == "kent" and AREA.slug == "kent-medway"
    assert load_area("kent-medway").districts == DISTRICTS
    assert AREA.bundle.name == "kent" and AREA.bundle.parent.name == "data"


def test_an_unknown_or_broken_profile_is_refused(tmp_path):
    from vrc_geo.reference.area import load_area

    with pytest.raises(ParameterError, match="No area profile 'atlantis'.*kent-medway"):
        load_area("atlantis")
    broken = tmp_path / "broken.toml"
    broken.write_text('name = "Nowhere"\nforce = "x"\n[districts]\nnot_a_code = "X"\n')
    with pytest.raises(ParameterError, match="not usable"):
        load_area(broken)


def test_another_area_is_a_new_profile_not_an_edit(tmp_path, tiny_wards, make_police_csv):
    """A made-up two-district area read through VRC_GEO_AREA: the CLI names it, counts its districts only
    and takes its force's name, with no code changed."""
    import os
    import subprocess
    import sys

    from conftest import ROOT, police_row

    profile = tmp_path / "mid-kent-test.toml"
    profile.write_text(
        'name = "Mid Kent Test Area"\nslug = "mid-kent-test"\nforce = "kent"\nforce_name = "Test Police"\n'
        'bundle = "nowhere"\n[districts]\nE07000110 = "Maidstone"\nE07000105 = "Ashford"\n'
        '[aliases]\n"county town" = "E07000110"\n'
    )
    crimes = make_police_csv([police_row(x=575500, y=155500), police_row(x=576500, y=156500)])
    env = {**os.environ, "VRC_GEO_AREA": str(profile)}
    run = subprocess.run(
        [sys.executable, "-m", "vrc_geo", "summary", "--crimes", str(crimes), "--boundaries", str(tiny_wards)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert "In a Mid Kent Test Area ward" in run.stdout
    assert "Canterbury" not in run.stdout and "Maidstone" in run.stdout
    picked = subprocess.run(
        [sys.executable, "-c", "from vrc_geo.reference.area import resolve_districts as r; print(r('county town'))"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=True,
    )
    assert picked.stdout.strip() == "['E07000110']"
