"""Baseline cache keys: every input that changes a baseline's scores changes its key, and nothing else does."""

from __future__ import annotations

import os
from dataclasses import replace

import pytest
from sweep_configs import small_config

from agnews_core.data.sources import load_source, make_splits
from agnews_core.labels import LabelSet
from agnews_core.modeling.baseline_keys import model_fingerprint, tfidf_key, untrained_key


def _splits(**overrides):  # noqa: ANN202
    return make_splits(load_source("sample"), small_config(**overrides))


def _untrained(splits, model: str = "tiny", seed: int = 7, max_length: int = 128, precision: str = "fp32") -> dict:
    return untrained_key(splits, model, seed, max_length, precision)


@pytest.fixture(scope="module")
def base():  # noqa: ANN201
    return _splits()


def test_the_same_inputs_give_the_same_keys(base) -> None:
    again = _splits()
    assert tfidf_key(again, 7) == tfidf_key(base, 7)
    assert _untrained(again) == _untrained(base)


@pytest.mark.parametrize("change", [{"train_size": 40}, {"test_size": 20}, {"seed": 8}],
                         ids=["train size", "test size", "seed that picks the rows"])
def test_other_rows_change_both_keys(base, change: dict) -> None:
    other = _splits(**change)
    assert tfidf_key(other, 7) != tfidf_key(base, 7)
    assert _untrained(other) != _untrained(base)


def test_the_validation_size_changes_neither_key(base) -> None:
    other = _splits(eval_size=24)  # neither baseline fits or scores validation rows
    assert len(other.validation) != len(base.validation)
    assert tfidf_key(other, 7) == tfidf_key(base, 7) and _untrained(other) == _untrained(base)


def test_a_corrected_train_label_changes_the_tfidf_key(base) -> None:
    train = base.train.copy()
    train.loc[0, "label"] = (train.loc[0, "label"] + 1) % 4
    corrected = replace(base, train=train)
    assert tfidf_key(corrected, 7) != tfidf_key(base, 7)
    assert tfidf_key(replace(base, train=base.train.iloc[1:]), 7) != tfidf_key(base, 7)  # a removed row
    # the tiny model's tokenizer reads train texts, not labels; the model itself never sees train rows here
    assert _untrained(corrected) == _untrained(base)
    assert _untrained(replace(base, train=base.train.iloc[1:])) != _untrained(base)
    assert _untrained(replace(base, train=base.train.iloc[1:]), model="some/hub-model") \
        == _untrained(base, model="some/hub-model")


def test_the_seed_model_max_length_precision_and_labels_each_count(base) -> None:
    assert tfidf_key(base, 8) != tfidf_key(base, 7)
    keys = [_untrained(base), _untrained(base, seed=8), _untrained(base, model="some/hub-model"),
            _untrained(base, max_length=64), _untrained(base, precision="bf16"),
            _untrained(replace(base, labels=LabelSet(("a", "b", "c", "d"))))]
    assert len({repr(k) for k in keys}) == len(keys)
    assert tfidf_key(replace(base, labels=LabelSet(("a", "b", "c", "d"))), 7) != tfidf_key(base, 7)


def test_the_data_set_version_counts(base) -> None:
    assert tfidf_key(replace(base, dataset_id="tickets-v2"), 7) != tfidf_key(replace(base, dataset_id="tickets-v1"), 7)


def test_a_model_folder_is_fingerprinted_by_its_files(tmp_path) -> None:
    weights = tmp_path / "model.safetensors"
    weights.write_bytes(b"1234")
    before = model_fingerprint(str(tmp_path))
    assert model_fingerprint(str(tmp_path)) == before
    weights.write_bytes(b"12345")  # retrained in place
    os.utime(weights, ns=(1, 1))
    assert model_fingerprint(str(tmp_path)) != before
    assert model_fingerprint("tiny") == "tiny" and model_fingerprint("org/model") == "org/model"


def test_keys_are_plain_json(base) -> None:
    import json

    for key in (tfidf_key(base, 7), _untrained(base)):
        assert json.loads(json.dumps(key)) == key
