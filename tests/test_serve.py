"""A freshly started server holds several people arriving at once (issue: one start in six failed).

Each round starts a new server process and opens three sessions at the same moment through its websocket,
on three pages, as three people clicking the link in a meeting would; no session may see an exception box
or a run that ends badly, and the server's log may hold no traceback. Ten rounds as deployed
(``python -m ui.serve``), two as ``streamlit run app.py`` (sessions take turns at the first imports).
"""

from __future__ import annotations

import asyncio

import pytest
from browser import served_app
from streamlit_client import Session

pytestmark = pytest.mark.server
PAGES = ("", "violence", "trends")  # the Overview and two light pages: the first imports are what is tested


async def _open_at_once(url: str) -> list[str]:
    async def one(page: str) -> list[str]:
        async with Session(url, page) as session:
            await session.run()
            return session.errors

    found = await asyncio.gather(*(one(page) for page in PAGES))
    return [f"{page or 'overview'}: {e}" for page, errors in zip(PAGES, found, strict=True) for e in errors]


@pytest.mark.parametrize(("entry", "rounds"), [("serve", 10), ("streamlit", 2)])
def test_fresh_servers_opened_by_three_people_at_once(entry, rounds):
    for round_no in range(rounds):
        with served_app(entry=entry) as url:
            errors = asyncio.run(_open_at_once(url))
            log = url.log.read_text()
        assert not errors, f"round {round_no + 1}: {errors}"
        assert "Traceback" not in log and "Error" not in log, f"round {round_no + 1}:\n{log[-3000:]}"
        # Streamlit's warnings about preparing before any session, or config read twice, are expected noise
        for words in ("missing ScriptRunContext", "No runtime found", "An update to the [server]"):
            assert words not in log, f"round {round_no + 1}:\n{log[-3000:]}"


def test_serve_hands_streamlit_its_options(monkeypatch):
    """``python -m ui.serve ARGS`` is ``streamlit run app.py ARGS`` with the imports done first."""
    import sys

    from streamlit.web import cli

    import ui.serve
    import ui.warm
    from ui import hotspot_process

    seen: list[list[str]] = []
    started: list[tuple[dict, int]] = []
    monkeypatch.setattr(cli, "main", lambda: seen.append(list(sys.argv)) or 0)
    monkeypatch.setattr(sys, "argv", list(sys.argv))
    monkeypatch.setattr(hotspot_process, "start", lambda flags, *, processes: started.append((flags, processes)) or 0)
    # the hotspot processes start once the server's data is loaded (here: as if it had been)
    monkeypatch.setattr(ui.warm, "warm_opening_views", lambda _args, *, loaded: loaded() or 0.0)
    monkeypatch.setenv(hotspot_process.ENV_PROCESSES, "1")
    with pytest.raises(SystemExit):
        ui.serve.main(["--server.port", "9999", "--", "--data-dir", "x"])
    assert seen == [["streamlit", "run", str(ui.serve.APP), "--server.port", "9999", "--", "--data-dir", "x"]]
    assert started == [({"data_dir": "x", "crimes": None, "boundaries": None}, 1)]  # the workers find app.py's data
    assert "libpysal" in sys.modules and "esda" in sys.modules  # imported before the server starts


def test_the_config_warning_of_the_handover_is_dropped_once_only(caplog):
    import logging

    import ui.serve

    log = logging.getLogger("test_serve.handover")
    log.addFilter(ui.serve._DropOnce("An update to the [server] config option section"))
    with caplog.at_level(logging.WARNING, logger=log.name):
        log.warning("An update to the [server] config option section was detected.")  # the handover's: dropped
        log.warning("Something else.")
        log.warning("An update to the [server] config option section was detected.")  # a later edit: shown
    assert [r.getMessage()[:13] for r in caplog.records] == ["Something els", "An update to "]
    assert not log.filters


def test_serve_refuses_a_wrong_number_of_hotspot_processes_by_name(monkeypatch):
    import ui.serve
    from ui import hotspot_process

    monkeypatch.setenv(hotspot_process.ENV_PROCESSES, "many")
    with pytest.raises(SystemExit, match="VRC_GEO_HOTSPOT_PROCESSES must be a whole number"):
        ui.serve.main(["--server.port", "9999"])


def test_hotspot_processes_leave_with_their_server():
    """A server stopped (SIGTERM) or killed outright (SIGKILL) leaves no hotspot process holding its data."""
    import os
    import signal
    import time

    from ui.hotspot_process import is_alive

    def descendants(pid: int) -> list[int]:
        found = []
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                for child in f.read().split():
                    found += [int(child), *descendants(int(child))]
        return found

    for sig in (signal.SIGTERM, signal.SIGKILL):
        with served_app() as url:
            children = descendants(url.pid)
            assert len(children) >= 3  # the fork server and two hotspot processes (and a resource tracker)
            os.kill(url.pid, sig)
            deadline = time.monotonic() + 20
            while any(is_alive(c) for c in children) and time.monotonic() < deadline:
                time.sleep(0.5)
            assert not [c for c in children if is_alive(c)], f"left running after {sig.name}"
