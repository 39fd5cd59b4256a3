"""Tables as the audience reads them: known answers for the formats, and every page's tables checked in
normal and presentation mode (no snake_case header, no four zeros after the point, no scientific notation)."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from test_app_pages import PAGES, app, clean

from ui.tables import auto_format, format_number, plain_header, readable


def test_formats_have_known_answers():
    assert format_number(0.123, "percent") == "12.3%"
    assert format_number(0.00003, "percent") == "0.003%"
    assert format_number(16353.0, "%.0f") == "16,353"
    assert format_number(float("nan"), "%.1f") == ""
    assert auto_format(pd.Series([16353.0, 200.0])) == "%.0f"  # whole numbers: no decimals
    assert auto_format(pd.Series([462.65, 120.5])) == "%.0f"
    assert auto_format(pd.Series([-6.6, 3.25])) == "%.1f"
    assert auto_format(pd.Series([0.00003, 0.0002])) == "%.5f"  # two significant figures, not 3e-05


def test_headers_in_words_and_empty_columns_dropped():
    frame = pd.DataFrame(
        {
            "police_rate_per_1000": [1.5, 2.25],
            "death_or_serious_injury_driving": [1, 2],
            "policeuk_violence_and_sexual_offences": [3, 4],
            "fingertips_rate": [None, None],
            "underreporting_flag": [True, "[c]"],
        }
    )
    shown, _, formats = readable(frame)
    assert list(shown.columns) == [
        "Police violence per 1,000 residents",
        "Death or serious injury driving",
        "police.uk violence and sexual offences",
        "Possible under-reporting",
    ]
    assert list(shown["Possible under-reporting"]) == ["Yes", "[c]"]
    assert formats == {  # counts get thousands separators ("localized" on screen)
        "Police violence per 1,000 residents": "%.1f",
        "Death or serious injury driving": "%.0f",
        "police.uk violence and sexual offences": "%.0f",
    }
    _, _, formats = readable(pd.DataFrame({"year": [2022], "source_line": [12], "police_violence": [15194]}))
    assert formats == {"Police violence": "%.0f"}  # a year and a line number are not counts
    assert plain_header("Already plain") == "Already plain"
    assert plain_header("holds") == "Holds"  # one lower-case word starts with a capital too
    assert plain_header("PAI") == "PAI"


def test_empty_text_columns_are_dropped_whatever_the_string_dtype():
    # pandas 3 reads text as its own ``str`` dtype, not ``object``: a column of blanks must still go.
    frame = pd.DataFrame({"source": ["a", "b"], "retrieved": ["", " "]}).astype({"retrieved": "str"})
    shown, _, _ = readable(frame)
    assert list(shown.columns) == ["Source"]


def test_tables_of_sentences_wrap_on_the_data_page():
    at = app().run()
    at.switch_page("pages/data.py").run()
    clean(at)
    headers = [t.value.index.name for t in at.table]
    assert "Data" in headers  # the licences: every row, its lines wrapped (not a grid cut at 1366 px)
    licences = next(t.value for t in at.table if t.value.index.name == "Data")
    assert list(licences.columns) == ["Publisher", "Licence"] and len(licences) >= 10


_BAD_NUMBER = re.compile(r"\d\.\d*0000\b|\d[eE][+-]\d")


@pytest.mark.parametrize("present", ["", "1"], ids=["normal", "presenting"])
@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.split("/")[-1][:-3])
def test_every_table_on_every_page_reads_plainly(page, present):
    query = {"h": "demo"} | ({"present": present} if present else {})
    at = app(**query).run()
    if page != "pages/overview.py":
        at.switch_page(page).run()
    clean(at)
    for frame in [t.value for t in at.table] + [d.value for d in at.dataframe]:
        headers = [str(c) for c in [frame.index.name, *frame.columns] if c is not None]
        assert not [h for h in headers if re.fullmatch(r"[a-z0-9]+(_[a-z0-9]+)+", h)], headers
    for table in at.table:  # presenting: the numbers are text, as shown
        text = table.value.to_string()
        assert not _BAD_NUMBER.search(text), _BAD_NUMBER.search(text).group(0)
    for m in at.metric:
        assert not _BAD_NUMBER.search(str(m.value)), (m.label, m.value)


def test_a_localized_number_as_text_has_its_thousands_separated():
    from ui.tables import format_number

    assert [format_number(v, "localized") for v in (16347, 16347.0, 1234.56, 7)] == ["16,347", "16,347", "1,234.6", "7"]
