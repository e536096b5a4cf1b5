"""Batched, length-sorted prediction with class probabilities over raw text."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from agnews_core.labels import AG_NEWS, LabelSet
from agnews_core.modeling.prediction_frames import probability_columns


@dataclass(frozen=True)
class PredictionTable:
    """Probabilities per text, with how long they took."""

    probabilities: np.ndarray  # shape (n, 4), rows sum to 1
    seconds: float

    @property
    def predicted(self) -> np.ndarray:
        """Arg-max label ids."""
        return self.probabilities.argmax(axis=1)

    @property
    def examples_per_second(self) -> float:
        """Throughput of this prediction pass."""
        return len(self.probabilities) / self.seconds if self.seconds > 0 else float("inf")


def predict_probabilities(
    model: Any, tokenizer: Any, texts: Sequence[str], batch_size: int = 64, max_length: int = 128,
    precision: str = "fp32",
) -> PredictionTable:
    """Class probabilities for raw texts: batches of similar length, dynamic padding, no gradient.

    precision 'bf16' or 'fp16' scores under autocast, as a run trained in that precision does (a resolved
    precision: 'auto' is the caller's to resolve)."""
    import torch

    started = time.perf_counter()
    texts = [str(t) for t in texts]
    encoded = tokenizer(texts, truncation=True, max_length=max_length)["input_ids"]
    order = np.argsort([len(ids) for ids in encoded], kind="stable")
    probabilities = np.zeros((len(texts), int(model.config.num_labels)), dtype=np.float32)
    device = next(model.parameters()).device
    was_training = model.training
    model.eval()
    try:
        with torch.inference_mode(), _autocast(precision, device):
            for start in range(0, len(order), batch_size):
                index = order[start : start + batch_size]
                batch = tokenizer.pad({"input_ids": [encoded[i] for i in index]}, return_tensors="pt")
                batch = {k: v.to(device) for k, v in batch.items()}
                logits = model(**batch).logits.float()
                probabilities[index] = torch.softmax(logits, dim=-1).cpu().numpy()
    finally:
        model.train(was_training)
    return PredictionTable(probabilities=probabilities, seconds=time.perf_counter() - started)


def _autocast(precision: str, device: Any) -> Any:
    import contextlib

    import torch

    dtype = {"bf16": torch.bfloat16, "fp16": torch.float16}.get(str(precision))
    if dtype is None or (dtype is torch.float16 and device.type != "cuda"):
        return contextlib.nullcontext()
    return torch.autocast(device.type, dtype=dtype)


def predictions_frame(texts: Sequence[str], labels: Sequence[int], table: PredictionTable, split: str,
                      label_set: LabelSet = AG_NEWS) -> pd.DataFrame:
    """Per-example rows: text, true and predicted label, confidence and every class probability (p_<name>)."""
    probabilities = table.probabilities
    frame = pd.DataFrame(
        {
            "split": split,
            "text": list(texts),
            "label": np.asarray(labels, dtype="int64"),
            "predicted": probabilities.argmax(axis=1).astype("int64"),
            "confidence": probabilities.max(axis=1).astype("float32"),
        }
    )
    if probabilities.shape[1] != label_set.size:
        raise ValueError(f"the model scores {probabilities.shape[1]} classes but the data has {label_set.size}")
    for i, column in enumerate(probability_columns(label_set)):
        frame[column] = probabilities[:, i]
    return frame
