"""The label set is defined once and both lookups agree."""

from __future__ import annotations

import pytest

from agnews_core.labels import ID2LABEL, LABEL2ID, LABELS, NUM_LABELS, label_name


def test_label_set() -> None:
    assert LABELS == ("World", "Sports", "Business", "Sci/Tech") and NUM_LABELS == 4
    assert all(LABEL2ID[ID2LABEL[i]] == i for i in range(NUM_LABELS))
    assert label_name(2) == "Business" and label_name(3.0) == "Sci/Tech"  # type: ignore[arg-type]
    with pytest.raises(KeyError):
        label_name(4)
