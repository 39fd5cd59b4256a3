"""Bring official data in and keep it current: ONS boundaries, police.uk months, Fingertips context.

Every source writes into ``data/`` or ``boundaries/`` with a manifest (URL, retrieved at, licence,
period, checksums); files are written to a temporary name and moved into place when complete, so a
failed or interrupted fetch leaves earlier data intact.
"""

from __future__ import annotations

from ..base.lazy import lazy_exports

# Resolved on first use (PEP 562): importing one fetcher (the app reads manifests) never imports the rest.
_WHERE = {
    "Client": "http",
    "FINGERTIPS_URL": "fingertips",
    "ONS_URL": "ons",
    "POLICE_URL": "police_api",
    "available_months": "police_api",
    "fetch_boundaries": "ons",
    "fetch_fingertips": "fingertips",
    "fetch_force_area": "police_api",
    "fetch_month": "police_api",
    "fetch_police": "police_api",
    "read_manifest": "manifest",
    "source_status": "manifest",
}

__all__ = sorted(_WHERE)


__getattr__, __dir__ = lazy_exports(__name__, _WHERE)
