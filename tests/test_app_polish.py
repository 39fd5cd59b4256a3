"""AppTest of what a demo audience reads: titles follow the filters, "Change" uses earlier months,
anti-social behaviour stays out of "all crime", plain labels, presentation mode, glossary, Data page."""

from __future__ import annotations

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
    assert label == "Change on 2022-01 to 2022-05 (monthly average)"
    records = sample_dataset.records
    violent = records[(records["crime_type"].astype(str) == VIOLENCE) & records["ward_code"].notna()]
    month = violent["month"].astype(str)
    now = int(((month >= "2022-06") & (month <= "2023-01")).sum())
    before = int((month <= "2022-05").sum()) * 8 / 5
    assert metric(at, "Change on") == f"{100 * (now - before) / before:+.1f}%"
    assert any("monthly averages" in i.value for i in at.info)
    # From the first month there is nothing earlier: words, not a dash.
    first = app(m="change").run()
    assert metric(first, "Change on") == "No earlier data"


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
    assert {"Rank", "Busiest place", "Violence records", "Drug-related", "Kind"} <= set(shown.columns)
    assert not {"colocation_quotient", "gi_z", "main_site_share", "p_value"} & set(shown.columns)
    assert set(shown["Drug-related"]) <= {"Yes", ""}


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
    assert any(b.label == "Reload data (after a fetch or new files)" for b in at.button)
