"""A tiny DistilBERT-architecture model folder (random weights, vocabulary from the sample), as a Hub repo looks."""

from __future__ import annotations

from pathlib import Path


def build_tiny_distilbert(folder: Path) -> Path:
    """Write config, weights and tokenizer into folder; return it."""
    from transformers import DistilBertConfig, DistilBertForSequenceClassification, DistilBertTokenizer

    from agnews_core.data.sources import load_source
    from agnews_core.labels import LABELS
    from agnews_core.modeling.models import load_pretrained

    vocab = load_pretrained("tiny", seed=0, tokenizer_texts=load_source("sample").train["text"]).tokenizer.get_vocab()
    vocab_file = folder / "vocab.txt"
    vocab_file.write_text("".join(f"{token}\n" for token, _ in sorted(vocab.items(), key=lambda kv: kv[1])))
    tokenizer = DistilBertTokenizer(vocab_file=str(vocab_file))
    config = DistilBertConfig(n_layers=2, dim=32, hidden_dim=64, n_heads=2, vocab_size=len(vocab),
                              max_position_embeddings=512, num_labels=len(LABELS))
    DistilBertForSequenceClassification(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder
