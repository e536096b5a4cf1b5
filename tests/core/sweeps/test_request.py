"""One validator for what a user typed for a sweep, from the CLI or the Sweep form: a config or one message per field."""

from __future__ import annotations

from typing import Any

import pytest

from agnews_core.config.sweep_config import SweepConfig
from agnews_core.data.sources import available_sizes, load_source
from agnews_core.sweeps.request import FORM, exposed_fields, validate_request

# What the Sweep form hands over: text boxes as text, number inputs as numbers.
GOOD = {"learning_rates": "1e-3, 3e-3", "model": "tiny", "data": "sample", "train_size": 32, "eval_size": 16,
        "test_size": 16, "epochs": 1.0, "batch_size": 16, "seed": 7, "keep_models": "best", "label": "  first try  "}


def validate_form(**changes: Any):
    return validate_request({**GOOD, **changes})


def test_good_form_gives_a_config() -> None:
    result = validate_form()
    assert result.errors == {}
    assert result.config == SweepConfig(learning_rates=(1e-3, 3e-3), model="tiny", data="sample", train_size=32,
                                        eval_size=16, test_size=16, epochs=1.0, batch_size=16, seed=7,
                                        keep_models="best", label="first try")
    assert "sample" in result.data_note


def test_cli_text_gives_the_same_config_as_the_form() -> None:
    as_text = {name: str(value) for name, value in GOOD.items()}
    assert validate_request(as_text).config == validate_form().config


def test_fields_left_out_take_their_defaults() -> None:
    result = validate_request({"model": "tiny", "data": "sample", "train_size": 32, "eval_size": 16, "test_size": 16})
    assert result.errors == {}
    assert result.config.epochs == SweepConfig().epochs and result.config.learning_rates == SweepConfig().learning_rates


@pytest.mark.parametrize("lrs", ["abc", "0", "-1", "1e-4,,", "nan", "", "1e-3,1e-3", "2"])
def test_bad_learning_rates_are_a_field_error(lrs: str) -> None:
    result = validate_form(learning_rates=lrs)
    assert result.config is None
    assert set(result.errors) == {"learning_rates"}
    message = result.errors["learning_rates"]
    assert message == message[:1].upper() + message[1:] and message[:1] != " "


def test_lr_message_quotes_the_text_as_typed() -> None:
    # str.capitalize() would lower-case the rest and misquote what the analyst typed
    message = validate_form(learning_rates="1E-3, ABC").errors["learning_rates"]
    assert message.startswith("'ABC' is not a number")


@pytest.mark.parametrize(("field", "typed", "message"), [
    ("train_size", "ten", "'ten' is not a whole number"),
    ("train_size", 2.5, "2.5 is not a whole number"),
    ("epochs", "fast", "'fast' is not a number"),
    ("epochs", 0.0, "Epochs must be between 0.05 and 20, got 0"),
    ("batch_size", 2048, "Batch size must be between 1 and 1,024, got 2,048"),
    ("seed", -1, "Seed must be between 0 and"),
    ("keep_models", "some", "Keep models must be one of best, all, none, got 'some'"),
    ("label", "x" * 201, "Sweep name is longer than 200 characters"),
])
def test_each_field_is_checked_against_its_metadata(field: str, typed: Any, message: str) -> None:
    result = validate_form(**{field: typed})
    assert result.config is None
    assert set(result.errors) == {field} and result.errors[field].startswith(message), result.errors


def test_sizes_are_checked_against_the_data() -> None:
    limits = available_sizes(load_source("sample"))
    result = validate_form(train_size=100_000, eval_size=limits["eval"] + 1, test_size=limits["test"])
    assert result.config is None
    assert result.errors == {
        "train_size": f"Only {limits['train']:,} train rows are available in this data.",
        "eval_size": f"Only {limits['eval']:,} eval rows are available in this data.",
    }


def test_every_wrong_field_is_reported_at_once() -> None:
    result = validate_form(learning_rates="x", train_size=10**6, epochs="y", model="")
    assert set(result.errors) == {"learning_rates", "train_size", "epochs", "model"}


def test_folder_data_needs_a_folder(tmp_path) -> None:
    assert "data" in validate_form(data="").errors
    missing = validate_form(data=str(tmp_path / "nope")).errors
    assert "nope" in missing["data"]


def test_other_model_must_be_named_and_exist(tmp_path) -> None:
    assert validate_form(model="").errors["model"].startswith("The model is empty")
    no_folder = validate_form(model="/no/such/model").errors
    assert "/no/such/model" in no_folder["model"] and "no folder" in no_folder["model"]
    a_file = tmp_path / "weights.bin"
    a_file.write_bytes(b"")
    assert "is a file, not a model folder" in validate_form(model=str(a_file)).errors["model"]
    assert "model" not in validate_form(model=str(tmp_path)).errors


def test_a_hub_id_offline_says_the_hub_is_unreachable(monkeypatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    errors = validate_form(model="distilbert-base-uncased").errors
    assert "unreachable" in errors["model"]


def test_an_unknown_setting_is_reported_not_raised() -> None:
    assert validate_form(optimizer="sgd").errors == {FORM: "'optimizer' is not a sweep setting"}


def test_exposed_fields_are_the_labelled_ones_in_declaration_order() -> None:
    assert [f.cli_flag for f in exposed_fields()] == ["--lrs", "--model", "--data", "--train-size", "--eval-size",
                                                      "--test-size", "--epochs", "--batch-size", "--seed",
                                                      "--keep-models", "--corrections", "--verdict-policy", "--precision", "--report-to", "--lr-range",
                                                      "--range-trials", "--executor", "--ray-address",
                                                      "--ray-local-cpus", "--cpus-per-trial", "--gpus-per-trial",
                                                      "--ray-storage", "--early-stopping", "--grace-evals", "--name"]


def test_data_the_splits_cannot_use_is_a_data_error(tmp_path) -> None:
    import pandas as pd

    rows = pd.DataFrame({"text": [f"headline {i}" for i in range(13)], "label": [0, 1, 2] * 4 + [3]})  # one label-3 row
    rows.to_parquet(tmp_path / "train.parquet")
    rows.to_parquet(tmp_path / "test.parquet")
    errors = validate_form(data=str(tmp_path), train_size=4, eval_size=2, test_size=4).errors
    assert set(errors) == {"data"} and "at least 2 training rows" in errors["data"]


def test_a_tracker_that_is_not_installed_is_reported_on_its_field(monkeypatch) -> None:
    import importlib.util

    from agnews_core.sweeps.request import tracker_problem

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "wandb" else real(name, *a))
    request = validate_request({"report_to": "wandb", "model": "tiny", "data": "sample"})
    assert request.config is None and "pip install wandb" in request.errors["report_to"]
    assert tracker_problem("none") == ""
