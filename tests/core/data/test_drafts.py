"""Drafts: columns mapped, test rows from a file or a seeded stratified share, refusals before anything is stored."""

from __future__ import annotations

import pytest
from dataset_fixtures import FORTY_CLASSES, MESSY, MESSY_TEST, TICKETS, TWO_CLASSES

from agnews_core.data.columns import ColumnMapping
from agnews_core.data.drafts import DataSetError, DraftOptions, draft_from_tables
from agnews_core.data.readers import read_path, read_table

TEXT_LABEL = ColumnMapping(("text",), "label")


def test_a_share_of_each_class_is_held_out_with_the_seed() -> None:
    draft = draft_from_tables(read_path(TWO_CLASSES), None, DraftOptions("two", TEXT_LABEL))
    assert draft.label_names == ("0", "1")
    assert draft.report.class_rows == {"train": {"0": 48, "1": 144}, "test": {"0": 12, "1": 36}}
    again = draft_from_tables(read_path(TWO_CLASSES), None, DraftOptions("two", TEXT_LABEL))
    assert again.frame["split"].tolist() == draft.frame["split"].tolist()
    other_seed = draft_from_tables(read_path(TWO_CLASSES), None, DraftOptions("two", TEXT_LABEL, seed=1))
    assert other_seed.frame["split"].tolist() != draft.frame["split"].tolist()
    assert "20% of two_classes.csv" in draft.test_rows_from


def test_copies_of_a_text_land_in_one_split() -> None:
    content = b"text,label\n" + b"".join(b"same %d,a\nsame %d,a\nother %d,b\n" % (i, i, i) for i in range(20))
    draft = draft_from_tables(read_table(content, "f.csv"), None, DraftOptions("f", TEXT_LABEL, test_share=0.5))
    splits = draft.frame.groupby("text")["split"].nunique()
    assert splits.max() == 1 and draft.report.rows["test"] > 0


def test_string_labels_other_columns_and_forty_classes() -> None:
    tickets = draft_from_tables(read_path(TICKETS), None, DraftOptions("tickets", ColumnMapping(("body",), "topic")))
    assert tickets.label_names == ("billing", "feature request", "outage")
    forty = draft_from_tables(read_path(FORTY_CLASSES), None,
                              DraftOptions("forty", ColumnMapping(("sentence",), "category")))
    assert len(forty.label_names) == 40 and min(forty.report.class_rows["test"].values()) >= 1


def test_problems_must_be_dropped_with_consent_and_a_test_file_is_used_as_given() -> None:
    draft = draft_from_tables(read_path(MESSY), read_path(MESSY_TEST), DraftOptions("messy", TEXT_LABEL))
    assert draft.test_rows_from == "messy_test.csv" and draft.report.rows["test"] == 18
    with pytest.raises(DataSetError, match="5 rows have problems.*2 empty or blank texts.*--drop-problems"):
        draft.ready(drop=False)
    ready = draft.ready(drop=True)
    assert ready.report.droppable_rows == 0 and len(ready.frame) == len(draft.frame) - 5


def test_a_draft_without_problems_is_stored_as_checked() -> None:
    draft = draft_from_tables(read_path(TWO_CLASSES), None, DraftOptions("two", TEXT_LABEL))
    for drop in (False, True):
        ready = draft.ready(drop=drop)
        assert ready.report == draft.report and ready.frame.equals(draft.frame)


@pytest.mark.parametrize(("content", "mapping", "says"), [
    (b"text,label\na,x\nb,x\nc,x\n", TEXT_LABEL, "one class"),
    (b"text,label\na,\nb,\n", TEXT_LABEL, "no values"),
    (b"body,label\na,x\nb,y\n", TEXT_LABEL, "no column 'text'"),
])
def test_what_cannot_work_is_refused(content: bytes, mapping: ColumnMapping, says: str) -> None:
    with pytest.raises(DataSetError, match=says):
        draft_from_tables(read_table(content, "f.csv"), None, DraftOptions("f", mapping))


def test_nothing_left_after_dropping_is_refused() -> None:
    content = b"text,label\n,x\n,y\nkeep me,x\nkeep me too,y\n"
    test = read_table(b"text,label\n,x\n", "t.csv")
    draft = draft_from_tables(read_table(content, "f.csv"), test, DraftOptions("f", TEXT_LABEL))
    with pytest.raises(DataSetError, match="nothing is left in the test rows"):
        draft.ready(drop=True)


def test_a_bad_share_is_refused() -> None:
    with pytest.raises(DataSetError, match="between 0.05 and 0.5"):
        DraftOptions("f", TEXT_LABEL, test_share=0.9)
