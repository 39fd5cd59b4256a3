"""Build the dataset: placed records and ward tables (``store``, cached), point-in-ward placement and
populations (``geography``), selections and counts (``aggregate``), the row account (``reconcile``) and
the data summary (``summary``). Reads through :mod:`vrc_geo.io`; analyses sit above."""
