"""Bring official data in and keep it current: ONS boundaries, police.uk months, Fingertips context.

Every source writes into ``data/`` or ``boundaries/`` with a manifest (URL, retrieved at, licence,
period, checksums); files are written to a temporary name and moved into place when complete, so a
failed or interrupted fetch leaves earlier data intact.
"""

from .fingertips import FINGERTIPS_URL, fetch_fingertips
from .http import Client
from .manifest import read_manifest, source_status
from .ons import ONS_URL, fetch_boundaries
from .police_api import POLICE_URL, available_months, fetch_force_area, fetch_month, fetch_police

__all__ = [
    "FINGERTIPS_URL",
    "ONS_URL",
    "POLICE_URL",
    "Client",
    "available_months",
    "fetch_boundaries",
    "fetch_fingertips",
    "fetch_force_area",
    "fetch_month",
    "fetch_police",
    "read_manifest",
    "source_status",
]
