"""Row accounting balances, by file and by month."""

import pandas as pd
import pytest

from vrc_geo.dataset.reconcile import Reconciliation, reconcile


def test_unbalanced_accounting_raises():
    with pytest.raises(RuntimeError, match="does not balance"):
        Reconciliation(
            rows_read=5,
            in_area=3,
            outside_area=0,
            no_location=0,
            rejected={"x": 1},
            in_area_crimes=3,
            in_area_asb=0,
            placement={},
            by_file=pd.DataFrame(),
            by_month=pd.DataFrame(),
        )


def test_counts_by_file_and_month():
    records = pd.DataFrame(
        {
            "status": pd.Categorical(["in_area", "in_area", "outside_area", "no_location"]),
            "placement": pd.Categorical(["point", "lsoa", "outside", "no_location"]),
            "crime_type": pd.Categorical(["Drugs", "Anti-social behaviour", "Drugs", "Drugs"]),
            "month": pd.Categorical(["2022-01", "2022-02", "2022-01", "2022-02"]),
            "source_file": pd.Categorical(["a", "a", "b", "b"]),
            "source_line": [2, 3, 2, 3],
        }
    )
    rejects = pd.DataFrame({"source_file": ["b"], "source_line": [4], "reason": ["bad"], "text": [""]})
    files = pd.DataFrame({"file": ["a", "b"], "rows_read": [2, 3], "encoding": ["utf-8", "utf-8"]})
    rec = reconcile(records, rejects, files)
    assert rec.to_dict()["rows_read"] == 5
    assert (rec.in_area, rec.outside_area, rec.no_location, rec.rejected) == (2, 1, 1, {"bad": 1})
    assert (rec.in_area_crimes, rec.in_area_asb) == (1, 1)
    by_file = rec.by_file.set_index("file")
    assert by_file.loc["b", ["outside_area", "no_location", "rejected"]].tolist() == [1, 1, 1]
    assert rec.by_month.set_index("month")["rows"].to_dict() == {"2022-01": 2, "2022-02": 2}
    assert rec.table()["rows"].iloc[-1] == 5
