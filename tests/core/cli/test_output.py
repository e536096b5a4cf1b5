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


def test_sweep_table_says_which_baseline_was_reused_from_which_sweep() -> None:
    sweep, runs = _sweep_and_runs()
    sweep = sweep.with_changes(baselines={**sweep.baselines, "untrained model": METRICS},
                               baselines_reused={"TF-IDF + logistic regression": "s0"})
    out = io.StringIO()
    print_sweep_table(sweep, runs, out)
    lines = [line for line in out.getvalue().splitlines() if "baseline" in line]
    assert lines[0].endswith("macro-F1 66.7% (reused from sweep s0)") and lines[1].endswith("macro-F1 66.7%")


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


class FakeClock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _step(step: int, total: int = 10, eta: float | None = 30.0) -> Progress:
    return Progress("training", f"lr 1e-3: step {step}/{total}", 0, 2, 1e-3, step, total, 50.0, eta)


def test_progress_bar_writes_plain_lines_when_not_a_terminal() -> None:
    out, clock = io.StringIO(), FakeClock()
    bar = ProgressBar(out, clock=clock, interval=15.0)
    bar.update(Progress("loading", "Loading data (sample)"))
    for step in range(1, 11):
        clock.now += 1.0
        bar.update(_step(step, eta=None if step < 4 else 30.0))
        bar.update(_step(step, eta=None if step < 4 else 30.0))  # a curve point republishes the same progress
    bar.close()
    lines = out.getvalue().splitlines()
    # the phase change, the first step, the first ETA, the last step: no flood of lines in a log file
    assert len(lines) == 4 and lines[0].endswith("Loading data (sample)")
    assert [line.split(": ")[-1] for line in lines[1:]] == ["step 1/10 50 ex/s", "step 4/10 50 ex/s ~30 s left",
                                                            "step 10/10 50 ex/s ~30 s left"]
    assert lines[-1].startswith("[1/2] ########################")
    assert "\r" not in out.getvalue()


def test_a_long_run_writes_a_line_at_least_every_interval() -> None:
    out, clock = io.StringIO(), FakeClock()
    bar = ProgressBar(out, clock=clock, interval=15.0)
    for step in range(1, 1001):
        clock.now = step * 0.5  # 2 steps a second for 500 s
        bar.update(_step(step, total=1000, eta=(1000 - step) * 0.5))
    written = [int(line.split("step ")[1].split("/")[0]) for line in out.getvalue().splitlines()]
    assert written[0] == 1 and written[-1] == 1000
    assert max(b - a for a, b in zip(written, written[1:], strict=False)) <= 30  # 30 steps = 15 s
    assert len(written) <= 500 / 15 + 3


def test_the_heartbeat_repeats_where_a_quiet_sweep_is() -> None:
    out, clock = io.StringIO(), FakeClock()
    bar = ProgressBar(out, clock=clock, interval=15.0)
    bar.tick()  # nothing reported yet: nothing to repeat
    bar.update(Progress("evaluating", "Evaluating lr 1e-3", 0, 2, 1e-3))
    clock.now = 14.0
    bar.tick()
    clock.now = 15.0
    bar.tick()
    clock.now = 20.0
    bar.tick()  # written 5 s ago
    clock.now = 31.0
    bar.tick()
    assert out.getvalue().splitlines() == [
        "[1/2] ------------------------ Evaluating lr 1e-3",
        "[1/2] ------------------------ Evaluating lr 1e-3 (still at it after 15 s)",
        "[1/2] ------------------------ Evaluating lr 1e-3 (still at it after 31 s)",
    ]


def test_the_heartbeat_writes_a_newer_step_that_was_not_due_yet() -> None:
    out, clock = io.StringIO(), FakeClock()
    bar = ProgressBar(out, clock=clock, interval=15.0)
    bar.update(_step(1, eta=None))
    clock.now = 10.0
    bar.update(_step(2, eta=None))  # not due: 10 s after the last line
    clock.now = 16.0
    bar.tick()
    assert out.getvalue().splitlines()[-1].endswith("step 2/10 50 ex/s")  # the newest report, not stalled
