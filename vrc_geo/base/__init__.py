"""The ground floor: option tables and the estimator base (``params``), coordinate systems (``crs``),
atomic writes (``atomic``) and lazily resolved package names (``lazy``). Imports nothing above it."""
