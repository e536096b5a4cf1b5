"""A finished cross-fit's file: written beside the run, read back, and ranked with the run's own rows."""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest

from agnews_core.review.crossfit_suspects import (
    crossfit_frame,
    crossfit_ranked_by,
    crossfit_review,
    load_crossfit,
    save_crossfit,
)
from agnews_core.review.label_review import LabelReview, rank_review_frames
from agnews_core.store.artifact_store import ArtifactStore


@pytest.fixture
def copied(finished_sweep, tmp_path):
    source, record = finished_sweep
    shutil.copytree(source.root, tmp_path / "artifacts")
    return ArtifactStore(tmp_path / "artifacts"), record


def test_the_training_rows_are_ranked_by_the_crossfit_and_say_so(copied) -> None:
    store, record = copied
    run_id = record.best_run_id
    assert load_crossfit(store, record.sweep_id, run_id) is None and crossfit_review(store, record, run_id) is None
    train = pd.DataFrame({"text": ["alpha", "beta", "gamma", "delta"], "label": [0, 1, 2, 3]})
    p = np.full((4, 4), 0.1)
    p[np.arange(4), [0, 1, 2, 3]] = 0.7
    p[3] = [0.7, 0.1, 0.1, 0.1]  # 'delta' is labelled 3 but its fold model says 0: the prime suspect
    ranked_by = crossfit_ranked_by(2, "tiny")
    save_crossfit(store, record.sweep_id, run_id,
                  crossfit_frame(train, p, np.array([0, 1, 0, 1]), record.labels, ranked_by, "cf-1"))
    review = crossfit_review(store, record, run_id)
    rows = review.rows[review.rows["split"] == "train"].sort_values("suspect_rank")
    assert rows["text"].iloc[0] == "delta" and rows["predicted"].iloc[0] == 0
    assert set(rows["ranked_by"]) == {"cross-fit (2 folds, tiny)"}
    assert set(review.rows.loc[review.rows["split"] == "test", "ranked_by"]) != {ranked_by}  # the run's own
    assert len(review.rows) == len(store.load_predictions(record.sweep_id, run_id)) + 4


def test_a_frame_of_the_wrong_shape_is_refused(finished_sweep) -> None:
    _, record = finished_sweep
    with pytest.raises(ValueError, match=r"\(2, 4\) probabilities"):
        crossfit_frame(pd.DataFrame({"text": ["a", "b"], "label": [0, 1]}), np.ones((2, 3)), np.zeros(2),
                       record.labels, "x", "y")


def test_averaged_with_the_fast_ranking_only_over_the_same_rows(copied) -> None:
    store, record = copied
    run_id = record.best_run_id
    columns = [f"p_{name}" for name in record.labels.names]
    train = pd.DataFrame({"text": ["alpha", "beta", "gamma", "delta"], "label": [0, 1, 2, 3]})
    fast_p = np.full((4, 4), 0.25)
    fast_rows = train.assign(split="train", predicted=0, confidence=0.25, ranked_by="fast way")
    fast_rows[columns] = fast_p
    fast = LabelReview(rank_review_frames([store.load_predictions(record.sweep_id, run_id), fast_rows]))
    crossfit = np.eye(4)[[1, 1, 2, 3]]  # sure of every gold label but alpha's
    save_crossfit(store, record.sweep_id, run_id, crossfit_frame(train, crossfit, np.zeros(4), record.labels,
                                                                 crossfit_ranked_by(2, "tiny"), "cf-1"))
    review = crossfit_review(store, record, run_id, fast)
    rows = review.rows[review.rows["split"] == "train"]
    assert np.allclose(rows[columns].to_numpy(), (fast_p + crossfit) / 2, atol=1e-6)
    assert rows["ranked_by"].iloc[0] == "cross-fit (2 folds, tiny) averaged with the fast ranking (fast way)"
    assert rows.sort_values("suspect_rank")["text"].iloc[0] == "alpha"
    save_crossfit(store, record.sweep_id, run_id, crossfit_frame(train.iloc[1:], crossfit[1:], np.zeros(3),
                                                                 record.labels, "x", "cf-2"))
    assert crossfit_review(store, record, run_id, fast) is None  # a row the fast ranking has and the cross-fit not
