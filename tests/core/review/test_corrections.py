"""Verdicts applied: training and validation rows relabelled or dropped; test labels corrected apart."""

from __future__ import annotations

import pandas as pd

from agnews_core.review.corrections import apply_verdicts, corrected_labels
from agnews_core.review.policies import CorrectionPolicy
from agnews_core.review.verdicts import Verdict
from agnews_core.store.records import CorrectionCounts

TRAIN = pd.DataFrame({"text": ["Oil rises", "Chip ships", "Summit ends", "Oil rises", "Goal!"],
                      "label": [2, 3, 0, 2, 1]})
VALIDATION = pd.DataFrame({"text": ["Bank merger", "Not news at all", "Summit ends"], "label": [2, 0, 0]})
VERDICTS = [
    Verdict(text="Oil rises", label=2, kind="relabel", new_label=3),
    Verdict(text="Not news at all", label=0, kind="remove"),
    Verdict(text="Summit ends", label=0, kind="keep"),
    Verdict(text="Unseen text", label=1, kind="remove"),
]


def test_relabel_and_remove_training_and_validation_rows() -> None:
    train, validation, counts = apply_verdicts(TRAIN, VALIDATION, VERDICTS)
    assert train["label"].tolist() == [3, 3, 0, 3, 1]  # both copies of the duplicated text relabelled
    assert train["text"].tolist() == TRAIN["text"].tolist()
    assert validation["text"].tolist() == ["Bank merger", "Summit ends"]
    assert counts == CorrectionCounts(relabeled_train=2, removed_train=0, relabeled_validation=0,
                                      removed_validation=1)
    assert counts.applied == 3
    assert TRAIN["label"].tolist() == [2, 3, 0, 2, 1]  # inputs untouched


def test_keep_verdicts_and_no_verdicts_change_nothing() -> None:
    keep_only = [Verdict(text=t, label=int(lbl), kind="keep") for t, lbl in zip(TRAIN["text"], TRAIN["label"], strict=True)]
    for verdicts in ([], keep_only, {}):
        train, validation, counts = apply_verdicts(TRAIN, VALIDATION, verdicts)
        pd.testing.assert_frame_equal(train, TRAIN)
        pd.testing.assert_frame_equal(validation, VALIDATION)
        assert counts.applied == 0


def test_later_verdicts_win_and_a_store_mapping_works() -> None:
    later = [*VERDICTS, Verdict(text="Oil rises", label=2, kind="remove")]
    train, _, counts = apply_verdicts(TRAIN, VALIDATION, later)
    assert "Oil rises" not in set(train["text"]) and counts.removed_train == 2
    mapping = {v.text_key: v for v in VERDICTS}
    assert apply_verdicts(TRAIN, VALIDATION, mapping)[2] == apply_verdicts(TRAIN, VALIDATION, VERDICTS)[2]


def test_corrected_test_labels_are_a_separate_figure() -> None:
    test = pd.DataFrame({"text": ["Oil rises", "Not news at all", "Goal!", "Chip ships"],
                         "label": [2, 0, 1, 3], "predicted": [3, 2, 1, 3]})
    corrected = corrected_labels(test, VERDICTS)
    assert corrected.changed and (corrected.relabeled, corrected.removed) == (1, 1)
    assert corrected.frame["text"].tolist() == ["Oil rises", "Goal!", "Chip ships"]
    assert corrected.frame["label"].tolist() == [3, 1, 3]
    assert corrected.frame["official_label"].tolist() == [2, 1, 3]
    assert corrected.accuracy == 1.0  # 3 of 3, against 2 of 4 on the official labels
    assert test["label"].tolist() == [2, 0, 1, 3]  # the official split is not changed

    untouched = corrected_labels(test, [])
    assert not untouched.changed and untouched.accuracy == 0.5
    assert corrected_labels(test.drop(columns="predicted"), VERDICTS).accuracy is None


def test_the_policy_decides_rows_that_reviewers_judged_differently() -> None:
    # "Oil rises": ana and bob say Sci/Tech, carl says remove. "Chip ships": ana says remove, bob says keep.
    verdicts = [Verdict(text="Oil rises", label=2, kind="relabel", new_label=3, reviewer="ana"),
                Verdict(text="Chip ships", label=3, kind="remove", reviewer="ana"),
                Verdict(text="Oil rises", label=2, kind="relabel", new_label=3, reviewer="bob"),
                Verdict(text="Chip ships", label=3, kind="keep", reviewer="bob"),
                Verdict(text="Oil rises", label=2, kind="remove", reviewer="carl"),
                Verdict(text="Goal!", label=1, kind="remove", reviewer="carl")]  # one reviewer: agreed
    latest = apply_verdicts(TRAIN, VALIDATION, verdicts, "latest")[0]
    assert latest["text"].tolist() == ["Chip ships", "Summit ends"]  # carl's removals, bob's keep
    majority = apply_verdicts(TRAIN, VALIDATION, verdicts, CorrectionPolicy.MAJORITY)[0]
    assert majority["text"].tolist() == ["Oil rises", "Chip ships", "Summit ends", "Oil rises"]  # a tie keeps Chip
    assert majority["label"].tolist() == [3, 3, 0, 3]
    unanimous = apply_verdicts(TRAIN, VALIDATION, verdicts, CorrectionPolicy.UNANIMOUS)[0]
    assert unanimous["text"].tolist() == ["Oil rises", "Chip ships", "Summit ends", "Oil rises"]
    assert unanimous["label"].tolist() == TRAIN["label"].tolist()[:4]  # only Goal!'s one-reviewer removal applied
    by_store = {Verdict(text="Oil rises", label=2, kind="keep").text_key: verdicts[0:5:2]}  # a store's by_row()
    assert corrected_labels(TRAIN, by_store, "majority").relabeled == 2
    assert not corrected_labels(TRAIN, by_store, "unanimous").changed
