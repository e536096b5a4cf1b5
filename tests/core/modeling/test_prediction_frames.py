"""Reading a run's prediction frame: required columns, one split in stored order, probabilities and labels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from agnews_core.modeling.batch_predict import PredictionTable, predictions_frame
from agnews_core.modeling.prediction_frames import (
    PROBABILITY_COLUMNS,
    frame_labels,
    gold_labels,
    probabilities,
    split_rows,
)


def _frame() -> pd.DataFrame:
    probs = np.array([[0.7, 0.1, 0.1, 0.1], [0.1, 0.6, 0.2, 0.1], [0.25, 0.25, 0.25, 0.25]], dtype=np.float32)
    validation = predictions_frame(["a", "b"], [0, 2], PredictionTable(probs[:2], 0.1), "validation")
    test = predictions_frame(["c"], [3], PredictionTable(probs[2:], 0.1), "test")
    return pd.concat([validation, test], ignore_index=True)


def test_a_split_is_renumbered_in_stored_order() -> None:
    rows = split_rows(_frame(), "validation")
    assert rows["text"].tolist() == ["a", "b"] and rows.index.tolist() == [0, 1]
    assert split_rows(_frame(), "test")["text"].tolist() == ["c"]


def test_probabilities_and_labels_come_back_as_arrays() -> None:
    rows = split_rows(_frame(), "validation")
    assert probabilities(rows).shape == (2, 4) and probabilities(rows).dtype == np.float64
    assert probabilities(rows)[1].tolist() == pytest.approx([0.1, 0.6, 0.2, 0.1])
    assert gold_labels(rows).tolist() == [0, 2]


def test_a_frame_names_its_own_label_set_by_its_probability_columns() -> None:
    assert frame_labels(_frame()).names == ("World", "Sports", "Business", "Sci/Tech")
    renamed = _frame().rename(columns=dict(zip(PROBABILITY_COLUMNS, ["p_a", "p_b", "p_c", "p_d"], strict=True)))
    assert frame_labels(renamed).names == ("a", "b", "c", "d") and probabilities(renamed).shape == (3, 4)


def test_a_frame_without_probability_columns_names_what_is_missing() -> None:
    broken = _frame().drop(columns=list(PROBABILITY_COLUMNS[1:]))
    with pytest.raises(ValueError, match="p_<label>"):
        split_rows(broken, "test", what="run A's predictions")
