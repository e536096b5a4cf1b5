"""Read a run's prediction frame (batch_predict.predictions_frame's shape): its probability columns and splits."""

from __future__ import annotations

import numpy as np
import pandas as pd

from agnews_core.labels import LABELS

PROBABILITY_COLUMNS: tuple[str, ...] = tuple(f"p_{name}" for name in LABELS)
REQUIRED_COLUMNS: tuple[str, ...] = ("text", "label", "predicted", *PROBABILITY_COLUMNS)


def check_columns(frame: pd.DataFrame, what: str = "predictions") -> None:
    """ValueError naming the missing columns when frame is not a prediction frame."""
    missing = [c for c in REQUIRED_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"{what} lack the column(s) {', '.join(missing)}: expected {', '.join(REQUIRED_COLUMNS)}")


def split_rows(frame: pd.DataFrame, split: str, what: str = "predictions") -> pd.DataFrame:
    """The rows of one split, renumbered 0..n-1 in stored order; the whole frame when it has no split column."""
    check_columns(frame, what)
    rows = frame[frame["split"] == split] if "split" in frame.columns else frame
    return rows.reset_index(drop=True)


def probabilities(frame: pd.DataFrame) -> np.ndarray:
    """Class probabilities as an (n, 4) float64 array in LABELS order."""
    return frame.loc[:, list(PROBABILITY_COLUMNS)].to_numpy(dtype="float64")


def gold_labels(frame: pd.DataFrame) -> np.ndarray:
    """Gold label ids as int64."""
    return frame["label"].to_numpy(dtype="int64")
