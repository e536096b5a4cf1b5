"""Frozen sentence embeddings of texts: the pretrained all-MiniLM-L6-v2, mean-pooled and normalised, as
sentence-transformers computes them, for rankings that must not come from the fine-tuned model itself."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np

from agnews_core.modeling.models import minilm_path

BATCH, MAX_LENGTH = 64, 128
_LOCK = threading.Lock()  # one encoder shared by the sessions of a server


@lru_cache(maxsize=1)
def _encoder() -> tuple[Any, Any]:
    from transformers import AutoModel, AutoTokenizer

    path = minilm_path()
    model = AutoModel.from_pretrained(path, use_safetensors=True)
    model.eval()
    return AutoTokenizer.from_pretrained(path), model


def embed_texts(texts: Sequence[str], batch_size: int = BATCH, max_length: int = MAX_LENGTH) -> np.ndarray:
    """(n, 384) float32 unit vectors: the mean of the last layer over each text's tokens; ModelLoadError if the
    pretrained model is missing."""
    import torch

    texts = [str(t) for t in texts]
    tokenizer, model = _encoder()
    encoded = tokenizer(texts, truncation=True, max_length=max_length)["input_ids"]
    order = np.argsort([len(ids) for ids in encoded], kind="stable")  # similar lengths together: less padding
    vectors = np.zeros((len(texts), model.config.hidden_size), dtype=np.float32)
    with _LOCK, torch.inference_mode():
        for start in range(0, len(order), batch_size):
            index = order[start:start + batch_size]
            batch = tokenizer.pad({"input_ids": [encoded[i] for i in index]}, return_tensors="pt")
            hidden = model(**batch).last_hidden_state
            mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
            mean = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1)
            vectors[index] = torch.nn.functional.normalize(mean, dim=-1).numpy()
    return vectors
