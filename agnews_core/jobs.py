"""One job manager per process: runs sweeps one at a time in a background thread, queues the rest."""

from __future__ import annotations

import logging
import os
import threading
from collections import deque
from dataclasses import dataclass

from agnews_core.artifacts import ArtifactError, ArtifactStore, BrokenEntry
from agnews_core.config import SweepConfig
from agnews_core.estimate import estimate_sweep_seconds, load_throughput
from agnews_core.progress import Progress
from agnews_core.records import (
    ACTIVE_STATES,
    CANCELLED,
    FAILED,
    INTERRUPTED,
    PENDING,
    QUEUED,
    RUNNING,
    SKIPPED,
    RunRecord,
    SweepRecord,
)
from agnews_core.sweep import FaultHook, SweepRunner, create_sweep, now_iso

logger = logging.getLogger(__name__)

# Sweeps queued or running under any manager of this process: a second manager (e.g. after a cache
# clear) must not mistake them for interrupted ones. An id leaves only after its final state is on disk.
_OWNED_HERE: set[str] = set()
_OWNED_LOCK = threading.Lock()


@dataclass(frozen=True)
class JobView:
    """An immutable snapshot of one job for a page to render."""

    sweep: SweepRecord
    progress: Progress | None  # live only while this process runs the job
    runs: tuple[RunRecord, ...]  # live curves while running, else as stored (unreadable runs left out)
    queue_position: int | None  # 1 = next to start


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


def _release(sweep_id: str) -> None:
    with _OWNED_LOCK:
        _OWNED_HERE.discard(sweep_id)


class JobManager:
    """Owns the worker thread, the queue and cancel events; hands out snapshots."""

    def __init__(self, store: ArtifactStore, fault_hook: FaultHook | None = None) -> None:
        self.store = store
        self.fault_hook = fault_hook
        self._lock = threading.Condition()
        self._queue: deque[str] = deque()
        self._cancel: dict[str, threading.Event] = {}
        self._progress: dict[str, Progress] = {}
        self._runner: SweepRunner | None = None
        self._stopping = False
        self.recovered: list[str] = self._recover_interrupted()
        self._worker = threading.Thread(target=self._work, name="agnews-sweep-worker", daemon=True)
        self._worker.start()

    # ---- what pages call
    def estimate_seconds(self, config: SweepConfig) -> float:
        """Expected wall time of a sweep from throughput measured on this machine."""
        return estimate_sweep_seconds(config, load_throughput(self.store.root, config.model))

    def submit(self, config: SweepConfig) -> SweepRecord:
        """Queue a sweep; it starts when the ones before it finish."""
        estimate = self.estimate_seconds(config)
        with _OWNED_LOCK:
            sweep = create_sweep(self.store, config, estimate_seconds=estimate, pid=os.getpid())
            _OWNED_HERE.add(sweep.sweep_id)
        with self._lock:
            self._cancel[sweep.sweep_id] = threading.Event()
            self._queue.append(sweep.sweep_id)
            self._lock.notify_all()
        logger.info("queued sweep %s", sweep.sweep_id)
        return sweep

    def cancel(self, sweep_id: str) -> str:
        """Cancel a queued or running sweep; say what happens."""
        with self._lock:
            if sweep_id in self._queue:
                self._queue.remove(sweep_id)
                self._mark_never_started(sweep_id, CANCELLED, "cancelled before it started")
                _release(sweep_id)
                return "Cancelled before it started."
            event = self._cancel.get(sweep_id)
            if event is not None and self._runner is not None and self._runner.sweep.sweep_id == sweep_id:
                event.set()
                return "Stopping after the current training step; finished runs and curves are kept."
        return "This sweep is not running."

    def sweeps(self) -> tuple[list[SweepRecord], list[BrokenEntry]]:
        """Every readable sweep, newest first, with sweeps whose process died shown as interrupted."""
        sweeps, broken = self.store.list_sweeps()
        return [self._mark_interrupted(s) if s.status in ACTIVE_STATES and self._is_orphan(s) else s
                for s in sweeps], broken

    def jobs(self, runs_for: int | None = None) -> tuple[list[JobView], list[BrokenEntry]]:
        """Every sweep, newest first, with live progress and curves for the running one.

        Only the newest runs_for sweeps (all when None) get their runs read from disk: a page that polls
        every few seconds should not re-read hundreds of run files it does not show.
        """
        sweeps, broken = self.sweeps()
        with self._lock:
            queue = list(self._queue)
            runner = self._runner
            progress = dict(self._progress)
        views = []
        for index, sweep in enumerate(sweeps):
            if runner is not None and runner.sweep.sweep_id == sweep.sweep_id:
                sweep, runs = runner.sweep, tuple(runner.runs)
            elif runs_for is None or index < runs_for:
                runs = tuple(self.store.load_runs(sweep)[0])
            else:
                runs = ()
            position = queue.index(sweep.sweep_id) + 1 if sweep.sweep_id in queue else None
            views.append(JobView(sweep, progress.get(sweep.sweep_id), runs, position))
        return views, broken

    def job(self, sweep_id: str) -> JobView | None:
        """One job's snapshot, or None when it does not exist."""
        views, _ = self.jobs()
        return next((v for v in views if v.sweep.sweep_id == sweep_id), None)

    def is_busy(self) -> bool:
        """True while a sweep runs or waits."""
        with self._lock:
            return self._runner is not None or bool(self._queue)

    def wait_idle(self, timeout: float) -> bool:
        """Block until nothing runs or waits (tests and the CLI); False on timeout."""
        with self._lock:
            return self._lock.wait_for(lambda: self._runner is None and not self._queue, timeout)

    def stop(self) -> None:
        """Cancel everything and end the worker thread (tests)."""
        with self._lock:
            self._stopping = True
            for sweep_id in list(self._queue):
                self._mark_never_started(sweep_id, CANCELLED, "cancelled: the job manager stopped")
                _release(sweep_id)
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
                cancel = self._cancel[sweep_id]
                try:
                    self._runner = SweepRunner(self.store, sweep_id, self._progress_for(sweep_id), cancel,
                                               self.fault_hook)
                except (ArtifactError, ValueError) as exc:
                    logger.error("sweep %s cannot start: %s", sweep_id, exc)
                    _release(sweep_id)
                    self._lock.notify_all()
                    continue
            try:
                self._runner.run()
            except Exception as exc:  # noqa: BLE001 - record it on the job; the worker lives on
                logger.exception("sweep %s crashed", sweep_id)
                self._record_crash(self._runner, exc)
            finally:
                _release(sweep_id)
                with self._lock:
                    self._runner = None
                    self._progress.pop(sweep_id, None)
                    self._cancel.pop(sweep_id, None)
                    self._lock.notify_all()

    def _progress_for(self, sweep_id: str):  # noqa: ANN202
        def report(progress: Progress) -> None:
            with self._lock:
                self._progress[sweep_id] = progress

        return report

    def _record_crash(self, runner: SweepRunner, exc: Exception) -> None:
        try:
            for run in runner.runs:
                if run.status in (RUNNING, PENDING):
                    self.store.save_run(runner.sweep.sweep_id, run.with_changes(status=FAILED, error=str(exc)))
            self.store.save_sweep(runner.sweep.with_changes(status=FAILED, error=f"{type(exc).__name__}: {exc}",
                                                            finished_at=now_iso()))
        except Exception:  # noqa: BLE001 - e.g. the disk is full: the log keeps the reason
            logger.exception("could not record the crash of %s", runner.sweep.sweep_id)

    # ---- recovery of jobs whose process died
    def _is_orphan(self, sweep: SweepRecord) -> bool:
        """An active sweep that no manager here and no live process owns: it was interrupted."""
        with _OWNED_LOCK:
            if sweep.sweep_id in _OWNED_HERE:
                return False
        if sweep.pid != os.getpid() and process_is_alive(sweep.pid):
            return False  # e.g. a CLI sweep running beside the app
        try:  # re-read: it may have finished since it was listed
            return self.store.load_sweep(sweep.sweep_id).status in ACTIVE_STATES
        except (ArtifactError, ValueError):
            return False

    def _recover_interrupted(self) -> list[str]:
        sweeps, _ = self.store.list_sweeps()
        return [self._mark_interrupted(s).sweep_id for s in sweeps
                if s.status in ACTIVE_STATES and self._is_orphan(s)]

    def _mark_interrupted(self, sweep: SweepRecord) -> SweepRecord:
        why = ("the server stopped before this sweep started" if sweep.status == QUEUED
               else "the server stopped while this sweep was running")
        marked = sweep.with_changes(status=INTERRUPTED, error=why, finished_at=now_iso())
        try:  # a read-only or full disk keeps the old states on disk; the pages still show it interrupted
            runs, _ = self.store.load_runs(sweep)
            for run in runs:
                if run.status == RUNNING:
                    self.store.save_run(sweep.sweep_id, run.with_changes(status=INTERRUPTED, error=why + "; curves kept"))
                elif run.status == PENDING:
                    self.store.save_run(sweep.sweep_id, run.with_changes(status=SKIPPED, error=why))
            self.store.save_sweep(marked)
        except OSError as exc:
            logger.warning("could not mark %s interrupted: %s", sweep.sweep_id, exc)
        return marked

    def _mark_never_started(self, sweep_id: str, status: str, why: str) -> None:
        try:
            sweep = self.store.load_sweep(sweep_id)
            runs, _ = self.store.load_runs(sweep)
            for run in runs:
                self.store.save_run(sweep_id, run.with_changes(status=SKIPPED, error=why))
            self.store.save_sweep(sweep.with_changes(status=status, error=why, finished_at=now_iso()))
        except (ArtifactError, OSError) as exc:
            logger.warning("could not mark %s %s: %s", sweep_id, status, exc)
