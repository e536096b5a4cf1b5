"""Filtering, searching, sorting and paging of per-example predictions (pure pandas)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from agnews_core.labels import AG_NEWS, MAX_CLASSES
from agnews_core.modeling.prediction_frames import PREFIX, frame_labels

ANY = None  # a label filter that accepts every label


@dataclass(frozen=True)
class ErrorFilter:
    """Which predictions to show."""

    split: str = "test"
    true_label: int | None = ANY
    predicted_label: int | None = ANY
    query: str = ""
    only_errors: bool = True
    most_confident_first: bool = True

    def __post_init__(self) -> None:
        for name in ("true_label", "predicted_label"):
            value = getattr(self, name)
            if value is not None and value not in range(MAX_CLASSES):
                raise ValueError(f"{name.replace('_', ' ')} must be a label id or any, got {value!r}")


def filter_predictions(frame: pd.DataFrame, chosen: ErrorFilter) -> pd.DataFrame:
    """Rows of one split matching the label pair and a case-insensitive literal search, sorted by confidence."""
    rows = frame[frame["split"] == chosen.split] if "split" in frame.columns else frame
    if chosen.only_errors:
        rows = rows[rows["label"] != rows["predicted"]]
    if chosen.true_label is not None:
        rows = rows[rows["label"] == chosen.true_label]
    if chosen.predicted_label is not None:
        rows = rows[rows["predicted"] == chosen.predicted_label]
    query = chosen.query.strip()
    if query:
        rows = rows[rows["text"].str.contains(query, case=False, regex=False, na=False)]
    return rows.sort_values("confidence", ascending=not chosen.most_confident_first, kind="stable")


def page_of(frame: pd.DataFrame, page: int, page_size: int) -> tuple[pd.DataFrame, int, int]:
    """(rows of a 1-based page, the page actually shown after clamping, number of pages)."""
    pages = max(1, math.ceil(len(frame) / page_size))
    page = min(max(1, page), pages)
    start = (page - 1) * page_size
    return frame.iloc[start : start + page_size], page, pages


def readable_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows with label names instead of ids, for display and CSV export (the names the frame's p_ columns give)."""
    names = frame_labels(frame).names if any(str(c).startswith(PREFIX) for c in frame.columns) else AG_NEWS.names
    table = pd.DataFrame(
        {
            "text": frame["text"],
            "true label": frame["label"].map(lambda i: names[int(i)]),
            "predicted": frame["predicted"].map(lambda i: names[int(i)]),
            "confidence": frame["confidence"].astype(float),
        }
    )
    for name in names:
        if f"{PREFIX}{name}" in frame.columns:
            table[f"P({name})"] = frame[f"{PREFIX}{name}"].astype(float)
    return table

