"""The trial board's TrialStates as run-record changes, final states and job-card progress lines (no Ray needed)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from agnews_core.states import RunState
from agnews_core.store.records import LossPoint, RunRecord
from agnews_core.sweeps.executors.ray_board import (
    NOT_STARTED,
    TrialState,
    TrialStatus,
    final_changes,
    first_line,
    live_changes,
    points,
    sweep_progress,
    trial_progress,
)

END = "2026-11-27T03:00:00Z"


def board_trial(**changes: Any) -> TrialState:
    """A running trial as the board reads it out."""
    trial = TrialState(status=TrialStatus.RUNNING, node="10.0.0.2", pid=4242, step=30, total_steps=100,
                       examples_per_second=50.0, eta_seconds=14.0, phase="training",
                       train_loss=[(10, 0.4, 1.3), (20, 0.8, 1.1)], eval_loss=[(25, 1.0, 1.2)], version=3)
    return replace(trial, **changes)


def test_trial_statuses_say_whether_the_trial_ended() -> None:
    assert {s for s in TrialStatus if s.ended} == {TrialStatus.DONE, TrialStatus.CANCELLED, TrialStatus.FAILED,
                                                   TrialStatus.SKIPPED}
    assert NOT_STARTED.status == TrialStatus.PENDING and TrialStatus("skipped") == "skipped"


def test_a_live_trial_gives_curves_steps_and_node_and_starts_its_run_once() -> None:
    pending = RunRecord("run01", 0, 3e-3)
    changes = live_changes(pending, board_trial(), "2026-11-27T02:59:00Z")
    assert changes["train_loss"] == (LossPoint(10, 0.4, 1.3), LossPoint(20, 0.8, 1.1))
    assert changes["eval_loss"] == (LossPoint(25, 1.0, 1.2),)
    assert (changes["steps_done"], changes["total_steps"], changes["node"]) == (30, 100, "10.0.0.2")
    assert (changes["status"], changes["started_at"]) == (RunState.RUNNING, "2026-11-27T02:59:00Z")
    running = pending.with_changes(**changes)
    assert "status" not in live_changes(running, board_trial(step=40), "later")  # started_at stays the first one


def test_a_cancelled_trial_keeps_its_training_fields_but_no_metrics() -> None:
    result = {"final_eval_loss": 1.2, "steps_done": 30, "train_seconds": 3.5, "precision": "bf16",
              "validation": {"accuracy": 0.5}, "test": {"accuracy": 0.4}, "inference": [(100.0, 64)]}
    changes = final_changes(board_trial(status=TrialStatus.CANCELLED, result=result), None, {}, True, END)
    assert changes == dict(status=RunState.CANCELLED, error="cancelled at step 30/100; curves kept",
                           final_eval_loss=1.2, steps_done=30, train_seconds=3.5, precision="bf16", finished_at=END)
    # Tune stopped it after cancel before it could say so: cancelled too, not failed.
    assert final_changes(board_trial(), None, {}, True, END)["status"] == RunState.CANCELLED


def test_a_failed_trial_or_a_dead_worker_fails_its_run_with_the_reason() -> None:
    failed = final_changes(board_trial(status=TrialStatus.FAILED, error="CUDA out of memory"), None, {}, False, END)
    assert failed == dict(status=RunState.FAILED, error="CUDA out of memory", finished_at=END)
    died = final_changes(board_trial(), RuntimeError("worker crashed\nmore detail"), {}, False, END)
    assert died["status"] == RunState.FAILED and died["finished_at"] == END
    assert died["error"] == "the Ray worker running this trial died (pid 4242 on 10.0.0.2): RuntimeError: worker crashed"
    unknown = final_changes(board_trial(pid=0), RuntimeError("gone"), {}, True, END)  # cancel does not hide a death
    assert unknown["error"] == "the Ray worker running this trial died: RuntimeError: gone"


def test_a_running_trial_that_tune_ended_without_error_stopped_early() -> None:
    changes = final_changes(board_trial(step=30), None, {"step": 50}, False, END)
    assert changes == dict(status=RunState.STOPPED_EARLY, steps_done=50, finished_at=END,
                           error="stopped early at step 50/100 (ASHA on eval loss)")
    assert final_changes(board_trial(step=30), None, {}, False, END)["steps_done"] == 30  # no report: the board's step


def test_a_trial_that_never_started_is_skipped_without_a_finish_time() -> None:
    assert final_changes(NOT_STARTED, None, {}, True, END) == dict(
        status=RunState.SKIPPED, error="not started: the sweep was cancelled")


def test_progress_lines_for_one_trial_and_for_the_sweep() -> None:
    runs = [RunRecord("run01", 0, 3e-3), RunRecord("run02", 1, 1e-3), RunRecord("run03", 2, 1e-4)]
    line = trial_progress(runs[1], board_trial(), len(runs))
    assert line.message == "lr 1e-3: step 30/100" and (line.run_index, line.run_count) == (1, 3)
    assert (line.step, line.total_steps, line.eta_seconds, line.node) == (30, 100, 14.0, "10.0.0.2")

    trials = [board_trial(status=TrialStatus.DONE), board_trial(), board_trial(status=TrialStatus.PENDING)]
    live = (trial_progress(runs[1], trials[1], 3),)
    waiting = sweep_progress(trials, live, 3)
    assert waiting.message == "1 trials running on Ray, 1 queued, 1 finished"
    assert (waiting.run_index, waiting.step, waiting.total_steps) == (1, 300, 1000)
    assert waiting.eta_seconds is None  # a queued trial's time is unknown
    trials[2] = board_trial(step=50, eta_seconds=30.0)
    live = (*live, trial_progress(runs[2], trials[2], 3))
    both = sweep_progress(trials, live, 3)
    assert both.message == "2 trials running on Ray, 0 queued, 1 finished"
    assert both.step == 800 and both.eta_seconds == 30.0  # the slowest running trial


def test_points_and_first_line() -> None:
    assert points([[5, 0.25, "1.5"]]) == (LossPoint(5, 0.25, 1.5),)  # JSON-ish input still gives numbers
    assert first_line(ValueError("\n\n  bad value  \nsecond")) == "ValueError: bad value  "
    assert first_line(KeyError()) == "KeyError"
    assert len(first_line(RuntimeError("x" * 1000))) == len("RuntimeError: ") + 300
