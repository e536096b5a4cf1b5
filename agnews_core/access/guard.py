"""The check every guarded action passes where it is carried out: allowed, or refused (and logged) with a
message that names the roles that may do it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from agnews_core.access.audit import AuditLog, Outcome
from agnews_core.access.identity import Identity
from agnews_core.access.roles import Action, may, roles_allowed


class AccessRefused(PermissionError):
    """The actor's role may not do this; str() is the sentence to show."""


def refusal_message(actor: Identity, action: Action) -> str:
    """'Starting a sweep needs the admin or analyst role; you are bob@example.com (viewer).'"""
    names = [str(r) for r in roles_allowed(action)]
    roles = names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"
    return f"{action.phrase.capitalize()} needs the {roles} role; you are signed in as {actor.describe()}."


def authorize(actor: Identity, action: Action, target: str, artifacts_root: Path | str) -> None:
    """Return when actor may do action; else log the refusal and raise AccessRefused."""
    if may(actor.role, action):
        return
    message = refusal_message(actor, action)
    AuditLog(artifacts_root).record(actor, action, target, Outcome.REFUSED, message)
    raise AccessRefused(message)


@dataclass
class AuditedAction:
    """What an action under `audited` may fill in as it goes: its target once known, a detail for the log."""

    target: str
    detail: str = ""


@contextmanager
def audited(actor: Identity, action: Action, target: str, artifacts_root: Path | str) -> Iterator[AuditedAction]:
    """Authorize, run the block, then log it as done or, if it raised, failed (with the error's first line)."""
    authorize(actor, action, target, artifacts_root)
    step = AuditedAction(target)
    log = AuditLog(artifacts_root)
    try:
        yield step
    except Exception as exc:
        log.record(actor, action, step.target, Outcome.FAILED, (str(exc).splitlines() or [type(exc).__name__])[0])
        raise
    log.record(actor, action, step.target, Outcome.DONE, step.detail)
