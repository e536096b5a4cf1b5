"""Learning-rate sweeps on the tiny model: the artifact tree, kept models, best-run choice, cancel and failures."""

from __future__ import annotations

import errno
import json
import math
import threading

import pytest

from agnews_core.config.sweep_config import RunSpec
from agnews_core.labels import LABELS
from agnews_core.modeling.baselines import TFIDF, UNTRAINED
from agnews_core.modeling.metrics import compute_metrics
from agnews_core.states import RunState, SweepState
from agnews_core.store.artifact_store import ArtifactStore
from agnews_core.store.records import RunRecord
from agnews_core.sweeps import runner as sweep_module
from agnews_core.sweeps.runner import describe_error, final_status, pick_best, pick_best_by_accuracy, run_sweep
from agnews_core.sweeps.snapshots import JobSnapshot


def _run(index: int, loss: float | None, accuracy: float = 0.5, status: str = RunState.DONE) -> RunRecord:
    validation = compute_metrics([0, 1, 2, 3], [0, 1, 2, 3]) if accuracy == 1.0 else None
    if validation is None:
        correct = round(accuracy * 4)
        validation = compute_metrics([0, 1, 2, 3], [0, 1, 2, 3][:correct] + [3, 0, 1, 2][correct:])
    return RunRecord(f"run{index + 1:02d}", index, 1e-4 * (index + 1), status=status, final_eval_loss=loss,
                     validation=validation)


def _files(store: ArtifactStore, sweep_id: str) -> set[str]:
    folder = store.sweep_dir(sweep_id)
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}


# ---- the artifact tree of a finished sweep (shared, read-only)
def test_finished_sweep_writes_the_full_artifact_tree(finished_sweep) -> None:
    store, record = finished_sweep
    assert record.status == RunState.DONE and record.error == ""
    assert len(record.run_ids) == 2
    files = _files(store, record.sweep_id)
    assert "sweep.json" in files
    for run_id in record.run_ids:
        for name in ("run.json", "predictions.parquet", "model/model.safetensors", "model/config.json"):
            assert f"runs/{run_id}/{name}" in files
    assert not any(name.endswith(".tmp") for name in files)
    assert store.load_sweep(record.sweep_id) == record
    assert json.loads((store.sweep_dir(record.sweep_id) / "sweep.json").read_text())["status"] == "done"


def test_finished_runs_have_curves_metrics_and_predictions(finished_sweep) -> None:
    store, record = finished_sweep
    runs, broken = store.load_runs(record)
    assert broken == [] and [r.run_id for r in runs] == list(record.run_ids)
    for run in runs:
        assert run.status == RunState.DONE and run.model_saved
        assert run.steps_done == run.total_steps > 0
        assert len(run.train_loss) >= 2 and all(math.isfinite(p.loss) for p in run.train_loss)
        assert [p.step for p in run.train_loss] == sorted(p.step for p in run.train_loss)
        assert len(run.eval_loss) >= 2
        assert run.eval_loss[-1].step == run.total_steps
        assert run.final_eval_loss == pytest.approx(run.eval_loss[-1].loss)
        assert run.validation.count == record.config.eval_size and run.test.count == record.config.test_size
        assert run.train_examples_per_second > 0 and run.started_at and run.finished_at
        predictions = store.load_predictions(record.sweep_id, run.run_id)
        assert predictions["split"].value_counts().to_dict() == {"test": record.config.test_size,
                                                                 "validation": record.config.eval_size}
        probabilities = predictions[[f"p_{name}" for name in LABELS]].to_numpy()
        assert probabilities.sum(axis=1) == pytest.approx(1.0, abs=1e-4)
        test_rows = predictions[predictions["split"] == "test"]
        accuracy = (test_rows["label"] == test_rows["predicted"]).mean()
        assert accuracy == pytest.approx(run.test.accuracy)


def test_finished_runs_store_float16_embeddings_in_predictions_order(finished_sweep) -> None:
    store, record = finished_sweep
    for run_id in record.run_ids:
        embeddings = store.load_embeddings(record.sweep_id, run_id)
        predictions = store.load_predictions(record.sweep_id, run_id)
        assert embeddings.dtype == "float16"
        assert embeddings.shape == (len(predictions), 32)  # the tiny BERT's hidden size
        assert predictions["split"].tolist() == ["validation"] * 100 + ["test"] * 120
    assert (store.load_embeddings(record.sweep_id, record.run_ids[0]) !=
            store.load_embeddings(record.sweep_id, record.run_ids[1])).any()  # each run's own model


def test_finished_sweep_records_best_run_baselines_and_throughput(finished_sweep) -> None:
    store, record = finished_sweep
    runs, _ = store.load_runs(record)
    assert record.best_run_id == pick_best(runs) != ""
    assert record.best_by_accuracy_run_id == pick_best_by_accuracy(runs)
    assert set(record.baselines) == {TFIDF, UNTRAINED}
    assert record.baselines[TFIDF].count == record.config.test_size
    assert "bundled AG News sample" in record.data_description
    assert record.started_at and record.finished_at >= record.started_at
    throughput = json.loads((store.root / "throughput.json").read_text())
    assert throughput["tiny"]["train"] > 0 and throughput["tiny"]["inference"] > 0


# ---- kept models
def test_keep_best_keeps_only_the_best_model(store: ArtifactStore, small_config) -> None:
    phases: list[str] = []

    def broken_display(snapshot: JobSnapshot) -> None:
        if snapshot.progress is not None and snapshot.progress.phase not in phases[-1:]:
            phases.append(snapshot.progress.phase)
        raise RuntimeError("a display that fails must not stop the sweep")

    record = run_sweep(store, small_config(learning_rates=(3e-3, 1e-3), keep_models="best"), on_snapshot=broken_display)
    assert record.status == RunState.DONE
    runs, _ = store.load_runs(record)
    kept = {r.run_id for r in runs if store.has_model(record.sweep_id, r.run_id)}
    assert kept == {record.best_run_id}
    assert {r.run_id for r in runs if r.model_saved} == kept
    assert {r.run_id for r in runs if r.inference_variant is not None} == kept  # measured once, for the kept model
    assert all((store.run_dir(record.sweep_id, r.run_id) / "predictions.parquet").is_file() for r in runs)
    assert phases[0] == "loading" and phases[-1] == "finished"
    assert {"baselines", "training", "evaluating", "saving"} <= set(phases)


def test_snapshots_carry_live_curves_before_the_disk_does(store: ArtifactStore, small_config) -> None:
    seen: list[JobSnapshot] = []
    record = run_sweep(store, small_config(train_size=320), on_snapshot=seen.append)
    training = [s for s in seen if s.progress is not None and s.progress.phase == "training" and s.progress.step]
    assert training and all(s.sweep.status == SweepState.RUNNING for s in training)
    assert all(s.runs[0].status == RunState.RUNNING for s in training)
    assert any(s.runs[0].train_loss for s in training)
    steps = [s.runs[0].steps_done for s in training]
    assert steps == sorted(steps) and steps[-1] == 20  # in order, to the last step
    assert seen[-1].sweep == record and seen[-1].runs == tuple(store.load_runs(record)[0])


def test_a_failing_run_does_not_stop_the_sweep(store: ArtifactStore, small_config) -> None:
    started: list[float] = []

    def fail_first(spec: RunSpec) -> None:
        started.append(spec.learning_rate)
        if spec.index == 0:
            raise RuntimeError("injected failure")

    record = run_sweep(store, small_config(learning_rates=(1e-3, 3e-4), keep_models="none"), fault_hook=fail_first)
    assert started == [1e-3, 3e-4]
    assert record.status == SweepState.DONE_WITH_FAILURES
    assert "lr 1e-3: RuntimeError: injected failure" in record.error
    first, second = store.load_runs(record)[0]
    assert (first.status, first.error) == (RunState.FAILED, "RuntimeError: injected failure")
    assert first.finished_at and not first.model_saved
    assert second.status == RunState.DONE and record.best_run_id == second.run_id
    assert not second.model_saved and not store.model_dir(record.sweep_id, second.run_id).exists()  # keep none


def test_a_diverging_run_is_recorded_failed(store: ArtifactStore, small_config, monkeypatch: pytest.MonkeyPatch) -> None:
    import torch

    real_load = sweep_module.load_pretrained

    def load_with_nan_head(*args, **kwargs):
        loaded = real_load(*args, **kwargs)
        with torch.no_grad():
            loaded.model.classifier.weight.fill_(float("nan"))
        return loaded

    monkeypatch.setattr(sweep_module, "load_pretrained", load_with_nan_head)
    record = run_sweep(store, small_config())
    (run,), _ = store.load_runs(record)
    assert run.status == RunState.FAILED
    assert run.error.startswith("TrainingDiverged: training loss became NaN or infinite")
    assert math.isnan(run.train_loss[-1].loss)  # the NaN point is kept (stored as null)
    assert record.status == RunState.FAILED and record.best_run_id == ""
    assert not store.has_model(record.sweep_id, run.run_id)


def test_data_that_cannot_load_fails_every_run(store: ArtifactStore, small_config, tmp_path) -> None:
    record = run_sweep(store, small_config(learning_rates=(1e-3, 3e-4), data=str(tmp_path / "missing")))
    assert record.status == RunState.FAILED and "not 'auto', 'hub', 'sample'" in record.error
    runs, _ = store.load_runs(record)
    assert [r.status for r in runs] == [RunState.FAILED, RunState.FAILED]
    assert all(r.error.startswith("data could not be loaded") for r in runs)


def test_a_sweep_that_cannot_start_fails_every_run_with_the_reason_before_loading_data(
        store: ArtifactStore, small_config, monkeypatch) -> None:
    class NoCluster(sweep_module.SweepRunner):
        def _start(self) -> None:
            raise sweep_module.SweepCannotStart("No Ray cluster answers at 127.0.0.1:1")

    monkeypatch.setattr(sweep_module, "load_source", lambda *a: pytest.fail("data loaded after a failed start"))
    sweep = sweep_module.create_sweep(store, small_config(learning_rates=(1e-3, 3e-4)))
    record = NoCluster(store, sweep.sweep_id).run()
    assert (record.status, record.error) == (SweepState.FAILED, "No Ray cluster answers at 127.0.0.1:1")
    runs, _ = store.load_runs(record)
    assert [(r.status, r.error) for r in runs] == [(RunState.FAILED, "No Ray cluster answers at 127.0.0.1:1")] * 2
    assert record.baselines == {} and record.finished_at


def test_cancel_before_the_runs_skips_every_one_and_keeps_the_baselines(store: ArtifactStore, small_config) -> None:
    cancel = threading.Event()
    sweep = sweep_module.create_sweep(store, small_config(learning_rates=(1e-3, 3e-4)))
    runner = sweep_module.SweepRunner(store, sweep.sweep_id, cancel=cancel)
    scored = runner._baselines

    def baselines_then_cancel(splits) -> None:  # noqa: ANN001
        scored(splits)
        cancel.set()

    runner._baselines = baselines_then_cancel
    record = runner.run()
    runs, _ = store.load_runs(record)
    assert record.status == SweepState.CANCELLED and record.baselines
    assert [(r.status, r.error) for r in runs] == [(RunState.SKIPPED, "not started: the sweep was cancelled")] * 2


# ---- cancel
def test_cancel_stops_within_a_step_and_keeps_the_curves(store: ArtifactStore, small_config) -> None:
    cancel = threading.Event()
    steps_seen: list[int] = []

    def cancel_at_step_two(snapshot: JobSnapshot) -> None:
        progress = snapshot.progress
        if progress is not None and progress.phase == "training" and progress.step:
            steps_seen.append(progress.step)
            if progress.step >= 2:
                cancel.set()

    config = small_config(learning_rates=(1e-3, 3e-4, 1e-4), train_size=320)  # 20 steps per run
    record = run_sweep(store, config, on_snapshot=cancel_at_step_two, cancel=cancel)
    assert record.status == RunState.CANCELLED
    first, *rest = store.load_runs(record)[0]
    assert first.status == RunState.CANCELLED and first.total_steps == 20
    assert first.steps_done <= 3 and max(steps_seen) <= 3
    assert "cancelled at step" in first.error and "curves kept" in first.error
    assert first.train_loss and all(p.step <= first.steps_done for p in first.train_loss)
    assert first.final_eval_loss is None and first.validation is None
    assert [r.status for r in rest] == [RunState.SKIPPED, RunState.SKIPPED]
    assert all("cancelled" in r.error for r in rest)
    assert record.best_run_id == "" and not store.has_model(record.sweep_id, first.run_id)


def test_cancel_before_start_skips_every_run(store: ArtifactStore, small_config) -> None:
    cancel = threading.Event()
    cancel.set()
    record = run_sweep(store, small_config(learning_rates=(1e-3, 3e-4)), cancel=cancel)
    assert record.status == RunState.CANCELLED
    assert [r.status for r in store.load_runs(record)[0]] == [RunState.SKIPPED, RunState.SKIPPED]


# ---- pure helpers
def test_pick_best_takes_the_lowest_finite_eval_loss() -> None:
    runs = [_run(0, 0.9), _run(1, 0.4), _run(2, 0.7)]
    assert pick_best(runs) == "run02"


def test_pick_best_ignores_nan_none_and_unfinished_runs() -> None:
    runs = [_run(0, float("nan")), _run(1, None), _run(2, 0.1, status=RunState.FAILED), _run(3, 0.2, status=RunState.CANCELLED),
            _run(4, float("inf")), _run(5, 0.8)]
    assert pick_best(runs) == "run06"
    assert pick_best(runs[:5]) == ""
    assert pick_best([]) == ""


def test_pick_best_breaks_ties_by_accuracy_then_order() -> None:
    assert pick_best([_run(0, 0.5, accuracy=0.25), _run(1, 0.5, accuracy=0.75), _run(2, 0.6, accuracy=1.0)]) == "run02"
    assert pick_best([_run(0, 0.5, accuracy=0.5), _run(1, 0.5, accuracy=0.5)]) == "run01"
    assert pick_best([_run(1, 0.5, accuracy=0.5), _run(0, 0.5, accuracy=0.5)]) == "run01"


def test_pick_best_by_accuracy() -> None:
    runs = [_run(0, 0.3, accuracy=0.5), _run(1, 0.6, accuracy=0.75), _run(2, 0.5, accuracy=0.75)]
    assert pick_best_by_accuracy(runs) == "run03"
    assert pick_best_by_accuracy([_run(0, None, accuracy=0.5, status=RunState.FAILED)]) == ""


@pytest.mark.parametrize(
    ("statuses", "cancelled", "expected"),
    [
        ([RunState.DONE, RunState.DONE], False, RunState.DONE),
        ([RunState.DONE, RunState.FAILED], False, SweepState.DONE_WITH_FAILURES),
        ([RunState.FAILED, RunState.FAILED], False, RunState.FAILED),
        ([RunState.DONE, RunState.FAILED], True, RunState.CANCELLED),
        ([RunState.CANCELLED, RunState.SKIPPED], True, RunState.CANCELLED),
        ([RunState.DONE, RunState.PENDING], False, RunState.DONE),
    ],
)
def test_final_status(statuses: list[str], cancelled: bool, expected: str) -> None:
    runs = [RunRecord(f"r{i}", i, 1e-4, status=s) for i, s in enumerate(statuses)]
    assert final_status(runs, cancelled) == expected


def testdescribe_error_says_what_to_do() -> None:
    assert describe_error(RuntimeError("CUDA out of memory. Tried to allocate")).startswith("out of memory")
    assert "lower the batch size" in describe_error(RuntimeError("CUDA out of memory"))
    assert describe_error(OSError(errno.ENOSPC, "No space left")).startswith("disk full while saving")
    assert describe_error(ValueError("bad\nsecond line")) == "ValueError: bad"
    assert describe_error(KeyError()) == "KeyError"


def test_new_sweep_ids_are_unique_and_valid() -> None:
    from agnews_core.store.artifact_store import validate_id

    ids = {sweep_module.new_sweep_id() for _ in range(50)}
    assert len(ids) == 50 and all(validate_id(i) for i in ids)


def test_created_sweep_has_pending_runs(store: ArtifactStore, small_config) -> None:
    record = sweep_module.create_sweep(store, small_config(learning_rates=(1e-3, 3e-4)), estimate_seconds=12.0)
    assert record.status == "queued" and record.estimate_seconds == 12.0
    runs, _ = store.load_runs(record)
    assert [(r.run_id, r.status) for r in runs] == [("run01-lr1e-3", RunState.PENDING), ("run02-lr3e-4", RunState.PENDING)]


def test_report_to_tensorboard_writes_events_into_the_run_folder(store: ArtifactStore, small_config) -> None:
    record = run_sweep(store, small_config(report_to="tensorboard"))
    assert record.status == SweepState.DONE, record.error
    events = list((store.run_dir(record.sweep_id, record.run_ids[0]) / "tensorboard").glob("events.out.tfevents.*"))
    assert events and events[0].stat().st_size > 0


def test_a_sweep_stores_the_tfidf_predictions_its_accuracy_comes_from(finished_sweep) -> None:
    store, record = finished_sweep
    assert store.paths.tfidf_predictions_file(record.sweep_id).is_file()
    baseline = store.load_tfidf_predictions(record.sweep_id)
    run_test = store.load_predictions(record.sweep_id, record.best_run_id).query("split == 'test'")
    assert baseline["text"].tolist() == run_test["text"].tolist()  # the same test rows as every run
    assert set(baseline["split"]) == {"test"}
    accuracy = float((baseline["label"] == baseline["predicted"]).mean())
    assert record.baselines[TFIDF].accuracy == pytest.approx(accuracy)
    assert record.baselines[TFIDF].count == len(baseline)


def test_finished_sweep_records_its_environment_precision_and_serving_choice(finished_sweep) -> None:
    from agnews_core.config.precision import hardware_info, resolve_precision
    from agnews_core.data.sources import load_source, make_splits
    from agnews_core.serving.variants import SAVE_ROWS
    from agnews_core.store.environment import data_checksum

    store, record = finished_sweep
    env = record.environment
    config = record.config
    expected = str(resolve_precision(config.precision, hardware_info()))
    assert env is not None and str(env.precision) == expected
    assert dict(env.data.rows) == {"train": config.train_size, "validation": config.eval_size, "test": config.test_size}
    assert "bundled AG News sample" in env.data.source and len(env.data.sha256) == 64
    splits = make_splits(load_source(config.data), config)  # the same seed draws the same rows again
    frames = {"train": splits.train, "validation": splits.validation, "test": splits.test}
    assert data_checksum(frames) == env.data.sha256
    assert data_checksum({**frames, "test": splits.test.iloc[1:]}) != env.data.sha256
    runs, _ = store.load_runs(record)
    for run in runs:
        assert run.precision == expected
        choice = run.inference_variant
        assert choice is not None and run.model_saved
        assert choice.rows == min(SAVE_ROWS, config.eval_size)
        assert {str(c.name) for c in choice.candidates} == {"fp32", "int8", "bf16", "onnx-fp32", "onnx-int8"}
        assert choice.chosen in {c.name for c in choice.candidates}
        exports = store.model_dir(record.sweep_id, run.run_id) / "onnx"
        assert {"model.onnx", "model-int8.onnx"} <= {p.name for p in exports.iterdir()}  # kept for serving


def test_a_run_whose_model_is_not_kept_records_no_serving_choice(store: ArtifactStore, small_config) -> None:
    record = run_sweep(store, small_config(keep_models="none", precision="fp32"))
    run = store.load_run(record.sweep_id, record.run_ids[0])
    assert run.status == RunState.DONE and not run.model_saved
    assert run.inference_variant is None and run.precision == "fp32"
    assert record.environment is not None and record.environment.precision == "fp32"
