"""The job manager: one per artifacts folder per process; runs sweeps one at a time, queues the rest.

Everything a page or the CLI learns about a job comes from a JobSnapshot: the running sweep's snapshot is
published by its executor under the manager's lock; every other sweep is read from the store. Reading never
writes: sweeps whose process died are written as interrupted once, when the manager starts (and a crashed
worker records its own failure).
"""

from __future__ import annotations

import logging
import os
import threading
from collections import deque
from pathlib import Path
from typing import ClassVar

from agnews_core.access.guard import audited
from agnews_core.access.identity import LOCAL_USER, Identity
from agnews_core.access.roles import Action, may
from agnews_core.config.sweep_config import SweepConfig
from agnews_core.states import RunState, SweepState
from agnews_core.store.artifact_store import ArtifactError, ArtifactStore, BrokenEntry
from agnews_core.store.records import RunRecord, SweepRecord
from agnews_core.sweeps.estimate import estimate_sweep_seconds, load_throughput
from agnews_core.sweeps.executors.ray_executor import RAY, RayExecutor
from agnews_core.sweeps.executors.thread import THREAD, SweepExecutor, ThreadExecutor
from agnews_core.sweeps.quick_demo import is_quick_demo
from agnews_core.sweeps.runner import FaultHook, create_sweep, now_iso
from agnews_core.sweeps.snapshots import JobSnapshot

logger = logging.getLogger(__name__)


def executor_of(config: SweepConfig) -> str:
    """Which executor a sweep asks for ('thread' unless its config says 'ray')."""
    return str(getattr(config, "executor", THREAD))


def submit_action(config: SweepConfig) -> Action:
    """The permission a job of this config needs: a final training, the quick demo, or a sweep."""
    if config.final_of:
        return Action.FINAL_TRAINING
    return Action.QUICK_DEMO if is_quick_demo(config) else Action.RUN_SWEEP


def cancel_action(actor: Identity, sweep: SweepRecord | None) -> Action:
    """Cancelling one's own job (or one nobody is recorded to have started) needs less than someone else's."""
    owner = sweep.started_by if sweep is not None else ""
    return Action.CANCEL_OWN_JOB if not owner or owner == actor.who else Action.CANCEL_ANY_JOB


def process_is_alive(pid: int) -> bool:
    """True when a process with this pid exists."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def interrupted_reason(sweep: SweepRecord) -> str:
    """Why a sweep whose process died is shown as interrupted."""
    if sweep.status == SweepState.QUEUED:
        return "the server stopped before this sweep started"
    return "the server stopped while this sweep was running"


def as_interrupted(sweep: SweepRecord, runs: tuple[RunRecord, ...]) -> tuple[SweepRecord, tuple[RunRecord, ...]]:
    """How an orphaned sweep and its runs read once interrupted: finished runs and curves as they were."""
    why = interrupted_reason(sweep)
    marked = tuple(run.with_changes(status=RunState.INTERRUPTED, error=why + "; curves kept")
                   if run.status == RunState.RUNNING
                   else run.with_changes(status=RunState.SKIPPED, error=why) if run.status == RunState.PENDING
                   else run for run in runs)
    return sweep.with_changes(status=SweepState.INTERRUPTED, error=why, finished_at=sweep.finished_at or now_iso()), marked


class JobManager:
    """Owns the worker thread, the queue, cancel events and the live snapshot of the running sweep."""

    _shared: ClassVar[dict[Path, JobManager]] = {}
    _shared_lock: ClassVar[threading.Lock] = threading.Lock()

    @classmethod
    def shared(cls, root: str | Path) -> JobManager:
        """The one manager of this process for an artifacts folder (a cache clear gets the same one back)."""
        key = Path(root).resolve()
        with cls._shared_lock:
            if key not in cls._shared:
                cls._shared[key] = cls(ArtifactStore(root))
            return cls._shared[key]

    def __init__(self, store: ArtifactStore, fault_hook: FaultHook | None = None,
                 executors: dict[str, SweepExecutor] | None = None) -> None:
        self.store = store
        self.executors: dict[str, SweepExecutor] = executors or {THREAD: ThreadExecutor(store, fault_hook),
                                                                 RAY: RayExecutor(store)}
        self._lock = threading.Condition()
        self._queue: deque[str] = deque()
        self._owned: set[str] = set()  # queued or running here; an id leaves once its final state is on disk
        self._cancel: dict[str, threading.Event] = {}
        self._live: dict[str, JobSnapshot] = {}
        self._running: str | None = None
        self._stopping = False
        self.recovered: list[str] = self._recover_interrupted()
        self._worker = threading.Thread(target=self._work, name="agnews-sweep-worker", daemon=True)
        self._worker.start()

    # ---- what pages and the CLI call
    def estimate_seconds(self, config: SweepConfig) -> float:
        """Expected wall time of a sweep from throughput measured on this machine."""
        return estimate_sweep_seconds(config, load_throughput(self.store.root, config.model))

    def submit(self, config: SweepConfig, actor: Identity = LOCAL_USER) -> SweepRecord:
        """Queue a sweep for actor; it starts when the ones before it finish.

        AccessRefused when actor's role may not start it. An executor that can check where it runs (Ray:
        installed, cluster reachable) does so first and raises ClusterError with one sentence; then nothing is
        written.
        """
        with audited(actor, submit_action(config), config.label or config.data, self.store.root) as step:
            check = getattr(self._executor_named(executor_of(config)), "check", None)
            if check is not None:
                check(config)
            estimate = self.estimate_seconds(config)
            with self._lock:
                sweep = create_sweep(self.store, config, estimate_seconds=estimate, pid=os.getpid(),
                                     started_by=actor.who)
                self._owned.add(sweep.sweep_id)
                self._cancel[sweep.sweep_id] = threading.Event()
                self._queue.append(sweep.sweep_id)
                self._lock.notify_all()
            step.target = sweep.sweep_id
        logger.info("queued sweep %s", sweep.sweep_id)
        return sweep

    def may_cancel(self, sweep_id: str, actor: Identity) -> bool:
        """Whether actor may cancel this sweep: their own with a role that runs jobs, anyone's as an admin."""
        try:
            sweep = self.store.load_sweep(sweep_id)
        except ArtifactError:
            sweep = None
        return may(actor.role, cancel_action(actor, sweep))

    def cancel(self, sweep_id: str, actor: Identity = LOCAL_USER) -> str:
        """Cancel a queued or running sweep for actor; say what happens.

        AccessRefused (logged) when the sweep is someone else's and actor is not an admin.
        """
        try:
            sweep = self.store.load_sweep(sweep_id)
        except ArtifactError:
            sweep = None
        with audited(actor, cancel_action(actor, sweep), sweep_id, self.store.root) as step:
            step.detail = self._cancel_now(sweep_id)
        return step.detail

    def _cancel_now(self, sweep_id: str) -> str:
        with self._lock:
            if sweep_id in self._queue:
                self._queue.remove(sweep_id)
                self._mark_never_started(sweep_id, SweepState.CANCELLED, "cancelled before it started")
                self._owned.discard(sweep_id)
                self._lock.notify_all()
                return "Cancelled before it started."
            if sweep_id == self._running:
                self._cancel[sweep_id].set()
                return "Stopping after the current training step; finished runs and curves are kept."
        return "This sweep is not running."

    def sweeps(self) -> tuple[list[SweepRecord], list[BrokenEntry]]:
        """Every readable sweep record, newest first, as jobs() shows them."""
        views, broken = self.jobs(runs_for=0)
        return [v.sweep for v in views], broken

    def jobs(self, runs_for: int | None = None) -> tuple[list[JobSnapshot], list[BrokenEntry]]:
        """A snapshot of every sweep, newest first; the running one is live.

        Only the newest runs_for sweeps (all when None) get their runs read from disk: a page that polls
        every few seconds should not re-read hundreds of run files it does not show.
        """
        sweeps, broken = self.store.list_sweeps()
        with self._lock:
            queue, owned, live = list(self._queue), set(self._owned), dict(self._live)
        snapshots = []
        for index, sweep in enumerate(sweeps):
            if sweep.sweep_id in live:
                snapshots.append(live[sweep.sweep_id])
                continue
            wanted = runs_for is None or index < runs_for
            runs = tuple(self.store.load_runs(sweep)[0]) if wanted else ()
            if sweep.status.is_active and sweep.sweep_id not in owned and self._owner_is_gone(sweep):
                sweep, runs = as_interrupted(sweep, runs)
            position = queue.index(sweep.sweep_id) + 1 if sweep.sweep_id in queue else None
            snapshots.append(JobSnapshot(sweep, runs, None, position))
        return snapshots, broken

    def job(self, sweep_id: str) -> JobSnapshot | None:
        """One job's snapshot, or None when it does not exist."""
        views, _ = self.jobs()
        return next((v for v in views if v.sweep.sweep_id == sweep_id), None)

    def is_busy(self) -> bool:
        """True while a sweep runs or waits."""
        with self._lock:
            return self._running is not None or bool(self._queue)

    def wait_idle(self, timeout: float) -> bool:
        """Block until nothing runs or waits (tests and the CLI); False on timeout."""
        with self._lock:
            return self._lock.wait_for(lambda: self._running is None and not self._queue, timeout)

    def stop(self) -> None:
        """Cancel everything and end the worker thread (tests); the next shared() call starts a fresh manager."""
        with JobManager._shared_lock:
            for key in [k for k, v in JobManager._shared.items() if v is self]:
                del JobManager._shared[key]
        with self._lock:
            self._stopping = True
            for sweep_id in list(self._queue):
                self._mark_never_started(sweep_id, SweepState.CANCELLED, "cancelled: the job manager stopped")
                self._owned.discard(sweep_id)
            self._queue.clear()
            for event in self._cancel.values():
                event.set()
            self._lock.notify_all()
        self._worker.join(timeout=60)

    # ---- the worker
    def _work(self) -> None:
        while True:
            with self._lock:
                self._lock.wait_for(lambda: self._queue or self._stopping)
                if self._stopping:
                    return
                sweep_id = self._queue.popleft()
                self._running = sweep_id
                cancel = self._cancel[sweep_id]
            try:
                self._executor_for(sweep_id).run(sweep_id, self._publisher(sweep_id), cancel)
            except Exception as exc:  # noqa: BLE001 - record it on the job; the worker lives on
                logger.exception("sweep %s crashed", sweep_id)
                self._record_crash(sweep_id, exc)
            finally:
                with self._lock:
                    self._running = None
                    self._live.pop(sweep_id, None)
                    self._cancel.pop(sweep_id, None)
                    self._owned.discard(sweep_id)
                    self._lock.notify_all()

    def _executor_for(self, sweep_id: str) -> SweepExecutor:
        return self._executor_named(executor_of(self.store.load_sweep(sweep_id).config))

    def _executor_named(self, name: str) -> SweepExecutor:
        if name not in self.executors:
            raise ValueError(f"unknown executor {name!r}: use one of {', '.join(self.executors)}")
        return self.executors[name]

    def _publisher(self, sweep_id: str):  # noqa: ANN202 - a closure over sweep_id
        def publish(snapshot: JobSnapshot) -> None:
            with self._lock:
                self._live[sweep_id] = snapshot

        return publish

    def _record_crash(self, sweep_id: str, exc: Exception) -> None:
        """Write what a crashed executor left behind as failed, with the reason."""
        try:
            end_stored_sweep(self.store, sweep_id, SweepState.FAILED, f"{type(exc).__name__}: {exc}",
                             RunState.FAILED, str(exc), only=(RunState.RUNNING, RunState.PENDING))
        except Exception:  # noqa: BLE001 - e.g. the disk is full: the log keeps the reason
            logger.exception("could not record the crash of %s", sweep_id)

    # ---- sweeps whose process died
    def _owner_is_gone(self, sweep: SweepRecord) -> bool:
        """No live process works on this active sweep: this one does not own it, and its recorded pid is dead."""
        return sweep.pid == os.getpid() or not process_is_alive(sweep.pid)

    def _recover_interrupted(self) -> list[str]:
        """Write every orphaned sweep as interrupted, once, at start-up."""
        recovered = []
        for sweep in self.store.list_sweeps()[0]:
            if not (sweep.status.is_active and self._owner_is_gone(sweep)):
                continue
            runs, _ = self.store.load_runs(sweep)
            marked, marked_runs = as_interrupted(sweep, tuple(runs))
            try:  # a read-only or full disk keeps the old states on disk; jobs() still shows it interrupted
                for before, after in zip(runs, marked_runs, strict=True):
                    if after != before:
                        self.store.save_run(sweep.sweep_id, after)
                self.store.save_sweep(marked)
            except OSError as exc:
                logger.warning("could not mark %s interrupted: %s", sweep.sweep_id, exc)
            recovered.append(sweep.sweep_id)
        return recovered

    def _mark_never_started(self, sweep_id: str, status: SweepState, why: str) -> None:
        try:
            end_stored_sweep(self.store, sweep_id, status, why, RunState.SKIPPED, why)
        except (ArtifactError, OSError) as exc:
            logger.warning("could not mark %s %s: %s", sweep_id, status, exc)


def end_stored_sweep(store: ArtifactStore, sweep_id: str, sweep_state: SweepState, sweep_error: str,
                     run_state: RunState, run_error: str, only: tuple[RunState, ...] | None = None) -> None:
    """Write a sweep that no runner owns as ended: its runs (those in `only`, else all), then the sweep."""
    sweep = store.load_sweep(sweep_id)
    for run in store.load_runs(sweep)[0]:
        if only is None or run.status in only:
            store.save_run(sweep_id, run.with_changes(status=run_state, error=run_error))
    store.save_sweep(sweep.with_changes(status=sweep_state, error=sweep_error, finished_at=now_iso()))
