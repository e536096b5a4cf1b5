"""The screens a visitor sees instead of the app: sign in, no role yet, or a server that will not serve data;
and the signed-in user's name with Sign out in the sidebar."""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from agnews_core.access.identity import Identity
from agnews_ui.auth import (
    ALLOW_ANONYMOUS_ENV,
    AuthSettings,
    current_identity,
    serves_anonymously_off_loopback,
    session_is_stale,
    signed_in_claims,
)

SIGN_IN_BUTTON = "Sign in"


def gate_screen(settings: AuthSettings) -> Callable[[], None] | None:
    """The screen this session must see instead of the app, or None when it is let in."""
    if serves_anonymously_off_loopback(settings):
        return _will_not_serve
    if not settings.enabled:
        return None
    if settings.problem:
        return lambda: _misconfigured(settings.problem)
    claims = signed_in_claims()
    if claims is None:
        return lambda: _sign_in(settings)
    if session_is_stale(claims, settings.session_hours):
        st.logout()  # clears the cookie and reruns: the next run shows the sign-in
        return lambda: _sign_in(settings)
    identity = current_identity()
    if identity is None or identity.role is None:
        return lambda: _no_role(identity)
    return None


def identity_sidebar(identity: Identity) -> None:
    """Who is signed in, with which role, and Sign out (nothing for the local user of an app without sign-in)."""
    if not identity.signed_in:
        return
    with st.sidebar:
        st.caption(f":material/account_circle: **{identity.name or identity.who}**  \n{identity.who} · "
                   f"{identity.role}")
        st.button("Sign out", icon=":material/logout:", key="sign-out", on_click=st.logout)


def _sign_in(settings: AuthSettings) -> None:
    st.title("AG News Lab")
    st.write("Sign in to see runs, data sets and reviews. What you may do depends on the role your team gave you.")
    if not settings.providers:
        st.button(SIGN_IN_BUTTON, type="primary", icon=":material/login:", on_click=st.login)
        return
    for provider in settings.providers:
        st.button(f"{SIGN_IN_BUTTON} with {provider}", type="primary", icon=":material/login:", key=f"login-{provider}",
                  on_click=st.login, args=(provider,))


def _no_role(identity: Identity | None) -> None:
    st.title("AG News Lab")
    who = identity.who if identity is not None else "this account"
    st.warning(f"You are signed in as **{who}**, but this server gives that account no role yet. Ask an admin to "
               "add you to `[agnews.roles]` in the app's secrets (viewer, reviewer, analyst or admin).",
               icon=":material/lock:")
    st.button("Sign out", icon=":material/logout:", on_click=st.logout)


def _will_not_serve() -> None:
    address = st.get_option("server.address") or "every network interface"
    st.title("AG News Lab")
    st.error(f"This server listens on {address} without sign-in, so it serves no data: anyone who can reach it "
             "could start training, cancel jobs or change labels. Configure sign-in (an `[auth]` table in "
             "`.streamlit/secrets.toml`, see docs/deploy.md), serve on 127.0.0.1, or, on a network you trust, set "
             f"`{ALLOW_ANONYMOUS_ENV}=1`.", icon=":material/gpp_bad:")


def _misconfigured(problem: str) -> None:
    st.title("AG News Lab")
    st.error(f"Sign-in is configured, but its settings cannot be read: {problem}. Nobody is let in until an admin "
             "fixes `[agnews]` in `.streamlit/secrets.toml` (docs/deploy.md).", icon=":material/settings_alert:")
