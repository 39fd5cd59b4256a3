"""Optional sign-in with OpenID Connect (``st.login``), off unless ``[auth]`` is in the secrets.

With no ``.streamlit/secrets.toml`` (or one without ``[auth]``) the app is open, as the README's quick start
expects. With ``[auth]`` configured (docs/deploy.md: Microsoft Entra ID example), every page asks for
sign-in first and the signed-in name is printed in the briefing's footer.
"""

from __future__ import annotations

from collections.abc import Mapping

import streamlit as st

from ui.render import md_escape
from vrc_geo.reference.area import AREA

__all__ = ["auth_providers", "require_sign_in", "sign_out_button", "signed_in_name"]


def auth_providers() -> list[str]:
    """Providers configured under ``[auth]``: ``"default"`` for settings directly in ``[auth]``, else the
    names of its sub-tables (``[auth.microsoft]``). Empty when sign-in is off."""
    try:
        section = st.secrets.get("auth")
    except Exception:  # no secrets file, or one that does not parse: sign-in is off
        return []
    if not isinstance(section, Mapping):
        return []
    named = [k for k, v in section.items() if isinstance(v, Mapping) and "server_metadata_url" in v]
    if named:
        return named
    return ["default"] if "server_metadata_url" in section else []


def _signed_in() -> bool:
    try:
        return bool(st.user.is_logged_in)
    except Exception:
        return False


def require_sign_in() -> None:
    """When sign-in is on and nobody is signed in: a sign-in page, and nothing else runs."""
    providers = auth_providers()
    if not providers or _signed_in():
        return
    # The sign-in page is the app's only page until then: whatever page the link named, and no list of the
    # others in the sidebar.
    page = st.Page(lambda: _sign_in_page(providers), title="Sign in", url_path="sign-in", default=True)
    st.navigation([page], position="hidden").run()
    st.stop()


def _sign_in_page(providers: list[str]) -> None:
    st.title(f"VRC Hotspot Explorer — {AREA.name}")
    st.subheader("Sign in")
    st.markdown(
        "This explorer is for the partners of the Violence Reduction Challenge. Sign in with your "
        "organisation's account to continue."
    )
    for provider in providers:
        label = "Sign in" if provider == "default" else f"Sign in with {provider.title()}"
        st.button(label, type="primary", on_click=st.login, args=(provider,), key=f"login_{provider}")


def signed_in_name() -> str | None:
    """The signed-in person's name (or e-mail), or ``None`` when sign-in is off."""
    if not auth_providers() or not _signed_in():
        return None
    for claim in ("name", "preferred_username", "email", "sub"):
        value = st.user.get(claim)
        if value:
            return str(value)
    return "signed-in user"


def sign_out_button() -> None:
    """Who is signed in and a sign-out button, in the sidebar (only when sign-in is on)."""
    name = signed_in_name()
    if name is None:
        return
    with st.sidebar:
        st.caption(f"Signed in as {md_escape(name)}")
        st.button("Sign out", on_click=st.logout, key="logout")
