"""Licences and the credit line: written here once, shown by the CLI, the app, every file and the briefing.

Every public dataset the tool reads is Crown copyright or public-sector information under the Open
Government Licence v3.0; boundaries and postcodes also carry the Ordnance Survey (and Royal Mail) notices.
Each source in :mod:`.sources` names one of :data:`LICENCES`.
"""

from __future__ import annotations

__all__ = ["ATTRIBUTION", "LICENCES", "OGL", "OGL_URL", "OS_NOTICE", "licence_text"]

OGL = "Open Government Licence v3.0"
OGL_URL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
OS_NOTICE = "Contains OS data © Crown copyright and database right"
ROYAL_MAIL_NOTICE = "Contains Royal Mail data © Royal Mail copyright and database right"

#: Licence key -> what a source's licence says.
LICENCES: dict[str, str] = {
    "ogl": OGL,
    "ogl+os": f"{OGL}; {OS_NOTICE.lower()[:1]}{OS_NOTICE[1:]}",
    "os-open": f"OS OpenData licence; {OS_NOTICE.lower()[:1]}{OS_NOTICE[1:]}; {ROYAL_MAIL_NOTICE[0].lower()}"
    f"{ROYAL_MAIL_NOTICE[1:]}",
    "lgbce": f"{OS_NOTICE} (Local Government Boundary Commission for England mapping)",
    "partner": "Your organisation's data-sharing agreement (never published by this tool)",
}

#: The credit line every page, file and briefing carries.
ATTRIBUTION = (
    f"Contains public sector information licensed under the {OGL} (police.uk, ONS, NHS, MHCLG, Ministry of "
    f"Justice). {OS_NOTICE}; {ROYAL_MAIL_NOTICE[0].lower()}{ROYAL_MAIL_NOTICE[1:]}."
)


def licence_text(key: str) -> str:
    """The words of a licence key (``KeyError`` for an unknown one)."""
    return LICENCES[key]
