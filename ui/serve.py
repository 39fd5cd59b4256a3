"""Start the explorer's server with the analysis stack already imported: ``python -m ui.serve [ARGS]``.

Streamlit runs ``app.py`` in one thread per session. Two sessions of a freshly started server importing
numpy, libpysal or esda for the first time at the same moment can meet a half-initialised module (Python's
per-module import locks break a cross-thread cycle by handing one thread the unfinished module). This entry
point imports everything the pages use in the main thread, before the server accepts anyone, and then hands
over to ``streamlit run app.py`` with ``ARGS`` (any Streamlit option, and ``-- --data-dir DIR``), after
starting the processes that work out hotspots (:mod:`ui.hotspot_process`) and working out the views
everyone opens first (:mod:`ui.warm`).
``scripts/app.sh``, the Dockerfile and ``tests/browser.py`` start the app this way; plain
``streamlit run app.py`` still works, its sessions taking turns at the imports under one lock
(see ``app.py``). Tested in ``tests/test_serve.py``; see ``docs/deploy.md``.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

APP = Path(__file__).resolve().parents[1] / "app.py"
_NO_SESSION_LOGGERS = (
    "streamlit.runtime.scriptrunner_utils.script_run_context",
    "streamlit.runtime.caching.cache_data_api",
    "streamlit.runtime.caching.cache_resource_api",
)
_NO_SESSION_WARNINGS = ("missing ScriptRunContext", "No runtime found")


def main(argv: list[str] | None = None) -> None:
    """Import the pages' modules here, in the main thread, then run Streamlit's own command line."""
    from streamlit.web import cli

    with no_session_warnings():
        import ui.preload  # noqa: F401  (the whole stack, once, before any session thread exists)
        from ui import data, hotspot_process
        from ui.warm import warm_opening_views

    args = sys.argv[1:] if argv is None else argv
    app_args = args[args.index("--") + 1 :] if "--" in args else []  # what app.py will be given
    try:
        wanted = hotspot_process.wanted_processes()
    except hotspot_process.ProcessCountError as exc:
        sys.exit(f"{exc}")

    def start_hotspot_processes() -> None:  # once the data is loaded: they read the cache it has built
        workers = hotspot_process.start(data.app_flags(app_args), processes=wanted)
        plural = "es" if workers != 1 else ""
        print(f"Hotspots worked out in {workers or 'no'} process{plural} of their own.", file=sys.stderr)

    with no_session_warnings():
        ready = warm_opening_views(app_args, loaded=start_hotspot_processes)
    print(f"Opening views ready in {ready:.1f} s.", file=sys.stderr)
    sys.argv = ["streamlit", "run", str(APP), *args]
    # Streamlit read its config (without the command line's options) for the imports above; reading it again
    # with them tells the [server] section changed, once, which is expected here.
    logging.getLogger("streamlit.config").addFilter(_DropOnce("An update to the [server] config option section"))
    sys.exit(cli.main())


class _NoSessionWarnings(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not any(words in record.getMessage() for words in _NO_SESSION_WARNINGS)


class _DropOnce(logging.Filter):
    """Drop the first record that holds ``words``, then remove itself (later ones are news)."""

    def __init__(self, words: str) -> None:
        super().__init__()
        self.words = words

    def filter(self, record: logging.LogRecord) -> bool:
        if self.words not in record.getMessage():
            return True
        logging.getLogger(record.name).removeFilter(self)
        return False


@contextmanager
def no_session_warnings() -> Iterator[None]:
    """Leave out Streamlit's warnings that there is no session ("missing ScriptRunContext", "No runtime
    found"), expected while the server prepares, before anyone is let in: a filter on each logger, not a
    level, since Streamlit sets its loggers' levels again when it reads its config."""
    drop = _NoSessionWarnings()
    loggers = [logging.getLogger(name) for name in _NO_SESSION_LOGGERS]
    for log in loggers:
        log.addFilter(drop)
    try:
        yield
    finally:
        for log in loggers:
            log.removeFilter(drop)


if __name__ == "__main__":
    main()
