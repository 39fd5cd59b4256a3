"""Hotspot statistics, one per module: Gi* (``gistar``), emerging hot spots (``emerging``), co-location
(``colocation``), quiet-area concentrations (``local_excess``), empirical-Bayes micro-place rates
(``micro_places``) and spatial weights (``spatial_weights``)."""
