"""The Ray executor on a real local Ray: same artifacts as the thread, cancel, a killed worker, ASHA."""

from __future__ import annotations

import math
import os
import shutil
import signal
import threading
from pathlib import Path

from ray_support import descends_from, wait_until
from sweep_configs import small_config, tiny_config

from agnews_core.review.crossfit_suspects import load_crossfit
from agnews_core.review.label_review import training_rows
from agnews_core.states import RunState, SweepState
from agnews_core.store.artifact_store import ArtifactStore
from agnews_core.sweeps.crossfit import fold_assignment, plan_crossfit
from agnews_core.sweeps.executors.ray_executor import RayExecutor, RaySettings
from agnews_core.sweeps.executors.thread import ThreadExecutor
from agnews_core.sweeps.runner import create_sweep
from agnews_core.sweeps.snapshots import JobSnapshot


def _files(store: ArtifactStore, sweep_id: str) -> set[str]:
    root = store.sweep_dir(sweep_id)
    return {str(p.relative_to(root)).replace(sweep_id, "ID") for p in root.rglob("*") if p.is_file()}


def _run_in_thread(executor: RayExecutor, sweep_id: str, cancel: threading.Event, seen: list[JobSnapshot]):
    result: dict = {}
    thread = threading.Thread(target=lambda: result.update(record=executor.run(sweep_id, seen.append, cancel)))
    thread.start()
    return thread, result


def test_a_ray_sweep_leaves_the_same_artifacts_as_a_thread_sweep(local_ray, tmp_path: Path) -> None:
    config = small_config(learning_rates=(3e-3, 1e-3), keep_models="all")
    ray_store, thread_store = ArtifactStore(tmp_path / "ray"), ArtifactStore(tmp_path / "thread")
    on_ray, on_thread = create_sweep(ray_store, config), create_sweep(thread_store, config)
    seen: list[JobSnapshot] = []
    placement_groups_before = set(local_ray.util.placement_group_table())
    record = RayExecutor(ray_store, RaySettings(cpus_per_trial=1)).run(on_ray.sweep_id, seen.append,
                                                                         threading.Event())
    reference = ThreadExecutor(thread_store).run(on_thread.sweep_id, lambda _: None, threading.Event())

    assert record.status == SweepState.DONE, record.error
    assert _files(ray_store, on_ray.sweep_id) == _files(thread_store, on_thread.sweep_id)
    assert set(record.baselines) == set(reference.baselines) and record.best_run_id
    runs, broken = ray_store.load_runs(record)
    assert broken == [] and [r.status for r in runs] == [RunState.DONE, RunState.DONE]
    for run, twin in zip(runs, thread_store.load_runs(reference)[0], strict=True):
        assert run.node == "127.0.0.1" and run.eval_loss and run.test is not None and run.model_saved
        assert len(ray_store.load_predictions(record.sweep_id, run.run_id)) == config.eval_size + config.test_size
        # Every field the thread fills, a trial fills too (Results shows them side by side); only node is Ray's own.
        filled = {name for name, value in vars(run).items() if value not in (None, "", (), 0, 0.0, False)}
        assert filled - {"node"} == {name for name, value in vars(twin).items()
                                     if value not in (None, "", (), 0, 0.0, False)}
        assert run.precision == twin.precision
    trial_views = [p for s in seen for p in s.run_progress]
    assert trial_views and {p.node for p in trial_views} == {"127.0.0.1"}
    assert any(p.total_steps and p.step for p in trial_views)
    clusters = [s.cluster for s in seen if s.cluster is not None]
    assert clusters and clusters[-1].cpus == 2 and clusters[-1].ray_version == local_ray.__version__
    # The trials held their CPU through placement groups (Tune may reuse one); Ray keeps them in its table after removal.
    held = [group["bundles"] for group_id, group in local_ray.util.placement_group_table().items()
            if group_id not in placement_groups_before]
    assert held and all(bundles == {0: {"CPU": 1.0}} for bundles in held), held


def test_cancel_keeps_the_finished_run_stops_the_running_one_and_skips_the_queued(local_ray, store) -> None:
    # Two CPUs per trial: one trial at a time, so one is done, one runs and one waits when cancel comes.
    config = tiny_config(learning_rates=(3e-3, 1e-3, 3e-4), train_size=400, epochs=4.0, eval_size=16, test_size=16)
    sweep = create_sweep(store, config)
    seen: list[JobSnapshot] = []
    cancel = threading.Event()
    thread, result = _run_in_thread(RayExecutor(store, RaySettings(cpus_per_trial=2)), sweep.sweep_id, cancel, seen)

    def first_done_second_training() -> bool:
        runs = seen[-1].runs if seen else ()
        return bool(runs) and runs[0].status == RunState.DONE and bool(runs[1].train_loss)
    wait_until(first_done_second_training, what="run 1 done and run 2 training with a curve")
    at_cancel = seen[-1].runs[1].steps_done
    cancel.set()
    thread.join(120)
    assert not thread.is_alive()

    record = result["record"]
    assert record.status == SweepState.CANCELLED
    done, stopped, queued = store.load_runs(record)[0]
    assert done.status == RunState.DONE and done.test is not None
    assert store.load_predictions(record.sweep_id, done.run_id) is not None
    assert stopped.status == RunState.CANCELLED and "cancelled at step" in stopped.error
    assert stopped.train_loss and at_cancel <= stopped.steps_done < stopped.total_steps
    assert stopped.steps_done - at_cancel <= 15  # about one step per 0.2 s cancel poll, not the whole run
    assert queued.status == RunState.SKIPPED and "cancelled" in queued.error


def _trial_worker_pids() -> list[int]:
    """Processes of running Tune function trials (Ray titles them 'ray::ImplicitFunc...') of the Ray this test
    process started: other processes on the machine may run Ray trials of their own."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if ((entry / "cmdline").read_bytes().startswith(b"ray::ImplicitFunc")
                        and descends_from(int(entry.name), os.getpid())):
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


def test_a_killed_trial_worker_fails_its_run_only(local_ray, store) -> None:
    config = tiny_config(learning_rates=(3e-3, 1e-3), train_size=400, epochs=4.0, eval_size=16, test_size=16)
    sweep = create_sweep(store, config)
    seen: list[JobSnapshot] = []
    thread, result = _run_in_thread(RayExecutor(store, RaySettings(cpus_per_trial=1)), sweep.sweep_id,
                                    threading.Event(), seen)
    wait_until(lambda: bool(seen) and len(seen[-1].run_progress) == 2 and all(p.step >= 2 for p in seen[-1].run_progress),
               what="both trials training")
    pids = _trial_worker_pids()
    assert len(pids) == 2, pids
    os.kill(pids[0], signal.SIGKILL)
    thread.join(WAIT_S)
    assert not thread.is_alive()

    record = result["record"]
    runs = store.load_runs(record)[0]
    assert sorted(r.status for r in runs) == sorted([RunState.DONE, RunState.FAILED])
    (failed,) = [r for r in runs if r.status == RunState.FAILED]
    assert "worker running this trial died" in failed.error and f"pid {pids[0]}" in failed.error
    assert failed.train_loss  # curves up to the kill are kept
    assert record.status == SweepState.DONE_WITH_FAILURES and record.best_run_id != failed.run_id


WAIT_S = 180


def test_asha_stops_a_poor_trial_early_and_it_does_not_count_as_failed(local_ray, store) -> None:
    # Two good rates start first; two that barely learn reach the first rung later and fall below its cutoff.
    # The rung is half-way (grace 2 of 4 evaluations): by then the good rates' eval loss is clearly lower, where
    # after one evaluation it could still be within noise of the untrained loss.
    config = tiny_config(learning_rates=(3e-3, 2e-3, 1e-7, 2e-7), train_size=800, epochs=2.0, evals_per_run=4,
                         eval_size=64, test_size=16)
    sweep = create_sweep(store, config)
    settings = RaySettings(cpus_per_trial=1, early_stopping=True, grace_evals=2)
    record = RayExecutor(store, settings).run(sweep.sweep_id, lambda _: None, threading.Event())

    runs = store.load_runs(record)[0]
    stopped = [r for r in runs if r.status == RunState.STOPPED_EARLY]
    assert stopped, [(r.lr_label, r.status, r.error) for r in runs]
    for run in stopped:
        assert run.error.startswith(f"stopped early at step {run.steps_done}/{run.total_steps}")
        assert run.steps_done < run.total_steps and run.eval_loss and run.train_loss
    assert not [r for r in runs if r.status == RunState.FAILED]
    assert record.status == SweepState.DONE
    assert record.best_run_id in {r.run_id for r in runs if r.status == RunState.DONE}


def test_a_cluster_that_stops_answering_before_the_sweep_starts_fails_it_with_the_reason(store, monkeypatch) -> None:
    from agnews_core.sweeps.executors import ray_executor
    from agnews_core.sweeps.executors.ray_cluster import ClusterError

    def refuse(address: str, local_cpus: int | None = None) -> None:
        raise ClusterError(f"No Ray cluster answers at {address}")

    monkeypatch.setattr(ray_executor, "connect", refuse)
    sweep = create_sweep(store, tiny_config(learning_rates=(1e-3, 3e-4), executor="ray", ray_address="127.0.0.1:1"))
    seen: list[JobSnapshot] = []
    record = RayExecutor(store).run(sweep.sweep_id, seen.append, threading.Event())
    assert (record.status, record.error) == (SweepState.FAILED, "No Ray cluster answers at 127.0.0.1:1")
    runs, _ = store.load_runs(record)
    assert {(r.status, r.error) for r in runs} == {(RunState.FAILED, "No Ray cluster answers at 127.0.0.1:1")}
    assert seen[-1].sweep.status == SweepState.FAILED


def test_a_crossfit_on_ray_scores_each_training_row_once_from_the_trial_that_held_it_out(local_ray, finished_sweep,
                                                                                        tmp_path: Path) -> None:
    source, original = finished_sweep
    shutil.copytree(source.root, tmp_path / "artifacts")
    store = ArtifactStore(tmp_path / "artifacts")
    plan = plan_crossfit(store, original.sweep_id, executor="ray")
    sweep = create_sweep(store, plan.config)
    seen: list[JobSnapshot] = []
    record = RayExecutor(store, RaySettings(cpus_per_trial=1)).run(sweep.sweep_id, seen.append, threading.Event())

    assert record.status == SweepState.DONE, record.error
    merged = load_crossfit(store, original.sweep_id, plan.run_id)
    train = training_rows(original, store.root)
    assert merged is not None and merged["text"].tolist() == train["text"].tolist()  # every row, once, in order
    folds = fold_assignment(train["label"].to_numpy(), 2, plan.config.seed)
    assert (merged["fold"].to_numpy() == folds).all()
    runs, broken = store.load_runs(record)
    assert broken == [] and [r.node for r in runs] == ["127.0.0.1"] * 2
    for k, run in enumerate(runs):
        held = train["text"][folds == k].tolist()
        scored = store.load_predictions(record.sweep_id, run.run_id)
        assert scored.loc[scored["split"] == "test", "text"].tolist() == held  # the trial scored its own fold
        rows_trained = len(train) - len(held)  # ... and trained on the others only: its step count says how many
        assert run.total_steps == math.ceil(rows_trained / plan.config.batch_size) * plan.config.epochs
    assert any(s.run_progress for s in seen)
