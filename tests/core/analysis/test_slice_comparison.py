"""Two runs slice by slice: accuracy on each slice's rows, McNemar per slice, Holm across slices."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from agnews_core.analysis.error_slices import error_slices
from agnews_core.analysis.run_comparison import mcnemar_exact
from agnews_core.analysis.slice_comparison import compare_slices, difference_table, holm

from .test_error_slices import constructed_map


def test_holm_on_known_p_values() -> None:
    # sorted 0.005, 0.01, 0.03, 0.04 times 4, 3, 2, 1 -> 0.02, 0.03, 0.06, 0.04 -> running max 0.02, 0.03, 0.06, 0.06
    np.testing.assert_allclose(holm([0.01, 0.04, 0.03, 0.005]), [0.03, 0.06, 0.06, 0.02])
    np.testing.assert_allclose(holm([0.5, 0.9]), [1.0, 1.0])  # capped at 1
    np.testing.assert_allclose(holm([0.02]), [0.02])  # one test: nothing to correct
    assert len(holm([])) == 0
    with pytest.raises(ValueError, match="between 0 and 1"):
        holm([0.2, 1.5])


def b_predictions(rows: pd.DataFrame, fixed: pd.Series) -> pd.DataFrame:
    """Run B's prediction frame over the same rows (shuffled): right where A was right or `fixed` says so."""
    predicted = np.where(rows["correct"] | fixed, rows["label"], rows["predicted"])
    frame = rows[["split", "text", "label"]].assign(predicted=predicted)
    return frame.sample(frac=1.0, random_state=0).reset_index(drop=True)


def test_each_slice_is_scored_by_both_runs_and_corrected() -> None:
    rows = constructed_map()
    oil, match = error_slices(rows)
    fixed = rows["text"].str.startswith("crude")  # B gets every oil row right, none of the match rows
    differences = compare_slices(rows, [oil, match], b_predictions(rows, fixed))
    first, second = differences
    assert (first.slice_number, first.rows, first.accuracy_a, first.accuracy_b) == (1, oil.near_rows, 0.0, 1.0)
    assert (first.only_b, first.only_a, first.p_value) == (30, 0, mcnemar_exact(0, 30))
    assert (second.accuracy_a, second.accuracy_b, second.p_value, second.p_holm) == (0.0, 0.0, 1.0, 1.0)
    assert first.p_holm == pytest.approx(min(1.0, 2 * first.p_value)) and first.significant
    table = difference_table(differences)
    assert table["B fixed"].tolist() == [30, 0] and table["differs"].tolist() == [True, False]


def test_a_baseline_with_test_rows_only_is_compared_on_them() -> None:
    rows = constructed_map()
    rows.loc[rows.index % 2 == 1, "split"] = "validation"
    oil = error_slices(rows)[0]
    frame_b = b_predictions(rows, rows["text"].str.startswith("crude"))
    test_only = frame_b[frame_b["split"] == "test"]
    difference = compare_slices(rows, [oil], test_only)[0]
    assert difference.rows == int((rows["split"].iloc[list(oil.near_positions)] == "test").sum()) < oil.near_rows


def test_runs_of_other_rows_are_refused() -> None:
    rows = constructed_map()
    other = b_predictions(rows, rows["correct"]).assign(text=lambda f: f["text"] + " (edited)")
    with pytest.raises(ValueError, match="different test rows"):
        compare_slices(rows, error_slices(rows), other)
