"""The Ray executor: each learning rate is a Ray Tune trial; the driver (this process) keeps the store.

Data loading and the baselines run here, as on the thread. Trials train in parallel as the cluster's resources
allow and tell a board actor how they are; this thread polls the board, publishes snapshots (every trial live,
its node, the cluster's free resources) and writes run.json. Predictions and kept models are written by the
trials, straight into artifacts/ or through shared storage that is copied into artifacts/ when a trial ends.
A cross-fit runs here too: each fold is a trial that trains on the other folds and scores its own rows.
"""

from __future__ import annotations

import logging
import os
import queue
import shutil
import tempfile
import threading
import time
from dataclasses import dataclass
from typing import Any

from agnews_core.config.sweep_config import ASHA, RAY, SweepConfig
from agnews_core.data.sources import DataSplits
from agnews_core.states import RunState
from agnews_core.store.artifact_store import ArtifactStore
from agnews_core.store.records import EvalMetrics, SweepRecord
from agnews_core.sweeps.crossfit import CrossfitSteps
from agnews_core.sweeps.executors.ray_board import (
    NOT_STARTED,
    TrialState,
    TrialStatus,
    final_changes,
    live_changes,
    sweep_progress,
    trial_progress,
)
from agnews_core.sweeps.executors.ray_cluster import (
    LOCAL,
    ClusterError,
    ClusterInfo,
    check_cluster,
    connect,
    current_info,
)
from agnews_core.sweeps.runner import SweepCannotStart, SweepRunner, now_iso, run_specs
from agnews_core.sweeps.snapshots import JobSnapshot, SnapshotCallback

logger = logging.getLogger(__name__)

POLL_S = 0.5  # how often the driver reads the board
CLUSTER_POLL_S = 2.0  # how often it asks the cluster for free resources
CANCEL_GRACE_S = 20.0  # after cancel, trials get this long to stop on their own before Tune stops them


EndedTrial = tuple[int, Exception | None, dict[str, Any]]  # (run index, Tune's error or None, last result)


@dataclass(frozen=True)
class RaySettings:
    """Where and how a sweep runs on Ray."""

    address: str = LOCAL  # 'local', 'auto', 'host:6379' or 'ray://host:10001'
    local_cpus: int | None = None  # CPUs of an embedded Ray ('local'); None: all of this machine's
    cpus_per_trial: float = 1.0
    gpus_per_trial: float = 0.0
    storage_path: str = ""  # '' = trials write to artifacts/ (one machine); else a shared folder or pyarrow URI
    early_stopping: bool = False  # ASHA on eval loss
    grace_evals: int = 1  # evaluations every trial gets before ASHA may stop it

    @classmethod
    def from_config(cls, config: SweepConfig) -> RaySettings:
        """The Ray settings a sweep config carries."""
        return cls(address=config.ray_address, local_cpus=config.ray_local_cpus or None,
                   cpus_per_trial=config.cpus_per_trial, gpus_per_trial=config.gpus_per_trial,
                   storage_path=config.ray_storage, early_stopping=config.early_stopping == ASHA,
                   grace_evals=config.grace_evals)


class RayExecutor:
    """Runs a stored sweep as Ray Tune trials; `settings` (tests) wins over the sweep's own config."""

    name = RAY

    def __init__(self, store: ArtifactStore, settings: RaySettings | None = None) -> None:
        self.store = store
        self.settings = settings

    def settings_for(self, config: SweepConfig) -> RaySettings:
        """The settings that apply to a sweep."""
        return self.settings or RaySettings.from_config(config)

    def check(self, config: SweepConfig) -> ClusterInfo:
        """Raise ClusterError (one sentence) unless Ray is installed and the cluster answers; called on submit."""
        settings = self.settings_for(config)
        return check_cluster(settings.address, settings.local_cpus)

    def run(self, sweep_id: str, on_snapshot: SnapshotCallback, cancel: threading.Event) -> SweepRecord:
        kind = RayCrossfitRunner if self.store.load_sweep(sweep_id).config.crossfit_of else RaySweepRunner
        return kind(self.store, sweep_id, on_snapshot, cancel, self.settings).run()


class RaySweepRunner(SweepRunner):
    """A SweepRunner whose runs are Ray Tune trials."""

    records_throughput = False  # trials ran elsewhere or with fewer threads: not this machine's speed

    def __init__(self, store: ArtifactStore, sweep_id: str, on_snapshot: SnapshotCallback,
                 cancel: threading.Event, settings: RaySettings | None = None) -> None:
        super().__init__(store, sweep_id, on_snapshot, cancel)
        self.settings = settings or RaySettings.from_config(self.config)
        self.cluster: ClusterInfo | None = None
        self.trials: list[TrialState] = []
        self._versions = [-1] * len(self.runs)
        self._saved_at = [0.0] * len(self.runs)
        self._cancelled_at: float | None = None
        self._final: set[int] = set()  # runs whose final state is written
        self._ended: queue.SimpleQueue[EndedTrial] = queue.SimpleQueue()  # what Tune saw end

    def _start(self) -> None:
        """Connect to the cluster before anything is loaded: an unreachable one fails the sweep with the reason."""
        self._progress("loading", f"Connecting to Ray ({self.settings.address})")
        try:
            connect(self.settings.address, self.settings.local_cpus)
            self.cluster = current_info(self.settings.address)
        except ClusterError as exc:
            raise SweepCannotStart(str(exc)) from exc

    # ---- the trials
    def _run_all(self, splits: DataSplits) -> None:
        """Run every LR as a Ray Tune trial, as many at once as the cluster allows, until all have ended."""
        import ray

        from agnews_core.sweeps.executors.ray_trial import TrialBoard

        self._progress("trials", f"Starting {len(self.runs)} trials on Ray ({self.settings.address})", 0)
        board = TrialBoard.remote(len(self.runs))
        # Tune's own experiment files (no checkpoints are made) go to a scratch folder; the store is ours.
        scratch = tempfile.mkdtemp(prefix="agnews-tune-")
        tuner = self._tuner(splits, board, scratch)
        outcome: dict[str, Any] = {}

        def fit() -> None:
            try:
                outcome["grid"] = tuner.fit()
            except BaseException as exc:  # noqa: BLE001 - re-raised in the worker thread below
                outcome["error"] = exc

        fitter = threading.Thread(target=fit, name=f"tune-{self.sweep.sweep_id}", daemon=True)
        fitter.start()
        last_cluster = 0.0
        try:
            while fitter.is_alive():
                self.cancel.wait(POLL_S) if self._cancelled_at is None else fitter.join(POLL_S)
                if self.cancel.is_set() and self._cancelled_at is None:
                    self._cancelled_at = time.monotonic()
                    board.cancel.remote()
                self._absorb(ray.get(board.read.remote(), timeout=30))
                self._take_ended(board)
                if time.monotonic() - last_cluster > CLUSTER_POLL_S:
                    last_cluster = time.monotonic()
                    self.cluster = _cluster_or(self.cluster, self.settings.address)
                self._publish()
            self._absorb(ray.get(board.read.remote(), timeout=30))
            self._take_ended(board)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
            ray.kill(board)
        if "error" in outcome:
            raise outcome["error"]
        for result in outcome["grid"]:  # trials that ended without telling the board: killed or stopped early
            if int(result.config["run_index"]) not in self._final:
                self._finalize(int(result.config["run_index"]), result.error, result.metrics or {})
        for i in range(len(self.runs)):  # trials Tune never started (the sweep was cancelled)
            if i not in self._final:
                self._finalize(i, None, {})

    def _tuner(self, splits: DataSplits, board: Any, scratch: str) -> Any:
        from ray import tune
        from ray.tune.schedulers import ASHAScheduler

        from agnews_core.sweeps.executors.ray_trial import CancelStopper, EndWatcher, TrialContext, run_trial

        os.environ.setdefault("RAY_AIR_NEW_OUTPUT", "0")  # with verbose=0: no experiment table on stdout
        context = TrialContext(self.sweep.sweep_id, self.config, str(self.store.root.resolve()),
                               self.settings.storage_path, tuple(self._settings(s) for s in run_specs(self.config)),
                               max(1, int(self.settings.cpus_per_trial)), self._trial_folds())
        trainable = tune.with_resources(
            tune.with_parameters(run_trial, context=context, splits=splits, board=board),
            {"cpu": self.settings.cpus_per_trial, "gpu": self.settings.gpus_per_trial},
        )
        scheduler = None
        if self.settings.early_stopping:
            scheduler = ASHAScheduler(time_attr="training_iteration", metric="eval_loss", mode="min",
                                      max_t=self.config.evals_per_run, grace_period=self.settings.grace_evals,
                                      reduction_factor=2)
        return tune.Tuner(
            trainable,
            param_space={"run_index": tune.grid_search(list(range(len(self.runs))))},
            tune_config=tune.TuneConfig(scheduler=scheduler, reuse_actors=True),
            run_config=tune.RunConfig(name=self.sweep.sweep_id, storage_path=scratch, verbose=0,
                                      stop=CancelStopper(self._may_stop_all),
                                      callbacks=[EndWatcher(lambda *ended: self._ended.put(ended))],
                                      failure_config=tune.FailureConfig(max_failures=0)),
        )

    def _trial_folds(self) -> tuple[int, ...]:
        """Per training row, the trial that holds it out (a cross-fit's folds); empty: every trial trains on all."""
        return ()

    def _take_ended(self, board: Any) -> None:
        """Finalize the trials Tune ended since the last poll.

        The board is read after taking them: a trial that ended on its own told the board before Tune knew.
        """
        ended = []
        while not self._ended.empty():
            ended.append(self._ended.get())
        if not ended:
            return
        import ray

        self._absorb(ray.get(board.read.remote(), timeout=30))
        for index, error, last in ended:
            if index not in self._final and (error is not None or not self.trials[index].status.ended):
                self._finalize(index, error, last)

    def _may_stop_all(self) -> bool:
        """After cancel: stop Tune once no trial runs, or when the grace period is over."""
        if self._cancelled_at is None:
            return False
        running = any(t.status == TrialStatus.RUNNING for t in self.trials)
        return not running or time.monotonic() - self._cancelled_at > CANCEL_GRACE_S

    def _absorb(self, trials: list[TrialState]) -> None:
        """Take the board's live state into the run records; save a run when its state or curves changed."""
        self.trials = trials
        for i, trial in enumerate(trials):
            if trial.version == self._versions[i] or trial.status == TrialStatus.PENDING or i in self._final:
                continue
            self._versions[i] = trial.version
            changes = live_changes(self.runs[i], trial, now_iso())
            self.runs[i] = self.runs[i].with_changes(**changes)
            if trial.status.ended:
                self._finalize(i, None, {})
            elif changes.get("status") or time.monotonic() - self._saved_at[i] > 2.0:
                self._saved_at[i] = time.monotonic()
                self.store.save_run(self.sweep.sweep_id, self.runs[i])

    def _finalize(self, i: int, tune_error: Exception | None, metrics: dict[str, Any]) -> None:
        """Write one run's final state from what its trial told the board and what Tune saw."""
        self._final.add(i)
        trial = self.trials[i] if i < len(self.trials) else NOT_STARTED
        if trial.status == TrialStatus.DONE:
            self._finish_done(i, dict(trial.result))
        else:
            self._save_run(i, **final_changes(trial, tune_error, metrics, self.cancel.is_set(), now_iso()))

    def _finish_done(self, i: int, result: dict[str, Any]) -> None:
        run_id = self.runs[i].run_id
        for rate, rows in result.pop("inference", []):
            self._measured_inference(rate, rows)
        metrics = {split: EvalMetrics.from_dict(result.pop(split)) for split in ("validation", "test")}
        try:
            self._collect_files(run_id)
        except (OSError, ClusterError) as exc:
            self._save_run(i, status=RunState.FAILED, error=str(exc), finished_at=now_iso(), **result)
            return
        self._save_run(i, status=RunState.DONE, **metrics, **result, finished_at=now_iso())

    def _collect_files(self, run_id: str) -> None:
        """Copy a finished trial's files from shared storage; check they reached artifacts/."""
        run_dir = self.store.run_dir(self.sweep.sweep_id, run_id)
        if self.settings.storage_path:
            from agnews_core.sweeps.executors.ray_trial import download_run

            download_run(self.settings.storage_path, self.sweep.sweep_id, run_id, run_dir)
        if not (run_dir / "predictions.parquet").exists():
            raise ClusterError("the trial's predictions are not in this machine's artifacts folder (did it run on "
                               "another node?): set a shared storage path for multi-machine clusters")

    # ---- snapshots
    def _publish(self) -> None:
        live = tuple(trial_progress(self.runs[i], t, len(self.runs)) for i, t in enumerate(self.trials)
                     if t.status == TrialStatus.RUNNING)
        if live and self.progress is not None and self.progress.phase not in ("finished",):
            self.progress = sweep_progress(self.trials, live, len(self.runs))
        try:
            self.on_snapshot(JobSnapshot(self.sweep, tuple(self.runs), self.progress, run_progress=live,
                                         cluster=self.cluster))
        except Exception:  # noqa: BLE001 - a broken display must not kill the sweep
            logger.exception("snapshot callback failed")


class RayCrossfitRunner(CrossfitSteps, RaySweepRunner):
    """A cross-fit whose folds are Ray trials, as many at once as the cluster allows."""

    def _trial_folds(self) -> tuple[int, ...]:
        return tuple(int(k) for k in self._folds)


def _cluster_or(previous: ClusterInfo | None, address: str) -> ClusterInfo | None:
    try:
        return current_info(address)
    except Exception:  # noqa: BLE001 - a slow answer keeps the last picture
        return previous
