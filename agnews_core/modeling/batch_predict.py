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

    probabilities: np.ndarray  # shape (n, classes), rows sum to 1
    seconds: float
    embeddings: np.ndarray | None = None  # float16 (n, hidden): what the classification head read; when asked for

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
    precision: str = "fp32", embeddings: bool = False,
) -> PredictionTable:
    """Class probabilities for raw texts: batches of similar length, dynamic padding, no gradient.

    precision 'bf16' or 'fp16' scores under autocast, as a run trained in that precision does (a resolved
    precision: 'auto' is the caller's to resolve). embeddings=True also keeps each text's head input
    (HeadInput)."""
    import torch

    started = time.perf_counter()
    texts = [str(t) for t in texts]
    encoded = tokenizer(texts, truncation=True, max_length=max_length)["input_ids"]
    order = np.argsort([len(ids) for ids in encoded], kind="stable")
    probabilities = np.zeros((len(texts), int(model.config.num_labels)), dtype=np.float32)
    vectors: np.ndarray | None = None
    device = next(model.parameters()).device
    was_training = model.training
    model.eval()
    read = HeadInput(model) if embeddings else None
    extra = {"output_hidden_states": True} if read is not None and read.from_hidden_states else {}
    try:
        with torch.inference_mode(), _autocast(precision, device):
            for start in range(0, len(order), batch_size):
                index = order[start : start + batch_size]
                batch = tokenizer.pad({"input_ids": [encoded[i] for i in index]}, return_tensors="pt")
                batch = {k: v.to(device) for k, v in batch.items()}
                output = model(**batch, **extra)
                probabilities[index] = torch.softmax(output.logits.float(), dim=-1).cpu().numpy()
                if read is not None:
                    batch_vectors = read.take(output)
                    if vectors is None:
                        vectors = np.zeros((len(texts), batch_vectors.shape[1]), dtype=np.float16)
                    vectors[index] = batch_vectors
    finally:
        model.train(was_training)
        if read is not None:
            read.close()
    if embeddings and vectors is None:  # no texts: an empty table of the model's width
        vectors = np.zeros((0, int(model.config.hidden_size)), dtype=np.float16)
    return PredictionTable(probabilities=probabilities, seconds=time.perf_counter() - started, embeddings=vectors)


class HeadInput:
    """Reads, batch by batch, the vector a sequence classifier's last layer is given.

    A forward pre-hook on the model's `classifier` module: for BERT and MiniLM (BertForSequenceClassification)
    that is the pooled [CLS] output (`model.bert(...).pooler_output`, dropout is off in eval); for DistilBERT the
    pre_classifier output after its ReLU; heads that read the whole sequence (RoBERTa's) get its first token. A
    model with no `classifier` module gives its last hidden state's first token instead.
    """

    def __init__(self, model: Any) -> None:
        self._seen: list[Any] = []
        head = getattr(model, "classifier", None)
        self.from_hidden_states = head is None or not hasattr(head, "register_forward_pre_hook")
        self._handle = None if self.from_hidden_states else head.register_forward_pre_hook(self._keep)

    def _keep(self, _module: Any, args: tuple[Any, ...]) -> None:
        self._seen.append(args[0])

    def take(self, output: Any) -> np.ndarray:
        """This batch's vectors as float16 (n, hidden)."""
        vectors = output.hidden_states[-1] if self.from_hidden_states else self._seen.pop()
        self._seen.clear()
        if vectors.dim() == 3:
            vectors = vectors[:, 0]
        return vectors.float().cpu().numpy().astype(np.float16)

    def close(self) -> None:
        if self._handle is not None:
            self._handle.remove()


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
