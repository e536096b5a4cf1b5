"""The data set report as text: classes per split, lengths, problems with examples, what was dropped."""

from __future__ import annotations

from agnews_core.cli.data_report import (
    CLASSES_SHOWN,
    class_lines,
    dropped_text,
    example_text,
    label_summary,
    length_line,
    problem_lines,
)
from agnews_core.data.health import text_lengths


def test_classes_are_listed_largest_first_with_both_splits() -> None:
    lines = class_lines({"train": {"a": 2, "b": 9}, "test": {"a": 1, "b": 3, "c": 4}}, ("a", "b", "c"))
    assert lines[0] == "Classes (3):"
    rows = [line.split() for line in lines[2:]]
    assert rows == [["b", "9", "3"], ["c", "0", "4"], ["a", "2", "1"]]


def test_past_fifteen_classes_the_largest_are_shown_and_the_rest_counted() -> None:
    names = [f"class_{i:02d}" for i in range(40)]
    train = {name: 100 + i for i, name in enumerate(names)}  # class_39 is the largest
    lines = class_lines({"train": train, "test": {}}, names)
    shown = [line.split()[0] for line in lines[2:-1]]
    assert shown == [f"class_{i:02d}" for i in range(39, 39 - CLASSES_SHOWN, -1)]
    assert lines[-1].strip() == "… 25 more"


def test_label_summary_names_a_few_and_counts_the_rest() -> None:
    assert label_summary(("billing", "feature request", "outage")) == "billing, feature request, outage"
    assert label_summary(tuple(str(i) for i in range(10)), limit=3) == "0, 1, 2, … 7 more"


def test_length_line_in_words() -> None:
    line = length_line(text_lengths(["one two", "one two three four"]))
    assert line == "Text length in words (2 rows): mean 3.0, median 3, 95th percentile 3.9, longest 4"


def test_problems_show_count_why_and_at_most_three_examples() -> None:
    examples = [{"split": "train", "row": n, "text": f"text {n}", "label": "spam"} for n in range(1, 6)]
    lines = problem_lines([{"kind": "duplicate", "count": 5, "examples": examples},
                           {"kind": "blank_text", "count": 0, "examples": []}])
    assert lines[:3] == ["Problems:", "  Exact duplicates: 5 (droppable)",
                         "    The same text and label again in the same split; extra copies are dropped with consent."]
    assert lines[3:] == [f"    - train row {n}: 'text {n}' (label spam)" for n in (1, 2, 3)]
    assert problem_lines([{"kind": "small_class", "count": 0}]) == ["Problems: none found"]


def test_each_kind_of_example_reads_as_a_line() -> None:
    assert example_text({"split": "test", "row": 4, "text": "x" * 200, "label": None}) == \
        f"test row 4: '{'x' * 79}…' (label none)"
    assert example_text({"text": "is it", "labels": "spam (1), ham (1)", "rows": "train 6, train 7"}) == \
        "train 6, train 7: 'is it' labelled spam (1), ham (1)"
    assert example_text({"label": "rare", "train rows": 3}) == "rare: 3 train rows"


def test_dropped_text() -> None:
    assert dropped_text({"blank_text": 2, "duplicate": 1, "missing_label": 0}) == \
        "2 empty or blank texts, 1 exact duplicates"
    assert dropped_text({}) == "nothing"
