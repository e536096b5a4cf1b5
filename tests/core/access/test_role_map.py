"""Roles from configuration: emails, domains, groups, everyone; the strongest match wins."""

from __future__ import annotations

import pytest

from agnews_core.access.role_map import RoleMap, RoleMapError, groups_of
from agnews_core.access.roles import Role

CONFIG = {"admin": ["Ana@Example.com"], "analyst": ["group:ml-team", "*@research.example.com"],
          "reviewer": ["group:annotators"], "viewer": ["*@example.com"]}


@pytest.mark.parametrize(("email", "groups", "role"), [
    ("ana@example.com", (), Role.ADMIN),  # emails match in any case
    ("bo@example.com", ("ml-team",), Role.ANALYST),
    ("cy@research.example.com", (), Role.ANALYST),
    ("di@example.com", ("annotators",), Role.REVIEWER),
    ("ed@example.com", (), Role.VIEWER),
    ("fay@elsewhere.org", (), None),  # matched by nothing: no role, let in to nothing
    ("ana@example.com", ("annotators",), Role.ADMIN),  # several matches: the strongest
])
def test_role_for(email: str, groups: tuple[str, ...], role: Role | None) -> None:
    assert RoleMap.from_config(CONFIG).role_for(email, groups) is role


def test_a_star_lets_in_everyone_signed_in() -> None:
    assert RoleMap.from_config({"viewer": "*"}).role_for("", ()) is Role.VIEWER


def test_identity_reads_the_token_claims_with_a_configured_groups_claim() -> None:
    roles = RoleMap.from_config({"reviewer": ["group:qa"]}, groups_claim="roles")
    user = roles.identity({"sub": "123", "email": "gil@example.com", "name": "Gil", "roles": "qa"})
    assert (user.subject, user.who, user.name, user.groups, user.role) == (
        "123", "gil@example.com", "Gil", ("qa",), Role.REVIEWER)
    assert roles.identity({"sub": "123", "email": "gil@example.com", "groups": ["qa"]}).role is None


@pytest.mark.parametrize(("config", "message"), [
    ({"owner": ["a@example.com"]}, "unknown role 'owner'"),
    ({"admin": [3]}, "role admin: give a list"),
    ({"admin": [""]}, "role admin: give a list"),
])
def test_bad_configuration_says_which_entry(config: dict, message: str) -> None:
    with pytest.raises(RoleMapError, match=message):
        RoleMap.from_config(config)


def test_groups_claims_in_every_shape() -> None:
    assert groups_of(None) == () and groups_of("a") == ("a",) and groups_of(["a", 2]) == ("a", "2")
