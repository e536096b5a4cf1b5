"""Accuracy, per-class metrics, confusion matrix and error-analysis helpers on hand-made cases."""

from __future__ import annotations

import numpy as np
import pytest

from agnews_core.labels import LABELS
from agnews_core.modeling.metrics import compute_metrics, row_percentages, top_confusions
from agnews_core.store.records import EvalMetrics

# true:  0 0 0 0 1 1 1 2 2 3
# pred:  0 0 1 2 1 1 0 2 3 3
Y_TRUE = [0, 0, 0, 0, 1, 1, 1, 2, 2, 3]
Y_PRED = [0, 0, 1, 2, 1, 1, 0, 2, 3, 3]


def test_accuracy_and_count() -> None:
    metrics = compute_metrics(Y_TRUE, Y_PRED)
    assert metrics.accuracy == pytest.approx(6 / 10)
    assert metrics.count == 10


def test_confusion_rows_are_true_labels_and_columns_predictions() -> None:
    metrics = compute_metrics(Y_TRUE, Y_PRED)
    assert metrics.confusion == (
        (2, 1, 1, 0),
        (1, 2, 0, 0),
        (0, 0, 1, 1),
        (0, 0, 0, 1),
    )
    assert compute_metrics([0], [3]).confusion[0][3] == 1  # true World predicted Sci/Tech: row 0, column 3


def test_per_class_precision_recall_f1_support() -> None:
    per_class = {c.label: c for c in compute_metrics(Y_TRUE, Y_PRED).per_class}
    assert list(per_class) == list(LABELS)
    world, sports, business, scitech = (per_class[name] for name in LABELS)
    assert (world.precision, world.recall, world.support) == (pytest.approx(2 / 3), pytest.approx(2 / 4), 4)
    assert world.f1 == pytest.approx(2 * (2 / 3) * (1 / 2) / (2 / 3 + 1 / 2))
    assert (sports.precision, sports.recall, sports.support) == (pytest.approx(2 / 3), pytest.approx(2 / 3), 3)
    assert (business.precision, business.recall, business.f1) == (pytest.approx(1 / 2), pytest.approx(1 / 2),
                                                                   pytest.approx(1 / 2))
    assert (scitech.precision, scitech.recall, scitech.support) == (pytest.approx(1 / 2), 1.0, 1)


def test_macro_f1_is_the_mean_over_labels() -> None:
    metrics = compute_metrics(Y_TRUE, Y_PRED)
    assert metrics.macro_f1 == pytest.approx(np.mean([c.f1 for c in metrics.per_class]))


def test_perfect_and_all_wrong_predictions() -> None:
    perfect = compute_metrics([0, 1, 2, 3], [0, 1, 2, 3])
    assert (perfect.accuracy, perfect.macro_f1) == (1.0, 1.0)
    wrong = compute_metrics([0, 1, 2, 3], [1, 2, 3, 0])
    assert (wrong.accuracy, wrong.macro_f1) == (0.0, 0.0)


def test_macro_f1_skips_labels_absent_from_the_truth() -> None:
    # Only World and Sports occur; a Business prediction is a plain error, not a third zero-F1 class.
    metrics = compute_metrics([0, 0, 1, 1], [0, 0, 1, 2])
    sports_f1 = 2 * 1.0 * 0.5 / 1.5
    assert metrics.macro_f1 == pytest.approx((1.0 + sports_f1) / 2)
    assert metrics.per_class[2].support == 0 and metrics.per_class[2].precision == 0.0


def test_accepts_numpy_arrays() -> None:
    assert compute_metrics(np.array(Y_TRUE), np.array(Y_PRED)) == compute_metrics(Y_TRUE, Y_PRED)


def test_round_trip_through_dict() -> None:
    metrics = compute_metrics(Y_TRUE, Y_PRED)
    assert EvalMetrics.from_dict(metrics.to_dict()) == metrics


@pytest.mark.parametrize(("y_true", "y_pred", "message"), [([0, 1, 2], [0, 1], "3 true labels but 2 predictions"),
                                                          ([], [], "no examples")])
def test_bad_inputs(y_true: list[int], y_pred: list[int], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        compute_metrics(y_true, y_pred)


def test_row_percentages() -> None:
    percentages = row_percentages([[2, 1, 1, 0], [0, 0, 0, 0], [0, 0, 3, 1], [0, 0, 0, 5]])
    np.testing.assert_allclose(percentages, [[50, 25, 25, 0], [0, 0, 0, 0], [0, 0, 75, 25], [0, 0, 0, 100]])


def test_top_confusions_are_off_diagonal_largest_first() -> None:
    confusion = [[9, 3, 0, 1], [0, 8, 0, 0], [5, 0, 7, 3], [0, 0, 1, 9]]
    assert top_confusions(confusion) == [(2, 0, 5), (0, 1, 3), (2, 3, 3), (0, 3, 1), (3, 2, 1)]
    assert top_confusions(confusion, limit=2) == [(2, 0, 5), (0, 1, 3)]
    assert top_confusions([[4, 0], [0, 4]]) == []
