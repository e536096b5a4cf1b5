"""Loading classifiers: the tiny BERT, saved runs, and clear errors for models that cannot load."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from agnews_core.data.sources import load_source
from agnews_core.labels import ID2LABEL
from agnews_core.modeling.models import (
    TINY_VOCAB_SIZE,
    ModelLoadError,
    describe_model,
    load_pretrained,
    load_saved,
    minilm_path,
    save_model,
)

TEXTS = load_source("sample").train["text"].head(200).tolist()


def _logits(loaded, text: str) -> torch.Tensor:
    loaded.model.eval()
    with torch.inference_mode():
        return loaded.model(**loaded.tokenizer(text, return_tensors="pt")).logits


def test_tiny_model_is_a_four_label_bert() -> None:
    loaded = load_pretrained("tiny", seed=1, tokenizer_texts=TEXTS)
    assert loaded.name == "tiny"
    assert loaded.model.config.num_labels == 4 and loaded.model.config.id2label == ID2LABEL
    assert loaded.tokenizer.vocab_size <= TINY_VOCAB_SIZE
    assert _logits(loaded, "Stocks rally").shape == (1, 4)
    encoded = loaded.tokenizer("Stocks rally")["input_ids"]
    assert encoded[0] == loaded.tokenizer.cls_token_id and encoded[-1] == loaded.tokenizer.sep_token_id


def test_tiny_model_is_seeded() -> None:
    same = [_logits(load_pretrained("tiny", seed=5, tokenizer_texts=TEXTS), "Oil prices fall") for _ in range(2)]
    other = _logits(load_pretrained("tiny", seed=6, tokenizer_texts=TEXTS), "Oil prices fall")
    torch.testing.assert_close(same[0], same[1])
    assert not torch.allclose(same[0], other)


def test_tiny_tokenizer_spells_out_unseen_words() -> None:
    tokenizer = load_pretrained("tiny", seed=1, tokenizer_texts=TEXTS).tokenizer
    tokens = tokenizer.convert_ids_to_tokens(tokenizer("Zqxw the")["input_ids"])
    assert tokens == ["[CLS]", "z", "##q", "##x", "##w", "the", "[SEP]"]


def test_tiny_model_needs_texts() -> None:
    with pytest.raises(ModelLoadError, match="needs training texts"):
        load_pretrained("tiny", seed=1)


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    loaded = load_pretrained("tiny", seed=2, tokenizer_texts=TEXTS)
    save_model(loaded, tmp_path / "model")
    assert (tmp_path / "model" / "model.safetensors").is_file()
    assert not list((tmp_path / "model").glob("*.bin"))
    again = load_saved(tmp_path / "model")
    torch.testing.assert_close(_logits(again, "Striker scores twice"), _logits(loaded, "Striker scores twice"))
    assert again.model.config.id2label == ID2LABEL


def test_load_saved_without_weights(tmp_path: Path) -> None:
    with pytest.raises(ModelLoadError, match="kept no weights"):
        load_saved(tmp_path)


def test_unknown_model_offline_names_the_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(ModelLoadError, match="could not load model 'no-such-org/no-such-model'.*unreachable"):
        load_pretrained("no-such-org/no-such-model", seed=1)


def test_describe_model() -> None:
    assert "MiniLM" in describe_model("minilm") and "tiny" in describe_model("tiny")
    assert describe_model("distilbert-base-uncased") == "distilbert-base-uncased"


def test_minilm_ships_offline() -> None:
    assert (Path(minilm_path()) / "config.json").is_file()
