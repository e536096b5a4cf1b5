"""Who is using the app: sign-in settings from the secrets, the signed-in identity with its role, and whether
this server may serve data at all.

Without an `[auth]` table the app has one local user (an admin), as before sign-in existed. With one, every
visitor signs in through Streamlit's OpenID Connect (st.login) and gets the role `[agnews.roles]` gives them.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import streamlit as st

from agnews_core.access.guard import refusal_message
from agnews_core.access.identity import LOCAL_USER, Identity
from agnews_core.access.role_map import DEFAULT_GROUPS_CLAIM, RoleMap, RoleMapError
from agnews_core.access.roles import Action, may

ALLOW_ANONYMOUS_ENV = "AGNEWS_ALLOW_ANONYMOUS"
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
DEFAULT_SESSION_HOURS = 12.0


@dataclass(frozen=True)
class AuthSettings:
    """What the secrets say about sign-in."""

    enabled: bool  # an [auth] table is configured
    providers: tuple[str, ...]  # named providers ([auth.google] ...); empty: the [auth] table's own
    roles: RoleMap
    session_hours: float  # a sign-in older than this must be renewed
    problem: str = ""  # a roles or session setting that cannot be read: nobody is let in until it is fixed


def _secrets_table(name: str) -> Mapping[str, Any]:
    try:
        return st.secrets.get(name) or {}
    except (OSError, ValueError):  # no secrets file (Streamlit's error is a FileNotFoundError), or not TOML
        return {}


def auth_settings() -> AuthSettings:
    """Sign-in settings from `.streamlit/secrets.toml` (`[auth]`, `[agnews]`, `[agnews.roles]`)."""
    auth, agnews = _secrets_table("auth"), _secrets_table("agnews")
    providers = tuple(key for key, value in auth.items() if isinstance(value, Mapping))
    try:
        roles = RoleMap.from_config(agnews.get("roles"), str(agnews.get("groups_claim", DEFAULT_GROUPS_CLAIM)))
        hours = float(agnews.get("session_hours", DEFAULT_SESSION_HOURS))
        if not hours > 0:
            raise ValueError(f"session_hours must be a positive number of hours, got {hours}")
    except (RoleMapError, ValueError, TypeError) as exc:
        return AuthSettings(bool(auth), providers, RoleMap(), DEFAULT_SESSION_HOURS, problem=str(exc))
    return AuthSettings(enabled=bool(auth), providers=providers, roles=roles, session_hours=hours)


def serves_anonymously_off_loopback(settings: AuthSettings) -> bool:
    """True when this server listens beyond this machine without sign-in and nobody allowed that on purpose."""
    address = str(st.get_option("server.address") or "")
    return not settings.enabled and address not in LOOPBACK and os.environ.get(ALLOW_ANONYMOUS_ENV) != "1"


def signed_in_claims() -> dict[str, Any] | None:
    """The identity token's claims of this session's user; None when nobody is signed in."""
    return st.user.to_dict() if st.user.is_logged_in else None


def session_is_stale(claims: Mapping[str, Any], hours: float, now: float | None = None) -> bool:
    """Whether a sign-in (its token's `iat`) is older than the configured session lifetime."""
    issued = claims.get("iat")
    if not isinstance(issued, int | float):
        return False
    return (time.time() if now is None else now) - float(issued) > hours * 3600


def current_identity() -> Identity | None:
    """This session's user: the local user without sign-in, the signed-in user with their role, else None."""
    settings = auth_settings()
    if not settings.enabled:
        return LOCAL_USER
    if settings.problem:
        return None
    claims = signed_in_claims()
    return settings.roles.identity(claims) if claims is not None else None


def is_let_in() -> bool:
    """Whether this session may see pages at all (app.py's gate decides the same; pages check again)."""
    settings = auth_settings()
    if serves_anonymously_off_loopback(settings):
        return False
    if not settings.enabled:
        return True
    claims = signed_in_claims()
    if claims is None or session_is_stale(claims, settings.session_hours):
        return False
    identity = current_identity()
    return identity is not None and identity.role is not None


def actor() -> Identity:
    """The identity every core call on this user's behalf carries (pages run only for someone let in)."""
    return current_identity() or Identity(subject="", role=None)


def allowed(action: Action) -> bool:
    """Whether this session's user may do action (to draw a button enabled or not; the core checks again)."""
    return may(actor().role, action)


def why_not(action: Action) -> str:
    """The sentence a disabled control shows: which role may do this, and who the user is."""
    return refusal_message(actor(), action)
