"""One learning rate as a Ray Tune trial, and the board actor through which trials tell the driver how they are.

The trial calls the core's own training; it reports each intermediate evaluation to Tune (what ASHA decides
on) and every step and curve point to the board (what the job card shows). It writes its predictions and kept
model straight into the artifacts folder, or into shared storage that the driver copies from.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import ray
from ray import tune

from agnews_core.config.sweep_config import KeepModels, SweepConfig
from agnews_core.states import NOT_STARTED_CANCELLED
from agnews_core.store.records import LossPoint
from agnews_core.sweeps.executors.ray_board import TrialState, TrialStatus
from agnews_core.sweeps.runner import describe_error, run_specs

CANCEL_POLL_S = 0.2  # how often a trial asks the board whether the sweep was cancelled


@ray.remote(num_cpus=0)
class TrialBoard:
    """Live state of every trial of one sweep plus the sweep's cancel flag."""

    def __init__(self, count: int) -> None:
        self.trials = [TrialState() for _ in range(count)]
        self.cancelled = False

    def update(self, index: int, **changes: Any) -> None:
        if "status" in changes:
            changes["status"] = TrialStatus(changes["status"])
        state = self.trials[index]
        for name, value in changes.items():
            setattr(state, name, value)
        state.version += 1

    def cancel(self) -> None:
        self.cancelled = True

    def is_cancelled(self) -> bool:
        return self.cancelled

    def read(self) -> list[TrialState]:
        return [replace(state) for state in self.trials]


class CancelStopper(tune.Stopper):
    """Ends the Tune experiment when should_stop() says so (the sweep was cancelled and its trials stopped)."""

    def __init__(self, should_stop: Any) -> None:
        self.should_stop = should_stop

    def __call__(self, trial_id: str, result: dict[str, Any]) -> bool:
        return False

    def stop_all(self) -> bool:
        return bool(self.should_stop and self.should_stop())

    def __reduce__(self) -> tuple[Any, ...]:  # Tune pickles its run config; the live check stays in the driver
        return (CancelStopper, (None,))


class EndWatcher(tune.Callback):
    """Tells the driver at once when Tune ends a trial that could not say so itself (stopped early, or its
    worker died): sink(run_index, error or None, last result)."""

    def __init__(self, sink: Any) -> None:
        self.sink = sink

    def on_trial_complete(self, iteration: int, trials: list[Any], trial: Any, **info: Any) -> None:
        if self.sink:
            self.sink(int(trial.config["run_index"]), None, dict(trial.last_result or {}))

    def on_trial_error(self, iteration: int, trials: list[Any], trial: Any, **info: Any) -> None:
        if self.sink:
            self.sink(int(trial.config["run_index"]), trial.get_error() or RuntimeError("the trial failed"),
                      dict(trial.last_result or {}))

    def __reduce__(self) -> tuple[Any, ...]:  # like CancelStopper: the live sink stays in the driver
        return (EndWatcher, (None,))


@dataclass(frozen=True)
class TrialContext:
    """Everything a trial needs besides its run index (sent once through the object store)."""

    sweep_id: str
    config: SweepConfig
    artifacts_root: str  # the driver's folder; used when no shared storage is set
    storage_path: str  # '' or a shared folder / pyarrow URI; trials write there and the driver copies
    settings: tuple[Any, ...] = ()  # TrainSettings per run, made by the driver exactly as the thread makes them
    threads: int = 1  # torch threads: the CPUs the trial reserved, never more
    folds: tuple[int, ...] = ()  # a cross-fit's: per training row, the trial (fold) that holds it out


def _points(points: list[LossPoint]) -> list[tuple[int, float, float]]:
    return [(p.step, p.epoch, p.loss) for p in points]


def run_trial(tune_config: dict[str, Any], context: TrialContext, splits: Any, board: Any) -> None:
    """Tune's function trainable: train one learning rate, evaluate, write artifacts, tell the board."""

    index = int(tune_config["run_index"])
    spec = run_specs(context.config)[index]
    node = ray.util.get_node_ip_address()
    board.update.remote(index, status=TrialStatus.RUNNING, node=node, pid=os.getpid())
    cancel = threading.Event()
    stop_polling = threading.Event()

    def poll_cancel() -> None:
        while not stop_polling.wait(CANCEL_POLL_S):
            if ray.get(board.is_cancelled.remote()):
                cancel.set()
                return

    poller = threading.Thread(target=poll_cancel, daemon=True)
    poller.start()
    try:
        if ray.get(board.is_cancelled.remote()):
            board.update.remote(index, status=TrialStatus.SKIPPED, error=NOT_STARTED_CANCELLED)
            return
        _train_and_save(index, spec, context, trial_splits(splits, context, index), board, cancel, node)
    except Exception as exc:  # noqa: BLE001 - the board carries the reason; Tune sees a normal end
        board.update.remote(index, status=TrialStatus.FAILED, error=describe_error(exc))
    finally:
        stop_polling.set()
        ray.get(board.read.remote())  # every update above has reached the board before the trial ends


def trial_splits(splits: Any, context: TrialContext, index: int) -> Any:
    """The rows trial `index` trains on and scores: the sweep's, or in a cross-fit its fold's."""
    if not context.folds:
        return splits
    import numpy as np

    from agnews_core.sweeps.crossfit import fold_splits

    return fold_splits(splits, np.asarray(context.folds), index)


def _train_and_save(index: int, spec: Any, context: TrialContext, splits: Any, board: Any,
                    cancel: threading.Event, node: str) -> None:
    import torch

    from agnews_core.modeling.models import load_pretrained
    from agnews_core.modeling.training import StepReport, train_model

    torch.set_num_threads(context.threads)
    c = context.config
    loaded = load_pretrained(c.model, c.seed, splits.train["text"], splits.labels)
    reported, total = [0], [0]

    def on_step(report: StepReport) -> None:
        total[0] = report.total_steps
        board.update.remote(index, step=report.step, total_steps=report.total_steps,
                            examples_per_second=report.examples_per_second, eta_seconds=report.run_eta_seconds)

    def on_curve(train_loss: list[LossPoint], eval_loss: list[LossPoint]) -> None:
        board.update.remote(index, train_loss=_points(train_loss), eval_loss=_points(eval_loss))
        for point in eval_loss[reported[0]:]:
            reported[0] += 1
            if point.step < total[0]:  # the last evaluation is reported once the run's artifacts are safe
                tune.report({"eval_loss": point.loss, "step": point.step})

    outcome = train_model(loaded.model, loaded.tokenizer, splits.train, splits.validation, context.settings[index],
                          on_step, on_curve, cancel)
    fields = dict(train_loss=_points(outcome.train_loss), eval_loss=_points(outcome.eval_loss),
                  step=outcome.steps_done, total_steps=outcome.total_steps)
    result = dict(final_eval_loss=outcome.final_eval_loss, total_steps=outcome.total_steps,
                  steps_done=outcome.steps_done, train_seconds=round(outcome.train_seconds, 2),
                  train_examples_per_second=round(outcome.examples_per_second, 2), precision=str(outcome.precision))
    if outcome.cancelled:
        board.update.remote(index, status=TrialStatus.CANCELLED, result=result, **fields)
        return
    board.update.remote(index, phase="evaluating", **fields)
    result.update(_evaluate_and_write(spec, context, splits, loaded, str(outcome.precision)))
    ray.get(board.update.remote(index, status=TrialStatus.DONE, result=result))
    tune.report({"eval_loss": outcome.final_eval_loss, "step": outcome.steps_done})


def _evaluate_and_write(spec: Any, context: TrialContext, splits: Any, loaded: Any,
                        precision: str) -> dict[str, Any]:
    """Validation and test metrics (scored in the run's precision), predictions and (unless keep_models is 'none')
    the model, written out."""
    import numpy as np
    import pandas as pd

    from agnews_core.modeling.batch_predict import predict_probabilities, predictions_frame
    from agnews_core.modeling.metrics import compute_metrics
    from agnews_core.modeling.models import save_model
    from agnews_core.store.artifact_store import ArtifactStore

    frames, metrics, rates, embeddings = [], {}, [], []
    for split, frame in (("validation", splits.validation), ("test", splits.test)):
        table = predict_probabilities(loaded.model, loaded.tokenizer, frame["text"].tolist(),
                                      max_length=context.config.max_length, precision=precision, embeddings=True)
        embeddings.append(table.embeddings)
        rates.append((table.examples_per_second, len(table.probabilities)))
        metrics[split] = compute_metrics(frame["label"].to_numpy(), table.predicted, splits.labels).to_dict()
        frames.append(predictions_frame(frame["text"].tolist(), frame["label"].tolist(), table, split, splits.labels))
    predictions = pd.concat(frames, ignore_index=True)
    keep = context.config.keep_models != KeepModels.NONE
    with tempfile.TemporaryDirectory(prefix="agnews-trial-") as scratch:
        # Write under a scratch store first, then move or upload: a reader never sees a half-written file.
        store = ArtifactStore(context.artifacts_root if not context.storage_path else scratch)
        store.save_embeddings(context.sweep_id, spec.run_id, np.concatenate(embeddings))
        store.save_predictions(context.sweep_id, spec.run_id, predictions)
        if keep:
            store.save_model_atomically(context.sweep_id, spec.run_id, lambda folder: save_model(loaded, folder))
        if context.storage_path:
            upload_run(store.run_dir(context.sweep_id, spec.run_id), context.storage_path, context.sweep_id,
                       spec.run_id)
    return {"validation": metrics["validation"], "test": metrics["test"], "model_saved": keep,
            "inference": rates}


def storage_uri(storage_path: str, sweep_id: str, run_id: str) -> tuple[Any, str]:
    """(pyarrow filesystem, path) of one run's folder under shared storage (a folder or any pyarrow URI)."""
    from pyarrow import fs

    if "://" in storage_path:
        filesystem, root = fs.FileSystem.from_uri(storage_path)
    else:
        filesystem, root = fs.LocalFileSystem(), str(Path(storage_path).resolve())
    return filesystem, f"{root.rstrip('/')}/{sweep_id}/{run_id}"


def upload_run(local_dir: Path, storage_path: str, sweep_id: str, run_id: str) -> None:
    """Copy a trial's run folder to shared storage."""
    from pyarrow import fs

    filesystem, target = storage_uri(storage_path, sweep_id, run_id)
    filesystem.create_dir(target, recursive=True)
    fs.copy_files(str(local_dir), target, source_filesystem=fs.LocalFileSystem(), destination_filesystem=filesystem)


def download_run(storage_path: str, sweep_id: str, run_id: str, local_dir: Path) -> None:
    """Copy one run's folder from shared storage into the artifacts folder (predictions, then the model)."""
    from pyarrow import fs

    filesystem, source = storage_uri(storage_path, sweep_id, run_id)
    local_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".download-", dir=local_dir))
    try:
        fs.copy_files(source, str(staging), source_filesystem=filesystem, destination_filesystem=fs.LocalFileSystem())
        for item in sorted(staging.iterdir(), key=lambda p: p.is_dir()):
            os.replace(item, local_dir / item.name)  # same file system: each file or folder appears whole
    finally:
        shutil.rmtree(staging, ignore_errors=True)
