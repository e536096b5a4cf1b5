"""Who is acting: a signed-in user with the role the role map gave them, or the local user of an app without
sign-in."""

from __future__ import annotations

from dataclasses import dataclass, field

from agnews_core.access.roles import Role


@dataclass(frozen=True)
class Identity:
    """One user as the app knows them; `who` is what records and the audit log keep."""

    subject: str  # the identity token's `sub`, stable per user at one provider
    email: str = ""
    name: str = ""
    role: Role | None = None  # None: signed in, but the role map gives this user no role
    groups: tuple[str, ...] = field(default_factory=tuple)
    signed_in: bool = True  # False for the local user of an app without sign-in

    @property
    def who(self) -> str:
        """The user in records and the audit log: the email, else the subject."""
        return self.email or self.subject

    def describe(self) -> str:
        """'ana@example.com (reviewer)' for messages."""
        return f"{self.who} ({self.role or 'no role'})"


# The one user of an app started without sign-in on 127.0.0.1, and of the command line: everything is theirs.
LOCAL_USER = Identity(subject="local", name="local user", role=Role.ADMIN, signed_in=False)
