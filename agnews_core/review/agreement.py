"""How far reviewers agree: chance-corrected agreement over rows judged by two or more, and where they differ.

Each verdict counts as one category: keep, remove, or relabel to a given label (policies.decision). Two reviewers
get Cohen's kappa; three or more get Fleiss' kappa, in its form for rows judged by different numbers of reviewers
(each row's agreement over its own pairs of reviewers; with the same number on every row it is Fleiss' own).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from agnews_core.review.policies import decision
from agnews_core.review.verdicts import Verdict

COHEN, FLEISS = "Cohen's kappa", "Fleiss' kappa"
# Landis & Koch (1977): the usual words for a kappa; the bands are a convention, not a test
BANDS: tuple[tuple[float, str], ...] = ((0.0, "poor (below chance)"), (0.2, "slight"), (0.4, "fair"),
                                       (0.6, "moderate"), (0.8, "substantial"), (1.0, "almost perfect"))


@dataclass(frozen=True)
class Conflict:
    """A row whose reviewers gave different verdicts."""

    text_key: str
    text: str
    label: int  # the gold label they judged
    verdicts: tuple[Verdict, ...]  # one per reviewer, in the order they were recorded


@dataclass(frozen=True)
class Agreement:
    """Agreement over the rows that two or more reviewers judged."""

    rows: int  # rows with verdicts from 2+ reviewers
    reviewers: tuple[str, ...]  # who judged those rows ('' is the anonymous reviewer)
    statistic: str  # COHEN, FLEISS, or '' without shared rows
    kappa: float | None  # None: no shared rows, or every verdict the same (kappa is then 0/0)
    observed: float | None  # share of those rows on which every reviewer gave the same verdict
    conflicts: tuple[Conflict, ...]  # newest disagreement first

    def describe(self) -> str:
        """One plain sentence on the kappa: what it is, its value and what the value means."""
        if not self.rows:
            return "No row has verdicts from two reviewers yet: agreement needs rows that two people judged."
        agreed = f"they gave the same verdict on {self.observed:.0%} of {self.rows:,} shared row(s)"
        if self.kappa is None:
            return f"Every reviewer gave the same verdict on every shared row, so kappa is not defined; {agreed}."
        return (f"{self.statistic} {self.kappa:.2f} ({kappa_words(self.kappa)}): 1 means they always agree, 0 no "
                f"better than chance, below 0 worse than chance; {agreed}.")


def kappa_words(kappa: float) -> str:
    """'moderate' for 0.55: the Landis & Koch band of a kappa."""
    if kappa < 0:
        return BANDS[0][1]
    return next(words for upper, words in BANDS[1:] if kappa <= upper)


def cohen_kappa(first: Sequence[str], second: Sequence[str]) -> float | None:
    """Cohen's kappa of two reviewers' categories on the same rows; None when chance agreement is 1 (0/0)."""
    if len(first) != len(second) or not first:
        raise ValueError(f"need two equally long, non-empty lists of verdicts, got {len(first)} and {len(second)}")
    n = len(first)
    observed = sum(a == b for a, b in zip(first, second, strict=True)) / n
    left, right = Counter(first), Counter(second)
    expected = sum(left[c] * right[c] for c in left) / (n * n)
    return None if expected == 1 else (observed - expected) / (1 - expected)


def fleiss_kappa(counts: Sequence[Mapping[str, int]]) -> float | None:
    """Fleiss' kappa from each row's count of verdicts per category (2+ per row); None when chance agreement is 1."""
    if not counts or any(sum(row.values()) < 2 for row in counts):
        raise ValueError("Fleiss' kappa needs rows judged by at least two reviewers each")
    per_row = [(sum(n * n for n in row.values()) - sum(row.values())) / (sum(row.values()) * (sum(row.values()) - 1))
               for row in counts]
    observed = sum(per_row) / len(per_row)
    totals: Counter[str] = Counter()
    for row in counts:
        totals.update(row)
    everyone = sum(totals.values())
    expected = sum((n / everyone) ** 2 for n in totals.values())
    return None if expected == 1 else (observed - expected) / (1 - expected)


def agreement(by_row: Mapping[str, Sequence[Verdict]]) -> Agreement:
    """Agreement among reviewers over a store's rows (text_key -> every reviewer's verdict)."""
    shared = {key: list(verdicts) for key, verdicts in by_row.items() if len(verdicts) >= 2}
    if not shared:
        return Agreement(0, (), "", None, None, ())
    reviewers = tuple(sorted({v.reviewer for verdicts in shared.values() for v in verdicts}))
    categories = {key: [decision(v) for v in verdicts] for key, verdicts in shared.items()}
    if len(reviewers) == 2:
        # with two reviewers in all, every shared row holds one verdict of each
        first, second = ([decision(v) for verdicts in shared.values() for v in verdicts if v.reviewer == name]
                         for name in reviewers)
        statistic, kappa = COHEN, cohen_kappa(first, second)
    else:
        statistic, kappa = FLEISS, fleiss_kappa([Counter(found) for found in categories.values()])
    unanimous = sum(len(set(found)) == 1 for found in categories.values())
    conflicts = [Conflict(key, shared[key][0].text, shared[key][0].label, tuple(shared[key]))
                 for key, found in categories.items() if len(set(found)) > 1]
    conflicts.sort(key=lambda c: max(v.recorded_at for v in c.verdicts), reverse=True)
    return Agreement(len(shared), reviewers, statistic, kappa, unanimous / len(shared), tuple(conflicts))


def reviewer_counts(by_row: Mapping[str, Sequence[Verdict]]) -> dict[str, int]:
    """How many current verdicts each reviewer has, most first ('' is the anonymous reviewer)."""
    return dict(Counter(v.reviewer for verdicts in by_row.values() for v in verdicts).most_common())
