"""The guard: allowed actions run and are logged as done or failed; refused ones are logged and say who may."""

from __future__ import annotations

from pathlib import Path

import pytest

from agnews_core.access.audit import AuditLog, Outcome
from agnews_core.access.guard import AccessRefused, audited, authorize, refusal_message
from agnews_core.access.identity import Identity
from agnews_core.access.roles import Action, Role

VIEWER = Identity(subject="v", email="vi@example.com", role=Role.VIEWER)
ANALYST = Identity(subject="a", email="an@example.com", role=Role.ANALYST)


def test_a_refusal_names_the_roles_that_may_and_who_asked() -> None:
    assert refusal_message(VIEWER, Action.RUN_SWEEP) == (
        "Starting a sweep needs the admin or analyst role; you are signed in as vi@example.com (viewer).")


def test_authorize_refuses_and_logs(tmp_path: Path) -> None:
    with pytest.raises(AccessRefused, match="needs the admin or analyst role"):
        authorize(VIEWER, Action.REGISTER_DATASET, "tickets", tmp_path)
    authorize(ANALYST, Action.REGISTER_DATASET, "tickets", tmp_path)  # allowed: returns, logs nothing by itself
    [entry] = AuditLog(tmp_path).read().entries
    assert (entry.who, entry.action, entry.target, entry.outcome) == (
        "vi@example.com", "register_dataset", "tickets", Outcome.REFUSED)


def test_audited_logs_done_with_the_target_found_on_the_way(tmp_path: Path) -> None:
    with audited(ANALYST, Action.RUN_SWEEP, "my sweep", tmp_path) as step:
        step.target, step.detail = "sweep-9", "queued"
    [entry] = AuditLog(tmp_path).read().entries
    assert (entry.target, entry.outcome, entry.detail) == ("sweep-9", Outcome.DONE, "queued")


def test_audited_logs_a_failure_and_lets_it_through(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="disk full"), audited(ANALYST, Action.RUN_SWEEP, "s", tmp_path):
        raise ValueError("disk full\nmore detail")
    [entry] = AuditLog(tmp_path).read().entries
    assert (entry.outcome, entry.detail) == (Outcome.FAILED, "disk full")


def test_a_refused_block_never_runs(tmp_path: Path) -> None:
    ran = []
    with pytest.raises(AccessRefused), audited(VIEWER, Action.RUN_SWEEP, "s", tmp_path):
        ran.append(True)
    assert ran == []
