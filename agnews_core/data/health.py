"""A data set's health: class balance, text lengths and its problems, each with a count and examples.

Works on a frame with `text` and `label` (strings, None where missing), `split` ('train' or 'test') and `row`
(the row's 1-based number in its file), so the same report serves a file before registration and a
registered data set. Vectorised pandas throughout: a million rows take seconds (bench/dataset_scale.py).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
import pandas as pd

SMALL_CLASS_ROWS = 10
EXAMPLES = 5
TRAIN, TEST = "train", "test"


class ProblemKind(StrEnum):
    """The kinds of problem a data set can have; the first three can be dropped at registration."""

    BLANK_TEXT = "blank_text"
    MISSING_LABEL = "missing_label"
    DUPLICATE = "duplicate"
    CONFLICTING_LABELS = "conflicting_labels"
    TEST_IN_TRAIN = "test_in_train"
    SMALL_CLASS = "small_class"


DROPPABLE = (ProblemKind.BLANK_TEXT, ProblemKind.MISSING_LABEL, ProblemKind.DUPLICATE)
TITLES = {
    ProblemKind.BLANK_TEXT: ("Empty or blank texts", "Nothing to classify; dropped at registration with consent."),
    ProblemKind.MISSING_LABEL: ("Missing labels", "Rows without a label cannot train or test; dropped with consent."),
    ProblemKind.DUPLICATE: ("Exact duplicates", "The same text and label again in the same split; extra copies "
                                                 "are dropped with consent."),
    ProblemKind.CONFLICTING_LABELS: ("Same text, different labels", "Each is a label error or an ambiguous text: "
                                                                    "review them; they are kept."),
    ProblemKind.TEST_IN_TRAIN: ("Test texts also in train", "After lower-casing and collapsing spaces: these test "
                                                            "rows measure memory, not generalisation."),
    ProblemKind.SMALL_CLASS: ("Classes too small", f"Fewer than {SMALL_CLASS_ROWS} training rows: too few to split "
                                                   "into train and validation or to learn."),
}


@dataclass(frozen=True)
class Problem:
    """One kind of problem: how many rows (or classes) have it and a few examples to look at."""

    kind: ProblemKind
    count: int
    examples: tuple[dict[str, object], ...] = ()

    @property
    def title(self) -> str:
        return TITLES[self.kind][0]

    @property
    def explanation(self) -> str:
        return TITLES[self.kind][1]

    @property
    def droppable(self) -> bool:
        return self.kind in DROPPABLE


@dataclass(frozen=True)
class LengthSummary:
    """Text lengths in tokens (or words when no tokenizer was given), over all rows or a seeded sample."""

    unit: str
    measured_rows: int
    mean: float
    p50: float
    p95: float
    maximum: int
    lengths: tuple[int, ...] = field(repr=False, default=())  # the measured lengths, for a histogram


@dataclass(frozen=True)
class HealthReport:
    """Rows and class balance per split, and every problem found (count 0 when absent)."""

    rows: dict[str, int]
    class_rows: dict[str, dict[str, int]]
    problems: tuple[Problem, ...]

    def problem(self, kind: ProblemKind) -> Problem:
        return next(p for p in self.problems if p.kind == kind)

    @property
    def found(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.count)

    @property
    def droppable_rows(self) -> int:
        return sum(self.problem(k).count for k in DROPPABLE)

    def to_dict(self) -> dict[str, object]:
        return {"rows": self.rows, "class_rows": self.class_rows,
                "problems": [{"kind": str(p.kind), "title": p.title, "count": p.count, "examples": list(p.examples)}
                             for p in self.problems]}


def check_health(frame: pd.DataFrame) -> HealthReport:
    """Every problem of a frame with text, label, split and row columns."""
    text, label = frame["text"], frame["label"]
    blank = text.isna() | (text.fillna("").astype(str).str.strip() == "")
    missing = label.isna()
    valid = frame[~blank & ~missing]
    duplicate = valid.duplicated(subset=["split", "text", "label"], keep="first")
    unique = valid[~duplicate]
    problems = (
        Problem(ProblemKind.BLANK_TEXT, int(blank.sum()), _examples(frame[blank])),
        Problem(ProblemKind.MISSING_LABEL, int((missing & ~blank).sum()), _examples(frame[missing & ~blank])),
        Problem(ProblemKind.DUPLICATE, int(duplicate.sum()), _examples(valid[duplicate])),
        _conflicts(unique),
        _test_in_train(unique),
        _small_classes(unique),
    )
    return HealthReport(rows=_rows(unique), class_rows=_class_rows(unique), problems=problems)


def drop_problems(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame without blank texts, missing labels and extra copies of exact duplicates (first copy kept)."""
    keep = frame["text"].notna() & (frame["text"].fillna("").astype(str).str.strip() != "") & frame["label"].notna()
    kept = frame[keep]
    return kept[~kept.duplicated(subset=["split", "text", "label"], keep="first")].reset_index(drop=True)


def normalised(text: pd.Series) -> pd.Series:
    """Lower case with runs of whitespace as one space: how texts are compared across splits."""
    lowered = text.astype(str).str.lower()
    # str.split() splits on exactly the characters re's \s matches; pandas runs an r"\s+" replace through re one
    # text at a time (RE2's \s misses some), 3x slower: 36 s for three million texts.
    return pd.Series([" ".join(t.split()) if isinstance(t, str) else t for t in lowered.to_numpy(dtype=object)],
                     index=lowered.index, dtype=lowered.dtype)


def is_in(values: pd.Series, among: Iterable[object]) -> np.ndarray:
    """values.isin(among) as booleans, compared as Python objects: pandas' isin on Arrow-backed strings converts
    `among` one scalar at a time (12 s for 800,000 texts; this takes about 1 s)."""
    candidates = among.to_numpy(dtype=object) if isinstance(among, pd.Series) else np.fromiter(among, dtype=object)
    return pd.Series(values.to_numpy(dtype=object), dtype=object).isin(candidates).to_numpy(dtype=bool)


def text_lengths(texts: Sequence[str], count_tokens: Callable[[list[str]], list[int]] | None = None,
                 sample: int = 20_000, seed: int = 0) -> LengthSummary:
    """Length distribution of texts: tokens when count_tokens is given, else words; a seeded sample past `sample`."""
    chosen = list(texts)
    if len(chosen) > sample:
        picks = np.random.default_rng(seed).choice(len(chosen), size=sample, replace=False)
        chosen = [chosen[i] for i in sorted(picks)]
    if not chosen:
        return LengthSummary("words" if count_tokens is None else "tokens", 0, 0.0, 0.0, 0.0, 0)
    lengths = np.asarray(count_tokens(chosen) if count_tokens else [len(str(t).split()) for t in chosen])
    return LengthSummary(unit="words" if count_tokens is None else "tokens", measured_rows=len(chosen),
                         mean=float(lengths.mean()), p50=float(np.percentile(lengths, 50)),
                         p95=float(np.percentile(lengths, 95)), maximum=int(lengths.max()),
                         lengths=tuple(int(x) for x in lengths))


def _rows(frame: pd.DataFrame) -> dict[str, int]:
    counts = frame["split"].value_counts()
    return {split: int(counts.get(split, 0)) for split in (TRAIN, TEST)}


def _class_rows(frame: pd.DataFrame) -> dict[str, dict[str, int]]:
    counts = frame.groupby(["split", "label"]).size()
    return {split: {str(k): int(v) for k, v in counts[split].sort_index().items()} if split in counts.index.get_level_values(0)
            else {} for split in (TRAIN, TEST)}


def _examples(rows: pd.DataFrame, limit: int = EXAMPLES) -> tuple[dict[str, object], ...]:
    head = rows.head(limit)
    return tuple({"split": s, "row": int(r), "text": _short(t), "label": None if pd.isna(lab) else str(lab)}
                 for s, r, t, lab in zip(head["split"], head["row"], head["text"], head["label"], strict=True))


def _short(text: object, limit: int = 300) -> str:
    value = "" if text is None or (isinstance(text, float) and np.isnan(text)) else str(text)
    return value if len(value) <= limit else value[:limit] + " …"


def _conflicts(unique: pd.DataFrame) -> Problem:
    labels_per_text = unique.groupby("text", sort=False)["label"].nunique()
    conflicted = labels_per_text[labels_per_text > 1]
    examples = []
    for text in conflicted.index[:EXAMPLES]:
        rows = unique[unique["text"] == text]
        counts = rows["label"].value_counts()
        examples.append({"text": _short(text), "labels": ", ".join(f"{k} ({v})" for k, v in counts.items()),
                         "rows": ", ".join(f"{s} {r}" for s, r in zip(rows["split"], rows["row"], strict=True))})
    return Problem(ProblemKind.CONFLICTING_LABELS, int(len(conflicted)), tuple(examples))


def _test_in_train(unique: pd.DataFrame) -> Problem:
    test = unique[unique["split"] == TEST]
    train = unique[unique["split"] == TRAIN]
    if test.empty or train.empty:
        return Problem(ProblemKind.TEST_IN_TRAIN, 0)
    in_train = is_in(normalised(test["text"]), normalised(train["text"]))
    return Problem(ProblemKind.TEST_IN_TRAIN, int(in_train.sum()), _examples(test[in_train]))


def _small_classes(unique: pd.DataFrame) -> Problem:
    counts = unique.loc[unique["split"] == TRAIN, "label"].value_counts()
    counts = counts.reindex(unique["label"].unique(), fill_value=0)  # a class only in test has no training row
    small = counts[counts < SMALL_CLASS_ROWS].sort_values()
    return Problem(ProblemKind.SMALL_CLASS, int(len(small)),
                   tuple({"label": str(k), "train rows": int(v)} for k, v in small.head(EXAMPLES).items()))
