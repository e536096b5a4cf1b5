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


def test_a_list_embedded_again_comes_from_memory_and_a_changed_list_is_encoded(monkeypatch) -> None:
    from agnews_core.modeling import sentence_embeddings

    texts = ["Rates rise again", "Striker signs for a record fee", "New chip doubles battery life"]
    first = embed_texts(texts)

    def no_encoder():
        raise AssertionError("the encoder ran for a list it had just embedded")

    monkeypatch.setattr(sentence_embeddings, "_encoder", no_encoder)
    again = embed_texts(list(texts))
    assert np.array_equal(first, again)
    again[0] = 0.0  # the caller's copy: what is kept stays as it was
    assert np.array_equal(embed_texts(texts), first)
    try:
        embed_texts(texts[:2] + ["Rates rise again."])
    except AssertionError as exc:
        assert "encoder ran" in str(exc)
    else:
        raise AssertionError("a changed list was served from memory")


def test_memory_keeps_a_few_lists_only(monkeypatch) -> None:
    from agnews_core.modeling import sentence_embeddings

    monkeypatch.setattr(sentence_embeddings, "_encode", lambda texts, *_: np.ones((len(texts), 384), np.float32))
    monkeypatch.setattr(sentence_embeddings, "_recent", type(sentence_embeddings._recent)())
    for n in range(sentence_embeddings.RECENT_LISTS + 2):
        embed_texts([f"text {n}"])
    assert len(sentence_embeddings._recent) == sentence_embeddings.RECENT_LISTS
    monkeypatch.setattr(sentence_embeddings, "RECENT_ROWS", 3)
    embed_texts(["a", "b", "c", "d"])  # more rows than may be kept: not kept, nothing else evicted for it
    assert len(sentence_embeddings._recent) == sentence_embeddings.RECENT_LISTS
    embed_texts(["a", "b"])
    assert sum(len(v) for v in sentence_embeddings._recent.values()) <= 3
