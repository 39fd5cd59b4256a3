"""``text_of`` gives what ``astype(str)`` gives, for categories and for plain columns."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from vrc_geo.base.categories import text_of


@pytest.mark.parametrize(
    "values",
    [
        pd.Series(pd.Categorical(["2022-02", None, "2022-01", "2022-02"], categories=["2022-01", "2022-02", "x"])),
        pd.Series(pd.Categorical([1, None, 2])),
        pd.Series(["a", None, "b"]),
        pd.Series([1.5, np.nan, 2.0]),
        pd.Series(pd.Categorical([], categories=["a"])),
    ],
    ids=["months", "numbers", "text", "floats", "empty"],
)
def test_text_of_matches_astype_str(values):
    got, want = text_of(values), values.astype(str).to_numpy()
    assert got.dtype == object and len(got) == len(want)
    assert [None if v != v else v for v in got] == [None if v != v else v for v in want]  # v != v: NaN


def test_unused_categories_and_missing_values():
    months = pd.Series(pd.Categorical(["2022-03", None], categories=["2022-01", "2022-03"]))
    assert text_of(months)[0] == "2022-03" and text_of(months)[1] != text_of(months)[1]
