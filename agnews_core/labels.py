"""The AG News label set: one definition used everywhere."""

from __future__ import annotations

LABELS: tuple[str, ...] = ("World", "Sports", "Business", "Sci/Tech")
NUM_LABELS: int = len(LABELS)
ID2LABEL: dict[int, str] = dict(enumerate(LABELS))
LABEL2ID: dict[str, int] = {name: i for i, name in ID2LABEL.items()}


def label_name(label_id: int) -> str:
    """Human name of a label id, e.g. 2 -> 'Business'."""
    return ID2LABEL[int(label_id)]
