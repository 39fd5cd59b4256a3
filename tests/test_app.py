"""Streamlit AppTest of the app's entry page on the sample data."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def test_app_opens_on_the_sample_without_errors():
    at = AppTest.from_file("../app.py", default_timeout=120).run()
    assert not at.exception
    assert not at.error
    assert at.metric[0].value == "183,399"
