"""The ward table of a boundary source (vrc_geo/dataset/ward_table.py): populations joined once, each caller
given a table of its own."""

from __future__ import annotations


def test_with_population_is_built_once_and_each_copy_is_its_own(sample_dataset):
    table = sample_dataset.wards
    first = table.with_population()
    assert {"population", "population_source"} <= set(first.columns)
    assert len(first) == len(table.wards) and first["population"].notna().all()
    total, name = float(first["population"].sum()), first["name"].iloc[0]
    first["population"] = 0  # a caller changing its copy...
    first.loc[first.index[0], "name"] = "changed"
    again = table.with_population()
    assert float(again["population"].sum()) == total  # ...changes nobody else's
    assert again["name"].iloc[0] == name and table.wards["name"].iloc[0] == name
    assert "population" not in table.wards.columns  # the plain table stays as it was
