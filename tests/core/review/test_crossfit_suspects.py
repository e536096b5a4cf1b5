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
