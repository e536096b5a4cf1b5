"""Compare two runs scored on the same test rows: the 2x2 agreement table and McNemar's exact test."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np
import pandas as pd

from agnews_core.modeling.prediction_frames import gold_labels, split_rows

SIGNIFICANCE = 0.05


@dataclass(frozen=True)
class PairTable:
    """How two runs' test predictions agree with the gold labels, row by row."""

    both_right: int
    only_a: int  # A right, B wrong: rows B breaks
    only_b: int  # B right, A wrong: rows B fixes
    both_wrong: int

    @property
    def rows(self) -> int:
        return self.both_right + self.only_a + self.only_b + self.both_wrong

    @property
    def discordant(self) -> int:
        """Rows exactly one run gets right: all McNemar's test looks at."""
        return self.only_a + self.only_b


@dataclass(frozen=True)
class RunComparison:
    """Run B against run A on the same test rows; positions index A's test rows in stored order."""

    name_a: str
    name_b: str
    table: PairTable
    p_value: float  # McNemar's exact test, two-sided; 1.0 when no row is discordant
    fixed: tuple[int, ...]  # A wrong, B right
    broken: tuple[int, ...]  # A right, B wrong
    both_missed: tuple[int, ...]
    b_positions: tuple[int, ...]  # b_positions[i] is the position in B's test rows of A's row i

    @property
    def significant(self) -> bool:
        return self.p_value < SIGNIFICANCE

    @property
    def sentence(self) -> str:
        """The result in one plain sentence."""
        a, b, t = self.name_a, self.name_b, self.table
        if t.discordant == 0:
            return f"{a} and {b} get exactly the same rows right: there is no difference to test."
        head = f"{b} fixes {_rows(t.only_b)} and breaks {t.only_a:,}"
        if self.significant:
            return f"{head}: the difference is unlikely to be chance, {format_p(self.p_value)}"
        return f"{head}: a difference this small could well be chance, {format_p(self.p_value)}"

    def in_b(self, positions: tuple[int, ...]) -> tuple[int, ...]:
        """The same rows as positions in B's test rows (they differ when B stored them in another order)."""
        return tuple(self.b_positions[i] for i in positions)


def format_p(p: float) -> str:
    """'p = 0.039', 'p = 0.73', 'p < 0.001'."""
    return "p < 0.001" if p < 0.001 else f"p = {p:.2g}"


def _rows(n: int) -> str:
    return f"{n:,} row" if n == 1 else f"{n:,} rows"


def mcnemar_exact(only_a: int, only_b: int) -> float:
    """Two-sided exact McNemar p-value: a binomial test of the discordant pairs against 1/2."""
    from scipy.stats import binomtest

    if only_a < 0 or only_b < 0:
        raise ValueError(f"discordant counts must be >= 0, got {only_a} and {only_b}")
    n = only_a + only_b
    return 1.0 if n == 0 else float(binomtest(only_b, n, 0.5, alternative="two-sided").pvalue)


def align_test_rows(a: pd.DataFrame, b: pd.DataFrame) -> np.ndarray:
    """Positions in b of a's rows, matched by text (repeated texts in stored order); ValueError when they differ."""
    texts_a, texts_b = a["text"].astype(str).tolist(), b["text"].astype(str).tolist()
    if texts_a == texts_b:
        order = np.arange(len(texts_b))
    else:
        counts_a, counts_b = Counter(texts_a), Counter(texts_b)
        differ = sum(((counts_a - counts_b) + (counts_b - counts_a)).values())
        if differ or len(texts_a) != len(texts_b):
            raise ValueError(f"these runs were scored on different test rows ({len(texts_a):,} vs "
                             f"{len(texts_b):,} rows; {differ:,} texts differ): compare runs of the same test split")
        slots: dict[str, list[int]] = {}
        for j, text in enumerate(texts_b):
            slots.setdefault(text, []).append(j)
        taken: Counter[str] = Counter()
        order = np.empty(len(texts_a), dtype=np.int64)
        for i, text in enumerate(texts_a):
            order[i] = slots[text][taken[text]]
            taken[text] += 1
    labels_differ = int((gold_labels(a) != gold_labels(b)[order]).sum())
    if labels_differ:
        raise ValueError(f"these runs were scored on the same test texts but {labels_differ:,} gold labels differ "
                         "(different versions of the data?): compare runs of the same test split")
    return order


def compare_runs(a: pd.DataFrame, b: pd.DataFrame, name_a: str = "A", name_b: str = "B",
                 split: str = "test") -> RunComparison:
    """Compare run B with run A on the test rows of their prediction frames."""
    rows_a, rows_b = split_rows(a, split, f"{name_a}'s predictions"), split_rows(b, split, f"{name_b}'s predictions")
    if rows_a.empty or rows_b.empty:
        empty = name_a if rows_a.empty else name_b
        raise ValueError(f"{empty} has no {split} predictions to compare")
    order = align_test_rows(rows_a, rows_b)
    gold = gold_labels(rows_a)
    right_a = rows_a["predicted"].to_numpy(dtype="int64") == gold
    right_b = rows_b["predicted"].to_numpy(dtype="int64")[order] == gold

    def where(mask: np.ndarray) -> tuple[int, ...]:
        return tuple(int(i) for i in np.flatnonzero(mask))

    table = PairTable(both_right=int((right_a & right_b).sum()), only_a=int((right_a & ~right_b).sum()),
                      only_b=int((~right_a & right_b).sum()), both_wrong=int((~right_a & ~right_b).sum()))
    return RunComparison(
        name_a=name_a, name_b=name_b, table=table, p_value=mcnemar_exact(table.only_a, table.only_b),
        fixed=where(~right_a & right_b), broken=where(right_a & ~right_b), both_missed=where(~right_a & ~right_b),
        b_positions=tuple(int(j) for j in order),
    )
