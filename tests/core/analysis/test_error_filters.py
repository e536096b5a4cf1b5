"""Filtering, searching, sorting and paging per-example predictions, and the table shown and exported."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from agnews_core.analysis.error_filters import ErrorFilter, filter_predictions, page_of, readable_table
from agnews_core.labels import LABELS


@pytest.fixture
def frame() -> pd.DataFrame:
    """Eight predictions: test rows 0-5 (four wrong), validation rows 6-7 (one wrong)."""
    rows = [
        ("test", "Oil prices jump", 2, 0, 0.91),
        ("test", "Striker scores twice", 1, 1, 0.99),
        ("test", "OIL giant buys rival", 2, 3, 0.55),
        ("test", "New chip is faster", 3, 2, 0.72),
        ("test", "Election results in", 0, 2, 0.40),
        ("test", "Stocks fall on oil", 2, 0, 0.63),
        ("validation", "Team wins cup", 1, 0, 0.80),
        ("validation", "Oil deal signed", 2, 2, 0.95),
    ]
    data = pd.DataFrame(rows, columns=["split", "text", "label", "predicted", "confidence"])
    for i, name in enumerate(LABELS):
        data[f"p_{name}"] = [0.7 if p == i else 0.1 for p in data["predicted"]]
    return data


def test_default_filter_keeps_the_test_errors_most_confident_first(frame: pd.DataFrame) -> None:
    rows = filter_predictions(frame, ErrorFilter())
    assert list(rows["text"]) == ["Oil prices jump", "New chip is faster", "Stocks fall on oil", "OIL giant buys rival",
                                  "Election results in"]
    assert (rows["label"] != rows["predicted"]).all() and (rows["split"] == "test").all()


def test_label_pair_and_least_confident_first(frame: pd.DataFrame) -> None:
    rows = filter_predictions(frame, ErrorFilter(true_label=2, predicted_label=0, most_confident_first=False))
    assert list(rows["text"]) == ["Stocks fall on oil", "Oil prices jump"]
    only_true = filter_predictions(frame, ErrorFilter(true_label=2))
    assert set(only_true["predicted"]) == {0, 3}


def test_search_is_literal_and_case_insensitive(frame: pd.DataFrame) -> None:
    rows = filter_predictions(frame, ErrorFilter(query="  oil "))
    assert set(rows["text"]) == {"Oil prices jump", "OIL giant buys rival", "Stocks fall on oil"}
    assert filter_predictions(frame, ErrorFilter(query="o.l")).empty  # not a regular expression


def test_all_rows_of_a_split_when_not_only_errors(frame: pd.DataFrame) -> None:
    rows = filter_predictions(frame, ErrorFilter(split="validation", only_errors=False))
    assert list(rows["text"]) == ["Oil deal signed", "Team wins cup"]


@pytest.mark.parametrize("bad", [500, -1, "1"])
def test_a_label_that_is_no_label_id_is_refused(bad: object) -> None:
    with pytest.raises(ValueError, match="must be a label id or any"):
        ErrorFilter(true_label=bad)  # type: ignore[arg-type]


def test_page_of_clamps_and_counts_pages(frame: pd.DataFrame) -> None:
    rows, page, pages = page_of(frame, 2, 3)
    assert (page, pages) == (2, 3) and list(rows.index) == [3, 4, 5]
    rows, page, pages = page_of(frame, 99, 3)
    assert (page, pages) == (3, 3) and list(rows.index) == [6, 7]
    rows, page, pages = page_of(frame, 0, 3)
    assert page == 1 and list(rows.index) == [0, 1, 2]
    rows, page, pages = page_of(frame.iloc[:0], 1, 25)
    assert (page, pages) == (1, 1) and rows.empty


def test_readable_table_names_labels_and_keeps_probabilities(frame: pd.DataFrame) -> None:
    table = readable_table(frame.iloc[[0]])
    assert list(table.columns) == ["text", "true label", "predicted", "confidence",
                                   *(f"P({name})" for name in LABELS)]
    row = table.iloc[0]
    assert (row["true label"], row["predicted"], row["confidence"]) == ("Business", "World", 0.91)
    assert row["P(World)"] == 0.7 and row["P(Sports)"] == 0.1


def test_readable_table_without_probability_columns(frame: pd.DataFrame) -> None:
    table = readable_table(frame[["text", "label", "predicted", "confidence"]])
    assert list(table.columns) == ["text", "true label", "predicted", "confidence"]


def test_readable_table_names_labels_by_the_frames_own_label_set() -> None:
    from agnews_core.labels import LabelSet
    from agnews_core.modeling.batch_predict import PredictionTable, predictions_frame

    tickets = LabelSet(("billing", "outage", "feature request"))
    probs = np.array([[0.1, 0.7, 0.2], [0.6, 0.3, 0.1]], dtype=np.float32)
    frame = predictions_frame(["down again", "charged twice"], [2, 0], PredictionTable(probs, 0.1), "test", tickets)
    table = readable_table(filter_predictions(frame, ErrorFilter(only_errors=False)))
    assert table["true label"].tolist() == ["feature request", "billing"]
    assert table["predicted"].tolist() == ["outage", "billing"]
    assert list(table.columns)[-3:] == ["P(billing)", "P(outage)", "P(feature request)"]
