"""Where a sweep runs. The job manager hands each sweep to one executor and only ever reads its snapshots."""

from __future__ import annotations

import threading
from typing import Protocol

from agnews_core.config.sweep_config import THREAD  # the default: the job manager's own worker thread, on this machine
from agnews_core.store.artifact_store import ArtifactStore
from agnews_core.store.records import SweepRecord
from agnews_core.sweeps.crossfit import runner_for
from agnews_core.sweeps.runner import FaultHook
from agnews_core.sweeps.snapshots import SnapshotCallback

__all__ = ["THREAD", "SweepExecutor", "ThreadExecutor"]


class SweepExecutor(Protocol):
    """Runs one stored sweep to its end, publishing snapshots, stopping soon after cancel is set.

    run() blocks the job manager's worker thread until the sweep ends, never raises for a failing run, and
    leaves the sweep's final state in the store. An executor that fails as a whole may raise: the manager
    then records the sweep as failed with the reason.
    """

    name: str

    def run(self, sweep_id: str, on_snapshot: SnapshotCallback, cancel: threading.Event) -> SweepRecord: ...


class ThreadExecutor:
    """Runs the sweep right here, in the calling (worker) thread."""

    name = THREAD

    def __init__(self, store: ArtifactStore, fault_hook: FaultHook | None = None) -> None:
        self.store = store
        self.fault_hook = fault_hook  # tests inject failures at the start of a run

    def run(self, sweep_id: str, on_snapshot: SnapshotCallback, cancel: threading.Event) -> SweepRecord:
        return runner_for(self.store, sweep_id, on_snapshot, cancel, self.fault_hook).run()
