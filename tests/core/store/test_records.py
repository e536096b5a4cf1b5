"""Sweep and run records: JSON round trips, NaN losses, and tolerance of old or extra fields."""

from __future__ import annotations

import json
import math

import pytest

from agnews_core.config.sweep_config import SweepConfig
from agnews_core.modeling.metrics import compute_metrics
from agnews_core.states import SweepState
from agnews_core.store.records import LossPoint, RunRecord, SweepRecord


def _run() -> RunRecord:
    metrics = compute_metrics([0, 1, 2, 3], [0, 1, 2, 2])
    return RunRecord("run01-lr1e-4", 0, 1e-4, status="done", train_loss=(LossPoint(1, 0.1, 1.4), LossPoint(2, 0.2, 1.3)),
                     eval_loss=(LossPoint(2, 0.2, 1.35),), final_eval_loss=1.35, validation=metrics, test=metrics,
                     total_steps=2, steps_done=2, model_saved=True)


def test_run_record_round_trips_through_json() -> None:
    run = _run()
    assert RunRecord.from_dict(json.loads(json.dumps(run.to_dict(), allow_nan=False))) == run
    assert run.lr_label == "1e-4"


def test_nan_losses_become_null_and_come_back_as_nan() -> None:
    run = _run().with_changes(train_loss=(LossPoint(1, 0.1, float("nan")),), final_eval_loss=float("inf"))
    data = json.loads(json.dumps(run.to_dict(), allow_nan=False))  # strict JSON: no NaN tokens in the file
    assert data["train_loss"] == [[1, 0.1, None]] and data["final_eval_loss"] is None
    back = RunRecord.from_dict(data)
    assert math.isnan(back.train_loss[0].loss) and back.final_eval_loss is None


def test_sweep_record_round_trips_and_ignores_unknown_fields() -> None:
    config = SweepConfig(learning_rates=(1e-4, 2e-4), model="tiny", data="sample")
    sweep = SweepRecord("s1", config, baselines={"tfidf": compute_metrics([0, 1], [0, 0])}, run_ids=("a", "b"),
                        best_run_id="a", estimate_seconds=12.5)
    data = json.loads(json.dumps(sweep.to_dict()))
    assert SweepRecord.from_dict({**data, "added_later": True}) == sweep
    minimal = SweepRecord.from_dict({"sweep_id": "old", "config": config.to_dict()})
    assert minimal.status == SweepState.QUEUED and minimal.run_ids == () and minimal.baselines == {}


def test_with_changes_returns_a_new_record() -> None:
    run = _run()
    changed = run.with_changes(status="failed", error="boom")
    assert (run.status, changed.status, changed.error, changed.run_id) == ("done", "failed", "boom", run.run_id)


def test_records_are_written_with_the_current_schema_version_and_v1_files_still_load() -> None:
    from agnews_core.store.records import SCHEMA_VERSION, schema_version

    config = SweepConfig(learning_rates=(1e-4,), model="tiny")
    written = SweepRecord(sweep_id="s1", config=config).to_dict()
    assert written["schema_version"] == SCHEMA_VERSION == 2
    v1 = {k: v for k, v in written.items() if k != "schema_version"}
    assert schema_version(v1) == 1
    assert SweepRecord.from_dict(v1) == SweepRecord.from_dict(written)


@pytest.mark.parametrize("bad", [3, 0, "2", 1.5, True, None])
def test_an_unknown_schema_version_is_a_clear_error(bad: object) -> None:
    config = SweepConfig(learning_rates=(1e-4,), model="tiny")
    data = {**SweepRecord(sweep_id="s1", config=config).to_dict(), "schema_version": bad}
    with pytest.raises(ValueError, match="schema_version"):
        SweepRecord.from_dict(data)


def test_a_sweep_record_keeps_its_environment_and_old_files_load_without_it() -> None:
    import pandas as pd

    from agnews_core.config.precision import HardwareInfo
    from agnews_core.store.environment import data_record, environment_record

    hardware = HardwareInfo("cpu", "Test CPU", ("avx2", "avx512_bf16"), 2)
    frames = {"train": pd.DataFrame({"text": ["a", "b"], "label": [0, 1]})}
    env = environment_record("bf16", data_record("sample", frames), hardware)
    sweep = SweepRecord("s1", SweepConfig(model="tiny", data="sample"), environment=env)
    back = SweepRecord.from_dict(json.loads(json.dumps(sweep.to_dict())))
    assert back == sweep and back.environment.hardware.cpu_flags == ("avx2", "avx512_bf16")
    data = sweep.to_dict()
    del data["environment"]
    assert SweepRecord.from_dict(data).environment is None


def test_reused_baselines_round_trip_and_older_sweeps_read_as_none_reused() -> None:
    config = SweepConfig(learning_rates=(1e-4,), model="tiny")
    sweep = SweepRecord("s2", config, baselines={"tfidf": compute_metrics([0, 1], [0, 0])},
                        baselines_reused={"tfidf": "s1"})
    data = json.loads(json.dumps(sweep.to_dict()))
    assert data["baselines_reused"] == {"tfidf": "s1"} and SweepRecord.from_dict(data) == sweep
    older = {k: v for k, v in data.items() if k != "baselines_reused"}
    assert SweepRecord.from_dict(older).baselines_reused == {}
    with pytest.raises(ValueError, match="baselines_reused"):
        SweepRecord.from_dict({**data, "baselines_reused": ["tfidf"]})
