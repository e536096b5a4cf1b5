"""Read a run's prediction frame (batch_predict.predictions_frame's shape): its probability columns and splits.

The probability columns are `p_<label name>` in label-id order, so a frame names its own label set.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from agnews_core.labels import AG_NEWS, LabelSet

PREFIX = "p_"
BASE_COLUMNS: tuple[str, ...] = ("text", "label", "predicted")


def probability_columns(labels: LabelSet = AG_NEWS) -> tuple[str, ...]:
    """'p_World', 'p_Sports', ... for a label set."""
    return tuple(f"{PREFIX}{name}" for name in labels.names)


PROBABILITY_COLUMNS: tuple[str, ...] = probability_columns(AG_NEWS)  # frames written before label sets existed
REQUIRED_COLUMNS: tuple[str, ...] = (*BASE_COLUMNS, *PROBABILITY_COLUMNS)


def frame_labels(frame: pd.DataFrame) -> LabelSet:
    """The label set a prediction frame was written with, read from its p_ columns in stored order."""
    return LabelSet(tuple(str(c)[len(PREFIX):] for c in frame.columns if str(c).startswith(PREFIX)))


def check_columns(frame: pd.DataFrame, what: str = "predictions") -> None:
    """ValueError naming the missing columns when frame is not a prediction frame."""
    missing = [c for c in BASE_COLUMNS if c not in frame.columns]
    if sum(str(c).startswith(PREFIX) for c in frame.columns) < 2:
        missing.append("p_<label> for every label")
    if missing:
        raise ValueError(f"{what} lack the column(s) {', '.join(missing)}: expected text, label, predicted and "
                         "one p_<label> column per label")


def split_rows(frame: pd.DataFrame, split: str, what: str = "predictions") -> pd.DataFrame:
    """The rows of one split, renumbered 0..n-1 in stored order; the whole frame when it has no split column."""
    check_columns(frame, what)
    rows = frame[frame["split"] == split] if "split" in frame.columns else frame
    return rows.reset_index(drop=True)


def probabilities(frame: pd.DataFrame) -> np.ndarray:
    """Class probabilities as an (n, classes) float64 array in label-id order."""
    return frame.loc[:, list(probability_columns(frame_labels(frame)))].to_numpy(dtype="float64")


def gold_labels(frame: pd.DataFrame) -> np.ndarray:
    """Gold label ids as int64."""
    return frame["label"].to_numpy(dtype="int64")
