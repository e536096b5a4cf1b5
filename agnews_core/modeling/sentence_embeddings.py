"""Frozen sentence embeddings of texts: the pretrained all-MiniLM-L6-v2, mean-pooled and normalised, as
sentence-transformers computes them, for rankings that must not come from the fine-tuned model itself."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np

from agnews_core.modeling.models import minilm_path

BATCH, MAX_LENGTH = 64, 128
_LOCK = threading.Lock()  # one encoder shared by the sessions of a server
# Every run of a sweep reviews the same training rows: the last few embedded lists are kept in memory, so the
# second run's review (or a page reopened after its cache is cleared) skips the encoder (7 s for 2,000 rows).
RECENT_LISTS, RECENT_ROWS = 4, 100_000  # at most 4 lists and 100,000 rows (150 MB) in all
_recent: OrderedDict[str, np.ndarray] = OrderedDict()


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
    texts = [str(t) for t in texts]
    key = _key(texts, batch_size, max_length)
    with _LOCK:
        if key in _recent:
            _recent.move_to_end(key)
            return _recent[key].copy()
    vectors = _encode(texts, batch_size, max_length)
    if len(texts) <= RECENT_ROWS:
        with _LOCK:
            _recent[key] = vectors.copy()
            while len(_recent) > RECENT_LISTS or sum(len(v) for v in _recent.values()) > RECENT_ROWS:
                _recent.popitem(last=False)
    return vectors


def _key(texts: list[str], batch_size: int, max_length: int) -> str:
    digest = hashlib.sha256(f"{batch_size}:{max_length}:{len(texts)}".encode())
    for text in texts:
        digest.update(text.encode("utf-8", "surrogatepass"))
        digest.update(b"\x00")
    return digest.hexdigest()


def _encode(texts: list[str], batch_size: int, max_length: int) -> np.ndarray:
    import torch

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
