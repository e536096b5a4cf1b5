"""onnxruntime sessions: settings, softmax, and batched probabilities that agree with one text at a time."""

from __future__ import annotations

import os
import sys

import numpy as np
import pytest

from agnews_core.data.sources import load_source
from agnews_core.modeling.models import load_pretrained
from agnews_core.serving.onnx_export import ensure_export
from agnews_core.serving.onnx_session import OnnxClassifier, OnnxUnavailable, cores, open_session, softmax
from agnews_core.store.variant_record import InferenceVariant

TEXTS = ["Oil prices rise", "Team wins the cup final after extra time", "Stocks rally", "Oil prices rise"]


@pytest.fixture(scope="module")
def tiny_onnx(tmp_path_factory: pytest.TempPathFactory):
    """(tiny BERT, its fp32 export's path)."""
    loaded = load_pretrained("tiny", seed=5, tokenizer_texts=load_source("sample").train["text"].head(300))
    loaded.model.eval()
    return loaded, ensure_export(loaded, InferenceVariant.ONNX_FP32, tmp_path_factory.mktemp("onnx"))


def test_softmax_rows_sum_to_one_and_keep_the_order() -> None:
    probs = softmax(np.array([[1.0, 2.0, 3.0], [1000.0, 0.0, -1000.0]], dtype=np.float32))
    np.testing.assert_allclose(probs.sum(axis=1), 1.0)
    assert probs[0].argmax() == 2 and probs[1, 0] == pytest.approx(1.0)  # large logits do not overflow


def test_the_session_uses_every_core_and_every_optimization(tiny_onnx) -> None:
    import onnxruntime as ort

    session = open_session(tiny_onnx[1])
    options = session.get_session_options()
    assert options.intra_op_num_threads == cores() >= 1
    assert cores() <= (os.cpu_count() or 1)
    assert options.graph_optimization_level == ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    assert session.get_providers() == ["CPUExecutionProvider"]


def test_batched_probabilities_equal_one_text_at_a_time(tiny_onnx) -> None:
    loaded, path = tiny_onnx
    classifier = OnnxClassifier(path)
    batched = classifier.probabilities(loaded.tokenizer, TEXTS, batch_size=3)
    assert batched.shape == (4, 4)
    for text, row in zip(TEXTS, batched, strict=True):
        alone = softmax(classifier.logits(loaded.tokenizer(text, return_tensors="np")))[0]
        np.testing.assert_allclose(row, alone, atol=1e-5)  # padding and length sorting change nothing
    np.testing.assert_allclose(batched.sum(axis=1), 1.0, atol=1e-5)
    assert classifier.probabilities(loaded.tokenizer, []).shape == (0, 4)


def test_a_session_without_onnxruntime_says_what_to_install(tiny_onnx, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "onnxruntime", None)
    with pytest.raises(OnnxUnavailable, match="pip install -r requirements.txt"):
        open_session(tiny_onnx[1])
