"""Confused classes sit together; the most confused pairs come first."""

from __future__ import annotations

import numpy as np

from agnews_core.analysis.confusions import confused_order, most_confused_pairs


def _blocks() -> np.ndarray:
    """Six classes: 0<->3 and 1<->4 and 2<->5 are confused with each other, nothing else."""
    matrix = np.diag([50] * 6)
    for a, b, n in ((0, 3, 9), (1, 4, 7), (2, 5, 5)):
        matrix[a, b] = matrix[b, a] = n
    return matrix


def test_confused_classes_are_ordered_side_by_side() -> None:
    order = confused_order(_blocks())
    assert sorted(order) == list(range(6))
    positions = {label: i for i, label in enumerate(order)}
    for a, b in ((0, 3), (1, 4), (2, 5)):
        assert abs(positions[a] - positions[b]) == 1


def test_without_errors_or_with_two_classes_the_order_is_unchanged() -> None:
    assert confused_order(np.diag([5, 5, 5])) == [0, 1, 2]
    assert confused_order([[3, 1], [2, 4]]) == [0, 1]


def test_most_confused_pairs_sum_both_directions() -> None:
    matrix = _blocks()
    matrix[3, 0] = 1  # 0->3 9, 3->0 1: 10 in all, still the top pair
    pairs = most_confused_pairs(matrix, limit=2)
    assert [(p.a, p.b, p.a_as_b, p.b_as_a, p.total) for p in pairs] == [(0, 3, 9, 1, 10), (1, 4, 7, 7, 14)][::-1]
    assert round(pairs[0].share, 3) == round(14 / (57 + 57), 3)
    assert most_confused_pairs(np.diag([4, 4])) == []
