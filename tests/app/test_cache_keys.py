"""Cached tables follow their files: a run's predictions rewritten on disk show on the page's next run."""

from __future__ import annotations

import pandas as pd
import pytest

from agnews_core.analysis.calibration import calibrate_run
from agnews_core.analysis.comparable_runs import TFIDF_RUN, compare_stored
from agnews_core.modeling.prediction_frames import PROBABILITY_COLUMNS
from agnews_core.store.artifact_store import ArtifactStore
from agnews_ui.format import pct

from .conftest import metrics, values

COMPARE, ACCURACY, ERRORS = "pages/compare.py", "pages/accuracy.py", "pages/errors.py"
CONFUSION = ("Both right", "Only A right (B broke)", "Only B right (B fixed)", "Both wrong")


def right_and_sure(frame: pd.DataFrame) -> pd.DataFrame:
    """The same rows, every one predicted right at 97 %."""
    rewritten = frame.copy()
    rewritten["predicted"] = rewritten["label"]
    for i, column in enumerate(PROBABILITY_COLUMNS):
        rewritten[column] = [0.97 if label == i else 0.01 for label in rewritten["label"]]
    if "confidence" in rewritten.columns:
        rewritten["confidence"] = 0.97
    return rewritten


@pytest.fixture
def rewrite_best(artifacts, finished):
    """Rewrites the best run's predictions.parquet (as a new run would) and returns the new frame."""
    store = ArtifactStore(artifacts)

    def rewrite() -> pd.DataFrame:
        frame = right_and_sure(store.load_predictions(finished.sweep_id, finished.best_run_id))
        store.save_predictions(finished.sweep_id, finished.best_run_id, frame)
        return frame

    return rewrite


def test_compare_shows_the_rewritten_predictions(open_page, artifacts, finished, rewrite_best) -> None:
    at = open_page(COMPARE)
    before = [metrics(at)[name] for name in CONFUSION]
    rewrite_best()
    at.run()
    expected = compare_stored(ArtifactStore(artifacts), (finished.sweep_id, TFIDF_RUN),
                              (finished.sweep_id, finished.best_run_id)).table
    after = [metrics(at)[name] for name in CONFUSION]
    assert after == [f"{n:,}" for n in (expected.both_right, expected.only_a, expected.only_b, expected.both_wrong)]
    assert expected.only_a == expected.both_wrong == 0 and after != before  # B is now right on every row


def test_calibration_follows_the_rewritten_predictions(open_page, finished, rewrite_best) -> None:
    at = open_page(ACCURACY)
    before = metrics(at)["Expected calibration error"]
    frame = rewrite_best()
    at.run()
    shown = metrics(at)["Expected calibration error"]
    assert shown == pct(calibrate_run(frame).ece_before) != before


def test_errors_and_label_review_follow_the_rewritten_predictions(open_page, finished, rewrite_best) -> None:
    at = open_page(ERRORS)
    assert not values(at.info)  # the best run has misclassified test rows
    at.run()  # the label review is now read back from its file (the cached path)
    rewrite_best()
    for _ in range(2):  # recomputed once, then read back from the rewritten review file
        at.run()
        assert any(m.startswith("**0 misclassified rows** of") for m in values(at.markdown))
