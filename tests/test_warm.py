"""The opening views worked out before the server lets anyone in are the ones the pages then read."""

from __future__ import annotations

import pytest
import streamlit as st
from test_app_pages import app, clean

import vrc_geo.hotspots.service
import vrc_geo.outputs.views
from ui.state import opening_view
from ui.warm import warm_opening_views


def test_the_opening_view_is_the_sidebars_default():
    view = opening_view([f"2022-{m:02d}" for m in range(1, 13)])
    assert (view.start, view.end, view.districts, view.measure) == ("2022-01", "2022-12", (), "count")
    assert view.hotspot_params == ()


def test_pages_find_their_opening_views_ready(monkeypatch, capsys):
    st.cache_resource.clear()  # nothing left from other tests' pages: what is ready now is the warm-up's
    assert warm_opening_views() > 0
    assert "not prepared" not in capsys.readouterr().err

    def computed_again(*args, **kwargs):
        raise AssertionError("worked out again: the warm-up built a different view than the page asks for")

    # The pages' first runs must be served from the shared caches: the computations themselves are gone.
    monkeypatch.setattr(vrc_geo.hotspots.service, "hotspots_for", computed_again)
    monkeypatch.setattr(vrc_geo.outputs.views, "ward_view", computed_again)
    at = app().run()
    clean(at)
    at.switch_page("pages/hotspots.py").run()
    clean(at)
    assert at.title[0].value == "Violence hotspots"
    # ...and a view nobody opened first is still worked out (here: refused by the stand-in).
    other = app(d="E07000114").run()
    assert other.exception or other.error


@pytest.mark.parametrize("args", [["--data-dir", "/nonexistent/vrc"], ["--crimes", "/nonexistent/a.csv"]])
def test_a_warm_up_that_cannot_load_says_so_and_lets_the_server_start(args, capsys):
    assert warm_opening_views(args) >= 0
    assert "Opening views not prepared" in capsys.readouterr().err
