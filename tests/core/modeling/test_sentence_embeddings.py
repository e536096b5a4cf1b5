"""Frozen MiniLM sentence embeddings: unit vectors, order kept, similar texts closer than unrelated ones."""

from __future__ import annotations

import numpy as np

from agnews_core.modeling.sentence_embeddings import embed_texts


def test_embeddings_are_unit_vectors_in_input_order_and_mean_something() -> None:
    texts = ["Stocks fall as oil prices jump", "Oil prices climb and shares drop", "The team won the cup final",
             "Stocks fall as oil prices jump"]
    vectors = embed_texts(texts, batch_size=2)
    assert vectors.shape == (4, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert np.allclose(vectors[0], vectors[3], atol=1e-5)  # batching and length sorting keep the order
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]
