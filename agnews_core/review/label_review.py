"""Suspected label errors of one finished run, over its test, validation and training rows, cached next to the run.

Test and validation rows are scored with the run's own probabilities (it never trained on them); training rows
with TF-IDF cross-validated probabilities (the run trained on them, so its own would be in-sample). The result is a
predictions-like frame, so the Errors page filters it as it filters a run's predictions.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from filelock import FileLock

from agnews_core.labels import AG_NEWS, LabelSet
from agnews_core.modeling.prediction_frames import frame_labels, probability_columns
from agnews_core.review.suspects import (
    RANKED_BY,
    RUN_OWN,
    TRAIN_SPLIT,
    TrainRanking,
    probability_matrix,
    rank_label_issues,
    smart_tags,
    train_probabilities,
)
from agnews_core.store.artifact_store import ArtifactStore, atomic_write_parquet, is_fresh, read_fresh_parquet
from agnews_core.store.records import SweepRecord

logger = logging.getLogger(__name__)

# The ranked operating point: the 4 % of a split's rows with the lowest label quality are its suspects. On 57k
# AG News training rows with 5 % flipped labels this caught flips at precision 0.80 / recall 0.64, where
# cleanlab's own flags (kept in 'cleanlab_flag') reached 0.55 / 0.89: twice the rows to read for 25 % more flips
# (bench/label_noise.py, bench/README.md section 6).
SUSPECT_SHARE = 0.04
REVIEW_COLUMNS = ("label_quality", "suspect_rank", "cleanlab_flag", "suspected", "text_key", "ranked_by")
LOCK_TIMEOUT_S = 900.0  # one review of 57k training rows takes about 45 CPU-s; a busy machine may triple that
SPLIT_ORDER = ("test", "validation", TRAIN_SPLIT)


@dataclass(frozen=True)
class LabelReview:
    """A run's scored rows (predictions columns plus REVIEW_COLUMNS), and why training rows are missing, if they are."""

    rows: pd.DataFrame
    train_note: str = ""  # empty when the training rows are in rows

    def suspects_per_class(self, split: str) -> dict[int, int]:
        """Gold label id -> suspects among one split's rows (every label present)."""
        rows = self.rows[(self.rows["split"] == split) & self.rows["suspected"]]
        counts = rows["label"].value_counts()
        return {i: int(counts.get(i, 0)) for i in range(frame_labels(self.rows).size)}

    def suspects(self, split: str) -> int:
        """Suspects among one split's rows."""
        return int(((self.rows["split"] == split) & self.rows["suspected"]).sum())


def sweep_source(sweep: SweepRecord) -> str:
    """The data source a sweep read ('sample', 'hub' or a folder): recorded since corrections; else from its config
    and, for 'auto', its data description."""
    if sweep.data_source:
        return sweep.data_source
    if sweep.config.data != "auto":
        return sweep.config.data
    return "sample" if sweep.data_description.startswith("bundled") else "hub"


def training_rows(sweep: SweepRecord, artifacts_root: Path | None = None) -> pd.DataFrame:
    """The rows the sweep trained on, as the data has them (before any corrections): text and label."""
    from agnews_core.data.sources import load_source, make_splits

    return make_splits(load_source(sweep.dataset_id or sweep_source(sweep), artifacts_root), sweep.config).train


def train_predictions(train: pd.DataFrame, seed: int, labels: LabelSet = AG_NEWS,
                      method: TrainRanking = TrainRanking.COMBINED) -> pd.DataFrame:
    """Training rows as a predictions frame, with out-of-sample probabilities (TF-IDF and sentence embeddings,
    cross-validated, by default) and the method in `ranked_by`."""
    probabilities, used = train_probabilities(train["text"], train["label"].to_numpy(), seed, labels.size, method)
    frame = pd.DataFrame({
        "split": TRAIN_SPLIT,
        "text": train["text"].astype(str).to_numpy(),
        "label": train["label"].to_numpy(dtype="int64"),
        "predicted": probabilities.argmax(axis=1).astype("int64"),
        "confidence": probabilities.max(axis=1).astype("float32"),
    })
    for column, values in zip(probability_columns(labels), probabilities.T, strict=True):
        frame[column] = values.astype("float32")
    frame["ranked_by"] = RANKED_BY[used]
    return frame


def review_rows(predictions: pd.DataFrame, train: pd.DataFrame | None, seed: int) -> pd.DataFrame:
    """Every row of predictions (and train, when given) with its label quality, rank and suspect flag."""
    frames = [predictions]
    if train is not None and len(train):
        frames.append(train_predictions(train, seed, frame_labels(predictions)))
    return rank_review_frames(frames)


def rank_review_frames(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Predictions-like frames (the run's own, training rows' out-of-sample ones) joined, scored and ranked per split."""
    labels = frame_labels(frames[0])
    rows = pd.concat(frames, ignore_index=True)
    rows["ranked_by"] = rows["ranked_by"].fillna(RUN_OWN) if "ranked_by" in rows.columns else RUN_OWN
    issues = rank_label_issues(rows[["split", "text", "label"]], probability_matrix(rows), labels).rows
    rows["position"] = rows.groupby("split", sort=False).cumcount()
    scored = issues[["split", "position", "text_key", "quality", "suspected"]].rename(
        columns={"quality": "label_quality", "suspected": "cleanlab_flag"})
    rows = rows.merge(scored, on=["split", "position"], how="left", validate="one_to_one").drop(columns="position")
    rows["suspect_rank"] = rows.groupby("split")["label_quality"].rank(method="first").astype("int64")
    sizes = rows.groupby("split")["split"].transform("size")
    rows["suspected"] = rows["suspect_rank"] <= np.ceil(SUSPECT_SHARE * sizes).astype("int64")
    return rows


def compute_label_review(store: ArtifactStore, sweep: SweepRecord, run_id: str) -> LabelReview:
    """Score a run's rows now; training rows too when the sweep's data still loads and has enough rows."""
    predictions = store.load_predictions(sweep.sweep_id, run_id)
    train, note = None, ""
    try:
        train = training_rows(sweep, store.root)
        rows = review_rows(predictions, train, sweep.config.seed)
    except ValueError as exc:  # DataError is one: the folder is gone, the Hub is offline, too few rows per label
        logger.warning("label review of %s/%s without training rows: %s", sweep.sweep_id, run_id, exc)
        note = f"the training rows cannot be scored: {exc}"
        rows = review_rows(predictions, None, sweep.config.seed)
    return LabelReview(rows, note)


def review_is_cached(store: ArtifactStore, sweep_id: str, run_id: str) -> bool:
    """Whether a complete review newer than the run's predictions is on disk."""
    return is_fresh(store.paths.label_review_file(sweep_id, run_id), [store.paths.predictions_file(sweep_id, run_id)])


def label_review(store: ArtifactStore, sweep: SweepRecord, run_id: str) -> LabelReview:
    """The run's review from its cache file, computed and cached first when missing or stale.

    Only complete reviews (training rows included) are cached; without them the cheap part is recomputed. A file
    lock lets one session or process compute while the others wait for its file.
    """
    path = store.paths.label_review_file(sweep.sweep_id, run_id)
    lock = FileLock(str(path) + ".lock", timeout=LOCK_TIMEOUT_S)
    try:
        lock.acquire()
    except OSError:  # a read-only artifacts folder (or a stuck holder): use the cache or compute, keep nothing
        return _cached(store, sweep.sweep_id, run_id) or compute_label_review(store, sweep, run_id)
    try:
        cached = _cached(store, sweep.sweep_id, run_id)
        if cached is not None:
            return cached
        review = compute_label_review(store, sweep, run_id)
        if not review.train_note:
            atomic_write_parquet(path, review.rows)
        return review
    finally:
        lock.release()


def _cached(store: ArtifactStore, sweep_id: str, run_id: str) -> LabelReview | None:
    """The cached review when it is fresh and readable; None otherwise (a damaged cache is recomputed)."""
    rows = read_fresh_parquet(store.paths.label_review_file(sweep_id, run_id),
                              [store.paths.predictions_file(sweep_id, run_id)])
    if rows is None:
        return None
    return LabelReview(rows) if set(REVIEW_COLUMNS) <= set(rows.columns) else None


def filter_review(rows: pd.DataFrame, suspects_only: bool = False, tag: str = "") -> pd.DataFrame:
    """Rows that are suspects (most suspicious first) and/or carry one smart tag; order kept otherwise."""
    if tag:
        tags = smart_tags(rows)
        if tag not in tags.columns:
            raise ValueError(f"unknown smart tag {tag!r} (known: {', '.join(tags.columns)})")
        rows = rows[tags[tag]]
    if suspects_only:
        rows = rows[rows["suspected"]].sort_values("suspect_rank", kind="stable")
    return rows
