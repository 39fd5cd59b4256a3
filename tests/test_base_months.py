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
    label, _, note = view.headline["comparison"]
    assert label == "Change on Jan to Feb 2022" and " a month against " in note and note.endswith(" before")
    assert any("data before Mar 2022" in note and "(Jan to Feb 2022 scaled to 9 months)" in note for note in view.notes)


def test_months_in_a_text_are_written_in_words_and_nothing_else_changes():
    from vrc_geo.base.months import months_in_words

    assert months_in_words("2022-01 to 2023-01") == "Jan 2022 to Jan 2023"
    assert months_in_words("December 2022") == "December 2022"
    assert months_in_words("2023-01-15, 2019/20, 2022-13") == "2023-01-15, 2019/20, 2022-13"


def test_the_data_pages_sources_table_writes_its_periods_in_words(sample_dataset, tmp_path):
    from vrc_geo.outputs.catalogue import source_table

    table = source_table(sample_dataset, project_root=tmp_path).set_index("source")
    in_use = table.filter(like="in use", axis=0)
    assert in_use["period"].iloc[0] == "Jan 2022 to Jan 2023"
    assert in_use["period"].iloc[1].endswith("ward boundaries")
    assert not table["period"].str.contains(r"\d{4}-\d{2}").any()


def test_a_day_in_words():
    from datetime import date

    from vrc_geo.base.months import day_words

    assert day_words(date(2026, 12, 3)) == "3 Dec 2026"


def test_a_count_of_months():
    from vrc_geo.base.months import count_months

    assert [count_months(n) for n in (1, 5, 120)] == ["1 month", "5 months", "120 months"]
