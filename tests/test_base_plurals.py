"""Counts in sentences: singular or plural, never "(s)"."""

from __future__ import annotations

from vrc_geo.base.plurals import counted


def test_a_count_takes_the_noun_it_needs():
    assert counted(1, "record") == "1 record"
    assert counted(9, "record") == "9 records"
    assert counted(0, "area") == "0 areas"
    assert counted(12_345, "snap point") == "12,345 snap points"
    assert counted(2, "police station") == "2 police stations"
    assert counted(3, "child", "children") == "3 children"
