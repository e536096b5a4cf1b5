"""Why this label: how much each word of a text pushed the model toward its label (or away), by word occlusion.

Words are the whitespace tokens of the text, kept verbatim: the UI shades each one and must draw it as plain text
(never as HTML or markdown), since texts are user input.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from agnews_core.labels import AG_NEWS
from agnews_core.serving.predictor import clean_text

ProbsFn = Callable[[list[str]], np.ndarray]  # texts -> (n, 4) class probabilities, rows sum to 1
# Every word is at least one token and the model reads 128 tokens with [CLS] and [SEP]: words past the 126th are
# never seen, so removing them cannot change the prediction. They get score 0 without a forward pass.
MAX_WORDS = 126
OCCLUSION = "word occlusion"


@dataclass(frozen=True)
class Attribution:
    """Per-word scores for one text: > 0 pushed the model toward label_id, < 0 pushed it away."""

    words: tuple[str, ...]  # whitespace tokens of the text, verbatim
    scores: tuple[float, ...]  # occlusion: the drop in the label's probability when that word alone is removed
    label_id: int  # the class explained (the predicted one unless asked otherwise)
    probability: float  # that class's probability for the whole text
    method: str
    truncated: bool = False  # words past MAX_WORDS (or the text past live_predict.MAX_CHARS) were not scored
    names: tuple[str, ...] = AG_NEWS.names  # the model's label names in id order

    def __post_init__(self) -> None:
        if len(self.words) != len(self.scores):
            raise ValueError(f"{len(self.words)} words but {len(self.scores)} scores")

    @property
    def label(self) -> str:
        return self.names[self.label_id]

    def pairs(self) -> list[tuple[str, float]]:
        """(word, score) in text order: plain strings and floats, no markup, for shading the text."""
        return list(zip(self.words, self.scores, strict=True))

    def ranked(self) -> list[tuple[int, str, float]]:
        """(position, word, score) from the strongest push toward the label to the strongest push away."""
        order = sorted(range(len(self.words)), key=lambda i: (-self.scores[i], i))
        return [(i, self.words[i], self.scores[i]) for i in order]

    def top_positions(self, k: int) -> tuple[int, ...]:
        """Positions of the k words that pushed hardest toward the label."""
        return tuple(i for i, _, _ in self.ranked()[:k])


def split_words(text: str) -> list[str]:
    """The whitespace tokens of a text, verbatim (what the UI shades)."""
    return str(text).split()


def remove_words(words: Sequence[str], positions: Sequence[int]) -> str:
    """The text without the words at positions, the rest joined by single spaces."""
    dropped = set(positions)
    return " ".join(w for i, w in enumerate(words) if i not in dropped)


def occlusion(text: str, probs_fn: ProbsFn, label_id: int | None = None, max_words: int = MAX_WORDS,
              names: tuple[str, ...] = AG_NEWS.names) -> Attribution:
    """Score each word by how much the label's probability drops without it: one batched call of probs_fn.

    Works with any model behind probs_fn (fp32, int8, even a non-neural one). TextError for empty text.
    """
    clean = clean_text(text)
    words = split_words(clean.text)
    scored = min(len(words), max_words)
    variants = [remove_words(words, (i,)) for i in range(scored)]
    probs = np.asarray(probs_fn([clean.text, *variants]), dtype="float64")
    if probs.shape != (scored + 1, len(names)):
        raise ValueError(f"probs_fn returned shape {probs.shape} for {scored + 1} texts, expected (n, {len(names)})")
    target = int(probs[0].argmax()) if label_id is None else int(label_id)
    drops = probs[0, target] - probs[1:, target]
    scores = (*(float(d) for d in drops), *(0.0,) * (len(words) - scored))
    return Attribution(tuple(words), scores, target, float(probs[0, target]), OCCLUSION,
                       truncated=clean.truncated or scored < len(words), names=tuple(names))


def probabilities_function(model: Any, tokenizer: Any, max_length: int = 128, batch_size: int = 64) -> ProbsFn:
    """A ProbsFn over a transformers classifier (fp32 or int8): batched, length-sorted, no gradient.

    It takes no lock: a model shared between threads (live_predict.Predictor's) needs its owner's lock around calls.
    """
    from agnews_core.modeling.batch_predict import predict_probabilities

    def probs_fn(texts: list[str]) -> np.ndarray:
        return predict_probabilities(model, tokenizer, texts, batch_size=batch_size, max_length=max_length).probabilities

    return probs_fn
