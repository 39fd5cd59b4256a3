"""Reference data and registries, read by every stage above: the area profile (``area``), offence
groups (``taxonomy``), harm weights' derivation (``harm``), hotspot and site kinds (``kinds``), data
sources and their licences (``sources``, ``licences``). No file reading, no analysis."""
