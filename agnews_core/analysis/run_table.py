"""A sweep's runs as the Results page and the CLI show them: best by eval loss first, with baseline deltas."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from agnews_core.modeling.baselines import TFIDF, UNTRAINED
from agnews_core.store.records import RunRecord, SweepRecord


@dataclass(frozen=True)
class RunRow:
    """One run of the results table; deltas are test-accuracy points (None without a test score or baseline)."""

    run: RunRecord
    best: bool
    vs_tfidf_points: float | None
    vs_untrained_points: float | None


@dataclass(frozen=True)
class AccuracyBar:
    """One bar of the test-accuracy chart: a baseline (run_index None) or a fine-tuned run."""

    name: str
    accuracy: float
    run_index: int | None = None


def by_eval_loss(runs: Sequence[RunRecord]) -> list[RunRecord]:
    """Runs with the lowest final eval loss first (the sweep's rule for the best run); runs without one last."""
    return sorted(runs, key=lambda r: (r.final_eval_loss is None, r.final_eval_loss or 0.0, r.index))


def gain_points(sweep: SweepRecord, run: RunRecord, baseline: str) -> float | None:
    """Test-accuracy points the run gained over one of the sweep's baselines (TFIDF, UNTRAINED), to 0.1; None
    without a test score or that baseline."""
    metrics = sweep.baselines.get(baseline)
    return accuracy_points(run.test.accuracy if run.test else None, metrics.accuracy if metrics else None)


def accuracy_points(accuracy: float | None, reference: float | None) -> float | None:
    """accuracy - reference in percentage points, to 0.1 (0.912 vs 0.887 -> 2.5); None when either is missing."""
    return None if accuracy is None or reference is None else round((accuracy - reference) * 100, 1)


def run_rows(sweep: SweepRecord, runs: Sequence[RunRecord]) -> list[RunRow]:
    """The results table of a sweep, best by eval loss first."""
    return [RunRow(run=run, best=run.run_id == sweep.best_run_id, vs_tfidf_points=gain_points(sweep, run, TFIDF),
                   vs_untrained_points=gain_points(sweep, run, UNTRAINED))
            for run in by_eval_loss(runs)]


def accuracy_bars(sweep: SweepRecord, runs: Sequence[RunRecord]) -> list[AccuracyBar]:
    """The baselines, then every run with a test score in sweep order, the best one marked."""
    bars = [AccuracyBar(name, metrics.accuracy) for name in (UNTRAINED, TFIDF)
            if (metrics := sweep.baselines.get(name)) is not None]
    for run in runs:
        if run.test is not None:
            best = " (best)" if run.run_id == sweep.best_run_id else ""
            bars.append(AccuracyBar(f"fine-tuned lr {run.lr_label}{best}", run.test.accuracy, run.index))
    return bars
