"""Export a fine-tuned classifier to ONNX once, next to its weights, and its int8 copy; reuse both afterwards.

model/onnx/model.onnx is torch.onnx.export's graph (dynamic batch and sequence axes), checked against the torch
logits before it is kept; model/onnx/model-int8.onnx is onnxruntime's dynamic quantization of it (int8 weights,
activations quantized per call). source.json says which weights they came from: new weights mean a new export.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import warnings
from pathlib import Path
from typing import Any

from agnews_core.modeling.models import LoadedModel
from agnews_core.serving.onnx_session import INPUT_NAMES, OnnxClassifier, OnnxUnavailable
from agnews_core.store.layout import WEIGHTS_FILE
from agnews_core.store.variant_record import InferenceVariant

logger = logging.getLogger(__name__)

ONNX_DIR = "onnx"  # inside a run's model/ folder, so deleting or replacing the model takes its exports along
FP32_FILE, INT8_FILE, SOURCE_FILE = "model.onnx", "model-int8.onnx", "source.json"
# 17: the first opset with a LayerNormalization op, which onnxruntime fuses; torch 2.13's TorchScript exporter and
# onnxruntime 1.32 both support it.
OPSET = 17
# Per-tensor weight scales: per-channel ones were no more accurate on a fine-tuned MiniLM (-0.45 points on 2,000 test
# rows, +0.3 on 1,000 others, both noise) and a little slower (p50 3.2-3.4 vs 3.2-3.3 ms, bench/README.md §3).
PER_CHANNEL = False
MAX_LOGIT_DIFF = 1e-3  # an export whose logits differ more from torch's is refused (seen: about 1e-6)
PROBE_TEXTS = ("Stocks rally as the central bank holds interest rates steady", "Team wins",
               "Scientists find water on a distant planet while the company behind the telescope reports record profit")
# The bump that makes every stored export stale (a change in how models are exported or quantized).
EXPORT_FORMAT = 1


def onnx_folder(model_dir: str | Path) -> Path:
    """Where the exports of the model saved in model_dir live."""
    return Path(model_dir) / ONNX_DIR


def model_inputs(loaded: LoadedModel) -> tuple[str, ...]:
    """The inputs the export takes: those of INPUT_NAMES that both the tokenizer gives and forward() accepts."""
    import inspect

    accepted = inspect.signature(loaded.model.forward).parameters
    given = set(getattr(loaded.tokenizer, "model_input_names", INPUT_NAMES))
    names = tuple(n for n in INPUT_NAMES if n in accepted and (n in given or n == "input_ids"))
    if "input_ids" not in names:
        raise OnnxUnavailable(f"{type(loaded.model).__name__} takes no input_ids")
    return names


def _logits_module(model: Any, names: tuple[str, ...]) -> Any:
    """model as a module of positional tensors returning only logits: what the exporter traces."""
    import torch

    class Logits(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, *tensors: Any) -> Any:
            return self.model(**dict(zip(names, tensors, strict=True))).logits

    return Logits().eval()


def _encode(loaded: LoadedModel, texts: tuple[str, ...], names: tuple[str, ...], tensors: str) -> dict[str, Any]:
    encoded = loaded.tokenizer(list(texts), padding=True, truncation=True, max_length=128, return_tensors=tensors)
    if "token_type_ids" in names and "token_type_ids" not in encoded:
        encoded["token_type_ids"] = encoded["input_ids"] * 0
    return {n: encoded[n] for n in names}


def _export(loaded: LoadedModel, path: Path) -> None:
    """torch.onnx.export to path (a temporary name): batch and sequence axes dynamic."""
    import torch

    names = model_inputs(loaded)
    sample = _encode(loaded, PROBE_TEXTS[:2], names, "pt")  # batch 2, padded: the trace sees a real mask
    axes: dict[str, dict[int, str]] = {n: {0: "batch", 1: "sequence"} for n in names}
    with warnings.catch_warnings(), torch.no_grad():
        # The TorchScript exporter (dynamo=False) needs no onnxscript and exports BERT-family classifiers in about
        # a second; torch 2.13 marks it deprecated and the tracer warns about shape checks that are constant here.
        warnings.simplefilter("ignore")
        torch.onnx.export(_logits_module(loaded.model, names), tuple(sample[n] for n in names), str(path),
                          input_names=list(names), output_names=["logits"],
                          dynamic_axes={**axes, "logits": {0: "batch"}}, opset_version=OPSET, dynamo=False)


def _check(loaded: LoadedModel, path: Path) -> None:
    """OnnxUnavailable unless the graph's logits match torch's on texts of another batch size and length."""
    import numpy as np
    import torch

    names = model_inputs(loaded)
    with torch.inference_mode():
        expected = loaded.model(**_encode(loaded, PROBE_TEXTS, names, "pt")).logits.float().numpy()
    got = OnnxClassifier(path).logits(_encode(loaded, PROBE_TEXTS, names, "np"))
    diff = float(np.abs(got - expected).max()) if got.shape == expected.shape else float("inf")
    if not diff <= MAX_LOGIT_DIFF or not (got.argmax(axis=1) == expected.argmax(axis=1)).all():
        raise OnnxUnavailable(f"the ONNX export disagrees with torch (largest logit difference {diff:.3g})")


class _PreProcessAdvice(logging.Filter):
    """Drops onnxruntime's root-logger advice to pre-process before quantizing (meant for static quantization)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "pre-processing before quantization" not in record.getMessage()


def _quantize(source: Path, target: Path) -> None:
    """onnxruntime dynamic quantization: int8 weights of every MatMul, activations scaled per call."""
    try:
        from onnxruntime.quantization import QuantType, quantize_dynamic
    except ImportError as exc:
        raise OnnxUnavailable("onnxruntime is not installed (pip install -r requirements.txt)") from exc
    advice = _PreProcessAdvice()
    logging.getLogger().addFilter(advice)
    try:
        quantize_dynamic(source, target, weight_type=QuantType.QInt8, per_channel=PER_CHANNEL)
    finally:
        logging.getLogger().removeFilter(advice)


def _stamp(folder: Path) -> dict[str, Any]:
    """What identifies the weights the exports in folder came from (their file's size and time, when saved)."""
    weights = folder.parent / WEIGHTS_FILE
    stat = weights.stat() if weights.is_file() else None
    return {"format": EXPORT_FORMAT, "opset": OPSET, "per_channel": PER_CHANNEL,
            "weights_bytes": stat.st_size if stat else None, "weights_mtime_ns": stat.st_mtime_ns if stat else None}


def _fresh(folder: Path) -> bool:
    try:
        return json.loads((folder / SOURCE_FILE).read_text()) == _stamp(folder)
    except (OSError, ValueError):
        return False


def _write(target: Path, make: Any) -> None:
    """make(temporary path) then rename to target: a reader never opens half a file, two writers never clash."""
    partial = target.with_name(f".{target.stem}.{os.getpid()}.{threading.get_ident()}.tmp.onnx")
    try:
        make(partial)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


def ensure_export(loaded: LoadedModel, variant: InferenceVariant | str, folder: str | Path) -> Path:
    """The ONNX file serving variant in folder, exported (and quantized) now when missing or stale.

    OnnxUnavailable (with the reason) when it cannot be: onnxruntime or onnx missing, an op the exporter cannot
    write, logits that disagree with torch, a folder it cannot write.
    """
    variant = InferenceVariant(variant)
    if not variant.runs_on_onnx:
        raise ValueError(f"{variant} is not an ONNX Runtime variant")
    folder = Path(folder)
    fp32, int8 = folder / FP32_FILE, folder / INT8_FILE
    try:
        if not (_fresh(folder) and fp32.is_file()):
            folder.mkdir(parents=True, exist_ok=True)
            (folder / SOURCE_FILE).unlink(missing_ok=True)
            int8.unlink(missing_ok=True)
            _write(fp32, lambda partial: (_export(loaded, partial), _check(loaded, partial)))
            (folder / SOURCE_FILE).write_text(json.dumps(_stamp(folder)))
            logger.info("exported %s to ONNX in %s", loaded.name, folder)
        if variant is InferenceVariant.ONNX_INT8 and not int8.is_file():
            _write(int8, lambda partial: _quantize(fp32, partial))
    except OnnxUnavailable:
        raise
    except ImportError as exc:  # torch.onnx.export needs the onnx package
        raise OnnxUnavailable(f"cannot export to ONNX: {exc}") from exc
    except Exception as exc:  # noqa: BLE001 - an unsupported op or a full disk: the variant is unavailable, no more
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise OnnxUnavailable(f"cannot export to ONNX: {reason[:300]}") from exc
    return int8 if variant is InferenceVariant.ONNX_INT8 else fp32


def load_onnx(loaded: LoadedModel, variant: InferenceVariant | str, folder: str | Path) -> OnnxClassifier:
    """A session over the variant's export in folder (exported first when needed); OnnxUnavailable if impossible."""
    path = ensure_export(loaded, variant, folder)
    try:
        return OnnxClassifier(path)
    except OnnxUnavailable:
        raise
    except Exception as exc:  # noqa: BLE001 - a damaged file: say so, serve another variant
        raise OnnxUnavailable(f"onnxruntime cannot load {path.name}: {str(exc).splitlines()[0][:300]}") from exc
