"""Text tables and the progress bar of the command line."""

from __future__ import annotations

import io

from agnews_core.cli.output import ProgressBar, print_runs_listing, print_sweep_table
from agnews_core.config.sweep_config import SweepConfig
from agnews_core.modeling.metrics import compute_metrics
from agnews_core.store.artifact_store import ArtifactStore, BrokenEntry
from agnews_core.store.records import RunRecord, SweepRecord
from agnews_core.sweeps.progress import Progress

METRICS = compute_metrics([0, 1, 2, 3], [0, 1, 2, 2])


def _sweep_and_runs() -> tuple[SweepRecord, list[RunRecord]]:
    config = SweepConfig(learning_rates=(1e-3, 3e-4, 1e-4), model="tiny", data="sample")
    runs = [
        RunRecord("run01-lr1e-3", 0, 1e-3, status="done", final_eval_loss=0.9, validation=METRICS, test=METRICS),
        RunRecord("run02-lr3e-4", 1, 3e-4, status="done", final_eval_loss=0.5, validation=METRICS, test=METRICS),
        RunRecord("run03-lr1e-4", 2, 1e-4, status="failed", error="RuntimeError: boom"),
    ]
    sweep = SweepRecord("s1", config, status="done with failures", run_ids=tuple(r.run_id for r in runs),
                        best_run_id="run02-lr3e-4", best_by_accuracy_run_id="run01-lr1e-3",
                        baselines={"TF-IDF + logistic regression": METRICS})
    return sweep, runs


def test_sweep_table_sorts_by_eval_loss_and_marks_the_best() -> None:
    sweep, runs = _sweep_and_runs()
    out = io.StringIO()
    print_sweep_table(sweep, runs, out)
    rows = [line for line in out.getvalue().splitlines() if "done" in line or "failed" in line][1:]
    assert rows[0].startswith("*") and "3e-4" in rows[0] and "0.5000" in rows[0] and "75.0%" in rows[0]
    assert rows[1].startswith(" ") and "1e-3" in rows[1]
    assert "1e-4" in rows[2] and "failed" in rows[2]
    text = out.getvalue()
    assert "RuntimeError: boom" in text
    assert "baseline TF-IDF + logistic regression: test acc 75.0%" in text
    assert "note: best by validation accuracy is run01-lr1e-3" in text


def test_runs_listing_reports_unreadable_entries(tmp_path) -> None:
    store = ArtifactStore(tmp_path)
    sweep, runs = _sweep_and_runs()
    store.save_sweep(sweep)
    for run in runs[:2]:
        store.save_run(sweep.sweep_id, run)
    out = io.StringIO()
    print_runs_listing(store, [sweep], [BrokenEntry("/x/sweeps/bad", "sweep.json is corrupt")], out)
    text = out.getvalue()
    assert text.startswith("s1  done with failures")
    assert "* run02-lr3e-4" in text and "unreadable run" in text and "run03-lr1e-4" in text
    assert "unreadable sweep /x/sweeps/bad: sweep.json is corrupt" in text
    empty = io.StringIO()
    print_runs_listing(store, [], [], empty)
    assert "No sweeps in" in empty.getvalue()


def test_progress_bar_writes_plain_lines_when_not_a_terminal() -> None:
    out = io.StringIO()
    bar = ProgressBar(out)
    bar.update(Progress("loading", "Loading data (sample)"))
    for step in range(1, 11):
        bar.update(Progress("training", f"lr 1e-3: step {step}/10", 0, 2, 1e-3, step, 10, 50.0, 30.0))
    bar.close()
    lines = out.getvalue().splitlines()
    assert len(lines) == 3  # the phase change, the first and the last step: no flood of lines in a log file
    assert "Loading data" in lines[0]
    assert lines[-1].startswith("[1/2] ########################") and "step 10/10" in lines[-1]
    assert "\r" not in out.getvalue()
