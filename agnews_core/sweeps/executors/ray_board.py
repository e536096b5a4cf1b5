"""What the trial board says, as run records and progress lines: the Ray driver's bookkeeping, without Ray.

Trials tell the board (ray_trial.TrialBoard) how they are as TrialState values (plain data that crosses process
boundaries). The driver turns each into run-record changes while the trial runs, into a final state when it ends, and into the
progress lines of the job card. Nothing here imports Ray: it is plain data in, plain data out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from agnews_core.config.sweep_config import format_lr
from agnews_core.states import NOT_STARTED_CANCELLED, RunState
from agnews_core.store.records import LossPoint, RunRecord
from agnews_core.sweeps.progress import Progress

PER_SPLIT = ("validation", "test", "inference")  # result fields only a finished trial's record takes



class TrialStatus(StrEnum):
    """What a trial tells the board about itself."""

    PENDING = "pending"  # the board has not heard from it (Tune has not started it)
    RUNNING = "running"
    DONE = "done"
    CANCELLED = "cancelled"
    FAILED = "failed"
    SKIPPED = "skipped"  # started after the sweep was cancelled, so it did not train

    @property
    def ended(self) -> bool:
        """True once the trial said it is over."""
        return self not in (TrialStatus.PENDING, TrialStatus.RUNNING)


@dataclass
class TrialState:
    """What the board knows about one trial."""

    status: TrialStatus = TrialStatus.PENDING
    node: str = ""
    pid: int = 0
    step: int = 0
    total_steps: int = 0
    examples_per_second: float = 0.0
    eta_seconds: float | None = None
    phase: str = "training"
    train_loss: list[tuple[int, float, float]] = field(default_factory=list)
    eval_loss: list[tuple[int, float, float]] = field(default_factory=list)
    result: dict[str, Any] = field(default_factory=dict)  # final fields of the run record
    error: str = ""
    version: int = 0  # bumped on every change: the driver saves a run only when it changed


NOT_STARTED = TrialState()  # a trial the board never heard of


def points(raw: list[Any]) -> tuple[LossPoint, ...]:
    """The board's (step, epoch, loss) triples as curve points."""
    return tuple(LossPoint(int(s), float(e), float(loss)) for s, e, loss in raw)


def live_changes(run: RunRecord, trial: TrialState, started_at: str) -> dict[str, Any]:
    """Run-record changes from a trial's live state: curves, steps, node; 'running' the first time it is heard of."""
    changes: dict[str, Any] = dict(
        train_loss=points(trial.train_loss), eval_loss=points(trial.eval_loss),
        steps_done=trial.step, total_steps=trial.total_steps, node=trial.node)
    if run.status == RunState.PENDING:
        changes.update(status=RunState.RUNNING, started_at=started_at)
    return changes


def final_changes(trial: TrialState, tune_error: Exception | None, metrics: dict[str, Any], cancelled: bool,
                  finished_at: str) -> dict[str, Any]:
    """The final run-record fields of a trial that did not finish ('done' trials keep their metrics elsewhere).

    `trial` is what it told the board, `tune_error` what Tune saw (its worker died), `metrics` its last report
    to Tune, `cancelled` whether the sweep was cancelled.
    """
    status = trial.status
    result = {k: v for k, v in trial.result.items() if k not in PER_SPLIT}
    end = dict(finished_at=finished_at)
    steps = f"{trial.step}/{trial.total_steps}"
    if status == TrialStatus.CANCELLED or (cancelled and status == TrialStatus.RUNNING and tune_error is None):
        return dict(status=RunState.CANCELLED, error=f"cancelled at step {steps}; curves kept", **result, **end)
    if status == TrialStatus.FAILED:
        return dict(status=RunState.FAILED, error=trial.error, **end)
    if tune_error is not None:
        where = f" (pid {trial.pid} on {trial.node})" if trial.pid else ""
        return dict(status=RunState.FAILED, **end,
                    error=f"the Ray worker running this trial died{where}: {first_line(tune_error)}")
    if status == TrialStatus.RUNNING:  # Tune ended it without an error: ASHA stopped it
        step = int(metrics.get("step") or trial.step)
        return dict(status=RunState.STOPPED_EARLY, steps_done=step, **end,
                    error=f"stopped early at step {step}/{trial.total_steps} (ASHA on eval loss)")
    return dict(status=RunState.SKIPPED, error=NOT_STARTED_CANCELLED)


def trial_progress(run: RunRecord, trial: TrialState, run_count: int) -> Progress:
    """One running trial's line on the job card: its step, speed, ETA and node."""
    return Progress(trial.phase, f"lr {format_lr(run.learning_rate)}: step {trial.step}/{trial.total_steps}",
                    run.index, run_count, run.learning_rate, trial.step, trial.total_steps, trial.examples_per_second,
                    trial.eta_seconds, trial.node)


def sweep_progress(trials: list[TrialState], live: tuple[Progress, ...], run_count: int) -> Progress:
    """The sweep's line while trials run: how many run, wait and finished; an ETA once none waits."""
    done = sum(1 for t in trials if t.status.ended)
    queued = sum(1 for t in trials if t.status == TrialStatus.PENDING)
    within = sum(p.step / p.total_steps for p in live if p.total_steps)
    return Progress("trials", f"{len(live)} trials running on Ray, {queued} queued, {done} finished",
                    done, run_count, step=round(within * 1000), total_steps=1000,
                    eta_seconds=max((p.eta_seconds or 0 for p in live), default=None) if not queued else None)


def first_line(exc: BaseException) -> str:
    """'KindOfError: its first non-empty line' (300 characters at most)."""
    lines = [line for line in str(exc).strip().splitlines() if line.strip()]
    return f"{type(exc).__name__}: {lines[0][:300]}" if lines else type(exc).__name__
