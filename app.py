"""VRC Hotspot Explorer — Streamlit entry point: page set-up and navigation only.

Run with ``python -m ui.serve`` (or ``bash scripts/app.sh``; ``streamlit run app.py`` works too). Pages
live in ``pages/``; they read the sidebar filters (kept in the URL), call cached ``vrc_geo`` functions
through ``ui.data`` and render.
"""

from __future__ import annotations

import sys
import threading

# One lock for the whole process, made atomically (dict.setdefault) by whichever session gets here first:
# sessions of a freshly started ``streamlit run app.py`` take turns at the first imports instead of meeting
# half-initialised modules. ``python -m ui.serve`` has imported everything before any session starts.
with sys.__dict__.setdefault("_vrc_import_lock", threading.Lock()):
    import ui.preload  # noqa: F401  (first: the pages' modules are imported whole, once, before any page runs)
from ui.shell import run_app

run_app()
