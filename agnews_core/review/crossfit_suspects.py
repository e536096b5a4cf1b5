"""Suspects ranked by a cross-fit: the run's training rows scored out of sample by the run's own model and settings.

A cross-fit (agnews_core/sweeps/crossfit.py) keeps one file beside the run it cross-fits: every training row, the
fold that held it out, and the class probabilities of the fold model that never saw it. This module owns that
file's columns and ranks it with the run's own test and validation rows, as the fast review does.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from agnews_core.labels import LabelSet
from agnews_core.modeling.prediction_frames import probability_columns
from agnews_core.review.label_review import LabelReview, rank_review_frames
from agnews_core.review.suspects import TRAIN_SPLIT
from agnews_core.store.artifact_store import ArtifactError, ArtifactStore, atomic_write_parquet
from agnews_core.store.records import SweepRecord

CROSSFIT_COLUMNS = ("text", "label", "fold", "ranked_by", "crossfit_sweep")  # then one p_<label> per label


def crossfit_ranked_by(folds: int, model: str) -> str:
    """How a list ranked by a cross-fit says so: 'cross-fit (2 folds, minilm)'."""
    return f"cross-fit ({folds} folds, {model})"


def crossfit_frame(train: pd.DataFrame, probabilities: np.ndarray, folds: np.ndarray, labels: LabelSet,
                   ranked_by: str, crossfit_sweep: str) -> pd.DataFrame:
    """The merged file's rows: each training row (text, label as trained), its fold and out-of-sample probabilities."""
    probabilities = np.asarray(probabilities, dtype="float64")
    if probabilities.shape != (len(train), labels.size) or len(folds) != len(train):
        raise ValueError(f"{len(train)} rows need ({len(train)}, {labels.size}) probabilities and as many folds; "
                         f"got {probabilities.shape} and {len(folds)}")
    frame = pd.DataFrame({"text": train["text"].astype(str).to_numpy(), "label": train["label"].to_numpy("int64"),
                          "fold": np.asarray(folds, dtype="int64"), "ranked_by": ranked_by,
                          "crossfit_sweep": crossfit_sweep})
    for column, values in zip(probability_columns(labels), probabilities.T, strict=True):
        frame[column] = values.astype("float32")
    return frame


def save_crossfit(store: ArtifactStore, sweep_id: str, run_id: str, frame: pd.DataFrame) -> None:
    """Keep a finished cross-fit's rows beside the run it cross-fits (atomically: never half a file)."""
    atomic_write_parquet(store.paths.crossfit_file(sweep_id, run_id), frame)


def load_crossfit(store: ArtifactStore, sweep_id: str, run_id: str) -> pd.DataFrame | None:
    """The finished cross-fit of a run, or None when none finished (or its file cannot be read)."""
    path = store.paths.crossfit_file(sweep_id, run_id)
    if not path.is_file():
        return None
    try:
        frame = pd.read_parquet(path)
    except (OSError, ValueError):
        return None
    return frame if set(CROSSFIT_COLUMNS) <= set(frame.columns) else None


def crossfit_review(store: ArtifactStore, sweep: SweepRecord, run_id: str,
                    fast: LabelReview | None = None) -> LabelReview | None:
    """The run's rows ranked with training rows from its finished cross-fit; None when it has none.

    With `fast` (the run's fast review), each training row gets the average of both probabilities: on 6,000 noisy
    rows that beat either alone (bench/README.md, "Cross-fit vs fast ranking"). None as well when the two scored
    different rows (the cross-fit applied verdicts that dropped or relabelled some). Test and validation rows keep
    the run's own probabilities, as in the fast review."""
    crossfit = load_crossfit(store, sweep.sweep_id, run_id)
    if crossfit is None:
        return None
    try:
        predictions = store.load_predictions(sweep.sweep_id, run_id)
    except ArtifactError:
        return None
    train = crossfit.drop(columns=["fold", "crossfit_sweep"]).assign(split=TRAIN_SPLIT)
    columns = [c for c in train.columns if c.startswith("p_")]
    p = train[columns].to_numpy(dtype="float64")
    if fast is not None:
        other = fast.rows[fast.rows["split"] == TRAIN_SPLIT]
        if other["text"].tolist() != train["text"].tolist() or other["label"].tolist() != train["label"].tolist():
            return None
        p = (p + other[columns].to_numpy(dtype="float64")) / 2.0
        train[columns] = p.astype("float32")
        train["ranked_by"] = f"{train['ranked_by'].iloc[0]} averaged with the fast ranking ({other['ranked_by'].iloc[0]})"
    train["predicted"] = p.argmax(axis=1).astype("int64")
    train["confidence"] = p.max(axis=1).astype("float32")
    return LabelReview(rank_review_frames([predictions, train]))
