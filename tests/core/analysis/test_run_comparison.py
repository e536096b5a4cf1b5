"""Comparing two runs: the 2x2 table, McNemar's exact test, row positions, and runs that cannot be compared."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from agnews_core.analysis.run_comparison import align_test_rows, compare_runs, format_p, mcnemar_exact
from agnews_core.data.sources import load_source, make_splits
from agnews_core.modeling.baselines import tfidf_predictions
from agnews_core.modeling.batch_predict import PredictionTable, predictions_frame
from agnews_core.modeling.prediction_frames import PROBABILITY_COLUMNS


def frame(labels: list[int], predicted: list[int], texts: list[str] | None = None, split: str = "test") -> pd.DataFrame:
    """A prediction frame whose arg-max is `predicted` (probability 0.7 on it)."""
    probabilities = np.full((len(labels), 4), 0.1, dtype=np.float32)
    probabilities[np.arange(len(labels)), predicted] = 0.7
    texts = texts if texts is not None else [f"row {i}" for i in range(len(labels))]
    return predictions_frame(texts, labels, PredictionTable(probabilities, 1.0), split)


def test_mcnemar_matches_hand_computed_binomial_values() -> None:
    # Two-sided exact binomial test with p = 1/2: P(X <= 2) * 2 for X ~ Bin(12, 1/2) = 2 * 79 / 4096.
    assert mcnemar_exact(10, 2) == pytest.approx(2 * (1 + 12 + 66) / 4096)
    assert mcnemar_exact(10, 2) == pytest.approx(0.0386, abs=1e-4)
    assert mcnemar_exact(2, 10) == pytest.approx(mcnemar_exact(10, 2))  # symmetric
    assert mcnemar_exact(5, 5) == pytest.approx(1.0)
    assert mcnemar_exact(0, 0) == 1.0  # no discordant pairs: nothing to test
    assert mcnemar_exact(0, 6) == pytest.approx(2 / 64)
    with pytest.raises(ValueError, match=">= 0"):
        mcnemar_exact(-1, 3)


def test_table_positions_and_sentence_on_a_hand_made_pair() -> None:
    gold = [0, 1, 2, 3, 0, 1, 2, 3]
    a = frame(gold, [0, 1, 2, 0, 1, 2, 2, 0])  # right on 0, 1, 2, 6
    b = frame(gold, [0, 1, 3, 3, 0, 2, 2, 1])  # right on 0, 1, 3, 4, 6
    result = compare_runs(a, b)
    t = result.table
    assert (t.both_right, t.only_a, t.only_b, t.both_wrong) == (3, 1, 2, 2)
    assert t.rows == 8 and t.discordant == 3
    assert result.fixed == (3, 4)
    assert result.broken == (2,)
    assert result.both_missed == (5, 7)
    assert result.p_value == pytest.approx(1.0)
    assert not result.significant
    assert result.sentence == "B fixes 2 rows and breaks 1: a difference this small could well be chance, p = 1"


def test_sentence_for_a_clear_difference_and_for_identical_runs() -> None:
    gold = [0] * 60
    a = frame(gold, [1] * 40 + [0] * 20)
    b = frame(gold, [0] * 38 + [1] * 2 + [0] * 15 + [1] * 5)  # fixes 38, breaks 5
    result = compare_runs(a, b, name_a="lr 5e-5", name_b="lr 1e-4")
    assert (result.table.only_b, result.table.only_a) == (38, 5)
    assert result.p_value == pytest.approx(mcnemar_exact(5, 38))
    assert result.significant
    assert result.sentence == "lr 1e-4 fixes 38 rows and breaks 5: the difference is unlikely to be chance, p < 0.001"
    same = compare_runs(a, a)
    assert same.p_value == 1.0 and same.fixed == () and same.broken == ()
    assert "no difference to test" in same.sentence
    assert format_p(0.0386) == "p = 0.039" and format_p(0.002) == "p = 0.002"


def test_only_test_rows_are_compared() -> None:
    a = pd.concat([frame([0, 0], [1, 1], ["v1", "v2"], "validation"), frame([1, 2], [1, 2])], ignore_index=True)
    b = frame([1, 2], [0, 2])
    result = compare_runs(a, b)
    assert result.table.rows == 2
    assert result.broken == (0,)  # position 0 of A's test rows, not of the whole frame


def test_rows_stored_in_another_order_are_aligned_by_text_with_repeats() -> None:
    texts = ["a", "b", "dup", "dup", "c"]
    a = frame([0, 1, 2, 2, 3], [0, 1, 2, 0, 0], texts)
    order = [4, 2, 0, 3, 1]
    b = frame([[0, 1, 2, 2, 3][i] for i in order], [[0, 1, 2, 2, 3][i] for i in order], [texts[i] for i in order])
    result = compare_runs(a, b)
    assert result.fixed == (3, 4)  # B is right everywhere; A missed its rows 3 and 4
    assert result.broken == ()
    assert [b["text"][j] for j in result.in_b(result.fixed)] == ["dup", "c"]
    assert sorted(align_test_rows(a, b).tolist()) == [0, 1, 2, 3, 4]


def test_different_test_rows_give_a_clear_message_not_a_table() -> None:
    a = frame([0] * 10, [0] * 10)
    with pytest.raises(ValueError, match=r"different test rows \(10 vs 5 rows; 5 texts differ\)"):
        compare_runs(a, frame([0] * 5, [0] * 5))
    other = frame([0] * 10, [0] * 10, [f"row {i}" for i in range(7)] + ["x", "y", "z"])
    with pytest.raises(ValueError, match=r"\(10 vs 10 rows; 6 texts differ\)"):
        compare_runs(a, other)
    with pytest.raises(ValueError, match="2 gold labels differ"):
        compare_runs(a, frame([1, 1] + [0] * 8, [0] * 10))


def test_frames_that_are_not_predictions_are_named() -> None:
    a = frame([0, 1], [0, 1])
    with pytest.raises(ValueError, match="B's predictions lack the column"):
        compare_runs(a, a.drop(columns=["predicted"]))
    with pytest.raises(ValueError, match="A has no test predictions"):
        compare_runs(frame([0], [0], split="validation"), a)


def test_the_tfidf_baseline_is_a_run_that_compares_with_a_fine_tuned_one(finished_sweep) -> None:
    store, record = finished_sweep
    splits = make_splits(load_source(record.config.data), record.config)
    baseline = tfidf_predictions(splits.train, splits.test, record.config.seed)
    assert list(baseline.columns) == ["split", "text", "label", "predicted", "confidence", *PROBABILITY_COLUMNS]
    assert len(baseline) == len(splits.test) and set(baseline["split"]) == {"test"}
    probabilities = baseline[list(PROBABILITY_COLUMNS)].to_numpy()
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)
    assert (baseline["predicted"] == probabilities.argmax(axis=1)).all()
    assert (baseline["predicted"] == baseline["label"]).mean() > 0.5  # well above chance (0.25)
    run = store.load_predictions(record.sweep_id, record.best_run_id)
    result = compare_runs(baseline, run, name_a="TF-IDF", name_b="fine-tuned")
    assert result.table.rows == len(splits.test)
    right_run = (run[run["split"] == "test"]["predicted"] == run[run["split"] == "test"]["label"]).to_numpy()
    assert result.table.both_right + result.table.only_b == int(right_run.sum())
