"""The health report finds each problem of the messy fixture with counts and examples."""

from __future__ import annotations

import pandas as pd
from dataset_fixtures import MESSY, MESSY_TEST

from agnews_core.data.columns import ColumnMapping, mapped_frame
from agnews_core.data.health import ProblemKind, check_health, drop_problems, normalised, text_lengths
from agnews_core.data.readers import read_path


def _messy_frame() -> pd.DataFrame:
    mapping = ColumnMapping(("text",), "label")
    parts = []
    for split, path in (("train", MESSY), ("test", MESSY_TEST)):
        mapped = mapped_frame(read_path(path).frame, mapping, path.name)
        parts.append(mapped.assign(split=split, row=range(1, len(mapped) + 1)))
    return pd.concat(parts, ignore_index=True)


def test_every_problem_of_the_messy_file_is_counted_with_examples() -> None:
    report = check_health(_messy_frame())
    counts = {p.kind: p.count for p in report.problems}
    assert counts == {ProblemKind.BLANK_TEXT: 2, ProblemKind.MISSING_LABEL: 1, ProblemKind.DUPLICATE: 2,
                      ProblemKind.CONFLICTING_LABELS: 1, ProblemKind.TEST_IN_TRAIN: 2, ProblemKind.SMALL_CLASS: 1}
    conflict = report.problem(ProblemKind.CONFLICTING_LABELS).examples[0]
    assert conflict["text"] == "is this spam or not" and "ham (1)" in conflict["labels"]
    assert report.problem(ProblemKind.SMALL_CLASS).examples == ({"label": "rare", "train rows": 3},)
    assert {e["row"] for e in report.problem(ProblemKind.BLANK_TEXT).examples} == {61, 62}
    assert report.droppable_rows == 5
    assert report.class_rows["train"]["rare"] == 3 and report.rows["test"] == 18


def test_dropping_keeps_the_first_copy_and_everything_else() -> None:
    frame = _messy_frame()
    dropped = drop_problems(frame)
    assert len(dropped) == len(frame) - 5
    assert check_health(dropped).droppable_rows == 0


def test_normalised_ignores_case_and_spaces() -> None:
    assert normalised(pd.Series(["  Hello   World\n", "HELLO world"])).nunique() == 1


def test_text_lengths_in_words_or_tokens_over_a_seeded_sample() -> None:
    words = text_lengths(["a b c", "a", "a b"])
    assert (words.unit, words.maximum, words.p50, words.measured_rows) == ("words", 3, 2.0, 3)
    tokens = text_lengths(["x"] * 50, count_tokens=lambda texts: [7] * len(texts), sample=10)
    assert (tokens.unit, tokens.measured_rows, tokens.mean) == ("tokens", 10, 7.0)
