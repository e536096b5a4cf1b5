"""The roles, the actions they guard, and the one table that says which role may do which action."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """A signed-in user's role; the local user of an app without sign-in is an admin."""

    ADMIN = "admin"
    ANALYST = "analyst"
    REVIEWER = "reviewer"
    VIEWER = "viewer"


class Action(StrEnum):
    """Everything the app does on a user's behalf that a role may be refused."""

    READ = "read"
    PREDICT = "predict"
    RUN_SWEEP = "run_sweep"
    FINAL_TRAINING = "final_training"
    QUICK_DEMO = "quick_demo"
    CANCEL_OWN_JOB = "cancel_own_job"
    CANCEL_ANY_JOB = "cancel_any_job"
    REGISTER_DATASET = "register_dataset"
    REMOVE_DATASET = "remove_dataset"
    RECORD_VERDICT = "record_verdict"
    IMPORT_VERDICTS = "import_verdicts"
    DELETE_ANY_VERDICT = "delete_any_verdict"
    VIEW_AUDIT = "view_audit"

    @property
    def phrase(self) -> str:
        """What the action is, as a refusal message says it ('starting a sweep')."""
        return _PHRASES[self]


_EVERYONE = frozenset(Role)
_ANALYSTS = frozenset({Role.ADMIN, Role.ANALYST})
_REVIEWERS = frozenset({Role.ADMIN, Role.ANALYST, Role.REVIEWER})

# The one place that says who may do what; tests walk every cell of it.
PERMISSIONS: dict[Action, frozenset[Role]] = {
    Action.READ: _EVERYONE,
    Action.PREDICT: _EVERYONE,
    Action.RUN_SWEEP: _ANALYSTS,
    Action.FINAL_TRAINING: _ANALYSTS,
    Action.QUICK_DEMO: _ANALYSTS,
    Action.CANCEL_OWN_JOB: _ANALYSTS,
    Action.CANCEL_ANY_JOB: frozenset({Role.ADMIN}),
    Action.REGISTER_DATASET: _ANALYSTS,
    Action.REMOVE_DATASET: _ANALYSTS,
    Action.RECORD_VERDICT: _REVIEWERS,
    Action.IMPORT_VERDICTS: _REVIEWERS,
    Action.DELETE_ANY_VERDICT: frozenset({Role.ADMIN}),
    Action.VIEW_AUDIT: frozenset({Role.ADMIN}),
}

_PHRASES = {
    Action.READ: "reading runs and data sets",
    Action.PREDICT: "predicting",
    Action.RUN_SWEEP: "starting a sweep",
    Action.FINAL_TRAINING: "starting a final training",
    Action.QUICK_DEMO: "training the quick demo model",
    Action.CANCEL_OWN_JOB: "cancelling your own job",
    Action.CANCEL_ANY_JOB: "cancelling a job someone else started",
    Action.REGISTER_DATASET: "registering a data set",
    Action.REMOVE_DATASET: "removing a data set",
    Action.RECORD_VERDICT: "recording a verdict",
    Action.IMPORT_VERDICTS: "importing verdicts",
    Action.DELETE_ANY_VERDICT: "deleting someone else's verdict",
    Action.VIEW_AUDIT: "reading the audit log",
}

# Strongest first: a user matched by several rules gets the first of these.
ROLE_ORDER: tuple[Role, ...] = (Role.ADMIN, Role.ANALYST, Role.REVIEWER, Role.VIEWER)


def may(role: Role | None, action: Action) -> bool:
    """Whether role may do action (no role: nothing at all)."""
    return role is not None and role in PERMISSIONS[action]


def roles_allowed(action: Action) -> tuple[Role, ...]:
    """The roles that may do action, strongest first."""
    return tuple(r for r in ROLE_ORDER if r in PERMISSIONS[action])
