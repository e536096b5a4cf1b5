"""Cross-fitting: a run's training rows scored out of sample by the run's own model and settings.

cleanlab's guidance is out-of-sample probabilities from the model itself. K folds of the rows the run trained on
(stratified, seeded); fold k's model trains on the other folds with the run's settings and scores fold k. Like a final
training, a cross-fit is stored and run as a sweep (K runs, one per fold) whose config names the run it cross-fits
(`crossfit_of` = "SWEEP/RUN"), so it gets the job manager's queue, progress, ETA, cancel, records and permissions.
Only when every fold finishes are the merged probabilities kept beside that run (review/crossfit_suspects.py).
It runs where the run's sweep ran: on the job manager's thread, or as Ray trials (executors/ray_executor.py), one
fold per trial.
"""

from __future__ import annotations

import logging
import os
import threading
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from agnews_core.config.sweep_config import EXECUTORS, KeepModels, SweepConfig
from agnews_core.data.sources import DataSplits
from agnews_core.labels import LabelSet
from agnews_core.modeling.prediction_frames import probabilities
from agnews_core.review.crossfit_suspects import crossfit_frame, crossfit_ranked_by, save_crossfit
from agnews_core.review.label_review import sweep_source, training_rows
from agnews_core.states import RunState
from agnews_core.store.artifact_store import ArtifactError, ArtifactStore
from agnews_core.store.records import SweepRecord
from agnews_core.sweeps.estimate import crossfit_fold_config, estimate_seconds
from agnews_core.sweeps.runner import FaultHook, SweepRunner, create_sweep
from agnews_core.sweeps.snapshots import SnapshotCallback, ignore_snapshot

logger = logging.getLogger(__name__)

DEFAULT_FOLDS = 2  # each fold model sees half the rows: half the cost of 3 folds' two thirds each, twice over
ALLOWED_FOLDS = (2, 3)


@dataclass(frozen=True)
class CrossfitPlan:
    """What a cross-fit of one run would do, before it starts."""

    config: SweepConfig
    sweep_id: str
    run_id: str
    rows: int  # training rows to score out of sample
    estimate_seconds: float  # expected wall time on this machine, as the job manager will record it


def crossfit_target(config: SweepConfig) -> tuple[str, str]:
    """(sweep id, run id) a cross-fit config scores."""
    sweep_id, _, run_id = config.crossfit_of.partition("/")
    return sweep_id, run_id


def fold_assignment(labels: np.ndarray, folds: int, seed: int) -> np.ndarray:
    """The fold (0..folds-1) that holds out each row: stratified by label, shuffled with the seed."""
    from sklearn.model_selection import StratifiedKFold

    labels = np.asarray(labels, dtype="int64")
    assigned = np.zeros(len(labels), dtype="int64")
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for fold, (_, held) in enumerate(splitter.split(np.zeros(len(labels)), labels)):
        assigned[held] = fold
    return assigned


def fold_splits(splits: DataSplits, folds: np.ndarray, fold: int) -> DataSplits:
    """The splits fold `fold`'s model uses: trains on the other folds' rows, scores its own as the 'test' rows."""
    train = splits.train.reset_index(drop=True)
    held = np.asarray(folds) == fold
    return replace(splits, train=train[~held].reset_index(drop=True), test=train[held].reset_index(drop=True))


def small_class_problem(labels: np.ndarray, names: LabelSet, folds: int) -> str:
    """Why these rows cannot be split into `folds` folds that each keep every class; empty when they can."""
    counts = np.bincount(np.asarray(labels, dtype="int64"), minlength=names.size)
    small = [(names.names[i], int(n)) for i, n in enumerate(counts) if 0 < n < folds]
    if not small:
        return ""
    which = ", ".join(f"{name!r} has {n}" for name, n in small)
    return (f"every fold must keep every class, so each class needs at least {folds} training rows; {which}"
            + (": use 2 folds" if folds > 2 and all(n >= 2 for _, n in small) else ""))


def plan_crossfit(store: ArtifactStore, sweep_id: str, run_id: str | None = None,
                  folds: int = DEFAULT_FOLDS, executor: str | None = None) -> CrossfitPlan:
    """The config of a cross-fit of a finished run (default: the sweep's best), run where that sweep ran unless
    `executor` says otherwise; ValueError says what is wrong."""
    if folds not in ALLOWED_FOLDS:
        raise ValueError(f"a cross-fit has 2 or 3 folds, got {folds}")
    if executor is not None and executor not in EXECUTORS:
        raise ValueError(f"a cross-fit runs on {' or '.join(EXECUTORS)}, got {executor!r}")
    sweep = store.load_sweep(sweep_id)
    if sweep.config.crossfit_of:
        raise ValueError(f"{sweep_id} is itself a cross-fit (of {sweep.config.crossfit_of}): pick that run")
    if sweep.config.final_of:
        raise ValueError(f"{sweep_id} is a final training: cross-fitting one is not supported yet; "
                         f"cross-fit a run of {sweep.config.final_of}")
    run_id = run_id or sweep.best_run_id
    if not run_id or run_id not in sweep.run_ids:
        raise ValueError(f"sweep {sweep_id} has no run {run_id!r} to cross-fit" if run_id
                         else f"sweep {sweep_id} has no finished run to cross-fit")
    try:
        run = store.load_run(sweep_id, run_id)
    except ArtifactError as exc:
        raise ValueError(f"run {run_id} of {sweep_id} cannot be read: {exc}") from None
    if run.status != RunState.DONE:
        raise ValueError(f"run {run_id} of {sweep_id} is {run.status}: only a finished run can be cross-fitted")
    train = training_rows(sweep, store.root)  # DataError (a ValueError) when the data no longer loads
    if train.empty:
        raise ValueError(f"run {run_id} of {sweep_id} has no training rows")
    problem = small_class_problem(train["label"].to_numpy(), sweep.labels, folds)
    if problem:
        raise ValueError(problem)
    config = replace(
        sweep.config, data=sweep.dataset_id or sweep_source(sweep), learning_rates=(run.learning_rate,), lr_range="",
        keep_models=KeepModels.NONE, executor=executor or sweep.config.executor, early_stopping="off", report_to="none",
        crossfit_of=f"{sweep_id}/{run_id}", crossfit_folds=folds,
        label=f"cross-fit of {sweep.config.label or sweep_id}/{run_id}"[:200],
    )
    return CrossfitPlan(config, sweep_id, run_id, len(train), estimate_seconds(store.root, config))


class CrossfitSteps:
    """What makes a sweep runner a cross-fit's, on whichever executor: run k trains on the other folds and scores
    fold k (its 'test' rows); then the folds are merged. Mixed in before a SweepRunner."""

    _train: pd.DataFrame | None = None
    _folds: np.ndarray | None = None
    _labels: LabelSet | None = None

    def _baselines(self, splits: DataSplits) -> None:
        """None: a cross-fit scores training rows, not the test split the baselines are compared on."""

    def _run_all(self, splits: DataSplits) -> None:
        labels = splits.train["label"].to_numpy()
        # Checked again here: the verdicts applied now may have dropped rows since the plan was made.
        problem = small_class_problem(labels, splits.labels, self.config.crossfit_folds)
        if problem:
            for i in range(len(self.runs)):
                self._save_run(i, status=RunState.FAILED, error=problem)
            return
        self._train, self._labels = splits.train.reset_index(drop=True), splits.labels
        self._folds = fold_assignment(labels, self.config.crossfit_folds, self.config.seed)
        super()._run_all(splits)

    def _run_one(self, i: int, spec, splits: DataSplits) -> None:  # noqa: ANN001 - the thread: one fold per run
        super()._run_one(i, spec, fold_splits(splits, self._folds, i))

    def _eta_config(self) -> SweepConfig:
        return crossfit_fold_config(self.config)

    def _finish(self, validation: pd.DataFrame) -> SweepRecord:
        if not self.cancel.is_set() and self.runs and all(r.status == RunState.DONE for r in self.runs):
            self._progress("saving", "Merging the folds' out-of-sample probabilities")
            try:
                self._merge()
            except (ArtifactError, OSError, ValueError) as exc:
                logger.exception("cross-fit %s could not merge its folds", self.sweep.sweep_id)
                self._save_run(len(self.runs) - 1, status=RunState.FAILED, error=f"merging the folds failed: {exc}")
        return super()._finish(validation)

    def _merge(self) -> None:
        """Each training row's probabilities from the one fold model that held it out, kept beside the target run."""
        width = self._labels.size
        merged = np.full((len(self._train), width), np.nan)
        for i, run in enumerate(self.runs):
            held = np.flatnonzero(self._folds == i)
            frame = self.store.load_predictions(self.sweep.sweep_id, run.run_id)
            scored = frame[frame["split"] == "test"]
            if scored["text"].tolist() != self._train["text"].iloc[held].tolist():
                raise ValueError(f"fold {i + 1} scored other rows than it held out")
            merged[held] = probabilities(scored)
        if np.isnan(merged).any():
            raise ValueError("some training rows were scored by no fold")
        sweep_id, run_id = crossfit_target(self.config)
        ranked_by = crossfit_ranked_by(self.config.crossfit_folds, self.config.model)
        save_crossfit(self.store, sweep_id, run_id,
                      crossfit_frame(self._train, merged, self._folds, self._labels, ranked_by, self.sweep.sweep_id))


class CrossfitRunner(CrossfitSteps, SweepRunner):
    """A cross-fit on the job manager's thread, one fold after another."""


def runner_for(store: ArtifactStore, sweep_id: str, on_snapshot: SnapshotCallback = ignore_snapshot,
               cancel: threading.Event | None = None, fault_hook: FaultHook | None = None) -> SweepRunner:
    """The runner a stored sweep needs: a cross-fit's, or the plain one."""
    kind = CrossfitRunner if store.load_sweep(sweep_id).config.crossfit_of else SweepRunner
    return kind(store, sweep_id, on_snapshot, cancel, fault_hook)


def run_crossfit(store: ArtifactStore, config: SweepConfig, on_snapshot: SnapshotCallback = ignore_snapshot,
                 cancel: threading.Event | None = None) -> SweepRecord:
    """Create and run a cross-fit in this thread (the CLI's foreground); return its final record."""
    sweep = create_sweep(store, config, pid=os.getpid())
    return CrossfitRunner(store, sweep.sweep_id, on_snapshot, cancel).run()
