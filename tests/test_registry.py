"""Extending the tool is one module plus one registration: a toy ranking method and a toy data source,
added through the registries, appear in the CLI's help, the app's method list and the Data page's
licences, and the toy method really ranks the places (the walkthrough of docs/contributing.md)."""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest
from test_app_pages import APP, clean
from test_hotspots_places import LAND, MONTHS, planted

from vrc_geo.base.params import Estimator, Param
from vrc_geo.cli import main
from vrc_geo.hotspots import methods
from vrc_geo.hotspots.places import find_places
from vrc_geo.reference import sources


class RecentCounts(Estimator):
    """Toy method: records a month at each snap point over the last ``months`` months (no smoothing)."""

    params: ClassVar[dict[str, Param]] = {
        "months": Param(low=1, high=120, integer=True, default=3, help="months counted back from the latest"),
    }

    def fit(self, x, y, period, *, n_periods, weight=None, context=None):  # noqa: ARG002
        self._validate()
        recent = np.asarray(period) >= n_periods - self.months
        frame = pd.DataFrame({"x": x, "y": y, "recent": recent.astype(float)})
        places = frame.groupby(["x", "y"], sort=True).agg(records=("recent", "size"), hits=("recent", "sum"))
        places["expected_per_month"] = places["hits"] / min(self.months, n_periods)
        self.places_ = places.drop(columns="hits").reset_index()
        return self


TOY = methods.RankingMethod(
    key="recent-counts",
    label="Recent counts (toy example)",
    estimator="test_registry:RecentCounts",
    summary="Records a month over the last three months, nothing else.",
    docs="docs/contributing.md",
)


@pytest.fixture
def toy_method(monkeypatch):
    monkeypatch.setitem(methods.METHODS, TOY.key, TOY)
    return TOY


def test_the_toy_method_is_in_the_cli_help(toy_method, capsys):
    with pytest.raises(SystemExit):
        main(["hotspots", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "--method {expected,learned,recent-counts}" in out
    assert "recent-counts: Records a month over the last three months" in out


def test_the_toy_method_ranks_the_places(toy_method):
    records = planted()
    places = find_places(records, months=MONTHS, land=LAND, method="recent-counts")
    points = places.points.set_index(["x", "y"])
    last3 = records[records["month"].isin(MONTHS[-3:])].groupby(["x", "y"]).size() / 3
    # The estimates the circles were placed on are the toy's: last three months' records a month.
    assert np.allclose(points.loc[last3.index, "estimate_per_month"], last3.to_numpy())
    assert (places.footprints["kind"] == "place").any()
    with pytest.raises(Exception, match="method must be one of"):
        find_places(records, months=MONTHS, land=LAND, method="no-such-method")


def test_the_toy_method_is_in_the_apps_method_list(toy_method):
    at = AppTest.from_file(APP, default_timeout=180).run()
    at.switch_page("pages/hotspots.py").run()
    clean(at)
    box = next(s for s in at.selectbox if s.label == "Ranking method")
    assert "Recent counts (toy example)" in box.options
    assert box.value == methods.METHODS["expected"].label


def test_a_toy_source_is_listed_with_its_licence(monkeypatch):
    from vrc_geo.outputs.catalogue import licence_table

    toy = sources.DataSource(
        key="street-lights",
        label="Street lighting columns (toy example)",
        publisher="A county council",
        licence="ogl",
        folder="data/street_lights",
        reader="vrc_geo.io.reference:newest_file",
    )
    monkeypatch.setitem(sources.SOURCES, toy.key, toy)
    table = licence_table()
    assert table.iloc[-1].tolist() == ["Street lighting columns (toy example)", "A county council", toy.licence_text]
