"""The views' settings (``ui.state``)."""

from __future__ import annotations

from ui import state


def test_how_many_steps_through_round_numbers_then_all():
    assert state.top_choices(1613) == [5, 10, 20, 30, 50, 100, 200, 500, 1000, 1613]
    assert state.top_choices(30) == [5, 10, 20, 30]
    assert state.top_choices(7) == [5, 7]
    assert state.top_choices(1) == [1]
    assert state.top_choices(0) == []
