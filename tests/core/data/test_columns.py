"""Finding and mapping the text and label columns; label names from strings, integers or a ClassLabel."""

from __future__ import annotations

import pandas as pd
import pytest

from agnews_core.data.columns import ColumnError, ColumnMapping, guess_mapping, label_names, mapped_frame


@pytest.mark.parametrize(("columns", "text", "label"), [
    (["id", "Text", "Label"], ("Text",), "Label"),
    (["body", "topic", "id"], ("body",), "topic"),
    (["sentence", "category"], ("sentence",), "category"),
    (["title", "description", "class"], ("title", "description"), "class"),
    (["headline", "target"], ("headline",), "target"),
])
def test_obvious_column_names_are_found(columns: list[str], text: tuple[str, ...], label: str) -> None:
    assert guess_mapping(columns) == ColumnMapping(text, label)


def test_unclear_columns_are_left_to_the_user() -> None:
    assert guess_mapping(["a", "b"]) is None and guess_mapping(["text", "score"]) is None


def test_two_text_columns_are_joined_and_labels_stripped() -> None:
    frame = pd.DataFrame({"title": ["Wall St.", None], "description": ["Bears claw back", "only body"],
                          "class": [" 3 ", None]})
    mapped = mapped_frame(frame, ColumnMapping(("title", "description"), "class"), "f.csv")
    assert mapped["text"].tolist() == ["Wall St. Bears claw back", "only body"]
    assert mapped["label"].iloc[0] == "3" and pd.isna(mapped["label"].iloc[1])


def test_a_missing_or_empty_label_column_is_refused() -> None:
    frame = pd.DataFrame({"text": ["a"], "label": [None]})
    with pytest.raises(ColumnError, match="no values"):
        mapped_frame(frame, ColumnMapping(("text",), "label"), "f.csv")
    with pytest.raises(ColumnError, match="has no column 'topic'.*its columns: text, label"):
        mapped_frame(frame, ColumnMapping(("text",), "topic"), "f.csv")
    with pytest.raises(ColumnError, match="both the text and the label"):
        ColumnMapping(("label",), "label")


def test_label_names_by_kind() -> None:
    assert label_names(pd.Series(["b", "a", None, "b"])) == ("a", "b")
    assert label_names(pd.Series(["10", "2", "1"])) == ("1", "2", "10")  # integers in numeric order
    assert label_names(pd.Series(["c10", "c2", "c1", "B"])) == ("B", "c1", "c2", "c10")  # digit runs as numbers
    assert label_names(pd.Series(["0"]), given=("neg", "pos")) == ("neg", "pos")
    with pytest.raises(ColumnError, match="one class"):
        label_names(pd.Series(["a", "a"]))
    with pytest.raises(ColumnError, match="501 classes"):
        label_names(pd.Series([str(i) for i in range(501)]))
