"""Batched, length-sorted prediction on the tiny model: probabilities, order, and the per-example table."""

from __future__ import annotations

import numpy as np
import pytest

from agnews_core.data.sources import load_source
from agnews_core.labels import LABELS
from agnews_core.modeling.batch_predict import PredictionTable, predict_probabilities, predictions_frame
from agnews_core.modeling.models import load_pretrained

TEXTS = [
    "Stocks rally as the central bank holds interest rates steady for another quarter, traders say",
    "Cup final",
    "New chip doubles battery life",
    "Rebels and the government agree a ceasefire after weeks of talks in the capital city",
    "Striker signs",
    "Oil prices fall",
    "Scientists map the genome of a deep sea fish that glows in the dark and lives for centuries",
]


@pytest.fixture(scope="module")
def tiny():
    """A tiny random BERT whose head is scaled up so that different texts get clearly different outputs."""
    import torch

    loaded = load_pretrained("tiny", seed=3, tokenizer_texts=load_source("sample").train["text"].head(300))
    with torch.no_grad():
        loaded.model.classifier.weight.mul_(50.0)
    return loaded


def test_rows_are_probabilities(tiny) -> None:
    table = predict_probabilities(tiny.model, tiny.tokenizer, TEXTS, batch_size=3)
    assert table.probabilities.shape == (len(TEXTS), len(LABELS))
    np.testing.assert_allclose(table.probabilities.sum(axis=1), 1.0, atol=1e-5)
    assert (table.probabilities >= 0).all()
    assert table.seconds > 0 and table.examples_per_second > 0
    np.testing.assert_array_equal(table.predicted, table.probabilities.argmax(axis=1))


def test_order_is_kept_despite_length_sorting(tiny) -> None:
    batched = predict_probabilities(tiny.model, tiny.tokenizer, TEXTS, batch_size=2).probabilities
    single = np.vstack([predict_probabilities(tiny.model, tiny.tokenizer, [t]).probabilities for t in TEXTS])
    gaps = np.abs(single[:, None, :] - single[None, :, :]).max(axis=-1)
    np.fill_diagonal(gaps, np.inf)
    assert gaps.min() > 1e-5  # every pair of texts differs by far more than atol, so swapped rows would fail
    np.testing.assert_allclose(batched, single, rtol=0, atol=1e-6)


def test_long_texts_are_truncated_not_rejected(tiny) -> None:
    table = predict_probabilities(tiny.model, tiny.tokenizer, ["word " * 2000, "short"], max_length=16)
    assert table.probabilities.shape == (2, 4)
    np.testing.assert_allclose(table.probabilities.sum(axis=1), 1.0, atol=1e-5)


def test_training_mode_is_restored(tiny) -> None:
    tiny.model.train()
    try:
        predict_probabilities(tiny.model, tiny.tokenizer, TEXTS[:2])
        assert tiny.model.training
    finally:
        tiny.model.eval()


def test_predictions_frame_columns() -> None:
    probabilities = np.array([[0.7, 0.1, 0.1, 0.1], [0.1, 0.2, 0.3, 0.4]], dtype=np.float32)
    frame = predictions_frame(["a", "b"], [0, 2], PredictionTable(probabilities, seconds=0.1), "test")
    assert list(frame.columns) == ["split", "text", "label", "predicted", "confidence",
                                   "p_World", "p_Sports", "p_Business", "p_Sci/Tech"]
    assert frame["split"].tolist() == ["test", "test"]
    assert frame["predicted"].tolist() == [0, 3]
    np.testing.assert_allclose(frame["confidence"], [0.7, 0.4])
    np.testing.assert_allclose(frame["p_Business"], [0.1, 0.3])
    assert frame["label"].dtype == "int64" and frame["predicted"].dtype == "int64"


def test_bf16_scores_under_autocast_close_to_fp32(tiny) -> None:
    fp32 = predict_probabilities(tiny.model, tiny.tokenizer, TEXTS, batch_size=3).probabilities
    bf16 = predict_probabilities(tiny.model, tiny.tokenizer, TEXTS, batch_size=3, precision="bf16").probabilities
    assert not np.array_equal(fp32, bf16)  # bf16 rounding shows: autocast really ran
    np.testing.assert_allclose(bf16, fp32, atol=0.05)
    np.testing.assert_allclose(bf16.sum(axis=1), 1.0, atol=1e-5)


def test_fp16_on_a_cpu_scores_in_fp32(tiny) -> None:
    fp32 = predict_probabilities(tiny.model, tiny.tokenizer, TEXTS, batch_size=3).probabilities
    fp16 = predict_probabilities(tiny.model, tiny.tokenizer, TEXTS, batch_size=3, precision="fp16").probabilities
    np.testing.assert_array_equal(fp16, fp32)
