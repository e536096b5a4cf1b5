"""Label sets: AG News is the default; any 2..500 unique names work; lookups agree."""

from __future__ import annotations

import pytest

from agnews_core.labels import AG_NEWS, ID2LABEL, LABEL2ID, LABELS, NUM_LABELS, LabelSet, label_name, labels_or_default


def test_ag_news_label_set() -> None:
    assert LABELS == ("World", "Sports", "Business", "Sci/Tech") and NUM_LABELS == 4
    assert all(LABEL2ID[ID2LABEL[i]] == i for i in range(NUM_LABELS))
    assert label_name(2) == "Business" and label_name(3.0) == "Sci/Tech"  # type: ignore[arg-type]
    with pytest.raises(KeyError):
        label_name(4)


def test_any_label_set() -> None:
    tickets = LabelSet(("billing", "outage", "feature request"))
    assert tickets.size == 3 and tickets.name(2) == "feature request" and tickets.id_of("outage") == 1
    assert 2 in tickets and 3 not in tickets and True not in tickets
    with pytest.raises(KeyError, match="'x' is not a label of this data set"):
        tickets.id_of("x")
    assert LabelSet.from_config({"1": "pos", "0": "neg"}).names == ("neg", "pos")


@pytest.mark.parametrize(("names", "says"), [(("a",), "2 to 500"), (("a", "a"), "repeat"), (("a", " "), "empty"),
                                             (tuple(map(str, range(501))), "2 to 500")])
def test_bad_label_sets_are_refused(names: tuple[str, ...], says: str) -> None:
    with pytest.raises(ValueError, match=says):
        LabelSet(names)


def test_records_without_names_mean_ag_news() -> None:
    assert labels_or_default(None) is AG_NEWS and labels_or_default(["x", "y"]).names == ("x", "y")
