"""Correction policies: which one verdict a row gets when several reviewers judged it.

The policy's values are declared with the sweep's fields (`agnews_core.config.sweep_config.CorrectionPolicy`, so
the CLI flag and the form widget come from there); this module applies them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

from agnews_core.config.sweep_config import CorrectionPolicy
from agnews_core.review.verdicts import Verdict, VerdictKind

__all__ = ["CorrectionPolicy", "by_row", "decision", "resolve", "resolve_rows"]


def decision(verdict: Verdict) -> str:
    """What a verdict decides, as one category: 'keep', 'remove' or 'relabel→<label id>'."""
    if verdict.kind is VerdictKind.RELABEL:
        return f"relabel→{verdict.new_label}"
    return str(verdict.kind)


def resolve(verdicts: Sequence[Verdict], policy: CorrectionPolicy | str = CorrectionPolicy.LATEST) -> Verdict | None:
    """The one verdict a row's reviewers' verdicts (oldest first) come to under policy; None when there is none.

    The verdict returned is the latest of those that carry the winning decision, so its note and reviewer are
    the most recent word on it.
    """
    if not verdicts:
        return None
    policy = CorrectionPolicy(policy)
    if policy is CorrectionPolicy.LATEST:
        return verdicts[-1]
    counts = Counter(decision(v) for v in verdicts)
    (winner, top), *rest = counts.most_common()
    if policy is CorrectionPolicy.UNANIMOUS and rest:
        return None
    if policy is CorrectionPolicy.MAJORITY and rest and rest[0][1] == top:
        return None  # a tie: no verdict is more common than another
    return next(v for v in reversed(verdicts) if decision(v) == winner)


def resolve_rows(by_row: Mapping[str, Sequence[Verdict]],
                 policy: CorrectionPolicy | str = CorrectionPolicy.LATEST) -> dict[str, Verdict]:
    """text_key -> the resolved verdict, for the rows whose verdicts come to one under policy."""
    resolved = {key: resolve(verdicts, policy) for key, verdicts in by_row.items()}
    return {key: verdict for key, verdict in resolved.items() if verdict is not None}


def by_row(verdicts: Iterable[Verdict]) -> dict[str, list[Verdict]]:
    """Verdicts grouped as a store keeps them: per text_key, one per reviewer (a later one replaces its reviewer's
    earlier one), in the order they were recorded."""
    rows: dict[str, dict[str, Verdict]] = {}
    for verdict in verdicts:
        row = rows.setdefault(verdict.text_key, {})
        row.pop(verdict.reviewer, None)
        row[verdict.reviewer] = verdict
    return {key: list(row.values()) for key, row in rows.items()}
