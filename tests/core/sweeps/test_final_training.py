"""Final training: a sweep's best LR retrained on train + validation rows, scored on the whole test split."""

from __future__ import annotations

import shutil

import pytest

from agnews_core.data.sources import load_source, make_splits
from agnews_core.serving.predictor import default_run
from agnews_core.states import SweepState
from agnews_core.store.artifact_store import ArtifactStore
from agnews_core.sweeps.estimate import estimate_seconds, record_throughput
from agnews_core.sweeps.final_training import FINAL_EVAL_ROWS, max_final_train_rows, plan_final_training
from agnews_core.sweeps.runner import run_sweep


@pytest.fixture
def copied(finished_sweep, tmp_path):
    source, record = finished_sweep
    shutil.copytree(source.root, tmp_path / "artifacts")
    return ArtifactStore(tmp_path / "artifacts"), record


def test_the_plan_takes_the_best_lr_every_train_row_and_the_whole_test_split(copied) -> None:
    store, record = copied
    best = store.load_run(record.sweep_id, record.best_run_id)
    source = load_source(record.config.data)
    plan = plan_final_training(store, record.sweep_id)
    assert plan.config.learning_rates == (best.learning_rate,)
    assert plan.config.final_of == record.sweep_id and plan.config.model == record.config.model
    assert plan.config.train_size == max_final_train_rows(source) == len(source.train) - FINAL_EVAL_ROWS
    assert plan.config.test_size == len(source.test)
    splits = make_splits(source, plan.config)
    assert len(splits.train) + len(splits.validation) == len(source.train)
    assert not set(splits.train["text"]) & set(splits.validation["text"])  # the eval curve's rows never train


def test_the_plan_carries_the_estimate_the_job_manager_will_record(copied) -> None:
    store, record = copied
    plan = plan_final_training(store, record.sweep_id, train_size=300)
    assert plan.estimate_seconds == estimate_seconds(store.root, plan.config) > 0
    bigger = plan_final_training(store, record.sweep_id, train_size=600)
    assert bigger.estimate_seconds > plan.estimate_seconds
    record_throughput(store.root, plan.config.model, 1.0, 1.0)  # this machine measured very slow
    assert plan_final_training(store, record.sweep_id, train_size=300).estimate_seconds > plan.estimate_seconds


def test_bad_plans_say_what_is_wrong(copied) -> None:
    store, record = copied
    with pytest.raises(ValueError, match="between 1 and"):
        plan_final_training(store, record.sweep_id, train_size=10**6)
    unfinished = record.with_changes(sweep_id="20260101-000000-aaaaaa", best_run_id="", status=SweepState.FAILED)
    store.save_sweep(unfinished)
    with pytest.raises(ValueError, match="no finished run"):
        plan_final_training(store, unfinished.sweep_id)


def test_a_final_training_runs_and_becomes_the_predict_default(copied) -> None:
    store, record = copied
    plan = plan_final_training(store, record.sweep_id, train_size=300, epochs=0.5)
    final = run_sweep(store, plan.config)
    assert final.status == SweepState.DONE, final.error
    (run,) = store.load_runs(final)[0]
    assert run.test.count == plan.config.test_size and store.has_model(final.sweep_id, run.run_id)
    assert default_run(store).sweep_id == final.sweep_id
    with pytest.raises(ValueError, match="itself a final training"):
        plan_final_training(store, final.sweep_id)
