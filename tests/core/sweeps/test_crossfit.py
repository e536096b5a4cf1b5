"""Cross-fitting: a finished run's training rows, each scored once by a fold model that never trained on it."""

from __future__ import annotations

import shutil
import threading
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from agnews_core.access.guard import AccessRefused
from agnews_core.access.identity import Identity
from agnews_core.access.roles import Action, Role
from agnews_core.config.sweep_config import ConfigError, SweepConfig, format_lr
from agnews_core.review.crossfit_suspects import load_crossfit
from agnews_core.review.label_review import training_rows
from agnews_core.states import SweepState
from agnews_core.store.artifact_store import ArtifactStore
from agnews_core.sweeps import crossfit as crossfit_module
from agnews_core.sweeps import runner as runner_module
from agnews_core.sweeps.crossfit import CrossfitRunner, fold_assignment, plan_crossfit, small_class_problem
from agnews_core.sweeps.estimate import estimate_seconds
from agnews_core.sweeps.final_training import plan_final_training
from agnews_core.sweeps.jobs import submit_action
from agnews_core.sweeps.runner import create_sweep


@pytest.fixture
def copied(finished_sweep, tmp_path):
    source, record = finished_sweep
    shutil.copytree(source.root, tmp_path / "artifacts")
    return ArtifactStore(tmp_path / "artifacts"), record


@pytest.fixture
def trained_on(monkeypatch) -> list[set[str]]:
    """The texts each fold model trained on, in run order."""
    seen: list[set[str]] = []
    real = runner_module.train_model

    def recording(model, tokenizer, train, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003
        seen.append(set(train["text"]))
        return real(model, tokenizer, train, *args, **kwargs)

    monkeypatch.setattr(runner_module, "train_model", recording)
    return seen


def test_three_folds_score_every_training_row_once_by_a_model_that_never_saw_it(copied, trained_on,
                                                                               make_manager) -> None:
    store, record = copied
    plan = plan_crossfit(store, record.sweep_id, folds=3)
    assert plan.run_id == record.best_run_id and plan.config.crossfit_of == f"{record.sweep_id}/{plan.run_id}"
    assert plan.config.learning_rates == (store.load_run(record.sweep_id, plan.run_id).learning_rate,)
    assert submit_action(plan.config) == Action.RUN_SWEEP
    manager = make_manager(store)
    with pytest.raises(AccessRefused, match="Starting a sweep"):  # whoever may run sweeps may cross-fit
        manager.submit(plan.config, Identity("rev", "rev@example.com", role=Role.REVIEWER))
    job = manager.submit(plan.config, Identity("an", "an@example.com", role=Role.ANALYST))  # queued like any sweep
    assert manager.wait_idle(300)
    done = store.load_sweep(job.sweep_id)
    assert done.status == SweepState.DONE, done.error
    rate = plan.config.learning_rates[0]
    assert done.run_ids == tuple(f"fold{k}-lr{format_lr(rate)}" for k in (1, 2, 3))
    merged = load_crossfit(store, record.sweep_id, plan.run_id)
    train = training_rows(record, store.root)
    assert merged["text"].tolist() == train["text"].tolist() and len(merged) == plan.rows  # each row exactly once
    assert sorted(merged["fold"].unique()) == [0, 1, 2]
    assert (merged["ranked_by"] == "cross-fit (3 folds, tiny)").all()
    p = merged[[f"p_{name}" for name in record.labels.names]].to_numpy()
    assert np.allclose(p.sum(axis=1), 1.0, atol=1e-3)
    assert len(trained_on) == 3
    for fold, texts in enumerate(trained_on):
        held = set(merged.loc[merged["fold"] == fold, "text"])
        assert not held & texts  # the model that scored these rows never trained on them
        assert held | texts == set(train["text"])  # ... and trained on every other row


def test_cancel_leaves_no_merged_file(copied) -> None:
    store, record = copied
    plan = plan_crossfit(store, record.sweep_id)
    cancel = threading.Event()
    sweep = create_sweep(store, plan.config)

    def cancel_at_second_fold(spec) -> None:  # noqa: ANN001
        if spec.index == 1:
            cancel.set()

    finished = CrossfitRunner(store, sweep.sweep_id, cancel=cancel, fault_hook=cancel_at_second_fold).run()
    assert finished.status == SweepState.CANCELLED
    assert load_crossfit(store, record.sweep_id, plan.run_id) is None
    assert not store.paths.crossfit_file(record.sweep_id, plan.run_id).exists()


def test_a_class_too_small_for_the_folds_is_refused_by_name(copied, monkeypatch) -> None:
    store, record = copied
    rows = pd.DataFrame({"text": [f"t{i}" for i in range(12)], "label": [0] * 5 + [1] * 5 + [2] * 2})
    monkeypatch.setattr(crossfit_module, "training_rows", lambda sweep, root: rows)
    assert plan_crossfit(store, record.sweep_id, folds=2).config.crossfit_folds == 2
    with pytest.raises(ValueError, match="'Business' has 2: use 2 folds"):
        plan_crossfit(store, record.sweep_id, folds=3)
    assert small_class_problem(np.array([0, 0, 1]), record.labels, 2) == (
        "every fold must keep every class, so each class needs at least 2 training rows; 'Sports' has 1")


def test_bad_plans_say_what_is_wrong(copied) -> None:
    store, record = copied
    with pytest.raises(ValueError, match="2 or 3 folds, got 4"):
        plan_crossfit(store, record.sweep_id, folds=4)
    with pytest.raises(ValueError, match="runs on thread or ray, got 'dask'"):
        plan_crossfit(store, record.sweep_id, executor="dask")
    with pytest.raises(ValueError, match="no run 'run09'"):
        plan_crossfit(store, record.sweep_id, "run09")
    crossfit = create_sweep(store, plan_crossfit(store, record.sweep_id).config)
    with pytest.raises(ValueError, match="itself a cross-fit"):
        plan_crossfit(store, crossfit.sweep_id)
    with pytest.raises(ValueError, match="is a cross-fit"):
        plan_final_training(store, crossfit.sweep_id)


def test_a_crossfit_runs_where_its_sweep_ran_unless_told_otherwise(copied) -> None:
    store, record = copied
    assert record.config.executor == "thread" and plan_crossfit(store, record.sweep_id).config.executor == "thread"
    on_ray = plan_crossfit(store, record.sweep_id, executor="ray").config
    assert on_ray.executor == "ray" and on_ray.ray_address == record.config.ray_address
    ran_on_ray = store.load_sweep(record.sweep_id)
    store.save_sweep(ran_on_ray.with_changes(config=replace(ran_on_ray.config, executor="ray", ray_address="auto")))
    follows = plan_crossfit(store, record.sweep_id).config
    assert (follows.executor, follows.ray_address) == ("ray", "auto")
    assert plan_crossfit(store, record.sweep_id, executor="thread").config.executor == "thread"


def test_the_estimate_is_the_one_the_job_manager_records_and_grows_with_folds(copied) -> None:
    store, record = copied
    two, three = plan_crossfit(store, record.sweep_id, folds=2), plan_crossfit(store, record.sweep_id, folds=3)
    assert two.estimate_seconds == estimate_seconds(store.root, two.config) > 0
    assert three.estimate_seconds > two.estimate_seconds


def test_folds_are_stratified_and_seeded() -> None:
    labels = np.repeat([0, 1, 2], 10)
    folds = fold_assignment(labels, 3, seed=7)
    assert (folds == fold_assignment(labels, 3, seed=7)).all()
    assert all(np.bincount(labels[folds == k]).tolist() == [3, 3, 3] or sum(np.bincount(labels[folds == k])) == 10
               for k in range(3))
    assert all(sorted(np.bincount(folds[labels == c]).tolist()) == [3, 3, 4] for c in range(3))  # every fold, every class


def test_old_configs_load_as_plain_sweeps_and_half_a_crossfit_is_refused() -> None:
    data = SweepConfig().to_dict()
    for name in ("crossfit_of", "crossfit_folds"):
        data.pop(name)
    old = SweepConfig.from_dict(data)
    assert old.crossfit_of == "" and old.crossfit_folds == 0
    with pytest.raises(ConfigError, match="2 or 3 folds"):
        SweepConfig(crossfit_of="s/r", crossfit_folds=1)
    with pytest.raises(ConfigError, match="2 or 3 folds"):
        SweepConfig(crossfit_folds=2)
    assert SweepConfig(crossfit_of="s/r", crossfit_folds=2, executor="ray").executor == "ray"  # folds as Ray trials
