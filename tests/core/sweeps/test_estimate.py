"""Sweep duration estimates and the per-machine throughput table."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agnews_core.config.sweep_config import SweepConfig
from agnews_core.sweeps.estimate import (
    DATA_LOAD_SECONDS,
    DEFAULT_THROUGHPUT,
    MODEL_LOAD_SECONDS,
    TFIDF_SECONDS_PER_TRAIN_ROW,
    TRAINER_EVAL_SLOWDOWN,
    Throughput,
    estimate_sweep_seconds,
    load_throughput,
    record_throughput,
)


def test_first_guesses_until_measured(tmp_path: Path) -> None:
    assert load_throughput(tmp_path, "tiny") == Throughput(*DEFAULT_THROUGHPUT["tiny"], measured=False)
    assert not load_throughput(tmp_path, "some/hub-model").measured


def test_recorded_throughput_is_loaded_per_model(tmp_path: Path) -> None:
    record_throughput(tmp_path, "tiny", 500.0, 2000.0)
    record_throughput(tmp_path, "minilm", 30.0, 100.0)
    record_throughput(tmp_path, "tiny", 600.0, 2500.0)  # latest wins
    assert load_throughput(tmp_path, "tiny") == Throughput(600.0, 2500.0, True)
    assert load_throughput(tmp_path, "minilm") == Throughput(30.0, 100.0, True)


@pytest.mark.parametrize(("train", "inference"), [(0.0, 10.0), (float("nan"), 10.0), (10.0, float("inf"))])
def test_nonsense_measurements_are_not_recorded(tmp_path: Path, train: float, inference: float) -> None:
    record_throughput(tmp_path, "tiny", train, inference)
    assert not (tmp_path / "throughput.json").exists()


@pytest.mark.parametrize("content", ["not json", "[]", '{"tiny": {"train": -1, "inference": 5}}', '{"tiny": 3}'])
def test_a_damaged_table_falls_back_to_guesses(tmp_path: Path, content: str) -> None:
    (tmp_path / "throughput.json").write_text(content)
    assert not load_throughput(tmp_path, "tiny").measured
    record_throughput(tmp_path, "tiny", 10.0, 20.0)
    assert json.loads((tmp_path / "throughput.json").read_text())["tiny"] == {"train": 10.0, "inference": 20.0}


def test_estimate_adds_up_training_and_inference() -> None:
    config = SweepConfig(learning_rates=(1e-4, 2e-4), model="tiny", train_size=1000, eval_size=100, test_size=200,
                         batch_size=10, evals_per_run=4, epochs=1.0)
    throughput = Throughput(train=100.0, inference=1000.0, measured=True)
    per_run = MODEL_LOAD_SECONDS + 1000 / 100 + (4 * 100 * TRAINER_EVAL_SLOWDOWN + 100 + 200) / 1000
    baseline = DATA_LOAD_SECONDS + TFIDF_SECONDS_PER_TRAIN_ROW * 1000 + MODEL_LOAD_SECONDS + 200 / 1000
    assert estimate_sweep_seconds(config, throughput) == pytest.approx(baseline + 2 * per_run)
    longer = SweepConfig(**{**config.to_dict(), "epochs": 2.0})
    assert estimate_sweep_seconds(longer, throughput) > estimate_sweep_seconds(config, throughput)


def test_remaining_run_seconds_shrinks_to_the_final_predictions() -> None:
    from agnews_core.sweeps.estimate import remaining_run_seconds

    config = SweepConfig(model="tiny", train_size=1000, eval_size=100, test_size=200, epochs=1.0, batch_size=10)
    speed = Throughput(train=50.0, inference=100.0, measured=True)
    whole, half, done = (remaining_run_seconds(config, speed, f) for f in (0.0, 0.5, 1.0))
    assert whole > half > done
    assert done == pytest.approx((100 + 200) / 100.0)  # only the validation and test predictions are left
    assert half == pytest.approx(500 / 50.0 + (2 * 100 * TRAINER_EVAL_SLOWDOWN + 300) / 100.0)
