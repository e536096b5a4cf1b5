"""ONNX exports of a tiny BERT: logits that match torch, an int8 copy, reuse, staleness and failures."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from agnews_core.data.sources import load_source
from agnews_core.modeling.models import load_pretrained
from agnews_core.serving import onnx_export
from agnews_core.serving.onnx_export import (
    FP32_FILE,
    INT8_FILE,
    SOURCE_FILE,
    ensure_export,
    load_onnx,
    model_inputs,
    onnx_folder,
)
from agnews_core.serving.onnx_session import OnnxUnavailable
from agnews_core.store.layout import WEIGHTS_FILE
from agnews_core.store.variant_record import InferenceVariant

ONNX_FP32, ONNX_INT8 = InferenceVariant.ONNX_FP32, InferenceVariant.ONNX_INT8
TEXTS = ["Oil prices rise", "Team wins the cup final after extra time and penalties in front of a full stadium",
         "Stocks rally as the central bank holds interest rates steady", "x"]


def _tiny(token_type_ids: bool):
    import torch

    loaded = load_pretrained("tiny", seed=3, tokenizer_texts=load_source("sample").train["text"].head(300))
    if token_type_ids:  # as MiniLM's tokenizer does; the tiny one gives only ids and mask
        loaded.tokenizer.model_input_names = ["input_ids", "token_type_ids", "attention_mask"]
    with torch.no_grad():
        loaded.model.classifier.weight.mul_(50.0)
    loaded.model.eval()
    return loaded


@pytest.fixture(scope="module")
def tiny():
    """A tiny random BERT whose head is scaled up so that texts get clearly different logits."""
    return _tiny(token_type_ids=True)


@pytest.fixture(scope="module")
def exported(tiny, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding both exports of the tiny model; treat as read-only."""
    folder = tmp_path_factory.mktemp("model") / "onnx"
    ensure_export(tiny, ONNX_INT8, folder)
    return folder


def _torch_logits(tiny, texts: list[str]) -> np.ndarray:
    import torch

    batch = tiny.tokenizer(texts, padding=True, truncation=True, max_length=128, return_tensors="pt")
    with torch.inference_mode():
        return tiny.model(**batch).logits.numpy()


def test_the_export_takes_what_the_tokenizer_gives_and_bert_accepts(tiny, tmp_path) -> None:
    assert "token_type_ids" in tiny.tokenizer("a b")
    assert model_inputs(tiny) == ("input_ids", "attention_mask", "token_type_ids")
    assert onnx_folder(Path("run") / "model") == Path("run") / "model" / "onnx"
    two = _tiny(token_type_ids=False)
    assert model_inputs(two) == ("input_ids", "attention_mask")
    session = load_onnx(two, ONNX_FP32, tmp_path / "onnx")
    assert session.input_names == ("input_ids", "attention_mask")
    batch = two.tokenizer(TEXTS, padding=True, return_tensors="np")
    np.testing.assert_allclose(session.logits(batch), _torch_logits(two, TEXTS), atol=1e-4)


@pytest.mark.parametrize("texts", [TEXTS[:1], TEXTS[3:], TEXTS], ids=["one", "one token", "padded batch"])
def test_onnx_logits_match_torch_on_any_batch_and_length(tiny, exported, texts) -> None:
    session = load_onnx(tiny, ONNX_FP32, exported)
    assert session.input_names == ("input_ids", "attention_mask", "token_type_ids")
    batch = tiny.tokenizer(texts, padding=True, truncation=True, max_length=128, return_tensors="np")
    got, expected = session.logits(batch), _torch_logits(tiny, texts)
    assert got.shape == expected.shape == (len(texts), 4)
    np.testing.assert_allclose(got, expected, atol=1e-4)
    assert (got.argmax(axis=1) == expected.argmax(axis=1)).all()
    # the texts get logits further apart than the tolerance, so matching means something
    assert len(texts) == 1 or np.ptp(expected, axis=0).max() > 2e-3


def test_int8_file_is_smaller_and_close_to_fp32(tiny, exported) -> None:
    assert (exported / INT8_FILE).stat().st_size < (exported / FP32_FILE).stat().st_size
    fp32 = load_onnx(tiny, ONNX_FP32, exported).probabilities(tiny.tokenizer, TEXTS, batch_size=1)
    int8 = load_onnx(tiny, ONNX_INT8, exported).probabilities(tiny.tokenizer, TEXTS, batch_size=1)
    np.testing.assert_allclose(int8, fp32, atol=0.05)


def test_exports_are_made_once_and_reused(tiny, tmp_path, monkeypatch) -> None:
    folder = tmp_path / "onnx"
    ensure_export(tiny, ONNX_INT8, folder)
    before = {name: (folder / name).stat().st_mtime_ns for name in (FP32_FILE, INT8_FILE, SOURCE_FILE)}
    monkeypatch.setattr(onnx_export, "_export", lambda *_a: pytest.fail("exported again"))
    monkeypatch.setattr(onnx_export, "_quantize", lambda *_a: pytest.fail("quantized again"))
    assert ensure_export(tiny, ONNX_FP32, folder) == folder / FP32_FILE
    assert ensure_export(tiny, ONNX_INT8, folder) == folder / INT8_FILE
    assert {name: (folder / name).stat().st_mtime_ns for name in before} == before
    assert sorted(p.name for p in folder.iterdir()) == sorted(before)  # no temporary file left behind


def test_new_weights_make_the_exports_stale(tiny, tmp_path, monkeypatch) -> None:
    model_dir = tmp_path / "model"
    model_dir.mkdir()
    (model_dir / WEIGHTS_FILE).write_bytes(b"first weights")
    folder = onnx_folder(model_dir)
    ensure_export(tiny, ONNX_INT8, folder)
    assert json.loads((folder / SOURCE_FILE).read_text())["weights_bytes"] == len(b"first weights")
    calls: list[str] = []
    real_export = onnx_export._export  # noqa: SLF001
    monkeypatch.setattr(onnx_export, "_export", lambda *a: (calls.append("export"), real_export(*a)))
    (model_dir / WEIGHTS_FILE).write_bytes(b"retrained weights")  # a model saved again in the same folder
    ensure_export(tiny, ONNX_FP32, folder)
    assert calls == ["export"]
    assert not (folder / INT8_FILE).exists()  # the old int8 copy went with its source
    assert json.loads((folder / SOURCE_FILE).read_text())["weights_bytes"] == len(b"retrained weights")


def test_a_failed_export_is_unavailable_with_its_reason_and_leaves_nothing(tiny, tmp_path, monkeypatch) -> None:
    import torch

    def unsupported(*_args, **_kwargs):
        raise RuntimeError("Exporting the operator 'aten::fancy' to ONNX opset version 17 is not supported.\nmore")

    monkeypatch.setattr(torch.onnx, "export", unsupported)
    with pytest.raises(OnnxUnavailable, match=r"cannot export to ONNX: Exporting the operator 'aten::fancy'"):
        ensure_export(tiny, ONNX_INT8, tmp_path / "onnx")
    assert list((tmp_path / "onnx").iterdir()) == []
    with pytest.raises(ValueError, match="not an ONNX Runtime variant"):
        ensure_export(tiny, InferenceVariant.INT8, tmp_path / "onnx")


def test_an_export_that_disagrees_with_torch_is_refused(tiny, tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(onnx_export, "MAX_LOGIT_DIFF", -1.0)  # nothing can be that close
    with pytest.raises(OnnxUnavailable, match="disagrees with torch"):
        ensure_export(tiny, ONNX_FP32, tmp_path / "onnx")
    assert not (tmp_path / "onnx" / FP32_FILE).exists()


def test_without_onnxruntime_the_variant_is_unavailable(tiny, exported, monkeypatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # what an install without the wheel sees
    with pytest.raises(OnnxUnavailable, match="onnxruntime is not installed"):
        load_onnx(tiny, ONNX_FP32, exported)


def test_a_damaged_export_is_unavailable(tiny, tmp_path) -> None:
    folder = tmp_path / "onnx"
    ensure_export(tiny, ONNX_FP32, folder)
    (folder / FP32_FILE).write_bytes(b"not a model")
    with pytest.raises(OnnxUnavailable, match=f"cannot load {FP32_FILE}"):
        load_onnx(tiny, ONNX_FP32, folder)
