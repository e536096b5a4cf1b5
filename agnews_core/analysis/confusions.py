"""Reading a confusion matrix with many classes: an order that puts confused classes side by side, and the
most confused pairs of classes (both directions together) as a table."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

MANY_CLASSES = 15  # past this the matrix is too dense to read cell by cell: the pairs table leads


@dataclass(frozen=True)
class ConfusedPair:
    """Two classes the model mixes up: rows of a predicted as b, of b predicted as a, and their share."""

    a: int
    b: int
    a_as_b: int
    b_as_a: int
    share: float  # (a_as_b + b_as_a) over the two classes' rows

    @property
    def total(self) -> int:
        return self.a_as_b + self.b_as_a


def confused_order(confusion: Sequence[Sequence[int]]) -> list[int]:
    """Class ids in an order where classes confused with each other sit together (average-linkage clustering
    on the symmetric confusion rate, leaves optimally ordered); the identity for 2 classes or no errors."""
    matrix = np.asarray(confusion, dtype=float)
    size = len(matrix)
    rates = _pair_rates(matrix)
    if size <= 2 or not rates.any():
        return list(range(size))
    from scipy.cluster.hierarchy import leaves_list, linkage
    from scipy.spatial.distance import squareform

    distance = 1.0 - rates / rates.max()
    np.fill_diagonal(distance, 0.0)
    tree = linkage(squareform(distance, checks=False), method="average", optimal_ordering=True)
    return [int(i) for i in leaves_list(tree)]


def most_confused_pairs(confusion: Sequence[Sequence[int]], limit: int = 20) -> list[ConfusedPair]:
    """Pairs of classes by rows confused in either direction, most first; pairs never confused are left out."""
    matrix = np.asarray(confusion, dtype=int)
    rows = matrix.sum(axis=1)
    pairs = []
    for a in range(len(matrix)):
        for b in range(a + 1, len(matrix)):
            total = int(matrix[a, b] + matrix[b, a])
            if total:
                pairs.append(ConfusedPair(a, b, int(matrix[a, b]), int(matrix[b, a]),
                                          total / max(1, int(rows[a] + rows[b]))))
    return sorted(pairs, key=lambda p: (-p.total, -p.share, p.a, p.b))[:limit]


def _pair_rates(matrix: np.ndarray) -> np.ndarray:
    """Symmetric share of the two classes' rows confused between them; zero diagonal."""
    rows = matrix.sum(axis=1, keepdims=True)
    both = rows + rows.T
    rates = np.divide(matrix + matrix.T, both, out=np.zeros_like(matrix), where=both > 0)
    np.fill_diagonal(rates, 0.0)
    return rates
