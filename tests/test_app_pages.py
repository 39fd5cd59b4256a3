"""Streamlit AppTest of every page on the sample data: no errors, right numbers, URL state, downloads."""

from __future__ import annotations

import io
import logging
import warnings
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from vrc_geo.cli import main

APP = str(Path(__file__).resolve().parents[1] / "app.py")
PAGES = [
    "pages/overview.py",
    "pages/hotspots.py",
    "pages/health.py",
    "pages/violence.py",
    "pages/trends.py",
    "pages/evaluate.py",
    "pages/briefing.py",
    "pages/data.py",
]
VIOLENCE = "Violence and sexual offences"


def app(**query: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    for key, value in query.items():
        at.query_params[key] = value
    return at


def clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def q(at: AppTest, key: str) -> str:
    value = at.query_params[key]
    return value[0] if isinstance(value, list) else value


def metric(at: AppTest, label_start: str) -> str:
    return next(m.value for m in at.metric if m.label.startswith(label_start))


class _Recorder(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs_cleanly(page):
    """Every page draws without an error, and neither Streamlit nor Python warns of a deprecated call."""
    recorder = _Recorder()
    loggers = [logging.getLogger(n) for n in list(logging.Logger.manager.loggerDict) if n.startswith("streamlit")]
    loggers.append(logging.getLogger("streamlit.deprecation_util"))
    for logger in loggers:
        logger.addHandler(recorder)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            at = app(h="demo").run()
            if page != PAGES[0]:
                at.switch_page(page).run()
    finally:
        for logger in loggers:
            logger.removeHandler(recorder)
    clean(at)
    assert at.title, page
    deprecated = [m for m in recorder.messages if "deprecat" in m.lower() or "will be removed" in m.lower()]
    deprecated += [str(w.message) for w in caught if issubclass(w.category, DeprecationWarning | FutureWarning)]
    deprecated = [m for m in deprecated if "conditional randomization" not in m]  # esda's note, not a call of ours
    assert not deprecated, deprecated


def _violence(sample_dataset, district=None, start=None, end=None) -> int:
    r = sample_dataset.records
    mask = (r["status"].astype(str) == "in_area") & (r["crime_type"].astype(str) == VIOLENCE)
    if district:
        mask &= r["district_code"].astype(str) == district
    month = r["month"].astype(str)
    if start:
        mask &= month >= start
    if end:
        mask &= month <= end
    return int(mask.sum())


def test_district_filter_changes_the_figures(sample_dataset):
    at = app().run()
    clean(at)
    assert metric(at, "Records") == f"{_violence(sample_dataset):,}"
    at.multiselect(key="f_districts").set_value(["Thanet"]).run()
    clean(at)
    assert metric(at, "Records") == f"{_violence(sample_dataset, 'E07000114'):,}"
    assert q(at, "d") == "E07000114"


def test_url_state_round_trips(sample_dataset):
    at = app(d="E07000114,E06000035", **{"from": "2022-06", "to": "2022-09"}, m="rate").run()
    clean(at)
    assert at.multiselect(key="f_districts").value == ["Medway", "Thanet"] or set(
        at.multiselect(key="f_districts").value
    ) == {"Medway", "Thanet"}
    assert at.select_slider(key="f_period").value == ("2022-06", "2022-09")
    assert at.radio(key="f_measure").value == "Rate per 1,000 residents"
    expected = _violence(sample_dataset, "E07000114", "2022-06", "2022-09") + _violence(
        sample_dataset, "E06000035", "2022-06", "2022-09"
    )
    assert metric(at, "Records") == f"{expected:,}"
    at.radio(key="f_measure").set_value("Change on previous period").run()
    clean(at)
    assert q(at, "m") == "change"
    assert q(at, "from") == "2022-06"
    assert set(q(at, "d").split(",")) == {"E07000114", "E06000035"}
    # The change measure compares with 2022-02..2022-05, which the data holds.
    assert "%" in metric(at, "Change on")


def test_bad_url_values_fall_back_with_a_warning():
    at = app(d="E99999999", m="sideways", **{"from": "1999-01"}).run()
    clean(at)
    assert any("defaults are used" in w.value for w in at.warning)
    assert at.radio(key="f_measure").value == "Count"


def test_ward_selection_shows_that_wards_numbers(sample_dataset):
    at = app().run()
    ward = "E05005093"  # Margate Central
    at.selectbox(key="f_ward").set_value(ward).run()
    clean(at)
    records = sample_dataset.records
    expected = int(((records["ward_code"].astype(str) == ward) & (records["crime_type"].astype(str) == VIOLENCE)).sum())
    text = " ".join(m.value for m in at.markdown)
    assert "Margate Central" in text
    assert f"**{expected:,}** records" in text
    assert q(at, "ward") == ward
    assert any("Hotspot status" in m.value for m in at.markdown)
    # The answer also shows above the map, where the person clicked.
    assert any("Margate Central" in i.value and f"{expected:,} records" in i.value for i in at.info)


def ranked_table(at) -> pd.DataFrame:
    """The Hotspots page's ranked list (the table with the hotspot IDs)."""
    return next(d.value for d in at.dataframe if "ID" in d.value.columns)


def test_hotspot_downloads_equal_the_cli_output(sample_dir, tmp_path):
    at = app().run()
    at.switch_page("pages/hotspots.py").run()
    clean(at)
    downloads = at.session_state["downloads"]
    # The page lists the first 30 by default; the files hold exactly those rows, as the CLI's --top 30.
    shown = ranked_table(at)
    assert len(shown) == 30
    for fmt in (".csv", ".xlsx", ".geojson"):
        out = tmp_path / f"h{fmt}"
        args = ["--quiet", "hotspots", "--out", str(out), "--data-dir", str(sample_dir), "--top", "30"]
        assert main(args) == 0
        assert downloads[f"hotspots_kent-medway_2022-01_2023-01_top30{fmt}"] == out.read_bytes(), fmt
    csv = pd.read_csv(io.BytesIO(downloads["hotspots_kent-medway_2022-01_2023-01_top30.csv"]))
    assert csv["hotspot_id"].tolist() == shown["ID"].tolist()
    # Every row: asked for all, the files hold all.
    every = at.select_slider(key="f_top").options[-1]  # "all 1,613 rows": places, hot wards and sites
    count = every.removeprefix("all ").removesuffix(" rows")
    at.select_slider(key="f_top").set_value(int(count.replace(",", ""))).run()
    assert f"{len(ranked_table(at)):,}" == count
    assert "hotspots_kent-medway_2022-01_2023-01.csv" in at.session_state["downloads"]


def test_choosing_a_patrol_zone_shows_all_its_places(sample_hotspots):
    at = app().run()
    at.switch_page("pages/hotspots.py").run()
    clean(at)
    zones = sample_hotspots.result.zones
    zone = zones.iloc[0]
    assert any(d.value.columns[0] == "Zone" for d in at.dataframe)  # the zones of the listed places
    at.selectbox(key="f_zone").set_value(zone["zone_id"]).run()
    clean(at)
    shown = ranked_table(at)
    assert len(shown) == zone["places"] and set(shown["Patrol zone"]) == {zone["zone_name"]}
    assert any(zone["zone_id"] in m.value and "expected a month" in m.value for m in at.markdown)
    assert "zones_kent-medway_2022-01_2023-01.csv" in at.session_state["downloads"]


def test_evaluate_page_answers_in_words_and_its_files_equal_the_cli(sample_dir, tmp_path):
    at = app().run()
    at.switch_page("pages/evaluate.py").run()
    clean(at)
    assert any("Choose the target areas" in i.value for i in at.info)
    at.radio(key="f_ev_source").set_value("wards").run()
    at.multiselect(key="f_ev_wards").set_value(["E05005085", "E05005081"]).run()
    clean(at)
    answer = " ".join(m.value for m in [*at.success, *at.info])
    assert "than expected since" in answer and "comparable places nobody worked in" in answer
    start = at.selectbox(key="f_ev_start").value
    files = at.session_state["downloads"]
    out = tmp_path / "ev.csv"
    args = ["--quiet", "evaluate", "--target", "wards:E05005085,E05005081", "--start", start]
    assert main([*args, "--data-dir", str(sample_dir), "--out", str(out)]) == 0
    assert files[f"evaluation_serious_violence_from_{start}.csv"] == out.read_bytes()
    # A start too early for the data says what is needed, never a traceback.
    assert at.selectbox(key="f_ev_start").options[0] == "Apr 2022"  # months in words, values kept
    at.selectbox(key="f_ev_start").set_value("2022-04").run()
    assert not at.exception


def test_evaluate_page_takes_side_by_side_patrol_zones_together():
    """Zones split from one town centre have overlapping outlines: chosen together they are evaluated, not
    refused as overlapping targets (vrc_geo.evaluation.zone_areas)."""
    at = app().run()
    at.switch_page("pages/evaluate.py").run()
    at.radio(key="f_ev_source").set_value("zones").run()
    options = at.multiselect(key="f_ev_zones").options
    at.multiselect(key="f_ev_zones").set_value([o.split(" ")[0] for o in options[:30]]).run()
    clean(at)
    assert not any("overlap" in e.value for e in at.error)
    answer = " ".join(m.value for m in [*at.success, *at.info])
    assert "than expected since" in answer


def test_health_page_is_synthetic_suppressed_and_equals_the_cli(sample_dir, tmp_path):
    at = app(h="demo").run()
    at.switch_page("pages/health.py").run()
    clean(at)
    assert any("SYNTHETIC" in w.value for w in at.warning)
    flagged, every = (d.value.set_index("Ward code") for d in at.dataframe[:2])
    assert len(flagged) < len(every)  # the flagged wards, then all wards: each ward reads the same in both
    assert flagged.astype(str).equals(every.loc[flagged.index].astype(str)), "3.461 against 3.5, say"
    data = at.session_state["downloads"]["health_SYNTHETIC-DEMO_2022_kent-medway.csv"]
    table = pd.read_csv(io.BytesIO(data), dtype=str)
    shown = pd.to_numeric(table["admissions"], errors="coerce")
    assert not shown.between(1, 7).any()
    out = tmp_path / "h.csv"
    assert main(["--quiet", "health", "--synthetic-demo", "--out", str(out), "--data-dir", str(sample_dir)]) == 0
    assert data == out.read_bytes()


def test_presentation_mode_hides_controls_and_can_be_left():
    at = app(present="1").run()
    clean(at)
    assert any(b.label == "Exit presentation mode" for b in at.button)
    at.button(key="exit_present").click().run()
    clean(at)
    assert "present" not in at.query_params


def test_briefing_page_offers_the_page(sample_dataset):
    at = app(d="E07000114").run()
    at.switch_page("pages/briefing.py").run()
    clean(at)
    page = at.session_state["downloads"]["briefing.html"].decode("utf-8")
    assert "Violence hotspots — Thanet" in page  # the title follows the districts chosen
    assert "Thanet" in page
    assert "data:image/png;base64," in page
    assert f"{_violence(sample_dataset, 'E07000114'):,}" in page


def test_no_data_shows_the_welcome_page(tmp_path, monkeypatch):
    import ui.data

    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.setenv("VRC_GEO_DATA_DIR", str(empty))
    ui.data._server_dataset.clear()
    try:
        at = app().run()
        assert not at.exception
        assert any("No police.uk crime files found" in i.value.replace("\\", "") for i in at.info)
        assert "No data loaded yet" in [s.value for s in at.subheader]
    finally:
        monkeypatch.delenv("VRC_GEO_DATA_DIR")
        ui.data._server_dataset.clear()


def test_app_flags_after_double_dash():
    from ui.data import app_flags

    assert app_flags(["--data-dir", "/x", "--crimes", "a.csv", "b.csv"]) == {
        "data_dir": "/x",
        "crimes": ["a.csv", "b.csv"],
        "boundaries": None,
    }
    assert app_flags([]) == {"data_dir": None, "crimes": None, "boundaries": None}


def test_data_page_reload_and_sources(sample_dataset):
    at = app().run()
    at.switch_page("pages/data.py").run()
    clean(at)
    text = " ".join(m.value for m in at.markdown)
    rec = sample_dataset.reconciliation
    assert f"215,518 = {rec.in_area:,} + {rec.outside_area:,} + 2,243 + 1" in text
    sources = next(d.value for d in at.dataframe if "Ward boundaries" in set(d.value.iloc[:, 0]))
    boundaries = sources.set_index(sources.columns[0]).loc["Ward boundaries"].iloc[0]
    assert boundaries.startswith("2013 ward boundaries: 305 wards (ONS code WD13")  # words first, the code after
    next(b for b in at.button if b.label.startswith("Reload data")).click().run()
    clean(at)
    assert at.title[0].value == "Data: sources, checks and uploads"


def test_the_backtest_table_has_short_headers_with_their_meanings():
    """At 1366 px the backtest grid's headers were cut ("Times better than chance (PA"): short headers, the
    full meaning a tooltip, the page's number formats kept."""
    import json

    at = app().run()
    at.switch_page("pages/hotspots.py").run()
    clean(at)
    grids = [json.loads(d.proto.columns) for d in at.dataframe if d.proto.columns]
    backtest = next(g for g in grids if "PAI (× chance)" in g)
    assert backtest["PAI (× chance)"]["help"].startswith("Times better than chance")
    assert backtest["PAI (× chance)"]["type_config"]["format"] == "%.0f"
    assert all(len(header) <= 24 for header in backtest)
