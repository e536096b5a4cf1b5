"""Run an exported classifier with onnxruntime on the CPU: one session, logits and batched probabilities.

onnxruntime is imported only when a session opens, so importing the predictor stays cheap.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

# Every input name an exported classifier may take, in the order the export declares them.
INPUT_NAMES = ("input_ids", "attention_mask", "token_type_ids")


class OnnxUnavailable(RuntimeError):
    """This model cannot be served by onnxruntime here; the message says why."""


def cores() -> int:
    """CPU cores this process may use (its affinity mask, which containers narrow; else the machine's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def open_session(path: str | Path) -> Any:
    """An onnxruntime.InferenceSession on the CPU: one thread per core, every graph optimization."""
    try:
        import onnxruntime as ort
    except ImportError as exc:
        raise OnnxUnavailable("onnxruntime is not installed (pip install -r requirements.txt)") from exc
    options = ort.SessionOptions()
    options.intra_op_num_threads = cores()
    options.inter_op_num_threads = 1  # one graph at a time: the parallelism is inside each MatMul
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.log_severity_level = 3  # errors only: the optimizer's notes about unused initializers are not news
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax in float64 (rows sum to 1 to the last digit the UI shows)."""
    shifted = np.asarray(logits, dtype=np.float64)
    shifted = np.exp(shifted - shifted.max(axis=-1, keepdims=True))
    return shifted / shifted.sum(axis=-1, keepdims=True)


class OnnxClassifier:
    """An exported sequence classifier: token ids in, logits out. Sessions are safe to call from several threads."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.session = open_session(self.path)
        self.input_names = tuple(i.name for i in self.session.get_inputs())
        self.classes = int(self.session.get_outputs()[0].shape[-1])  # logits are (batch, classes)

    def logits(self, encoded: Mapping[str, Any]) -> np.ndarray:
        """(batch, classes) float32 logits of a tokenizer's output (numpy or torch tensors)."""
        feed = {name: np.asarray(encoded[name], dtype=np.int64) for name in self.input_names if name in encoded}
        if "token_type_ids" in self.input_names and "token_type_ids" not in feed:  # a tokenizer that omits them
            feed["token_type_ids"] = np.zeros_like(feed["input_ids"])
        return self.session.run(None, feed)[0]

    def probabilities(self, tokenizer: Any, texts: Sequence[str], batch_size: int = 64,
                      max_length: int = 128) -> np.ndarray:
        """(n, classes) probabilities: batches of similar length padded to their longest text, as torch's path."""
        out = np.zeros((len(texts), self.classes), dtype=np.float32)
        if not texts:
            return out
        encoded = tokenizer([str(t) for t in texts], truncation=True, max_length=max_length)["input_ids"]
        order = np.argsort([len(ids) for ids in encoded], kind="stable")
        for start in range(0, len(order), batch_size):
            index = order[start : start + batch_size]
            batch = tokenizer.pad({"input_ids": [encoded[i] for i in index]}, return_tensors="np")
            out[index] = softmax(self.logits(batch))  # missing token_type_ids are zeros: one segment
        return out
