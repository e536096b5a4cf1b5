"""Run a learning-rate sweep: a fresh model per LR, curves and metrics per run, best by eval loss."""

from __future__ import annotations

import logging
import math
import os
import secrets
import statistics
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from agnews_core.config.sweep_config import Corrections, KeepModels, RunSpec, SweepConfig, format_lr
from agnews_core.data.sources import DataSplits, load_source, make_splits, resolve_source
from agnews_core.modeling.batch_predict import predict_probabilities, predictions_frame
from agnews_core.modeling.metrics import compute_metrics
from agnews_core.modeling.models import describe_model, load_pretrained, load_saved, save_model
from agnews_core.modeling.training import StepReport, TrainSettings, train_model
from agnews_core.review.corrections import correct_splits
from agnews_core.serving.variants import choose_on_validation
from agnews_core.states import NOT_STARTED_CANCELLED, RunState, SweepState
from agnews_core.store.artifact_store import ArtifactStore
from agnews_core.store.environment import sweep_environment
from agnews_core.store.records import LossPoint, RunRecord, SweepRecord
from agnews_core.sweeps.baseline_scores import BaselineScorer, ScoredBaseline
from agnews_core.sweeps.estimate import Throughput, load_throughput, record_throughput, remaining_run_seconds
from agnews_core.sweeps.progress import Progress
from agnews_core.sweeps.snapshots import JobSnapshot, SnapshotCallback, ignore_snapshot

if TYPE_CHECKING:
    import pandas as pd

logger = logging.getLogger(__name__)

FaultHook = Callable[[RunSpec], None]  # called as each run starts; tests use it to inject failures
CURVE_SAVE_SECONDS = 2.0  # how often a running run's curves are written to disk
MIN_TIMED_ROWS = 50  # prediction passes smaller than this are too short to time


class SweepCannotStart(Exception):
    """A sweep cannot start (e.g. its Ray cluster does not answer); the message says why in one sentence."""


def now_iso() -> str:
    """Current UTC time, ISO 8601 to the second."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def new_sweep_id() -> str:
    """Sortable, unique id such as '20261126-143015-a1b2c3'."""
    return f"{datetime.now(UTC):%Y%m%d-%H%M%S}-{secrets.token_hex(3)}"


def run_specs(config: SweepConfig) -> list[RunSpec]:
    """One run per learning rate, in the order given; a cross-fit has one run per fold, at its one rate."""
    if config.crossfit_folds:
        rate = config.learning_rates[0]
        return [RunSpec(k, rate, f"fold{k + 1}-lr{format_lr(rate)}") for k in range(config.crossfit_folds)]
    return [RunSpec(i, lr) for i, lr in enumerate(config.learning_rates)]


def create_sweep(store: ArtifactStore, config: SweepConfig, estimate_seconds: float | None = None,
                 pid: int = 0, started_by: str = "") -> SweepRecord:
    """Write a queued sweep with pending runs; return it."""
    sweep = SweepRecord(
        sweep_id=new_sweep_id(), config=config, created_at=now_iso(), estimate_seconds=estimate_seconds, pid=pid,
        started_by=started_by,
        model_description=describe_model(config.model), run_ids=tuple(s.run_id for s in run_specs(config)),
    )
    store.save_sweep(sweep)
    for spec in run_specs(config):
        store.save_run(sweep.sweep_id, RunRecord(spec.run_id, spec.index, spec.learning_rate))
    return sweep


def pick_best(runs: list[RunRecord]) -> str:
    """Id of the finished run with the lowest finite eval loss (ties: higher accuracy, then earlier)."""
    candidates = [r for r in runs if r.status == RunState.DONE and r.final_eval_loss is not None
                  and math.isfinite(r.final_eval_loss)]
    if not candidates:
        return ""
    best = min(candidates, key=lambda r: (r.final_eval_loss, -(r.validation.accuracy if r.validation else 0), r.index))
    return best.run_id


def pick_best_by_accuracy(runs: list[RunRecord]) -> str:
    """Id of the finished run with the highest validation accuracy (ties: lower eval loss, then earlier)."""
    candidates = [r for r in runs if r.status == RunState.DONE and r.validation is not None]
    if not candidates:
        return ""
    return min(candidates, key=lambda r: (-r.validation.accuracy, r.final_eval_loss or math.inf, r.index)).run_id


def final_status(runs: list[RunRecord], cancelled: bool) -> SweepState:
    """Sweep state from its runs' states."""
    if cancelled:
        return SweepState.CANCELLED
    if runs and all(r.status == RunState.FAILED for r in runs):
        return SweepState.FAILED
    return SweepState.DONE_WITH_FAILURES if any(r.status == RunState.FAILED for r in runs) else SweepState.DONE


class SweepRunner:
    """Runs one stored sweep to the end, recording everything in the store and publishing a snapshot per change."""

    records_throughput = True  # its runs' speed is this machine's, which time estimates are made from

    def __init__(self, store: ArtifactStore, sweep_id: str, on_snapshot: SnapshotCallback = ignore_snapshot,
                 cancel: threading.Event | None = None, fault_hook: FaultHook | None = None) -> None:
        self.store = store
        self.sweep = store.load_sweep(sweep_id)
        self.config = self.sweep.config
        self.on_snapshot = on_snapshot
        self.progress: Progress | None = None
        self.cancel = cancel or threading.Event()
        self.fault_hook = fault_hook
        self.throughput: Throughput = load_throughput(store.root, self.config.model)
        self.runs: list[RunRecord] = [RunRecord(s.run_id, s.index, s.learning_rate) for s in run_specs(self.config)]
        self._inference_rates: list[float] = []

    # ---- the sweep's lifecycle: run() is the template, executors fill in _start and _run_all
    def run(self) -> SweepRecord:
        """Start, load data, score the baselines, run every LR (or skip them after cancel), pick the best.

        Never raises for a failing run or a sweep that cannot start; returns the final record.
        """
        self._save_sweep(status=SweepState.RUNNING, started_at=now_iso(), pid=os.getpid())
        try:
            self._start()
        except SweepCannotStart as exc:
            return self._fail_all(str(exc))
        try:
            splits = self._load_data()
        except Exception as exc:  # noqa: BLE001 - the job must end with a message, not hang
            logger.exception("sweep %s could not load data", self.sweep.sweep_id)
            return self._fail_all(str(exc), run_error=f"data could not be loaded: {exc}")
        self._baselines(splits)
        if self.cancel.is_set():
            for i in range(len(self.runs)):
                self._skip(i)
        else:
            self._run_all(splits)
        return self._finish(splits.validation)

    def _start(self) -> None:
        """Get ready to run anything; raise SweepCannotStart with the reason. Nothing to do on this thread."""

    def _run_all(self, splits: DataSplits) -> None:
        """Run every LR here, one after the other; runs not started when cancel comes are skipped."""
        for i, spec in enumerate(run_specs(self.config)):
            if self.cancel.is_set():
                self._skip(i)
            else:
                self._run_one(i, spec, splits)

    def _fail_all(self, error: str, run_error: str | None = None) -> SweepRecord:
        """Every run and then the sweep end failed with the reason (runs may say it their own way)."""
        for i in range(len(self.runs)):
            self._save_run(i, status=RunState.FAILED, error=run_error or error)
        return self._save_sweep(status=SweepState.FAILED, error=error, finished_at=now_iso())

    def _skip(self, i: int) -> None:
        self._save_run(i, status=RunState.SKIPPED, error=NOT_STARTED_CANCELLED)

    def _finish(self, validation: pd.DataFrame) -> SweepRecord:
        best = pick_best(self.runs)
        if self.config.keep_models == KeepModels.BEST:
            self._delete_models_except(best)
        # Each kept model not measured yet ('best' keeps one; Ray trials measure none) is measured here, once.
        for kept in [i for i, r in enumerate(self.runs) if r.model_saved and r.inference_variant is None]:
            run_id = self.runs[kept].run_id
            try:
                loaded = load_saved(self.store.model_dir(self.sweep.sweep_id, run_id))
            except Exception:  # noqa: BLE001 - no choice recorded means "serve fp32", never a failed sweep
                logger.exception("the kept model of %s could not be reloaded to choose its variant", run_id)
            else:
                self._choose_variant(kept, loaded, validation)
        status = final_status(self.runs, self.cancel.is_set())
        failed = [r for r in self.runs if r.status == RunState.FAILED]
        error = "; ".join(f"lr {r.lr_label}: {r.error}" for r in failed)[:2000]
        done = [r for r in self.runs if r.status == RunState.DONE and r.train_examples_per_second > 0]
        if done and self.records_throughput:
            record_throughput(self.store.root, self.config.model,
                              sum(r.train_examples_per_second for r in done) / len(done), self.throughput.inference,
                              steps=sum(r.steps_done for r in done))  # its weight against earlier sweeps
        self._progress("finished", f"Sweep {status}")
        return self._save_sweep(status=status, finished_at=now_iso(), error=error, best_run_id=best,
                                best_by_accuracy_run_id=pick_best_by_accuracy(self.runs))

    def _load_data(self) -> DataSplits:
        self._progress("loading", f"Loading data ({self.config.data})")
        source = resolve_source(self.config.data)
        splits = make_splits(load_source(source, self.store.root), self.config)
        if splits.dataset_id:  # verdicts belong to the data set's name, so they carry over to its next version
            source = splits.dataset_id.rsplit("-v", 1)[0]
        counts = None
        if self.config.corrections == Corrections.APPLY:
            from agnews_core.review.verdicts import VerdictStore

            splits, counts = correct_splits(splits, VerdictStore(self.store.root, source).by_row(),
                                            self.config.verdict_policy)
            logger.info("sweep %s: %s", self.sweep.sweep_id, counts.describe())
        self._save_sweep(data_description=splits.description, data_source=source, corrections=counts,
                         environment=sweep_environment(self.config, splits), label_names=splits.labels.names,
                         dataset_id=splits.dataset_id)
        return splits

    def _baselines(self, splits: DataSplits) -> None:
        """Score both baselines, or reuse an earlier sweep's scores of the same inputs (recorded as reused)."""
        scorer = BaselineScorer(self.store.root, self.sweep.sweep_id, self.config, splits)
        self._progress("baselines", "Scoring the TF-IDF baseline")
        tfidf = scorer.tfidf()
        self.store.save_tfidf_predictions(self.sweep.sweep_id, tfidf.predictions)
        self._record_baseline(tfidf)
        self._progress("baselines", "Scoring the untrained model")
        try:
            untrained = scorer.untrained(self._scoring_precision())
        except Exception as exc:  # noqa: BLE001 - the runs report the same load failure, one per LR
            logger.warning("untrained baseline failed: %s", exc)
            return
        if untrained.inference is not None:
            self._measured_inference(*untrained.inference)
        self._record_baseline(untrained)

    def _record_baseline(self, scored: ScoredBaseline) -> None:
        reused = {name: sweep for name, sweep in self.sweep.baselines_reused.items() if name != scored.name}
        if scored.reused_from:
            reused[scored.name] = scored.reused_from
        self._save_sweep(baselines={**self.sweep.baselines, scored.name: scored.metrics}, baselines_reused=reused)

    # ---- one run
    def _run_one(self, i: int, spec: RunSpec, splits: DataSplits) -> None:
        self._save_run(i, status=RunState.RUNNING, started_at=now_iso())
        last_save = [0.0]

        def on_curve(train_loss: list[LossPoint], eval_loss: list[LossPoint]) -> None:
            # Pages see every point at once (snapshot); the disk copy, for a crash or another process, lags <= 2 s.
            self.runs[i] = self.runs[i].with_changes(train_loss=tuple(train_loss), eval_loss=tuple(eval_loss))
            if time.monotonic() - last_save[0] > CURVE_SAVE_SECONDS:
                last_save[0] = time.monotonic()
                self._save_run(i)
            else:
                self._publish()

        def on_step(report: StepReport) -> None:
            self.runs[i] = self.runs[i].with_changes(steps_done=report.step, total_steps=report.total_steps)
            self._progress("training", f"lr {format_lr(spec.learning_rate)}: step {report.step}/{report.total_steps}",
                           i, spec.learning_rate, step=report.step, total_steps=report.total_steps,
                           examples_per_second=report.examples_per_second, eta_seconds=self._sweep_eta(i, report))

        try:
            if self.fault_hook:
                self.fault_hook(spec)
            self._progress("training", f"Loading model for lr {format_lr(spec.learning_rate)}", i, spec.learning_rate)
            loaded = load_pretrained(self.config.model, self.config.seed, splits.train["text"], splits.labels)
            outcome = train_model(loaded.model, loaded.tokenizer, splits.train, splits.validation,
                                  self._settings(spec), on_step, on_curve, self.cancel)
            self._save_run(i, train_loss=tuple(outcome.train_loss), eval_loss=tuple(outcome.eval_loss),
                           final_eval_loss=outcome.final_eval_loss, total_steps=outcome.total_steps,
                           steps_done=outcome.steps_done, train_seconds=round(outcome.train_seconds, 2),
                           train_examples_per_second=round(outcome.examples_per_second, 2),
                           precision=str(outcome.precision))
            if outcome.cancelled:
                self._save_run(i, status=RunState.CANCELLED, finished_at=now_iso(),
                               error=f"cancelled at step {outcome.steps_done}/{outcome.total_steps}; curves kept")
                return
            self._evaluate_and_save(i, spec, loaded, splits, str(outcome.precision))
        except Exception as exc:  # noqa: BLE001 - one failed run must not stop the sweep
            logger.exception("run %s failed", spec.run_id)
            self._save_run(i, status=RunState.FAILED, error=describe_error(exc), finished_at=now_iso())

    def _evaluate_and_save(self, i: int, spec: RunSpec, loaded, splits: DataSplits,  # noqa: ANN001
                           precision: str) -> None:
        self._progress("evaluating", f"Evaluating lr {format_lr(spec.learning_rate)}", i, spec.learning_rate)
        frames, metrics, embeddings = [], {}, []
        for split, frame in (("validation", splits.validation), ("test", splits.test)):
            table = predict_probabilities(loaded.model, loaded.tokenizer, frame["text"].tolist(),
                                          max_length=self.config.max_length, precision=precision, embeddings=True)
            self._measured_inference(table.examples_per_second, len(table.probabilities))
            metrics[split] = compute_metrics(frame["label"].to_numpy(), table.predicted, splits.labels)
            frames.append(predictions_frame(frame["text"].tolist(), frame["label"].tolist(), table, split,
                                            splits.labels))
            embeddings.append(table.embeddings)
        import numpy as np
        import pandas as pd

        self.store.save_embeddings(self.sweep.sweep_id, spec.run_id, np.concatenate(embeddings))  # the error map's
        self.store.save_predictions(self.sweep.sweep_id, spec.run_id, pd.concat(frames, ignore_index=True))
        saved = self._maybe_save_model(i, spec, loaded, splits.validation)
        self._save_run(i, status=RunState.DONE, validation=metrics["validation"], test=metrics["test"],
                       model_saved=saved, finished_at=now_iso())

    def _maybe_save_model(self, i: int, spec: RunSpec, loaded, validation: pd.DataFrame) -> bool:  # noqa: ANN001
        if self.config.keep_models == KeepModels.NONE:
            return False
        if self.config.keep_models == KeepModels.BEST:
            candidate = self.runs[i].with_changes(status=RunState.DONE)
            others = [r for r in self.runs if r.run_id != spec.run_id]
            if pick_best([*others, candidate]) != spec.run_id:
                return False
        self._progress("saving", f"Saving model for lr {format_lr(spec.learning_rate)}", i, spec.learning_rate)
        self.store.save_model_atomically(self.sweep.sweep_id, spec.run_id, lambda folder: save_model(loaded, folder))
        if self.config.keep_models == KeepModels.BEST:
            self._delete_models_except(spec.run_id)
        if self.config.keep_models == KeepModels.ALL:  # 'best' measures once, in _finish, for the model it keeps
            self._choose_variant(i, loaded, validation)
        return True

    def _choose_variant(self, i: int, loaded, validation: pd.DataFrame) -> None:  # noqa: ANN001
        """Measure the serving variants on validation rows and record how predictions will serve this run's model."""
        run = self.runs[i]
        self._progress("saving", f"Choosing how to serve lr {run.lr_label}", i, run.learning_rate)
        model_dir = self.store.model_dir(self.sweep.sweep_id, run.run_id)  # its ONNX exports stay there for serving
        self._save_run(i, inference_variant=choose_on_validation(loaded, validation, self.config.max_length, model_dir))

    def _delete_models_except(self, keep_run_id: str) -> None:
        for run in self.runs:
            if run.run_id != keep_run_id and run.model_saved:
                self.store.delete_model(self.sweep.sweep_id, run.run_id)
                self._save_run(run.index, model_saved=False)

    # ---- helpers
    def _scoring_precision(self) -> str:
        """The precision this machine's runs use (the config's, 'auto' resolved), for scoring the untrained model."""
        from agnews_core.config.precision import resolve_here

        return str(resolve_here(self.config.precision))

    def _settings(self, spec: RunSpec) -> TrainSettings:
        c = self.config
        log_dir = str(self.store.run_dir(self.sweep.sweep_id, spec.run_id) / "tensorboard")
        return TrainSettings(spec.learning_rate, c.epochs, c.batch_size, c.seed, c.max_length, c.warmup_ratio,
                             c.evals_per_run, report_to=c.report_to, log_dir=log_dir, precision=c.precision)

    def _measured_inference(self, rate: float, rows: int) -> None:
        # The median of passes big enough to time: one slow pass must not skew the next estimate.
        if rows >= MIN_TIMED_ROWS and rate > 0 and math.isfinite(rate):
            self._inference_rates.append(rate)
            self.throughput = Throughput(self.throughput.train, statistics.median(self._inference_rates), True)

    def _sweep_eta(self, i: int, report: StepReport) -> float | None:
        if report.run_eta_seconds is None:
            return None
        measured = Throughput(report.examples_per_second or self.throughput.train, self.throughput.inference, True)
        done = report.step / max(report.total_steps, 1)
        # Training time left comes from the step timer; evaluations and predictions from the estimate model.
        config = self._eta_config()
        evaluation_left = remaining_run_seconds(config, Throughput(math.inf, measured.inference, True), done)
        this_run = report.run_eta_seconds + evaluation_left
        return this_run + remaining_run_seconds(config, measured) * (len(self.runs) - i - 1)

    def _eta_config(self) -> SweepConfig:
        """What each run trains and scores, for its time estimate (a cross-fit's folds are smaller)."""
        return self.config

    def _progress(self, phase: str, message: str, run_index: int = 0, learning_rate: float | None = None,
                  **live: float | int | None) -> None:
        """Publish where the sweep is; live holds step, total_steps, examples_per_second and eta_seconds."""
        self.progress = Progress(phase, message, run_index, len(self.runs), learning_rate, **live)
        self._publish()

    def _publish(self) -> None:
        try:
            self.on_snapshot(JobSnapshot(self.sweep, tuple(self.runs), self.progress))
        except Exception:  # noqa: BLE001 - a broken display must not kill training
            logger.exception("snapshot callback failed")

    def _save_run(self, i: int, **changes: object) -> None:
        self.runs[i] = self.runs[i].with_changes(**changes)
        self.store.save_run(self.sweep.sweep_id, self.runs[i])
        self._publish()

    def _save_sweep(self, **changes: object) -> SweepRecord:
        self.sweep = self.sweep.with_changes(**changes)
        self.store.save_sweep(self.sweep)
        self._publish()
        return self.sweep


def describe_error(exc: BaseException) -> str:
    """One line for a failed run: what went wrong, in words an analyst can act on."""
    name = type(exc).__name__
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    if "OutOfMemory" in name or "out of memory" in text.lower():
        return f"out of memory ({text[:200]}): lower the batch size or max length"
    if isinstance(exc, OSError) and getattr(exc, "errno", None) == 28:
        return f"disk full while saving ({text[:200]})"
    return f"{name}: {text[:300]}" if text else name


def run_sweep(store: ArtifactStore, config: SweepConfig, on_snapshot: SnapshotCallback = ignore_snapshot,
              cancel: threading.Event | None = None, fault_hook: FaultHook | None = None) -> SweepRecord:
    """Create and run a sweep in this thread; return its final record."""
    sweep = create_sweep(store, config, pid=os.getpid())
    return SweepRunner(store, sweep.sweep_id, on_snapshot, cancel, fault_hook).run()
