"""Two runs compared slice by slice: each run's accuracy on a slice's rows, McNemar's exact test per slice, Holm's
correction across the slices."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from agnews_core.analysis.error_slices import ErrorSlice
from agnews_core.analysis.run_comparison import SIGNIFICANCE, align_test_rows, mcnemar_exact
from agnews_core.modeling.prediction_frames import gold_labels


@dataclass(frozen=True)
class SliceDifference:
    """Run A (whose map made the slice) and run B on one slice's rows (its neighbourhood, right and wrong)."""

    slice_number: int
    rows: int  # the slice's rows both runs scored
    accuracy_a: float
    accuracy_b: float
    only_a: int  # A right, B wrong
    only_b: int  # B right, A wrong
    p_value: float  # McNemar's exact test, two-sided
    p_holm: float  # Holm-corrected across the compared slices

    @property
    def significant(self) -> bool:
        return self.p_holm < SIGNIFICANCE


def holm(p_values: list[float] | np.ndarray) -> np.ndarray:
    """Holm's step-down adjusted p-values, in the given order: family-wise error held at alpha across the tests."""
    p = np.asarray(p_values, dtype=np.float64)
    if p.ndim != 1 or ((p < 0) | (p > 1)).any():
        raise ValueError("p-values must be a flat list of numbers between 0 and 1")
    order = np.argsort(p, kind="stable")
    m = len(p)
    stepped = np.minimum(1.0, np.maximum.accumulate((m - np.arange(m)) * p[order]))
    adjusted = np.empty(m)
    adjusted[order] = stepped
    return adjusted


def right_in_b(rows_a: pd.DataFrame, frame_b: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(whether B got each of A's rows right, whether B scored it) for A's map rows, matched split by split by text.

    A split B lacks (a TF-IDF baseline has only test rows) is left out; ValueError when a split both have holds
    different rows or gold labels.
    """
    right = np.zeros(len(rows_a), dtype=bool)
    scored = np.zeros(len(rows_a), dtype=bool)
    has_split = "split" in frame_b.columns
    for split in rows_a["split"].unique():
        mine = np.flatnonzero(rows_a["split"].to_numpy() == split)
        theirs = frame_b[frame_b["split"] == split] if has_split else (frame_b if split == "test" else frame_b[:0])
        if theirs.empty:
            continue
        theirs = theirs.reset_index(drop=True)
        order = align_test_rows(rows_a.iloc[mine].reset_index(drop=True), theirs)
        right[mine] = theirs["predicted"].to_numpy(dtype=np.int64)[order] == gold_labels(rows_a.iloc[mine])
        scored[mine] = True
    if not scored.any():
        raise ValueError("the second run scored none of these rows: compare runs of the same data")
    return right, scored


def compare_slices(rows_a: pd.DataFrame, slices: list[ErrorSlice], frame_b: pd.DataFrame) -> list[SliceDifference]:
    """Each slice's rows (its neighbourhood in A's map rows) scored by A and by B, tested, Holm-corrected."""
    right_b, scored = right_in_b(rows_a, frame_b)
    right_a = rows_a["correct"].to_numpy(dtype=bool)
    counted = []
    for found in slices:
        positions = np.array([i for i in found.near_positions if scored[i]], dtype=np.int64)
        if not len(positions):
            continue
        a, b = right_a[positions], right_b[positions]
        only_a, only_b = int((a & ~b).sum()), int((~a & b).sum())
        counted.append((found.number, len(positions), float(a.mean()), float(b.mean()), only_a, only_b,
                        mcnemar_exact(only_a, only_b)))
    adjusted = holm([c[-1] for c in counted]) if counted else []
    return [SliceDifference(*c, p_holm=float(q)) for c, q in zip(counted, adjusted, strict=True)]


def difference_table(differences: list[SliceDifference]) -> pd.DataFrame:
    """One row per compared slice, for display."""
    return pd.DataFrame({
        "slice": [d.slice_number for d in differences],
        "rows": [d.rows for d in differences],
        "accuracy A": [d.accuracy_a for d in differences],
        "accuracy B": [d.accuracy_b for d in differences],
        "B fixed": [d.only_b for d in differences],
        "B broke": [d.only_a for d in differences],
        "p (McNemar)": [d.p_value for d in differences],
        "p (Holm)": [d.p_holm for d in differences],
        "differs": [d.significant for d in differences],
    })
