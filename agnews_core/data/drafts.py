"""A data set before it is registered: rows read and mapped, test rows chosen, health checked.

A Draft is what the Data page and `data add` show before anything is stored: its report lists every problem,
and `refusal` says why it cannot become a data set at all (then nothing is written).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from agnews_core.data.columns import ColumnError, ColumnMapping, label_names, mapped_frame, normalise_integers
from agnews_core.data.health import (
    DROPPABLE,
    TEST,
    TRAIN,
    HealthReport,
    check_health,
    drop_problems,
    is_in,
    normalised,
)
from agnews_core.data.readers import ReadTable

DEFAULT_TEST_SHARE = 0.2
DEFAULT_SEED = 42


class DataSetError(ValueError):
    """A file or choice that cannot make a data set; the message says why and what to do."""


@dataclass(frozen=True)
class DraftOptions:
    """What the user chose besides the files: name, columns, where test rows come from."""

    name: str
    mapping: ColumnMapping
    test_share: float = DEFAULT_TEST_SHARE  # used only without a test file or split
    seed: int = DEFAULT_SEED
    given_label_names: tuple[str, ...] | None = None  # a Hub ClassLabel's names, in id order

    def __post_init__(self) -> None:
        if not 0.05 <= self.test_share <= 0.5:
            raise DataSetError(f"the test share must be between 0.05 and 0.5, got {self.test_share:g}")


@dataclass(frozen=True)
class Draft:
    """Mapped rows (text, label name, split, row) with their report; not yet stored."""

    options: DraftOptions
    frame: pd.DataFrame
    label_names: tuple[str, ...]
    source_files: tuple[str, ...]
    sha256: str
    test_rows_from: str
    report: HealthReport

    def refusal(self, drop: bool) -> str:
        """Why this cannot be registered (with drop chosen or not); empty when it can."""
        frame = drop_problems(self.frame) if drop else self.frame
        if not drop and self.report.droppable_rows:
            return ""  # the user is asked first; the refusal then depends on the answer
        usable = frame[frame["text"].notna() & frame["label"].notna()]
        for split in (TRAIN, TEST):
            if not (usable["split"] == split).any():
                return f"nothing is left in the {split} rows"
        classes = usable.loc[usable["split"] == TRAIN, "label"].nunique()
        if classes < 2:
            return f"the training rows have {classes} class: a classifier needs at least 2"
        return ""

    def ready(self, drop: bool) -> Draft:
        """The rows to store: problems dropped when asked; DataSetError if it cannot be registered."""
        if self.report.droppable_rows and not drop:
            raise DataSetError(f"{self.report.droppable_rows:,} rows have problems that must be dropped first "
                               f"({_droppable_text(self.report)}): agree to drop them (--drop-problems on the CLI)")
        if problem := self.refusal(drop):
            raise DataSetError(f"cannot register {self.options.name}: {problem}")
        if not self.report.droppable_rows:
            return self  # nothing to drop: the rows and their report stay as they are (a second check took 30 s)
        frame = drop_problems(self.frame) if drop else self.frame
        return replace(self, frame=frame, report=check_health(frame))


def draft_from_tables(train: ReadTable, test: ReadTable | None, options: DraftOptions) -> Draft:
    """Map columns, pick test rows (the test file, else a seeded stratified share), check health."""
    try:
        train_rows = mapped_frame(train.frame, options.mapping, train.file_name)
        test_rows = mapped_frame(test.frame, options.mapping, test.file_name) if test is not None else None
    except ColumnError as exc:
        raise DataSetError(str(exc)) from None
    tables = [t for t in (train, test) if t is not None]
    sha256 = tables[0].sha256 if len(tables) == 1 else hashlib.sha256("".join(t.sha256 for t in tables).encode()).hexdigest()
    return _draft(train_rows, test_rows, options, tuple(t.file_name for t in tables), sha256)


def draft_from_frames(train: pd.DataFrame, test: pd.DataFrame | None, options: DraftOptions,
                      source: str, fingerprint: str) -> Draft:
    """A draft from frames already holding the mapped columns (a Hub data set); fingerprint names its version."""
    try:
        train_rows = mapped_frame(train, options.mapping, f"{source} train")
        test_rows = mapped_frame(test, options.mapping, f"{source} test") if test is not None else None
    except ColumnError as exc:
        raise DataSetError(str(exc)) from None
    return _draft(train_rows, test_rows, options, (source,), hashlib.sha256(fingerprint.encode()).hexdigest())


def _draft(train: pd.DataFrame, test: pd.DataFrame | None, options: DraftOptions, files: tuple[str, ...],
           sha256: str) -> Draft:
    train = train.assign(row=np.arange(1, len(train) + 1), split=TRAIN)
    if test is not None:
        test = test.assign(row=np.arange(1, len(test) + 1), split=TEST)
        frame = pd.concat([train, test], ignore_index=True)
        test_from = files[-1]
    else:
        frame = train.assign(split=share_split(train, options.test_share, options.seed))
        test_from = (f"{options.test_share:.0%} of {files[0]}, stratified by label, seed {options.seed} "
                     "(copies of a text stay together)")
    frame = frame.assign(label=_named_labels(frame["label"], options))
    try:
        names = label_names(frame["label"], given=options.given_label_names)
    except ColumnError as exc:
        raise DataSetError(str(exc)) from None
    frame = frame[["text", "label", "split", "row"]]
    return Draft(options, frame, names, files, sha256, test_from, check_health(frame))


def _named_labels(label: pd.Series, options: DraftOptions) -> pd.Series:
    """Label values as names: a ClassLabel's integer ids become its names; integers normalised ('03' -> '3')."""
    if options.given_label_names:
        names = options.given_label_names
        return label.map(lambda v: None if v is None else names[int(v)] if str(v).isdigit() and int(v) < len(names)
                         else str(v))
    return normalise_integers(label)


def share_split(frame: pd.DataFrame, share: float, seed: int) -> np.ndarray:
    """'train' or 'test' per row: a seeded share of each label's distinct texts; copies of a text stay together."""
    key = normalised(frame["text"].fillna(""))
    groups = pd.DataFrame({"key": key, "label": frame["label"].fillna("\0missing")}).drop_duplicates("key")
    rng = np.random.default_rng(seed)
    test_keys: list[str] = []
    for _, members in groups.groupby("label", sort=True):
        if len(members) < 2:
            continue  # a single text stays in train, where the health report flags its class as too small
        take = max(1, round(len(members) * share))
        test_keys.extend(members["key"].to_numpy()[rng.permutation(len(members))[:take]])
    return np.where(is_in(key, test_keys), TEST, TRAIN)


def _droppable_text(report: HealthReport) -> str:
    return ", ".join(f"{report.problem(k).count:,} {report.problem(k).title.lower()}" for k in DROPPABLE
                     if report.problem(k).count)
