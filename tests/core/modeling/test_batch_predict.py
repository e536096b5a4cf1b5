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


def test_embeddings_are_the_pooled_cls_output_in_row_order(tiny) -> None:
    import torch

    table = predict_probabilities(tiny.model, tiny.tokenizer, TEXTS, batch_size=3, embeddings=True)
    assert table.embeddings is not None
    assert table.embeddings.shape == (len(TEXTS), tiny.model.config.hidden_size)
    assert table.embeddings.dtype == np.float16
    for i in (0, 4):  # a long and a short text, scored in different length-sorted batches
        batch = tiny.tokenizer([TEXTS[i]], return_tensors="pt")
        with torch.inference_mode():
            pooled = tiny.model.bert(**batch).pooler_output[0].numpy()
        np.testing.assert_allclose(table.embeddings[i].astype(np.float32), pooled, atol=2e-3)
    plain = predict_probabilities(tiny.model, tiny.tokenizer, TEXTS, batch_size=3)
    assert plain.embeddings is None
    np.testing.assert_allclose(plain.probabilities, table.probabilities, atol=1e-6)
    assert not tiny.model.classifier._forward_pre_hooks  # the hook is removed afterwards


def test_distilbert_embeddings_are_its_pre_classifier_output(tmp_path) -> None:
    import torch
    from distilbert_folder import build_tiny_distilbert

    from agnews_core.modeling.models import load_saved

    loaded = load_saved(build_tiny_distilbert(tmp_path))
    table = predict_probabilities(loaded.model, loaded.tokenizer, TEXTS[:3], embeddings=True)
    batch = loaded.tokenizer([TEXTS[1]], return_tensors="pt")
    loaded.model.eval()
    with torch.inference_mode():
        cls = loaded.model.distilbert(**batch).last_hidden_state[:, 0]
        expected = torch.relu(loaded.model.pre_classifier(cls))[0].numpy()
    assert table.embeddings.shape == (3, loaded.model.config.dim)
    np.testing.assert_allclose(table.embeddings[1].astype(np.float32), expected, atol=2e-3)
