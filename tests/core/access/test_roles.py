"""The permission table: every role and action, and the roles a refusal names."""

from __future__ import annotations

import pytest

from agnews_core.access.roles import PERMISSIONS, ROLE_ORDER, Action, Role, may, roles_allowed

# What each role may do, written out as a user would describe it; the table in roles.py must say the same.
EXPECTED = {
    Role.VIEWER: {Action.READ, Action.PREDICT},
    Role.REVIEWER: {Action.READ, Action.PREDICT, Action.RECORD_VERDICT, Action.IMPORT_VERDICTS},
    Role.ANALYST: {Action.READ, Action.PREDICT, Action.RECORD_VERDICT, Action.IMPORT_VERDICTS, Action.RUN_SWEEP,
                   Action.FINAL_TRAINING, Action.QUICK_DEMO, Action.CANCEL_OWN_JOB, Action.REGISTER_DATASET,
                   Action.REMOVE_DATASET},
    Role.ADMIN: set(Action),
}


def test_the_table_covers_every_action() -> None:
    assert set(PERMISSIONS) == set(Action)


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("action", list(Action))
def test_each_cell_of_the_table(role: Role, action: Action) -> None:
    assert may(role, action) is (action in EXPECTED[role])


def test_no_role_may_do_nothing() -> None:
    assert not any(may(None, action) for action in Action)


def test_allowed_roles_are_listed_strongest_first() -> None:
    assert roles_allowed(Action.RUN_SWEEP) == (Role.ADMIN, Role.ANALYST)
    assert roles_allowed(Action.VIEW_AUDIT) == (Role.ADMIN,)
    assert ROLE_ORDER[0] is Role.ADMIN and set(ROLE_ORDER) == set(Role)


def test_every_action_has_a_phrase() -> None:
    assert all(action.phrase and action.phrase[0].islower() for action in Action)
