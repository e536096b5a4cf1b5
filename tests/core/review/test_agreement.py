"""Agreement among reviewers: kappas against hand-computed and published examples, and the list of conflicts."""

from __future__ import annotations

import random

import pytest
from sklearn.metrics import cohen_kappa_score

from agnews_core.review.agreement import (
    COHEN,
    FLEISS,
    agreement,
    cohen_kappa,
    fleiss_kappa,
    kappa_words,
    reviewer_counts,
)
from agnews_core.review.policies import by_row
from agnews_core.review.verdicts import Verdict


def says(reviewer: str, text: str, kind: str, new_label: int | None = None, at: int = 0) -> Verdict:
    return Verdict(text=text, label=0, kind=kind, new_label=new_label, reviewer=reviewer,
                   recorded_at=f"2026-11-26T10:{at // 60:02d}:{at % 60:02d}+00:00")


def test_cohen_on_the_textbook_two_by_two_table() -> None:
    # 50 rows: both keep 20, A keep / B remove 5, A remove / B keep 10, both remove 15.
    # observed 35/50 = 0.7; chance 0.5 * 0.6 + 0.5 * 0.4 = 0.5; kappa (0.7 - 0.5) / (1 - 0.5) = 0.4
    pairs = [("keep", "keep")] * 20 + [("keep", "remove")] * 5 + [("remove", "keep")] * 10 + [("remove", "remove")] * 15
    first, second = zip(*pairs, strict=True)
    assert cohen_kappa(first, second) == pytest.approx(0.4)
    verdicts = [says(name, f"row {i}", kind) for i, pair in enumerate(pairs) for name, kind in zip("AB", pair, strict=True)]
    result = agreement(by_row(verdicts))
    assert (result.statistic, result.rows, result.reviewers) == (COHEN, 50, ("A", "B"))
    assert result.kappa == pytest.approx(0.4) and result.observed == pytest.approx(0.7)
    assert len(result.conflicts) == 15
    assert result.describe().startswith("Cohen's kappa 0.40 (fair): 1 means they always agree")


def test_cohen_matches_scikit_learn() -> None:
    draw = random.Random(7)
    categories = ["keep", "remove", "relabel→1", "relabel→2"]
    first = [draw.choice(categories) for _ in range(200)]
    second = [a if draw.random() < 0.6 else draw.choice(categories) for a in first]
    assert cohen_kappa(first, second) == pytest.approx(cohen_kappa_score(first, second))


def test_fleiss_on_the_published_example() -> None:
    # Fleiss (1971) as worked on Wikipedia: 10 rows, 14 raters each, 5 categories; kappa 0.210
    table = [(0, 0, 0, 0, 14), (0, 2, 6, 4, 2), (0, 0, 3, 5, 6), (0, 3, 9, 2, 0), (2, 2, 8, 1, 1),
             (7, 7, 0, 0, 0), (3, 2, 6, 3, 0), (2, 5, 3, 2, 2), (6, 5, 2, 1, 0), (0, 2, 2, 3, 7)]
    counts = [dict(zip("abcde", row, strict=True)) for row in table]
    assert fleiss_kappa(counts) == pytest.approx(0.20993, abs=1e-5)


def test_three_reviewers_get_fleiss_kappa_computed_by_hand() -> None:
    # Row 1: 3 keep; row 2: 3 remove; row 3: 2 keep, 1 remove. Per-row agreement 1, 1, 1/3 -> mean 7/9.
    # Categories: keep 5/9, remove 4/9 -> chance 41/81. kappa (7/9 - 41/81) / (1 - 41/81) = 22/40 = 0.55
    verdicts = [says(name, "one", "keep") for name in ("ana", "bob", "")]
    verdicts += [says(name, "two", "remove") for name in ("ana", "bob", "")]
    verdicts += [says("ana", "three", "keep", at=5), says("bob", "three", "keep", at=6), says("", "three", "remove", at=7)]
    verdicts.append(says("ana", "alone", "remove"))  # one reviewer: not part of the agreement
    result = agreement(by_row(verdicts))
    assert (result.statistic, result.rows, result.reviewers) == (FLEISS, 3, ("", "ana", "bob"))
    assert result.kappa == pytest.approx(0.55) and result.observed == pytest.approx(2 / 3)
    [conflict] = result.conflicts
    assert conflict.text == "three"
    assert [(v.reviewer, str(v.kind)) for v in conflict.verdicts] == [("ana", "keep"), ("bob", "keep"), ("", "remove")]
    assert reviewer_counts(by_row(verdicts)) == {"ana": 4, "bob": 3, "": 3}


def test_perfect_agreement_is_one_and_relabels_to_different_labels_conflict() -> None:
    agreed = [says(name, text, kind, new) for text, kind, new in (("a", "keep", None), ("b", "remove", None),
                                                                   ("c", "relabel", 2)) for name in ("ana", "bob")]
    result = agreement(by_row(agreed))
    assert result.kappa == pytest.approx(1.0) and result.conflicts == ()
    split = agreement(by_row([*agreed, says("ana", "d", "relabel", 1), says("bob", "d", "relabel", 3)]))
    assert [c.text for c in split.conflicts] == ["d"] and split.kappa < 1


def test_no_shared_rows_and_a_single_verdict_for_all_say_so() -> None:
    alone = agreement(by_row([says("ana", "a", "keep"), says("bob", "b", "keep")]))
    assert (alone.rows, alone.kappa, alone.statistic) == (0, None, "")
    assert alone.describe().startswith("No row has verdicts from two reviewers yet")
    same = agreement(by_row([says(name, text, "remove") for text in "ab" for name in ("ana", "bob")]))
    assert same.rows == 2 and same.kappa is None and same.observed == 1.0
    assert "kappa is not defined" in same.describe()


def test_kappa_words_and_bad_inputs() -> None:
    assert [kappa_words(k) for k in (-0.1, 0.1, 0.3, 0.55, 0.7, 0.95)] == [
        "poor (below chance)", "slight", "fair", "moderate", "substantial", "almost perfect"]
    with pytest.raises(ValueError, match="equally long"):
        cohen_kappa(["keep"], [])
    with pytest.raises(ValueError, match="at least two reviewers"):
        fleiss_kappa([{"keep": 1}])
