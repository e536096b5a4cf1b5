"""Classification metrics as pure functions over label arrays."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from agnews_core.labels import AG_NEWS, LabelSet
from agnews_core.store.records import ClassMetrics, EvalMetrics


def compute_metrics(y_true: Sequence[int] | np.ndarray, y_pred: Sequence[int] | np.ndarray,
                    label_set: LabelSet = AG_NEWS) -> EvalMetrics:
    """All metrics for true and predicted label ids of a label set (AG News unless given)."""
    from sklearn.metrics import accuracy_score, confusion_matrix, precision_recall_fscore_support

    y_true = np.asarray(y_true, dtype=int)
    y_pred = np.asarray(y_pred, dtype=int)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"{len(y_true)} true labels but {len(y_pred)} predictions")
    if y_true.size == 0:
        raise ValueError("no examples to score")
    labels = list(range(label_set.size))
    precision, recall, f1, support = precision_recall_fscore_support(
        y_true, y_pred, labels=labels, zero_division=0
    )
    per_class = tuple(
        ClassMetrics(label_set.names[i], float(precision[i]), float(recall[i]), float(f1[i]), int(support[i])) for i in labels
    )
    matrix = confusion_matrix(y_true, y_pred, labels=labels)
    present = support > 0  # macro-F1 over labels that occur, as a reader of a small split expects
    return EvalMetrics(
        accuracy=float(accuracy_score(y_true, y_pred)),
        macro_f1=float(np.mean(f1[present])) if present.any() else 0.0,
        per_class=per_class,
        confusion=tuple(tuple(int(v) for v in row) for row in matrix),
        count=int(y_true.size),
    )


def row_percentages(confusion: Sequence[Sequence[int]]) -> np.ndarray:
    """Each row of a confusion matrix as percentages of that true label (0 where a row is empty)."""
    matrix = np.asarray(confusion, dtype=float)
    totals = matrix.sum(axis=1, keepdims=True)
    return np.divide(matrix * 100.0, totals, out=np.zeros_like(matrix), where=totals > 0)


def top_confusions(confusion: Sequence[Sequence[int]], limit: int = 5) -> list[tuple[int, int, int]]:
    """Most frequent off-diagonal (true, predicted, count) cells, largest first, zeros dropped."""
    cells = [
        (t, p, int(count))
        for t, row in enumerate(confusion)
        for p, count in enumerate(row)
        if t != p and count > 0
    ]
    return sorted(cells, key=lambda cell: (-cell[2], cell[0], cell[1]))[:limit]
