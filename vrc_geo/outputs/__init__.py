"""Publish: what a page shows (``views``), map builders (``maps``), the one-page briefing (``briefing``),
ward tables for export (``ward_tables``) and the catalogue of data in use (``catalogue``). Sits above
every analysis; the CLI and the app call it."""
