"""Verdicts put to use: corrected training and validation rows, and corrected test labels kept apart.

Verdicts come as a store's `by_row()` (every reviewer's), a text_key -> Verdict mapping (one per row) or a list
(later ones replace their reviewer's); a CorrectionPolicy picks each row's one verdict.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from agnews_core.review.policies import CorrectionPolicy, by_row, resolve_rows
from agnews_core.review.verdicts import Verdict, VerdictKind
from agnews_core.store.records import CorrectionCounts
from agnews_core.text_keys import text_keys

if TYPE_CHECKING:
    from agnews_core.data.sources import DataSplits


@dataclass(frozen=True)
class CorrectedTest:
    """Test rows with verdicts applied, for a figure shown beside (never instead of) the official one."""

    frame: pd.DataFrame  # removed rows dropped; 'label' corrected, the official one kept in 'official_label'
    relabeled: int
    removed: int

    @property
    def changed(self) -> bool:
        """Whether any verdict touched the test rows (otherwise there is no second figure to show)."""
        return bool(self.relabeled or self.removed)

    @property
    def accuracy(self) -> float | None:
        """Accuracy of the frame's 'predicted' column on the corrected labels; None without one or without rows."""
        if "predicted" not in self.frame.columns or self.frame.empty:
            return None
        return float((self.frame["predicted"].to_numpy() == self.frame["label"].to_numpy()).mean())


Verdicts = Mapping[str, Sequence[Verdict]] | Mapping[str, Verdict] | Iterable[Verdict]
Policy = CorrectionPolicy | str


def _by_key(verdicts: Verdicts, policy: Policy) -> dict[str, Verdict]:
    """One verdict per text_key, as policy resolves each row's reviewers' verdicts."""
    if isinstance(verdicts, Mapping):
        rows = {key: [found] if isinstance(found, Verdict) else list(found) for key, found in verdicts.items()}
    else:
        rows = by_row(verdicts)
    return resolve_rows(rows, policy)


def _correct(
    frame: pd.DataFrame, verdicts: dict[str, Verdict], keep_official: bool = False
) -> tuple[pd.DataFrame, int, int]:
    """frame without removed rows and with relabelled ones; (frame, relabeled, removed)."""
    found = [verdicts.get(key) for key in text_keys(frame["text"])]
    removed = np.array([v is not None and v.kind is VerdictKind.REMOVE for v in found], dtype=bool)
    new_labels = np.array([v.new_label if v is not None and v.kind is VerdictKind.RELABEL else -1 for v in found],
                          dtype="int64")
    labels = frame["label"].to_numpy(dtype="int64")
    # a relabel counts only where it changes the row: a duplicate text may already carry the new label
    relabel = (new_labels >= 0) & (new_labels != labels) & ~removed
    corrected = frame.copy()
    if keep_official:
        corrected["official_label"] = labels
    corrected["label"] = np.where(relabel, new_labels, labels)
    corrected = corrected[~removed].reset_index(drop=True)
    return corrected, int(relabel.sum()), int(removed.sum())


def apply_verdicts(
    train: pd.DataFrame, validation: pd.DataFrame, verdicts: Verdicts, policy: Policy = CorrectionPolicy.LATEST
) -> tuple[pd.DataFrame, pd.DataFrame, CorrectionCounts]:
    """Relabel or drop training and validation rows by text_key; keep-verdicts change nothing."""
    chosen = _by_key(verdicts, policy)
    new_train, relabeled_train, removed_train = _correct(train, chosen)
    new_validation, relabeled_validation, removed_validation = _correct(validation, chosen)
    counts = CorrectionCounts(relabeled_train, removed_train, relabeled_validation, removed_validation)
    return new_train, new_validation, counts


def corrected_labels(test: pd.DataFrame, verdicts: Verdicts,
                     policy: Policy = CorrectionPolicy.LATEST) -> CorrectedTest:
    """The test rows as the verdicts say they should be; the official test frame is left as it is."""
    corrected, relabeled, removed = _correct(test, _by_key(verdicts, policy), keep_official=True)
    return CorrectedTest(frame=corrected, relabeled=relabeled, removed=removed)


def correct_splits(splits: DataSplits, verdicts: Verdicts,
                   policy: Policy = CorrectionPolicy.LATEST) -> tuple[DataSplits, CorrectionCounts]:
    """A sweep's splits with the verdicts applied to train and validation; the test rows are left as they are.

    The counts' `verdicts` is the number of rows policy resolves to a verdict (any row of the data source's).
    """
    from agnews_core.data.sources import DataError

    chosen = _by_key(verdicts, policy)
    train, validation, counts = apply_verdicts(splits.train, splits.validation, chosen)
    for name, frame in (("training", train), ("validation", validation)):
        if frame.empty:
            raise DataError(f"the recorded verdicts remove every {name} row: record fewer removals or use "
                            "--corrections ignore")
    counts = replace(counts, verdicts=len(chosen))
    return replace(splits, train=train, validation=validation), counts


def recorded_verdicts(root: Path | str, data: str, policy: Policy = CorrectionPolicy.LATEST) -> int:
    """How many rows of a data source spec ('auto' resolved as a sweep would) policy resolves to a verdict."""
    from agnews_core.data.sources import resolve_source
    from agnews_core.review.verdicts import VerdictStore

    return len(VerdictStore(root, resolve_source(data)).verdicts(policy))
