"""AppTest of what a demo audience reads: titles follow the filters, "Change" uses earlier months,
anti-social behaviour stays out of "all crime", plain labels, presentation mode, glossary, Data page."""

from __future__ import annotations

import pytest
from test_app_pages import VIOLENCE, app, clean, metric

from vrc_geo.reference.taxonomy import ASB


def test_titles_follow_the_districts_chosen():
    at = app(d="E07000114,E07000108").run()  # Thanet and Dover
    clean(at)
    assert at.title[0].value == "Violence and crime in Thanet and Dover"
    at.switch_page("pages/trends.py").run()
    assert at.title[0].value == "Trends by district: Thanet and Dover"
    at = app().run()
    assert at.title[0].value == "Violence and crime in Kent & Medway"


def test_change_uses_the_earlier_months_there_are(sample_dataset):
    # 2022-06 to 2023-01 is eight months; only five come before it: monthly averages, said so.
    at = app(**{"from": "2022-06", "m": "change"}).run()
    clean(at)
    label = next(m.label for m in at.metric if m.label.startswith("Change on"))
    assert label == "Change on Jan to May 2022"  # short enough for a laptop's metric; the note says how
    records = sample_dataset.records
    violent = records[(records["crime_type"].astype(str) == VIOLENCE) & records["ward_code"].notna()]
    month = violent["month"].astype(str)
    now = int(((month >= "2022-06") & (month <= "2023-01")).sum())
    before = int((month <= "2022-05").sum()) * 8 / 5
    assert metric(at, "Change on") == f"{100 * (now - before) / before:+.1f}%"
    shown = next(m for m in at.metric if m.label.startswith("Change on"))
    assert shown.delta == f"{now / 8:,.0f} a month against {round(before) / 8:,.0f} before"
    assert any("monthly averages" in i.value for i in at.info)
    # From the first month there is no earlier period: the last month against the same month a year before.
    first = app(m="change").run()
    clean(first)
    a, b = int((month == "2023-01").sum()), int((month == "2022-01").sum())
    assert metric(first, "Jan 2023 against Jan 2022") == f"{100 * (a - b) / b:+.1f}%"
    # Nothing a year before either (a selection of 2022 only): words, not a dash.
    only = app(to="2022-12", m="change").run()
    assert metric(only, "Change on") == "No earlier data"
    # ... and an all-grey map gets no colour bands in its legend, only why it is grey.
    legend = next(m.value for m in first.markdown if "<div class='vrc-legend'>" in m.value)
    assert "vrc-swatch" not in legend and "Every ward is grey" in legend
    shaded = [m.value for m in at.markdown if "<div class='vrc-legend'>" in m.value]
    assert "vrc-swatch" in shaded[0]


def test_no_offence_group_means_all_crime_without_anti_social_behaviour(sample_dataset):
    at = app(g="").run()
    clean(at)
    records = sample_dataset.records
    located = records[records["ward_code"].notna()]
    crimes = int((located["crime_type"].astype(str) != ASB).sum())
    assert metric(at, "Records") == f"{crimes:,}"
    assert crimes < len(located)  # the sample has ASB: it was left out
    assert "all crime (not anti-social behaviour)" in at.caption[0].value


def test_hotspot_table_speaks_plain_words():
    at = app().run()
    at.switch_page("pages/hotspots.py").run()
    clean(at)
    shown = next(d.value for d in at.dataframe if "ID" in d.value.columns)
    assert {"Rank", "Place", "Violence records", "Drug-related", "Kind"} <= set(shown.columns)
    assert not {"colocation_quotient", "gi_z", "main_site_share", "p_value"} & set(shown.columns)
    assert set(shown["Drug-related"]) <= {"Yes", ""}
    assert "Area (km²)" not in shown.columns  # every place is the same circle: 0.005 on each row said nothing
    import json

    grid = next(json.loads(d.proto.columns) for d in at.dataframe if d.proto.columns and "ID" in d.value.columns)
    assert "a ward can be one and not the other" in grid["Trend of its ward"]["help"]  # beside "0 hot wards"
    assert "test" in grid["Drug-related"]["help"]  # 3.0 "not drug-related" beside 2.9 "Yes"


def test_hotspots_say_how_sure_in_plain_words():
    """The Gi* classes and "drug-related" come with what they were tested against, and the glossary shows
    "Gi*" as written (not as emphasis)."""
    from ui.glossary import GLOSSARY
    from vrc_geo.hotspots.plain_words import colocation_null, gi_inference

    at = app().run()
    at.switch_page("pages/hotspots.py").run()
    clean(at)
    captions = " ".join(c.value for c in at.caption)
    assert gi_inference() in captions and colocation_null() in captions
    assert "9,999 times" in captions and "999 times" in captions
    assert GLOSSARY[0][0] == "Hot spot (Gi*)" and gi_inference() in GLOSSARY[0][1]
    shown = [m.value for m in at.markdown if "Hot spot" in m.value]
    assert shown and shown[0].startswith("**Hot spot \\(Gi\\*\\)**")


def test_presentation_mode_has_page_links_and_no_developer_captions():
    at = app(present="1").run()
    clean(at)
    captions = " ".join(c.value for c in at.caption)
    assert "MB" not in captions and "Ward layer" not in captions
    assert all(m.value not in ("–", "-", "") for m in at.metric)
    # Tables are HTML there (the projector type rule reaches them).
    at.switch_page("pages/trends.py").run()
    clean(at)
    assert at.table and not at.dataframe
    records = at.table[0].value["Records"].tolist()  # counts with thousands separated, as on the grid
    assert any(len(r) > 5 for r in records) and all("," in r for r in records if len(r) > 5)


def test_the_data_page_keeps_presentation_mode_and_can_leave_it():
    at = app(present="1").run()
    at.switch_page("pages/data.py").run()
    clean(at)
    assert any(b.label == "Exit presentation mode" for b in at.button)  # the row of links is there too
    assert at.query_params["present"] in ("1", ["1"])  # a reload stays presenting
    at.button(key="exit_present").click().run()
    clean(at)
    assert not any(b.label == "Exit presentation mode" for b in at.button)
    assert "present" not in at.query_params
    at.switch_page("pages/overview.py").run()
    clean(at)
    assert not any(b.label == "Exit presentation mode" for b in at.button)


def test_the_synthetic_banner_is_pinned_and_the_map_says_it():
    at = app(h="demo").run()
    at.switch_page("pages/health.py").run()
    clean(at)
    assert any("vrc-synthetic" in m.value for m in at.markdown)
    deck = at.get("deck_gl_json_chart")[0].proto.json
    assert "SYNTHETIC HEALTH DATA" in deck


def test_data_page_names_files_not_server_paths_and_keeps_the_confirmation(tmp_path):
    at = app().run()
    at.switch_page("pages/data.py").run()
    clean(at)
    text = " ".join(m.value for m in at.markdown) + " ".join(str(d.value) for d in at.dataframe)
    assert "(1 months)" not in text
    files = [d.value["File"] for d in at.dataframe if "File" in d.value.columns]  # by file, and rejected rows
    assert len(files) == 2 and not any("/" in str(f) for column in files for f in column)
    assert any(b.label == "Reload data (after a fetch or new files)" for b in at.button)


@pytest.mark.parametrize(
    "query",
    [{}, {"d": "E07000114,E07000108", "from": "2022-06"}],  # the county; Thanet and Dover from June
    ids=["county", "thanet-dover-from-june"],
)
def test_headline_figures_agree_between_page_briefing_and_export(sample_dataset, query):
    """Each headline figure is counted once: the Overview and Hotspots pages, the briefing and the hotspot
    file show the same numbers for the same view."""
    import io

    import pandas as pd

    from vrc_geo.dataset.aggregate import Selection, make_selection
    from vrc_geo.hotspots.report import hotspot_file_bytes
    from vrc_geo.hotspots.service import hotspots_for
    from vrc_geo.outputs.briefing import build_briefing

    at = app(**query).run()
    clean(at)
    records, comparison = (
        metric(at, "Records"),
        next(m for m in at.metric if "against" in m.label or "Change" in m.label),
    )
    at.switch_page("pages/hotspots.py").run()
    clean(at)
    places, drug = metric(at, "Places to patrol"), metric(at, "Drug-related places")

    districts = query.get("d", "").split(",") if query.get("d") else None
    selection = make_selection(districts=districts, start=query.get("from"), crime_types=["violence"])
    scope = Selection(selection.start, selection.end, selection.districts, None)
    bundle = hotspots_for(sample_dataset, scope, backtest=False)
    brief = dict(build_briefing(sample_dataset, selection, measure="count", describe="", hotspots=bundle).figures)
    assert brief["Records"] == records
    assert brief[comparison.label] == comparison.value
    assert brief["Places to patrol (drug-related)"] == f"{places} ({drug})"
    exported = pd.read_csv(io.BytesIO(hotspot_file_bytes(bundle.result, ".csv", dataset=sample_dataset)))
    in_file = exported[exported["kind"] == "place"]
    assert f"{len(in_file):,}" == places and f"{int(in_file['drug_related'].sum()):,}" == drug


def test_health_figures_follow_the_districts_and_the_months_are_greyed(sample_dataset):
    """Thanet and Dover chosen: the headline is theirs (the sum of their published rows), not the county's;
    the Months slider says it does not apply (health is published for whole years)."""
    from vrc_geo.dataset.aggregate import Selection
    from vrc_geo.health.service import health_for

    at = app(h="demo", d="E07000114,E07000108").run()
    at.switch_page("pages/health.py").run()
    clean(at)
    bundle = health_for(sample_dataset, Selection(None, None, ("E07000114", "E07000108"), None), synthetic_demo=True)
    rows = bundle.published_totals().iloc[:-1]
    assert set(rows["area"]) == {"Thanet", "Dover"}
    assert metric(at, "Police violence, Thanet and Dover") == f"{sum(int(v) for v in rows['police_violence']):,}"
    assert metric(at, "Admissions") == f"{sum(int(v) for v in rows['admissions'].astype(str)):,}"
    county = int(bundle.published_totals().iloc[-1]["police_violence"])
    assert metric(at, "Police violence") != f"{county:,}"
    months = next(s for s in at.select_slider if s.label == "Months")
    assert months.disabled and "whole years" in months.help


def test_the_basemap_switch_says_when_its_tiles_cannot_be_reached(monkeypatch):
    """Offline, switching the basemap on says so instead of doing nothing silently."""
    import ui.state

    assert not ui.state.basemap_reachable("http://127.0.0.1:9/style.json", timeout_s=0.5)
    monkeypatch.setattr(ui.state, "basemap_reachable", lambda: False)  # offline, whatever this machine is
    at = app(base="1").run()
    assert any("cannot be reached" in w.value for w in at.warning)


def test_a_long_history_opens_on_its_latest_year():
    from ui.state import default_period

    sample = [f"2022-{m:02d}" for m in range(1, 13)] + ["2023-01"]
    assert default_period(sample) == ("2022-01", "2023-01")  # the sample: every month
    two_years = [f"{y}-{m:02d}" for y in (2021, 2022) for m in range(1, 13)]
    assert default_period(two_years) == ("2021-01", "2022-12")
    decade = [f"{y}-{m:02d}" for y in range(2013, 2023) for m in range(1, 13)]
    assert default_period(decade) == ("2022-01", "2022-12")
    assert default_period(["2022-01"]) == ("2022-01", "2022-01")
