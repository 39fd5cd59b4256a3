"""What one session does never reaches another: health extracts, reloads, uploads; data text is inert.

Two ``AppTest`` instances are two sessions of one server process (they share its caches), which is
exactly the shared-server case.
"""

from __future__ import annotations

import re
from types import SimpleNamespace

import pandas as pd
import pytest
from test_app_pages import app

EVIL = "![x](http://evil.example/beacon.png) [click](javascript:alert(1)) <img src=x onerror=alert(1)>"


session = app  # one AppTest per person (the helper of test_app_pages)


@pytest.fixture(scope="module")
def partner_extract(sample_dataset) -> list[tuple[str, pd.DataFrame]]:
    """A partner-style incident extract (made with the generator, then treated as an upload)."""
    from vrc_geo.health.synthetic import generate_incidents

    months = [f"2022-{m:02d}" for m in range(1, 13)]
    frame = generate_incidents(sample_dataset, months=months, seed=7).astype(str)
    frame["source"] = "partner test extract"
    return [("extract.csv", frame)]


def test_an_uploaded_health_extract_stays_in_its_session(partner_extract):
    import ui.data

    alice = session(h="upload")
    alice.session_state[ui.data.HEALTH_UPLOAD] = {"key": "alice-extract", "frames": partner_extract}
    alice.run()
    alice.switch_page("pages/health.py").run()
    assert not alice.exception
    assert any(m.label.startswith("Admissions") for m in alice.metric)  # Alice sees her figures

    bob = session(h="upload").run()
    bob.switch_page("pages/health.py").run()
    assert not bob.exception
    assert any("No health extract uploaded in this session" in i.value for i in bob.info)
    assert not any(m.label.startswith("Admissions") for m in bob.metric)
    assert "_health_memo" in alice.session_state  # Alice's figures are kept in her session's state...
    assert "_health_memo" not in bob.session_state  # ...and Bob's session holds none of them
    for name in ("_health_upload", "health"):  # no cached function holds uploaded health data
        assert not hasattr(getattr(ui.data, name), "clear"), f"ui.data.{name} must not be a shared cache"
    bob.switch_page("pages/briefing.py").run()
    assert not bob.exception
    page = bob.session_state["downloads"]["briefing.html"].decode()
    assert "extract.csv" not in page and "partner test extract" not in page


def test_a_reload_in_one_session_leaves_the_others_alone(monkeypatch):
    import ui.data
    import vrc_geo.outputs.views

    loads, views = [], []
    original_load, original_view = ui.data.load_police, vrc_geo.outputs.views.ward_view
    monkeypatch.setattr(ui.data, "load_police", lambda *a, **k: loads.append(1) or original_load(*a, **k))
    monkeypatch.setattr(vrc_geo.outputs.views, "ward_view", lambda *a, **k: views.append(1) or original_view(*a, **k))

    bob = session().run()
    assert not bob.exception
    version = bob.session_state["data_version"]
    alice = session().run()
    alice.switch_page("pages/data.py").run()
    before = (len(loads), len(views))
    next(b for b in alice.button if b.label.startswith("Reload data")).click().run()
    assert not alice.exception
    bob.run()
    assert bob.session_state["data_version"] == version
    assert (len(loads), len(views)) == before  # nothing Bob uses was thrown away or rebuilt


def test_data_text_is_shown_as_text(sample_dataset):
    import ui.data

    records = sample_dataset.records.copy()
    ward = records["ward_code"].astype(str).value_counts().index[0]
    records["location"] = records["location"].astype(object)
    records.loc[records["ward_code"].astype(str) == ward, "location"] = EVIL
    dataset = sample_dataset.with_records(records)
    at = session(ward=ward)
    at.session_state[ui.data._OVERRIDE] = dataset
    at.run()
    assert not at.exception
    texts = [m.value for m in at.markdown] + [c.value for c in at.caption] + [i.value for i in at.info]
    shown = [t for t in texts if "evil" in t]
    assert shown, "the crafted place name should be listed (as text)"
    for text in shown:
        bare = re.sub(r"\\.", "", text)  # what Markdown would act on: the text without escaped characters
        assert "![" not in bare and "](" not in bare and "<img" not in bare, text


def test_map_tooltips_escape_html():
    from vrc_geo.outputs.maps import with_values

    collection = {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "properties": {"code": "W1"}, "geometry": None}],
    }
    table = pd.DataFrame({"code": ["W1"], "name": ["<img src=x onerror=alert(1)>"]})
    props = with_values(collection, table)["features"][0]["properties"]
    # Sent as written: Streamlit's map escapes every value it puts into the tooltip's HTML (escaping here
    # as well showed "St John&#x27;s"); the browser test hovers such a name and finds it shown as text.
    assert props["name"] == "<img src=x onerror=alert(1)>"


def test_uploads_are_written_once_in_a_private_folder_and_removed(tmp_path, monkeypatch):
    import ui.uploads as uploads

    monkeypatch.setattr(uploads, "UPLOAD_ROOT", tmp_path / "vrc_uploads")
    files = [SimpleNamespace(name="../../2022-01-kent-street.csv", getvalue=lambda: b"a,b\n")]
    mine = uploads.SessionUploads()
    key, paths = mine.save(files)
    again_key, again = mine.save(files)  # a rerun: nothing written again
    assert (again_key, again) == (key, paths)
    assert len(list(mine.folder.rglob("*.csv"))) == 1
    assert paths[0].name == "2022-01-kent-street.csv" and mine.folder in paths[0].parents
    assert (mine.folder.parent.stat().st_mode & 0o777) == 0o700
    mine.remove()
    assert not mine.folder.exists()
    orphan = uploads.UPLOAD_ROOT / "999999999-dead"
    orphan.mkdir()
    assert uploads.sweep_orphans() == 1 and not orphan.exists()


def test_upload_folder_is_session_scoped():
    import ui.uploads

    info = ui.uploads.session_uploads._info  # the decorator's settings
    assert info.scope == "session"


AUTH = {
    "auth": {
        "redirect_uri": "http://localhost:8501/oauth2callback",
        "cookie_secret": "test-only-cookie-secret-0123456789abcdef",
        "client_id": "vrc-explorer",
        "client_secret": "test-only",
        "server_metadata_url": "https://login.microsoftonline.com/TENANT/v2.0/.well-known/openid-configuration",
    }
}


def test_sign_in_gates_every_page():
    """Until sign-in the sign-in page is the only page there is (the browser test follows direct links)."""
    at = session()
    at.secrets = AUTH
    at.user = {"is_logged_in": False}
    at.run()
    assert not at.exception
    with pytest.raises(ValueError, match="Known pages: \\['Sign in'\\]"):
        at.switch_page("pages/hotspots.py")
    assert [b.label for b in at.button] == ["Sign in"]
    assert [t.value for t in at.title] == ["VRC Hotspot Explorer — Kent & Medway"]
    assert not at.metric and not at.get("deck_gl_json_chart")


def test_signed_in_name_is_in_the_briefing_footer():
    at = session()
    at.secrets = AUTH
    at.user = {"is_logged_in": True, "name": "Alex Analyst", "email": "alex@example.org"}
    at.run()
    assert not at.exception
    assert any("Signed in as Alex Analyst" in c.value for c in at.sidebar.caption)
    at.switch_page("pages/briefing.py").run()
    page = at.session_state["downloads"]["briefing.html"].decode()
    assert "Prepared by Alex Analyst" in page


def test_without_auth_settings_the_app_is_open():
    at = session().run()
    assert not at.exception
    assert not [b for b in at.button if b.label == "Sign in"]
    assert at.title[0].value.startswith("Violence and crime")


def test_sessions_starting_together_share_one_look_at_the_data_folder(monkeypatch):
    import ui.data
    from vrc_geo.errors import DataNotFoundError

    looks = []
    original = ui.data.find_sources
    monkeypatch.setattr(ui.data, "find_sources", lambda **k: looks.append(1) or original(**k))
    monkeypatch.setattr(ui.data, "_latest", {})  # no look yet
    first = ui.data.latest_version()
    assert ui.data.latest_version() == first and len(looks) == 1  # within VERSION_MAX_AGE_S: the same look
    assert ui.data.latest_version(max_age_s=0) == first and len(looks) == 2  # older than allowed: looked again
    monkeypatch.setenv("VRC_GEO_DATA_DIR", "/nowhere")  # another search order is another key
    with pytest.raises(DataNotFoundError, match="/nowhere"):
        ui.data.latest_version()
    assert len(looks) == 3
