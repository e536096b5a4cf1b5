"""A run's label review: its rows, the ranked suspects, training rows by cross-validation, and the cache file."""

from __future__ import annotations

import math
import shutil
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from agnews_core.review import label_review as review_module
from agnews_core.review.label_review import (
    SUSPECT_SHARE,
    filter_review,
    label_review,
    review_is_cached,
    review_rows,
    sweep_source,
    training_rows,
)
from agnews_core.review.suspects import PROBABILITY_COLUMNS
from agnews_core.store.artifact_store import ArtifactStore


@pytest.fixture
def copied(finished_sweep, tmp_path) -> tuple[ArtifactStore, object]:
    """A writable copy of the shared finished tiny sweep."""
    store, record = finished_sweep
    shutil.copytree(store.root, tmp_path / "artifacts")
    return ArtifactStore(tmp_path / "artifacts"), record


def predictions_with_one_flip(rows: int = 50) -> pd.DataFrame:
    """A confident, right model on every row but row 7, whose gold label the model flatly contradicts."""
    rng = np.random.default_rng(0)
    labels = np.arange(rows) % 4
    probabilities = rng.uniform(0.01, 0.03, size=(rows, 4))
    probabilities[np.arange(rows), labels] = rng.uniform(0.85, 0.95, size=rows)
    probabilities[7] = [0.01, 0.97, 0.01, 0.01]
    labels[7] = 0  # gold says World, the model is sure of Sports
    probabilities /= probabilities.sum(axis=1, keepdims=True)
    frame = pd.DataFrame({"split": "test", "text": [f"headline {i}" for i in range(rows)], "label": labels,
                          "predicted": probabilities.argmax(axis=1), "confidence": probabilities.max(axis=1)})
    for column, values in zip(PROBABILITY_COLUMNS, probabilities.T, strict=True):
        frame[column] = values
    return frame


def test_the_contradicted_row_is_the_first_suspect_and_four_percent_are_suspects() -> None:
    rows = review_rows(predictions_with_one_flip(50), None, seed=0)
    assert len(rows) == 50 and list(rows["text"]) == [f"headline {i}" for i in range(50)]  # order kept
    first = rows.sort_values("suspect_rank").iloc[0]
    assert first["text"] == "headline 7" and first["suspect_rank"] == 1 and first["suspected"]
    assert int(rows["suspected"].sum()) == math.ceil(SUSPECT_SHARE * 50) == 2
    assert rows.loc[7, "label_quality"] < rows.drop(index=7)["label_quality"].min()


def test_each_split_is_ranked_on_its_own() -> None:
    test = predictions_with_one_flip(50)
    validation = predictions_with_one_flip(30).assign(split="validation")
    rows = review_rows(pd.concat([test, validation], ignore_index=True), None, seed=0)
    for split, size in (("test", 50), ("validation", 30)):
        part = rows[rows["split"] == split]
        assert sorted(part["suspect_rank"]) == list(range(1, size + 1))
        assert int(part["suspected"].sum()) == math.ceil(SUSPECT_SHARE * size)


def test_a_run_review_scores_test_validation_and_the_sweeps_training_rows(copied) -> None:
    store, record = copied
    review = label_review(store, record, record.best_run_id)
    assert review.train_note == ""
    counts = review.rows["split"].value_counts().to_dict()
    config = record.config
    assert counts == {"train": config.train_size, "validation": config.eval_size, "test": config.test_size}
    train = review.rows[review.rows["split"] == "train"]
    assert set(train["text"]) == set(training_rows(record)["text"])
    assert np.allclose(train[list(PROBABILITY_COLUMNS)].sum(axis=1), 1.0, atol=1e-4)
    ranked_by = review.rows.groupby("split")["ranked_by"].unique().to_dict()
    assert list(ranked_by["train"]) == ["TF-IDF and MiniLM sentence embeddings, cross-validated and averaged"]
    assert list(ranked_by["test"]) == list(ranked_by["validation"]) == ["the run's own probabilities (rows it never trained on)"]
    for split, size in counts.items():
        assert review.suspects(split) == math.ceil(SUSPECT_SHARE * size)
        assert sum(review.suspects_per_class(split).values()) == review.suspects(split)
    assert review_is_cached(store, record.sweep_id, record.best_run_id)


def test_a_cached_review_is_read_back_without_computing(copied, monkeypatch) -> None:
    store, record = copied
    first = label_review(store, record, record.best_run_id)

    def fail(*_args, **_kwargs):
        raise AssertionError("computed again")

    monkeypatch.setattr(review_module, "compute_label_review", fail)
    again = label_review(store, record, record.best_run_id)
    pd.testing.assert_frame_equal(again.rows, first.rows)


def test_new_predictions_make_the_cache_stale(copied) -> None:
    store, record = copied
    label_review(store, record, record.best_run_id)
    predictions = store.paths.predictions_file(record.sweep_id, record.best_run_id)
    review = store.paths.label_review_file(record.sweep_id, record.best_run_id)
    stamp = review.stat().st_mtime
    import os

    os.utime(predictions, (stamp + 10, stamp + 10))
    assert not review_is_cached(store, record.sweep_id, record.best_run_id)


def test_without_its_data_the_review_still_scores_test_rows_and_says_why(copied, tmp_path) -> None:
    store, record = copied
    gone = replace(record, data_source=str(tmp_path / "no-such-folder"))
    review = label_review(store, gone, record.best_run_id)
    assert "training rows cannot be scored" in review.train_note and "no-such-folder" in review.train_note
    assert set(review.rows["split"]) == {"test", "validation"}
    assert not review_is_cached(store, record.sweep_id, record.best_run_id)  # an incomplete review is not kept


def test_filters_keep_suspects_most_suspicious_first_and_tagged_rows() -> None:
    rows = review_rows(predictions_with_one_flip(50), None, seed=0)
    suspects = filter_review(rows, suspects_only=True)
    assert list(suspects["suspect_rank"]) == [1, 2]
    wrong = filter_review(rows, tag="confidently_wrong")
    assert list(wrong["text"]) == ["headline 7"]
    with pytest.raises(ValueError, match="unknown smart tag"):
        filter_review(rows, tag="nonsense")


def test_the_source_of_an_old_auto_sweep_comes_from_its_description(finished_sweep) -> None:
    _, record = finished_sweep
    assert sweep_source(record) == "sample"
    old = replace(record, data_source="", config=replace(record.config, data="auto"))
    assert sweep_source(replace(old, data_description="bundled AG News sample (10,000 train / 7,600 test rows)")) == "sample"
    assert sweep_source(replace(old, data_description="Hugging Face Hub fancyzhx/ag_news (...)")) == "hub"
