"""Suspected label errors (cleanlab's confident learning) and Azimuth-style smart tags over predictions."""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from agnews_core.labels import LABELS, NUM_LABELS
from agnews_core.modeling.tfidf import SUSPECTS, tfidf_pipeline
from agnews_core.text_keys import text_keys

logger = logging.getLogger(__name__)

PROBABILITY_COLUMNS: tuple[str, ...] = tuple(f"p_{name}" for name in LABELS)  # as batch_predict.predictions_frame
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
    texts: pd.Series, labels: np.ndarray, seed: int, folds: int = CV_FOLDS, n_jobs: int = 1
) -> np.ndarray:
    """Out-of-sample class probabilities for every row: each fold scored by a model that never saw it."""
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    labels = np.asarray(labels, dtype="int64")
    smallest = int(np.bincount(labels, minlength=NUM_LABELS).min())
    if smallest < folds:
        raise ValueError(f"cross-validation with {folds} folds needs at least {folds} rows of every label; "
                         f"the smallest label has {smallest}")
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    return cross_val_predict(tfidf_pipeline(SUSPECTS, seed), pd.Series(texts).astype(str), labels, cv=splitter,
                             method="predict_proba", n_jobs=n_jobs)


def probability_matrix(frame: pd.DataFrame) -> np.ndarray:
    """The (n, 4) class probabilities stored in a predictions frame's p_<label> columns."""
    missing = [c for c in PROBABILITY_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"predictions have no {', '.join(missing)} column(s)")
    return frame[list(PROBABILITY_COLUMNS)].to_numpy(dtype="float64")


def rank_label_issues(frame: pd.DataFrame, probabilities: np.ndarray) -> LabelIssues:
    """Score and flag every row of frame (split, text, label) from its out-of-sample probabilities."""
    probabilities = np.asarray(probabilities, dtype="float64")
    if probabilities.shape != (len(frame), NUM_LABELS):
        raise ValueError(f"probabilities must have shape ({len(frame)}, {NUM_LABELS}), got {probabilities.shape}")
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
    counts = np.bincount(labels[suspected], minlength=NUM_LABELS)
    return LabelIssues(rows=rows, suspects_per_class={name: int(counts[i]) for i, name in enumerate(LABELS)})


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
    frames = [predictions[["split", "text", "label"]]]
    probabilities = [probability_matrix(predictions)]
    if train is not None and len(train):
        frames.append(pd.DataFrame({"split": TRAIN_SPLIT, "text": train["text"], "label": train["label"]}))
        probabilities.append(cross_validated_probabilities(train["text"], train["label"].to_numpy(), seed, folds))
    frame = pd.concat(frames, ignore_index=True)
    return rank_label_issues(frame, np.vstack(probabilities))


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
