"""Executors: the job manager runs each sweep through one, and only reads the snapshots it publishes."""

from __future__ import annotations

import threading

from agnews_core.states import RunState, SweepState
from agnews_core.store.artifact_store import ArtifactStore
from agnews_core.store.records import SweepRecord
from agnews_core.sweeps.executors.thread import THREAD, ThreadExecutor
from agnews_core.sweeps.runner import create_sweep
from agnews_core.sweeps.snapshots import JobSnapshot, SnapshotCallback

WAIT = 120


def test_the_thread_executor_runs_a_stored_sweep_and_publishes_snapshots(store: ArtifactStore, small_config) -> None:
    sweep = create_sweep(store, small_config())
    seen: list[JobSnapshot] = []
    record = ThreadExecutor(store).run(sweep.sweep_id, seen.append, threading.Event())
    assert record.status == SweepState.DONE and store.load_sweep(sweep.sweep_id) == record
    assert seen[0].sweep.status == SweepState.RUNNING and seen[-1].sweep == record
    assert [r.status for r in seen[-1].runs] == [RunState.DONE]


class HeldExecutor:
    """A second executor: publishes one snapshot, then waits for cancel (what a remote executor looks like)."""

    name = THREAD

    def __init__(self, store: ArtifactStore) -> None:
        self.store = store
        self.started = threading.Event()

    def run(self, sweep_id: str, on_snapshot: SnapshotCallback, cancel: threading.Event) -> SweepRecord:
        sweep = self.store.load_sweep(sweep_id).with_changes(status=SweepState.RUNNING, error="held")
        on_snapshot(JobSnapshot(sweep, ()))
        self.started.set()
        cancel.wait(WAIT)
        final = sweep.with_changes(status=SweepState.CANCELLED)
        self.store.save_sweep(final)
        return final


def test_the_manager_shows_what_its_executor_publishes(store: ArtifactStore, small_config, make_manager) -> None:
    executor = HeldExecutor(store)
    manager = make_manager(store, executors={THREAD: executor})
    sweep = manager.submit(small_config())
    assert executor.started.wait(WAIT)
    live = manager.job(sweep.sweep_id)
    assert live.sweep.error == "held" and store.load_sweep(sweep.sweep_id).error == ""  # the snapshot, not the disk
    assert manager.cancel(sweep.sweep_id).startswith("Stopping")
    assert manager.wait_idle(WAIT)
    assert manager.job(sweep.sweep_id).sweep.status == SweepState.CANCELLED


class CrashingExecutor:
    name = THREAD

    def run(self, sweep_id: str, on_snapshot: SnapshotCallback, cancel: threading.Event) -> SweepRecord:
        raise ConnectionError("the cluster went away")


def test_a_crashing_executor_leaves_the_sweep_failed_with_the_reason(store: ArtifactStore, small_config,
                                                                     make_manager) -> None:
    manager = make_manager(store, executors={THREAD: CrashingExecutor()})
    sweep = manager.submit(small_config())
    assert manager.wait_idle(WAIT)
    record = store.load_sweep(sweep.sweep_id)
    assert record.status == SweepState.FAILED and "the cluster went away" in record.error
    assert [r.status for r in store.load_runs(record)[0]] == [RunState.FAILED]
    assert not manager.is_busy()
