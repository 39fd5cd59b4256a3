"""vrc_geo: police.uk and partner data for Kent & Medway, turned into ward tables, hotspots and exports.

UI-free: the Streamlit app and the CLI are thin faces over these modules. Data flows one way:
sources (``io``) -> tables (``store``, ``geography``, ``aggregate``) -> analyses (``hotspots``,
``health``) -> views and exports (``export``, ``mapping``, ``briefing``).
"""

from .errors import VrcGeoError

__version__ = "0.1.0"
__all__ = ["VrcGeoError", "__version__"]
