"""The health report finds each problem of the messy fixture with counts and examples."""

from __future__ import annotations

import re
import sys

import pandas as pd
from dataset_fixtures import MESSY, MESSY_TEST

from agnews_core.data.columns import ColumnMapping, mapped_frame
from agnews_core.data.health import (
    ProblemKind,
    check_health,
    drop_problems,
    is_in,
    normalised,
    text_lengths,
)
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


def test_normalised_collapses_every_whitespace_pythons_re_knows() -> None:
    spaces = "".join(chr(c) for c in range(sys.maxunicode + 1) if re.fullmatch(r"\s", chr(c)))
    texts = [f"{spaces}Oil{spaces[::-1]}prices\u200b rise{spaces}", "a\u2009\u2009b\x85", "no-break\u202fSPACE", ""]
    assert normalised(pd.Series(texts)).tolist() == [re.sub(r"\s+", " ", t.lower()).strip() for t in texts]
    assert normalised(pd.Series(["a  b", None])).isna().tolist() == [False, True]


def test_a_test_text_in_train_is_found_across_unicode_spaces() -> None:
    frame = pd.DataFrame({"text": ["Oil prices rise", "Stocks fall", "oil\u00a0prices  RISE", "New text"],
                          "label": ["b", "b", "b", "b"], "split": ["train", "train", "test", "test"],
                          "row": [1, 2, 1, 2]})
    found = check_health(frame).problem(ProblemKind.TEST_IN_TRAIN)
    assert found.count == 1 and found.examples[0]["row"] == 1
    assert is_in(pd.Series(["a", "b", "c"]), pd.Series(["c", "a"])).tolist() == [True, False, True]


def test_text_lengths_in_words_or_tokens_over_a_seeded_sample() -> None:
    words = text_lengths(["a b c", "a", "a b"])
    assert (words.unit, words.maximum, words.p50, words.measured_rows) == ("words", 3, 2.0, 3)
    tokens = text_lengths(["x"] * 50, count_tokens=lambda texts: [7] * len(texts), sample=10)
    assert (tokens.unit, tokens.measured_rows, tokens.mean) == ("tokens", 10, 7.0)
