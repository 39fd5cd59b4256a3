"""VRC Hotspot Explorer — Streamlit entry point: page set-up and navigation only.

Run with ``streamlit run app.py`` (or ``bash scripts/app.sh``). Pages live in ``pages/``; they read the
sidebar filters (kept in the URL), call cached ``vrc_geo`` functions through ``ui.data`` and render.
"""

from __future__ import annotations

import ui.preload  # noqa: F401  (first: the pages' modules are imported whole, once, before any page runs)
from ui.shell import run_app

run_app()
