"""The job manager: background runs, the queue, cancel, and recovery of sweeps whose process died."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator

import pytest

from agnews_core.access.audit import AuditLog, Outcome
from agnews_core.access.guard import AccessRefused
from agnews_core.access.identity import Identity
from agnews_core.access.roles import Role
from agnews_core.config.sweep_config import RunSpec
from agnews_core.states import RunState, SweepState
from agnews_core.store.artifact_store import ArtifactStore
from agnews_core.store.records import LossPoint, RunRecord
from agnews_core.sweeps.jobs import process_is_alive
from agnews_core.sweeps.quick_demo import quick_demo_config
from agnews_core.sweeps.runner import create_sweep, now_iso

WAIT = 120  # seconds; generous because other work may share the CPU


class Gate:
    """A fault hook that holds every run at its start until the test opens it (optionally to fail)."""

    def __init__(self) -> None:
        self.entered = threading.Event()
        self.seen: list[float] = []
        self._open = threading.Event()
        self._fail = False

    def __call__(self, spec: RunSpec) -> None:
        self.seen.append(spec.learning_rate)
        self.entered.set()
        if not self._open.wait(WAIT):
            raise TimeoutError("the test never opened the gate")
        if self._fail:
            raise RuntimeError("released to fail")

    def open(self, fail: bool = False) -> None:
        self._fail = fail
        self._open.set()


@pytest.fixture
def gate(make_manager) -> Iterator[Gate]:
    """Depends on make_manager so that it opens (teardown) before the managers stop."""
    hook = Gate()
    yield hook
    hook.open(fail=True)


def _dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def test_a_submitted_sweep_runs_in_the_background(store: ArtifactStore, small_config, make_manager, gate) -> None:
    manager = make_manager(store, fault_hook=gate)
    sweep = manager.submit(small_config())
    assert sweep.status == SweepState.QUEUED and sweep.estimate_seconds > 0
    assert gate.entered.wait(WAIT)
    view = manager.job(sweep.sweep_id)
    assert view.sweep.status == RunState.RUNNING and manager.is_busy()
    assert view.progress is not None and [r.status for r in view.runs] == [RunState.RUNNING]
    gate.open()
    assert manager.wait_idle(WAIT)
    view = manager.job(sweep.sweep_id)
    assert view.sweep.status == RunState.DONE and view.progress is None and view.queue_position is None
    assert store.load_sweep(sweep.sweep_id).status == RunState.DONE
    (run,), _ = store.load_runs(view.sweep)
    assert run.status == RunState.DONE and run.train_loss
    assert not manager.is_busy()


def test_two_submits_are_queued_and_run_in_order(store: ArtifactStore, small_config, make_manager, gate) -> None:
    manager = make_manager(store, fault_hook=gate)
    first = manager.submit(small_config(learning_rates=(1e-3,)))
    second = manager.submit(small_config(learning_rates=(3e-4,)))
    assert gate.entered.wait(WAIT)
    views = {v.sweep.sweep_id: v for v in manager.jobs()[0]}
    assert views[first.sweep_id].sweep.status == RunState.RUNNING and views[first.sweep_id].queue_position is None
    assert views[second.sweep_id].sweep.status == SweepState.QUEUED and views[second.sweep_id].queue_position == 1
    gate.open()
    assert manager.wait_idle(WAIT)
    assert gate.seen == [1e-3, 3e-4]
    done_first, done_second = store.load_sweep(first.sweep_id), store.load_sweep(second.sweep_id)
    assert (done_first.status, done_second.status) == (RunState.DONE, RunState.DONE)
    assert done_first.finished_at <= done_second.started_at


def test_cancel_a_queued_job(store: ArtifactStore, small_config, make_manager, gate) -> None:
    manager = make_manager(store, fault_hook=gate)
    running = manager.submit(small_config(learning_rates=(1e-3,)))
    queued = manager.submit(small_config(learning_rates=(3e-4, 1e-4)))
    assert gate.entered.wait(WAIT)
    assert manager.cancel(queued.sweep_id) == "Cancelled before it started."
    record = store.load_sweep(queued.sweep_id)
    assert record.status == RunState.CANCELLED and "before it started" in record.error
    assert [r.status for r in store.load_runs(record)[0]] == [RunState.SKIPPED, RunState.SKIPPED]
    assert manager.job(queued.sweep_id).queue_position is None
    gate.open(fail=True)  # end the running one quickly
    assert manager.wait_idle(WAIT)
    assert gate.seen == [1e-3]  # the cancelled sweep never started a run
    assert store.load_sweep(running.sweep_id).status == RunState.FAILED
    assert manager.cancel(queued.sweep_id) == "This sweep is not running."


def test_cancel_the_running_job(store: ArtifactStore, small_config, make_manager, gate) -> None:
    manager = make_manager(store, fault_hook=gate)
    sweep = manager.submit(small_config(learning_rates=(1e-3, 3e-4), train_size=320))  # 20 steps per run
    assert gate.entered.wait(WAIT)
    assert manager.cancel(sweep.sweep_id).startswith("Stopping after the current training step")
    gate.open()
    assert manager.wait_idle(WAIT)
    record = store.load_sweep(sweep.sweep_id)
    assert record.status == RunState.CANCELLED
    first, second = store.load_runs(record)[0]
    assert first.status == RunState.CANCELLED and 1 <= first.steps_done <= 2 < first.total_steps == 20
    assert second.status == RunState.SKIPPED
    assert gate.seen == [1e-3]


def test_stop_cancels_what_is_queued(store: ArtifactStore, small_config, make_manager, gate) -> None:
    manager = make_manager(store, fault_hook=gate)
    running = manager.submit(small_config(learning_rates=(1e-3,), train_size=320))
    queued = manager.submit(small_config(learning_rates=(3e-4,)))
    assert gate.entered.wait(WAIT)
    gate.open()
    manager.stop()
    assert store.load_sweep(queued.sweep_id).status == RunState.CANCELLED
    assert "job manager stopped" in store.load_sweep(queued.sweep_id).error
    assert store.load_sweep(running.sweep_id).status == RunState.CANCELLED
    assert not manager._worker.is_alive()


def _running_sweep_on_disk(store: ArtifactStore, small_config, pid: int):
    sweep = create_sweep(store, small_config(learning_rates=(1e-3, 3e-4)))
    sweep = sweep.with_changes(status=RunState.RUNNING, pid=pid, started_at=now_iso())
    store.save_sweep(sweep)
    curve = (LossPoint(1, 0.05, 1.39), LossPoint(2, 0.1, 1.37))
    store.save_run(sweep.sweep_id, RunRecord(sweep.run_ids[0], 0, 1e-3, status=RunState.RUNNING, train_loss=curve,
                                             eval_loss=(LossPoint(2, 0.1, 1.38),), steps_done=2, total_steps=20))
    return sweep


def test_a_sweep_of_a_dead_process_is_shown_interrupted(store: ArtifactStore, small_config, make_manager) -> None:
    dead = _dead_pid()
    assert not process_is_alive(dead)
    orphan = _running_sweep_on_disk(store, small_config, dead)
    queued = create_sweep(store, small_config(), pid=dead)
    finished = create_sweep(store, small_config()).with_changes(status=RunState.DONE)
    store.save_sweep(finished)

    manager = make_manager(store)
    assert sorted(manager.recovered) == sorted([orphan.sweep_id, queued.sweep_id])
    record = manager.job(orphan.sweep_id).sweep
    assert record.status == RunState.INTERRUPTED and "while this sweep was running" in record.error
    assert store.load_sweep(orphan.sweep_id).status == RunState.INTERRUPTED
    running, pending = store.load_runs(record)[0]
    assert running.status == RunState.INTERRUPTED and "curves kept" in running.error
    assert [p.loss for p in running.train_loss] == [1.39, 1.37] and len(running.eval_loss) == 1
    assert running.steps_done == 2
    assert pending.status == RunState.SKIPPED
    assert store.load_sweep(queued.sweep_id).status == RunState.INTERRUPTED
    assert "before this sweep started" in store.load_sweep(queued.sweep_id).error
    assert store.load_sweep(finished.sweep_id).status == RunState.DONE


def test_a_sweep_of_a_live_process_is_left_alone(store: ArtifactStore, small_config, make_manager) -> None:
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        sweep = _running_sweep_on_disk(store, small_config, other.pid)
        manager = make_manager(store)
        assert manager.recovered == []
        assert manager.job(sweep.sweep_id).sweep.status == RunState.RUNNING
        assert store.load_sweep(sweep.sweep_id).status == RunState.RUNNING
    finally:
        other.kill()
        other.wait()


def test_one_manager_per_folder_per_process(tmp_path) -> None:
    from agnews_core.sweeps.jobs import JobManager

    first = JobManager.shared(tmp_path / "artifacts")
    try:
        assert JobManager.shared(tmp_path / "artifacts" / ".." / "artifacts") is first
        assert JobManager.shared(tmp_path / "other") is not first
    finally:
        for root in ("artifacts", "other"):
            JobManager.shared(tmp_path / root).stop()


def test_reading_shows_a_dead_cli_sweep_interrupted_without_writing(store: ArtifactStore, small_config,
                                                                   make_manager) -> None:
    manager = make_manager(store)
    orphan = _running_sweep_on_disk(store, small_config, _dead_pid())  # e.g. a CLI sweep killed after start-up
    view = manager.job(orphan.sweep_id)
    assert view.sweep.status == RunState.INTERRUPTED and "while this sweep was running" in view.sweep.error
    assert [r.status for r in view.runs] == [RunState.INTERRUPTED, RunState.SKIPPED]
    assert store.load_sweep(orphan.sweep_id).status == RunState.RUNNING  # reading never writes
    assert manager.recovered == []


def test_process_is_alive() -> None:
    import os

    assert process_is_alive(os.getpid())
    assert not process_is_alive(0) and not process_is_alive(-1)
    assert not process_is_alive(_dead_pid())


def test_jobs_reads_runs_only_for_the_sweeps_asked_for(finished_sweep, tmp_path, make_manager) -> None:
    import shutil

    source, record = finished_sweep
    shutil.copytree(source.root, tmp_path / "copy")
    manager = make_manager(ArtifactStore(tmp_path / "copy"))
    everything, _ = manager.jobs()
    states_only, _ = manager.jobs(runs_for=0)
    assert [v.sweep.sweep_id for v in everything] == [v.sweep.sweep_id for v in states_only] == [record.sweep_id]
    assert [r.run_id for r in everything[0].runs] == list(record.run_ids)
    assert states_only[0].runs == ()


ANALYST = Identity(subject="a1", email="an@example.com", role=Role.ANALYST)
OTHER_ANALYST = Identity(subject="a2", email="bo@example.com", role=Role.ANALYST)
ADMIN = Identity(subject="ad", email="ad@example.com", role=Role.ADMIN)
VIEWER = Identity(subject="v", email="vi@example.com", role=Role.VIEWER)
REVIEWER = Identity(subject="r", email="re@example.com", role=Role.REVIEWER)


@pytest.mark.parametrize("actor", [VIEWER, REVIEWER])
def test_only_analysts_and_admins_may_start_jobs(store: ArtifactStore, small_config, make_manager, actor) -> None:
    manager = make_manager(store)
    for config in (small_config(), quick_demo_config()):
        with pytest.raises(AccessRefused, match="needs the admin or analyst role"):
            manager.submit(config, actor)
    assert manager.sweeps()[0] == []  # nothing written, nothing queued
    refused = AuditLog(store.root).read().entries
    assert [(e.who, e.action, e.outcome) for e in refused] == [
        (actor.who, "run_sweep", Outcome.REFUSED), (actor.who, "quick_demo", Outcome.REFUSED)]


def test_a_sweep_records_who_started_it_and_only_they_or_an_admin_cancel(store: ArtifactStore, small_config,
                                                                          make_manager, gate) -> None:
    manager = make_manager(store, fault_hook=gate)
    running = manager.submit(small_config(learning_rates=(1e-3,)), ANALYST)
    queued = manager.submit(small_config(learning_rates=(3e-4,)), ANALYST)
    mine = manager.submit(small_config(learning_rates=(1e-4,)), OTHER_ANALYST)
    assert store.load_sweep(running.sweep_id).started_by == "an@example.com"
    assert gate.entered.wait(WAIT)
    assert not manager.may_cancel(queued.sweep_id, OTHER_ANALYST) and manager.may_cancel(queued.sweep_id, ANALYST)
    with pytest.raises(AccessRefused, match="Cancelling a job someone else started needs the admin role"):
        manager.cancel(queued.sweep_id, OTHER_ANALYST)
    assert store.load_sweep(queued.sweep_id).status == SweepState.QUEUED  # refused: untouched
    with pytest.raises(AccessRefused):
        manager.cancel(queued.sweep_id, VIEWER)
    assert manager.cancel(mine.sweep_id, OTHER_ANALYST) == "Cancelled before it started."  # their own
    assert manager.cancel(queued.sweep_id, ADMIN) == "Cancelled before it started."  # an admin: anyone's
    gate.open(fail=True)
    assert manager.wait_idle(WAIT)
    log = [(e.who, e.action, e.target, e.outcome) for e in AuditLog(store.root).read().entries]
    assert log == [
        ("an@example.com", "run_sweep", running.sweep_id, Outcome.DONE),
        ("an@example.com", "run_sweep", queued.sweep_id, Outcome.DONE),
        ("bo@example.com", "run_sweep", mine.sweep_id, Outcome.DONE),
        ("bo@example.com", "cancel_any_job", queued.sweep_id, Outcome.REFUSED),
        ("vi@example.com", "cancel_any_job", queued.sweep_id, Outcome.REFUSED),
        ("bo@example.com", "cancel_own_job", mine.sweep_id, Outcome.DONE),
        ("ad@example.com", "cancel_any_job", queued.sweep_id, Outcome.DONE)]


def test_a_final_training_needs_its_own_permission(store: ArtifactStore, small_config, make_manager) -> None:
    manager = make_manager(store)
    with pytest.raises(AccessRefused, match="Starting a final training"):
        manager.submit(small_config(final_of="sweep-x"), REVIEWER)
