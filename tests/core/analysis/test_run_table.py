"""The results table and accuracy bars of a sweep: order, best mark, baseline deltas."""

from __future__ import annotations

from agnews_core.analysis.run_table import (
    AccuracyBar,
    accuracy_bars,
    accuracy_points,
    by_eval_loss,
    gain_points,
    run_rows,
)
from agnews_core.config.sweep_config import SweepConfig
from agnews_core.modeling.baselines import TFIDF, UNTRAINED
from agnews_core.modeling.metrics import compute_metrics
from agnews_core.store.records import RunRecord, SweepRecord


def metrics(correct: int, of: int = 10):
    """Metrics of `correct` right answers out of `of` (accuracy correct/of)."""
    truth = [i % 4 for i in range(of)]
    return compute_metrics(truth, [t if i < correct else (t + 1) % 4 for i, t in enumerate(truth)])


def sweep_and_runs() -> tuple[SweepRecord, list[RunRecord]]:
    runs = [
        RunRecord("run01", 0, 1e-3, status="done", final_eval_loss=0.9, test=metrics(7)),
        RunRecord("run02", 1, 3e-4, status="done", final_eval_loss=0.4, test=metrics(9)),
        RunRecord("run03", 2, 1e-4, status="failed", error="out of memory"),
        RunRecord("run04", 3, 5e-5, status="done", final_eval_loss=0.4, test=metrics(8)),
    ]
    sweep = SweepRecord(sweep_id="s1", config=SweepConfig(learning_rates=(1e-3, 3e-4, 1e-4, 5e-5), model="tiny"),
                        baselines={TFIDF: metrics(8), UNTRAINED: metrics(2)}, best_run_id="run02")
    return sweep, runs


def test_lowest_eval_loss_first_ties_in_sweep_order_runs_without_loss_last() -> None:
    _, runs = sweep_and_runs()
    assert [r.run_id for r in by_eval_loss(runs)] == ["run02", "run04", "run01", "run03"]


def test_rows_mark_the_best_and_give_deltas_in_points() -> None:
    sweep, runs = sweep_and_runs()
    rows = run_rows(sweep, runs)
    assert [(r.run.run_id, r.best) for r in rows] == [("run02", True), ("run04", False), ("run01", False),
                                                        ("run03", False)]
    assert (rows[0].vs_tfidf_points, rows[0].vs_untrained_points) == (10.0, 70.0)
    assert (rows[2].vs_tfidf_points, rows[2].vs_untrained_points) == (-10.0, 50.0)
    assert rows[3].vs_tfidf_points is None and rows[3].vs_untrained_points is None  # failed: no test score


def test_no_delta_without_the_baseline() -> None:
    sweep, runs = sweep_and_runs()
    rows = run_rows(sweep.with_changes(baselines={}), runs)
    assert all(r.vs_tfidf_points is None and r.vs_untrained_points is None for r in rows)


def test_accuracy_bars_baselines_first_then_scored_runs_in_sweep_order() -> None:
    sweep, runs = sweep_and_runs()
    assert accuracy_bars(sweep, runs) == [
        AccuracyBar(UNTRAINED, 0.2), AccuracyBar(TFIDF, 0.8),
        AccuracyBar("fine-tuned lr 1e-3", 0.7, 0), AccuracyBar("fine-tuned lr 3e-4 (best)", 0.9, 1),
        AccuracyBar("fine-tuned lr 5e-5", 0.8, 3),
    ]


def test_gain_in_points_over_a_baseline() -> None:
    sweep, runs = sweep_and_runs()
    assert gain_points(sweep, runs[1], UNTRAINED) == 70.0 and gain_points(sweep, runs[0], TFIDF) == -10.0
    assert gain_points(sweep, runs[2], UNTRAINED) is None  # failed: no test score
    assert gain_points(sweep.with_changes(baselines={}), runs[1], UNTRAINED) is None


def test_accuracy_points_round_to_a_tenth() -> None:
    assert accuracy_points(0.912, 0.887) == 2.5
    assert accuracy_points(0.9004, 0.9) == 0.0
    assert accuracy_points(None, 0.9) is None and accuracy_points(0.9, None) is None

