"""Suspected label errors (cleanlab's confident learning) and Azimuth-style smart tags over predictions."""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import pandas as pd

from agnews_core.labels import AG_NEWS, LabelSet
from agnews_core.modeling.prediction_frames import PROBABILITY_COLUMNS, frame_labels, probabilities
from agnews_core.modeling.tfidf import SUSPECTS, tfidf_pipeline
from agnews_core.text_keys import text_keys

logger = logging.getLogger(__name__)

__all__ = ["PROBABILITY_COLUMNS", "LabelIssues", "cross_validated_probabilities", "label_issues_for_run",
           "probability_matrix", "rank_label_issues", "smart_tags"]
TRAIN_SPLIT = "train"
CV_FOLDS = 5  # 5 folds: each model sees 80 % of the rows, as the sweep's own train/validation split does
# Confidently wrong: wrong with at least this top probability. A wrong answer given with 90 % confidence is
# no near miss: either the model learned something wrong or the gold label is wrong; both deserve a look first.
CONFIDENTLY_WRONG = 0.9
# Uncertain: the top two probabilities are closer than this. Within 10 points the model barely preferred one
# class (on AG News mostly Business vs Sci/Tech or World vs Business), so its answer is close to a coin flip.
UNCERTAIN_MARGIN = 0.1

ISSUE_COLUMNS: tuple[str, ...] = (
    "split", "position", "text_key", "text", "label", "suggested", "quality", "suspected", "rank",
)


@dataclass(frozen=True)
class LabelIssues:
    """Every scored row, most suspicious first, and how many suspects each gold label has."""

    rows: pd.DataFrame  # ISSUE_COLUMNS; rank 1 = lowest label quality over all splits
    suspects_per_class: dict[str, int]  # gold label name -> suspected rows, every label present

    @property
    def suspects(self) -> pd.DataFrame:
        """Only the rows cleanlab flags, most suspicious first."""
        return self.rows[self.rows["suspected"]]


def cross_validated_probabilities(
    texts: pd.Series, labels: np.ndarray, seed: int, folds: int = CV_FOLDS, n_jobs: int = 1, width: int | None = None
) -> np.ndarray:
    """Out-of-sample class probabilities for every row: each fold scored by a model that never saw it.

    `width` columns (the label set's size; labels absent from these rows get probability 0)."""
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    labels = np.asarray(labels, dtype="int64")
    present = np.unique(labels)
    smallest = int(np.bincount(labels)[present].min())
    if smallest < folds:
        raise ValueError(f"cross-validation with {folds} folds needs at least {folds} rows of every label; "
                         f"the smallest label has {smallest}")
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    found = cross_val_predict(tfidf_pipeline(SUSPECTS, seed), pd.Series(texts).astype(str), labels, cv=splitter,
                              method="predict_proba", n_jobs=n_jobs)
    full = np.zeros((len(labels), max(width or 0, int(present.max()) + 1)))
    full[:, present] = found  # cross_val_predict's columns are the sorted labels it saw
    return full


class TrainRanking(StrEnum):
    """Where the out-of-sample probabilities of training rows come from (the run trained on them)."""

    TFIDF = "tfidf"
    EMBEDDINGS = "embeddings"
    COMBINED = "combined"


RANKED_BY = {
    TrainRanking.TFIDF: "TF-IDF cross-validation",
    TrainRanking.EMBEDDINGS: "MiniLM sentence embeddings cross-validation",
    TrainRanking.COMBINED: "TF-IDF and MiniLM sentence embeddings, cross-validated and averaged",
}
RUN_OWN = "the run's own probabilities (rows it never trained on)"


def embedding_probabilities(vectors: np.ndarray, labels: np.ndarray, seed: int, folds: int = CV_FOLDS,
                            width: int | None = None) -> np.ndarray:
    """Out-of-sample class probabilities from logistic regression on frozen sentence embeddings, fold by fold."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    labels = np.asarray(labels, dtype="int64")
    present = np.unique(labels)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    # C=10: unit-length 384-d vectors need a weak penalty to separate topics (C=1 underfits them)
    found = cross_val_predict(LogisticRegression(C=10.0, max_iter=1000), vectors, labels, cv=splitter,
                              method="predict_proba")
    full = np.zeros((len(labels), max(width or 0, int(present.max()) + 1)))
    full[:, present] = found
    return full


def train_probabilities(texts: pd.Series, labels: np.ndarray, seed: int, width: int | None = None,
                        method: TrainRanking = TrainRanking.COMBINED, folds: int = CV_FOLDS
                        ) -> tuple[np.ndarray, TrainRanking]:
    """Out-of-sample probabilities of training rows by `method`, and the method used: without the pretrained
    MiniLM (not installed) the combined ranking falls back to TF-IDF alone."""
    tfidf = None
    if method != TrainRanking.EMBEDDINGS:
        tfidf = cross_validated_probabilities(texts, labels, seed, folds, width=width)
        if method == TrainRanking.TFIDF:
            return tfidf, TrainRanking.TFIDF
    from agnews_core.modeling.models import ModelLoadError
    from agnews_core.modeling.sentence_embeddings import embed_texts

    try:
        vectors = embed_texts(pd.Series(texts).astype(str).tolist())
    except ModelLoadError as exc:
        if tfidf is None:
            raise
        logger.warning("sentence embeddings unavailable, ranking training rows by TF-IDF alone: %s", exc)
        return tfidf, TrainRanking.TFIDF
    embedded = embedding_probabilities(vectors, labels, seed, folds, width=tfidf.shape[1] if tfidf is not None else width)
    if tfidf is None:
        return embedded, TrainRanking.EMBEDDINGS
    return (tfidf + embedded) / 2.0, TrainRanking.COMBINED


def probability_matrix(frame: pd.DataFrame) -> np.ndarray:
    """The (n, classes) class probabilities stored in a predictions frame's p_<label> columns."""
    if sum(str(c).startswith("p_") for c in frame.columns) < 2:
        raise ValueError("predictions have no p_<label> columns")
    return probabilities(frame)


def rank_label_issues(frame: pd.DataFrame, probabilities: np.ndarray, labels_set: LabelSet = AG_NEWS) -> LabelIssues:
    """Score and flag every row of frame (split, text, label) from its out-of-sample probabilities."""
    probabilities = np.asarray(probabilities, dtype="float64")
    if probabilities.shape != (len(frame), labels_set.size):
        raise ValueError(f"probabilities must have shape ({len(frame)}, {labels_set.size}), got {probabilities.shape}")
    labels = frame["label"].to_numpy(dtype="int64")
    splits = frame["split"].astype(str).to_numpy() if "split" in frame.columns else np.full(len(frame), "")
    quality = np.zeros(len(frame))
    suspected = np.zeros(len(frame), dtype=bool)
    position = np.zeros(len(frame), dtype="int64")
    # One cleanlab pass per split: the splits' probabilities come from different models (the run, the
    # TF-IDF cross-validation), and confident learning's per-class thresholds assume one model.
    for split in pd.unique(splits):
        where = np.flatnonzero(splits == split)
        position[where] = np.arange(len(where))
        quality[where], suspected[where] = _flag(labels[where], probabilities[where])
    rows = pd.DataFrame({
        "split": splits,
        "position": position,
        "text_key": text_keys(frame["text"]),
        "text": frame["text"].astype(str).to_numpy(),
        "label": labels,
        "suggested": probabilities.argmax(axis=1).astype("int64"),
        "quality": quality,
        "suspected": suspected,
    })
    rows = rows.sort_values("quality", kind="stable").reset_index(drop=True)
    rows["rank"] = np.arange(1, len(rows) + 1)
    counts = np.bincount(labels[suspected], minlength=labels_set.size)
    return LabelIssues(rows=rows, suspects_per_class={name: int(counts[i]) for i, name in enumerate(labels_set.names)})


def _flag(labels: np.ndarray, probabilities: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """cleanlab's label-quality score (self-confidence, 0 = surely wrong) and its confident-learning flags."""
    from cleanlab.filter import find_label_issues
    from cleanlab.rank import get_label_quality_scores

    if len(labels) == 0:
        return np.zeros(0), np.zeros(0, dtype=bool)
    quality = get_label_quality_scores(labels, probabilities, method="self_confidence")
    with warnings.catch_warnings(record=True) as caught:  # "too few examples in class k" on small splits
        warnings.simplefilter("always")
        # n_jobs=1: cleanlab otherwise forks a process pool, unsafe inside a server with threads; 57k rows take < 1 s
        flags = find_label_issues(labels, probabilities, filter_by="prune_by_noise_rate", n_jobs=1)
    for warning in caught:
        logger.info("cleanlab: %s", warning.message)
    return quality, np.asarray(flags, dtype=bool)


def label_issues_for_run(
    predictions: pd.DataFrame, train: pd.DataFrame | None = None, seed: int = 0, folds: int = CV_FOLDS
) -> LabelIssues:
    """Suspects among a run's scored rows (its own probabilities) and, when given, the training rows
    (TF-IDF cross-validated probabilities: the run trained on them, so its own would be in-sample)."""
    label_set = frame_labels(predictions)
    frames = [predictions[["split", "text", "label"]]]
    matrices = [probability_matrix(predictions)]
    if train is not None and len(train):
        frames.append(pd.DataFrame({"split": TRAIN_SPLIT, "text": train["text"], "label": train["label"]}))
        matrices.append(cross_validated_probabilities(train["text"], train["label"].to_numpy(), seed, folds,
                                                      width=label_set.size))
    frame = pd.concat(frames, ignore_index=True)
    return rank_label_issues(frame, np.vstack(matrices), label_set)


def _top_two(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(best class, second class, margin between their probabilities) per row."""
    probabilities = probability_matrix(frame)
    order = np.argsort(-probabilities, axis=1, kind="stable")
    rows = np.arange(len(frame))
    margin = probabilities[rows, order[:, 0]] - probabilities[rows, order[:, 1]]
    return order[:, 0], order[:, 1], margin


def confidently_wrong(frame: pd.DataFrame, threshold: float = CONFIDENTLY_WRONG) -> pd.Series:
    """Wrong predictions whose top probability is at least threshold."""
    best, _, _ = _top_two(frame)
    wrong = best != frame["label"].to_numpy()
    return pd.Series(wrong & (probability_matrix(frame).max(axis=1) >= threshold), index=frame.index)


def almost_correct(frame: pd.DataFrame) -> pd.Series:
    """Wrong predictions where the gold label was the model's second choice."""
    best, second, _ = _top_two(frame)
    gold = frame["label"].to_numpy()
    return pd.Series((best != gold) & (second == gold), index=frame.index)


def uncertain(frame: pd.DataFrame, margin: float = UNCERTAIN_MARGIN) -> pd.Series:
    """Rows, right or wrong, whose top two probabilities are closer than margin."""
    _, _, gap = _top_two(frame)
    return pd.Series(gap < margin, index=frame.index)


def smart_tags(frame: pd.DataFrame) -> pd.DataFrame:
    """All three tags as boolean columns, aligned with frame's index."""
    return pd.DataFrame({
        "confidently_wrong": confidently_wrong(frame),
        "almost_correct": almost_correct(frame),
        "uncertain": uncertain(frame),
    })
