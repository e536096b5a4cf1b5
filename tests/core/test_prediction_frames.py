"""Reading prediction frames: required columns, one split's rows, probabilities and gold labels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from agnews_core.prediction_frames import PROBABILITY_COLUMNS, check_columns, gold_labels, probabilities, split_rows


def frame(splits: list[str]) -> pd.DataFrame:
    rows = len(splits)
    data = {"split": splits, "text": [f"t{i}" for i in range(rows)], "label": list(range(rows)),
            "predicted": [0] * rows}
    for j, column in enumerate(PROBABILITY_COLUMNS):
        data[column] = [0.1 * (j + 1)] * rows
    return pd.DataFrame(data, index=[10 + i for i in range(rows)])


def test_split_rows_keeps_stored_order_and_renumbers() -> None:
    rows = split_rows(frame(["validation", "test", "validation", "test"]), "test")
    assert rows["text"].tolist() == ["t1", "t3"] and rows.index.tolist() == [0, 1]


def test_a_frame_without_a_split_column_is_all_rows() -> None:
    assert len(split_rows(frame(["test"] * 3).drop(columns=["split"]), "validation")) == 3


def test_missing_columns_are_named() -> None:
    with pytest.raises(ValueError, match="run A's predictions lack the column.s. predicted, p_World"):
        check_columns(frame(["test"]).drop(columns=["predicted", "p_World"]), "run A's predictions")


def test_probabilities_and_gold_labels_as_arrays() -> None:
    rows = frame(["test", "test"])
    probs = probabilities(rows)
    assert probs.shape == (2, 4) and probs.dtype == np.float64
    np.testing.assert_allclose(probs[0], [0.1, 0.2, 0.3, 0.4])
    assert gold_labels(rows).tolist() == [0, 1] and gold_labels(rows).dtype == np.int64
