"""Months in words: the labels people read on screens and in the briefing."""

import pytest

from vrc_geo.base.months import month_words, period_words


@pytest.mark.parametrize(
    ("label", "words"),
    [("2022-01", "Jan 2022"), ("2023-12", "Dec 2023"), ("2022-13", "2022-13"), ("Jan", "Jan"), ("", "")],
)
def test_month_words(label, words):
    assert month_words(label) == words


@pytest.mark.parametrize(
    ("start", "end", "words"),
    [
        ("2022-01", "2022-01", "Jan 2022"),
        ("2022-01", "2022-12", "Jan to Dec 2022"),
        ("2022-11", "2023-01", "Nov 2022 to Jan 2023"),
        ("2022-01", "2023-01", "Jan 2022 to Jan 2023"),
    ],
)
def test_period_words(start, end, words):
    assert period_words(start, end) == words


def test_the_overview_writes_its_periods_in_words(sample_dataset):
    from vrc_geo.dataset.aggregate import make_selection
    from vrc_geo.outputs.views import ward_view

    view = ward_view(sample_dataset, make_selection(start="2022-03", end="2022-11"), "change")
    assert view.period == "Mar to Nov 2022"
    assert view.previous == "Jan to Feb 2022 (monthly average)"  # only two months before it in the data
    assert view.headline["comparison"][0] == "Change on Jan to Feb 2022 (monthly average)"
    assert any("data before Mar 2022" in note and "(Jan to Feb 2022 scaled to 9 months)" in note for note in view.notes)
