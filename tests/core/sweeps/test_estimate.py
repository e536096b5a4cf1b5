"""Sweep duration estimates and the per-machine throughput table."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from agnews_core.config.sweep_config import SweepConfig
from agnews_core.sweeps import estimate as estimate_module
from agnews_core.sweeps.estimate import (
    DATA_LOAD_SECONDS,
    DEFAULT_THROUGHPUT,
    MINILM_BF16_THROUGHPUT,
    MODEL_LOAD_SECONDS,
    REMEMBERED_STEPS,
    TFIDF_SECONDS_PER_TRAIN_ROW,
    TRAINER_EVAL_SLOWDOWN,
    Throughput,
    estimate_seconds,
    estimate_sweep_seconds,
    first_guess,
    load_throughput,
    pooled_train_rate,
    record_throughput,
)


def test_first_guesses_until_measured(tmp_path: Path) -> None:
    assert load_throughput(tmp_path, "tiny") == Throughput(*DEFAULT_THROUGHPUT["tiny"], measured=False)
    assert not load_throughput(tmp_path, "some/hub-model").measured


def test_recorded_throughput_is_loaded_per_model(tmp_path: Path) -> None:
    record_throughput(tmp_path, "tiny", 500.0, 2000.0)
    record_throughput(tmp_path, "minilm", 30.0, 100.0)
    record_throughput(tmp_path, "tiny", 600.0, 2500.0)  # no step counts: latest wins
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
    assert json.loads((tmp_path / "throughput.json").read_text())["tiny"] == {"train": 10.0, "inference": 20.0,
                                                                             "train_steps": 0}


def test_training_speed_is_pooled_by_the_steps_behind_it(tmp_path: Path) -> None:
    record_throughput(tmp_path, "minilm", 40.0, 200.0, steps=2000)  # a default sweep
    record_throughput(tmp_path, "minilm", 20.0, 180.0, steps=25)  # a 25-step sweep, slowed by its warm-up
    assert load_throughput(tmp_path, "minilm") == Throughput(round((40 * 2000 + 20 * 25) / 2025, 2), 180.0, True)
    assert json.loads((tmp_path / "throughput.json").read_text())["minilm"]["train_steps"] == REMEMBERED_STEPS
    record_throughput(tmp_path, "tiny", 20.0, 100.0, steps=25)  # the other order gives the same pooled speed
    record_throughput(tmp_path, "tiny", 40.0, 100.0, steps=2000)
    assert load_throughput(tmp_path, "tiny").train == load_throughput(tmp_path, "minilm").train == 39.75


def test_pooling_forgets_beyond_the_remembered_steps_and_replaces_unweighted_rates() -> None:
    assert pooled_train_rate(40.0, 10 * REMEMBERED_STEPS, 20.0, REMEMBERED_STEPS) == (30.0, REMEMBERED_STEPS)
    assert pooled_train_rate(40.0, 100, 20.0, 300) == (25.0, 400)
    assert pooled_train_rate(40.0, 0, 20.0, 25) == (20.0, 25)  # stored before steps were counted: replaced
    assert pooled_train_rate(40.0, 500, 20.0, 0) == (20.0, 0)  # a rate of unknown length: latest wins


def test_a_rate_recorded_without_steps_is_replaced_by_a_weighted_one(tmp_path: Path) -> None:
    (tmp_path / "throughput.json").write_text('{"minilm": {"train": 12.0, "inference": 150.0}}')
    record_throughput(tmp_path, "minilm", 40.0, 200.0, steps=25)
    assert json.loads((tmp_path / "throughput.json").read_text())["minilm"] == {"train": 40.0, "inference": 200.0,
                                                                               "train_steps": 25}


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


def test_estimate_on_this_machine_uses_what_was_measured_here(tmp_path: Path) -> None:
    config = SweepConfig(learning_rates=(1e-3,), model="tiny", train_size=400, eval_size=100, test_size=100)
    assert estimate_seconds(tmp_path, config) == estimate_sweep_seconds(config, load_throughput(tmp_path, "tiny"))
    guessed = estimate_seconds(tmp_path, config)
    record_throughput(tmp_path, "tiny", DEFAULT_THROUGHPUT["tiny"][0] / 10, DEFAULT_THROUGHPUT["tiny"][1] / 10)
    assert estimate_seconds(tmp_path, config) > guessed  # a slower machine measured: a longer estimate



def test_minilm_first_guess_follows_the_cpu_kind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert first_guess("minilm", ("avx2", "avx512f")) == DEFAULT_THROUGHPUT["minilm"]  # fp32
    assert first_guess("minilm", ("avx512f", "avx512_bf16")) == MINILM_BF16_THROUGHPUT["avx512_bf16"]  # Zen 4
    amx = first_guess("minilm", ("avx512_bf16", "amx_tile", "amx_bf16"))
    assert amx == MINILM_BF16_THROUGHPUT["amx_bf16"] and amx[0] > 2 * DEFAULT_THROUGHPUT["minilm"][0]
    assert first_guess("tiny", ("amx_bf16",)) == DEFAULT_THROUGHPUT["tiny"]  # only MiniLM was measured per kind
    monkeypatch.setattr(estimate_module, "cpu_flags", lambda: ("amx_bf16",))
    assert load_throughput(tmp_path, "minilm") == Throughput(*MINILM_BF16_THROUGHPUT["amx_bf16"], measured=False)
    default = SweepConfig()
    on_amx = estimate_seconds(tmp_path, default)
    monkeypatch.setattr(estimate_module, "cpu_flags", lambda: ())
    assert estimate_seconds(tmp_path, default) > 1.8 * on_amx  # the fp32 guess: about twice as long
    record_throughput(tmp_path, "minilm", 30.0, 100.0)
    monkeypatch.setattr(estimate_module, "cpu_flags", lambda: ("amx_bf16",))
    assert load_throughput(tmp_path, "minilm") == Throughput(30.0, 100.0, True)  # measured beats any guess


def test_cpu_flags_come_from_cpuinfo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text("model name\t: Some CPU\nflags\t\t: fpu avx512f avx512_bf16 amx_bf16 amx_tile\n")
    monkeypatch.setattr(estimate_module, "CPUINFO", cpuinfo)
    estimate_module.cpu_flags.cache_clear()
    try:
        assert estimate_module.cpu_flags() == ("avx512f", "avx512_bf16", "amx_tile", "amx_bf16")
        monkeypatch.setattr(estimate_module, "CPUINFO", tmp_path / "missing")
        estimate_module.cpu_flags.cache_clear()
        assert estimate_module.cpu_flags() == ()
    finally:
        estimate_module.cpu_flags.cache_clear()
