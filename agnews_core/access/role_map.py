"""Roles from configuration: who is an admin, analyst, reviewer or viewer, by email or by a token claim.

The configuration is a mapping (the `[agnews.roles]` table of the app's secrets, or any dict):

    admin = ["ana@example.com"]
    analyst = ["group:ml-team", "*@research.example.com"]
    reviewer = ["group:annotators"]
    viewer = ["*"]

An entry is an email (any case), `*@domain` (anyone whose email is at that domain), `group:NAME` (NAME is in
the token's groups claim) or `*` (anyone signed in). A user matched by several entries gets the strongest role;
a user matched by none has no role and is let in to nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from agnews_core.access.identity import Identity
from agnews_core.access.roles import ROLE_ORDER, Role

GROUP_PREFIX = "group:"
DEFAULT_GROUPS_CLAIM = "groups"


class RoleMapError(ValueError):
    """The roles configuration cannot be read; the message says which entry and why."""


@dataclass(frozen=True)
class RoleMap:
    """role -> the entries that grant it, plus the token claim that lists a user's groups."""

    entries: dict[Role, tuple[str, ...]] = field(default_factory=dict)
    groups_claim: str = DEFAULT_GROUPS_CLAIM

    @classmethod
    def from_config(cls, roles: Mapping[str, Any] | None, groups_claim: str = DEFAULT_GROUPS_CLAIM) -> RoleMap:
        """Read `{role: [entries]}`; RoleMapError for an unknown role or an entry that is not text."""
        entries: dict[Role, tuple[str, ...]] = {}
        for name, values in (roles or {}).items():
            try:
                role = Role(str(name).strip().lower())
            except ValueError:
                raise RoleMapError(f"unknown role {name!r} in the roles table (roles: {', '.join(Role)})") from None
            listed = [values] if isinstance(values, str) else values
            if not isinstance(listed, Iterable) or not all(isinstance(v, str) and v.strip() for v in listed):
                raise RoleMapError(f"role {role}: give a list of emails, '*@domain', 'group:NAME' or '*'")
            entries[role] = tuple(v.strip() for v in listed)
        return cls(entries, str(groups_claim or DEFAULT_GROUPS_CLAIM))

    def role_for(self, email: str, groups: Iterable[str]) -> Role | None:
        """The strongest role whose entries match this email or one of these groups; None when none does."""
        email = email.strip().lower()
        group_set = {str(g) for g in groups}
        for role in ROLE_ORDER:
            if any(_matches(entry, email, group_set) for entry in self.entries.get(role, ())):
                return role
        return None

    def identity(self, claims: Mapping[str, Any]) -> Identity:
        """The signed-in user that an identity token's claims describe, with their role."""
        email = str(claims.get("email") or "")
        groups = groups_of(claims.get(self.groups_claim))
        return Identity(subject=str(claims.get("sub") or email), email=email, name=str(claims.get("name") or ""),
                        role=self.role_for(email, groups), groups=groups)


def groups_of(value: Any) -> tuple[str, ...]:
    """A groups claim as a tuple: providers send a list, a single string or nothing."""
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, Iterable):
        return tuple(str(v) for v in value)
    return (str(value),)


def _matches(entry: str, email: str, groups: set[str]) -> bool:
    if entry == "*":
        return True
    if entry.startswith(GROUP_PREFIX):
        return entry[len(GROUP_PREFIX):] in groups
    if entry.startswith("*@"):
        return bool(email) and email.endswith(entry[1:].lower())
    return bool(email) and entry.lower() == email
