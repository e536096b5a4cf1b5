"""Identities: what records keep of a user."""

from __future__ import annotations

from agnews_core.access.identity import LOCAL_USER, Identity
from agnews_core.access.roles import Role


def test_who_is_the_email_else_the_subject() -> None:
    assert Identity(subject="abc", email="ana@example.com", role=Role.VIEWER).who == "ana@example.com"
    assert Identity(subject="abc").who == "abc"


def test_describe_names_the_role_or_its_absence() -> None:
    assert Identity(subject="s", email="ana@example.com", role=Role.REVIEWER).describe() == "ana@example.com (reviewer)"
    assert Identity(subject="s", email="ana@example.com").describe() == "ana@example.com (no role)"


def test_the_local_user_is_an_admin_who_did_not_sign_in() -> None:
    assert LOCAL_USER.role is Role.ADMIN and not LOCAL_USER.signed_in and LOCAL_USER.who == "local"
