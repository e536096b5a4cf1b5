"""Learning-rate parsing, SweepConfig validation and the display forms of learning rates."""

from __future__ import annotations

import json

import pytest

from agnews_core.config.fields import field_info, fields_of
from agnews_core.config.sweep_config import (
    MAX_LEARNING_RATES,
    ConfigError,
    RunSpec,
    SweepConfig,
    format_lr,
    parse_learning_rates,
    run_id_for,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5e-5", (5e-5,)),
        ("5e-5,1e-4,2e-4", (5e-5, 1e-4, 2e-4)),
        (" 5e-5 ,  1e-4 ", (5e-5, 1e-4)),
        ("1e-4;3e-4", (1e-4, 3e-4)),
        ("0.001", (1e-3,)),
        ("1", (1.0,)),
    ],
)
def test_parse_learning_rates_accepts_good_lists(text: str, expected: tuple[float, ...]) -> None:
    assert parse_learning_rates(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("abc", "'abc' is not a number"),
        ("1e-4,abc", "'abc' is not a number"),
        ("0", "out of range"),
        ("-1e-4", "out of range"),
        ("2", "out of range"),
        ("", "empty"),
        ("   ", "empty"),
        ("1e-4,,", "empty item"),
        (",1e-4", "empty item"),
        ("nan", "not a finite number"),
        ("inf", "not a finite number"),
        ("-inf", "not a finite number"),
        (",".join(f"{i}e-5" for i in range(1, 51)), f"50 learning rates given: at most {MAX_LEARNING_RATES}"),
        ("1e-4,2e-4,1e-4", "repeats a value"),
        ("1e-4,0.0001", "repeats a value"),
    ],
)
def test_parse_learning_rates_rejects_bad_lists_with_a_clear_message(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("(", r"\(")) as info:
        parse_learning_rates(text)
    assert "\n" not in str(info.value)


def test_parse_learning_rates_allows_the_maximum_count() -> None:
    text = ",".join(f"{i}e-5" for i in range(1, MAX_LEARNING_RATES + 1))
    assert len(parse_learning_rates(text)) == MAX_LEARNING_RATES


@pytest.mark.parametrize("field", ["train_size", "eval_size", "test_size", "batch_size", "evals_per_run", "max_length"])
@pytest.mark.parametrize("value", [0, -5])
def test_sizes_must_be_positive(field: str, value: int) -> None:
    name = field.replace("_", " ")
    with pytest.raises(ValueError, match=f"{name} must be between 1 and"):
        SweepConfig(model="tiny", **{field: value})


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"train_size": 2.5}, "train size must be a whole number"),
        ({"train_size": True}, "train size must be a whole number"),
        ({"train_size": 10**9}, "train size must be between 1 and 200,000"),
        ({"learning_rates": ()}, "empty"),
        ({"learning_rates": (1e-4, 1e-4)}, "repeats"),
        ({"epochs": 0}, "epochs must be between 0.05 and 20, got 0"),
        ({"epochs": float("nan")}, "epochs must be a number"),
        ({"seed": -1}, "seed must be between 0 and 2,147,483,647, got -1"),
        ({"seed": 1.5}, "seed must be a whole number"),
        ({"keep_models": "some"}, "keep models must be one of best, all, none"),
        ({"model": "  "}, "model is empty"),
        ({"data": ""}, "data is empty"),
        ({"validation_fraction": 1.0}, "validation fraction"),
        ({"warmup_ratio": 1.0}, "warmup ratio"),
        ({"label": "x" * 201}, "longer than 200"),
    ],
)
def test_invalid_configs_are_rejected(overrides: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        SweepConfig(**overrides)


def test_every_wrong_field_gets_its_own_message() -> None:
    with pytest.raises(ConfigError) as info:
        SweepConfig(train_size=0, epochs=50.0, label="x" * 201)
    assert set(info.value.errors) == {"train_size", "epochs", "label"}
    assert info.value.errors["epochs"] == "epochs must be between 0.05 and 20, got 50"


def test_bounds_are_read_from_the_field_metadata(monkeypatch: pytest.MonkeyPatch) -> None:
    """Validation has no numbers of its own: the declared maximum is the one enforced."""
    train = field_info(SweepConfig, "train_size")
    assert (train.minimum, train.maximum) == (1, 200_000)
    SweepConfig(train_size=200_000)
    from dataclasses import replace

    patched = tuple(replace(f, maximum=1000) if f.name == "train_size" else f for f in fields_of(SweepConfig))
    monkeypatch.setattr("agnews_core.config.fields.fields_of", lambda cls: patched)
    with pytest.raises(ValueError, match="train size must be between 1 and 1,000"):
        SweepConfig(train_size=2000)


def test_user_facing_fields_have_a_label_and_internal_ones_none() -> None:
    exposed = [f.name for f in fields_of(SweepConfig) if f.exposed]
    assert exposed == ["learning_rates", "model", "data", "train_size", "eval_size", "test_size", "epochs",
                       "batch_size", "seed", "keep_models", "corrections", "verdict_policy", "precision", "report_to", "lr_range", "range_trials", "executor",
                       "ray_address", "ray_local_cpus", "cpus_per_trial", "gpus_per_trial", "ray_storage",
                       "early_stopping", "grace_evals", "label"]
    assert field_info(SweepConfig, "keep_models").values == ("best", "all", "none")  # from the StrEnum
    assert field_info(SweepConfig, "model").choice_label("tiny") == "tiny BERT (seconds, smoke tests)"
    assert field_info(SweepConfig, "model").choice_label("org/model") == "org/model"


def test_learning_rates_are_stored_as_a_float_tuple() -> None:
    config = SweepConfig(learning_rates=[1, "2e-4"])  # type: ignore[list-item]
    assert config.learning_rates == (1.0, 2e-4)
    assert all(isinstance(x, float) for x in config.learning_rates)


def test_config_round_trips_through_json() -> None:
    config = SweepConfig(learning_rates=(3e-3, 1e-3), model="tiny", data="sample", train_size=400, eval_size=100,
                         test_size=120, epochs=1.5, seed=7, keep_models="all", label="lr scan")
    data = json.loads(json.dumps(config.to_dict()))
    assert data["learning_rates"] == [3e-3, 1e-3]
    assert SweepConfig.from_dict(data) == config


def test_from_dict_ignores_unknown_keys_but_still_validates() -> None:
    data = {**SweepConfig(model="tiny").to_dict(), "field_from_the_future": 1}
    assert SweepConfig.from_dict(data).model == "tiny"
    with pytest.raises(ValueError, match="train size"):
        SweepConfig.from_dict({**data, "train_size": 0})


@pytest.mark.parametrize(
    ("lr", "text"),
    [(5e-5, "5e-5"), (1e-4, "1e-4"), (2.5e-5, "2.5e-5"), (0.001, "1e-3"), (3e-4, "3e-4"), (0.01, "0.01"),
     (0.1, "0.1"), (1.0, "1"), (1.23456e-5, "1.235e-5")],
)
def test_format_lr(lr: float, text: str) -> None:
    assert format_lr(lr) == text


def test_run_ids_are_stable_and_safe() -> None:
    assert run_id_for(0, 5e-5) == "run01-lr5e-5"
    assert run_id_for(11, 0.001) == "run12-lr1e-3"
    assert RunSpec(1, 2e-4).run_id == "run02-lr2e-4"
    assert RunSpec(1, 2e-4, run_id="custom").run_id == "custom"
    ids = {run_id_for(i, lr) for i, lr in enumerate(parse_learning_rates("1e-4,1.00001e-4,1e-3"))}
    assert len(ids) == 3  # rates that display alike still get distinct ids


def test_a_range_replaces_the_list_with_seeded_log_uniform_rates() -> None:
    config = SweepConfig(lr_range="1e-5..1e-3", range_trials=5, seed=3)
    assert len(config.learning_rates) == 5 and all(1e-5 <= r <= 1e-3 for r in config.learning_rates)
    assert SweepConfig.from_dict(config.to_dict()) == config  # a stored range sweep reads back the same rates
    assert SweepConfig(lr_range="1e-5..1e-3", range_trials=5, seed=4).learning_rates != config.learning_rates
    with pytest.raises(ConfigError) as raised:
        SweepConfig(lr_range="1e-3..1e-5")
    assert set(raised.value.errors) == {"lr_range"}


def test_ray_fields_default_to_the_thread_and_old_sweeps_read_as_thread_sweeps() -> None:
    old = {k: v for k, v in SweepConfig().to_dict().items() if k not in ("executor", "ray_address", "lr_range")}
    assert SweepConfig.from_dict(old).executor == "thread"
    assert SweepConfig(executor="ray", early_stopping="asha", grace_evals=2, evals_per_run=4).early_stopping == "asha"
    for values, field, says in (
        (dict(early_stopping="asha"), "early_stopping", "needs Ray"),
        (dict(executor="ray", early_stopping="asha", grace_evals=4, evals_per_run=4), "grace_evals", "below the 4"),
        (dict(executor="ray", ray_address="head"), "ray_address", "'local', 'auto', 'host:6379'"),
        (dict(executor="cluster"), "executor", "one of thread, ray"),
        (dict(cpus_per_trial=0), "cpus_per_trial", "> 0"),
    ):
        with pytest.raises(ConfigError) as raised:
            SweepConfig(**values)
        assert says in raised.value.errors[field], raised.value.errors
