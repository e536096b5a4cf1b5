"""Which columns hold the text and the label, found by name or chosen by the user, and the label names they give."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from agnews_core.labels import MAX_CLASSES, MIN_CLASSES

TEXT_NAMES = ("text", "sentence", "content", "headline", "body", "review", "message", "document", "utterance",
              "title", "description", "question")
LABEL_NAMES = ("label", "labels", "category", "topic", "class", "target", "intent", "tag", "y")
TEXT_PAIRS = (("title", "description"), ("title", "body"), ("headline", "description"), ("title", "text"))
_INTEGER = re.compile(r"^[+-]?\d+$")


class ColumnError(ValueError):
    """The chosen columns cannot make a data set; the message says which and why."""


@dataclass(frozen=True)
class ColumnMapping:
    """The text column (or two, joined by a space, as AG News joins title and description) and the label column."""

    text: tuple[str, ...]
    label: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "text", tuple(self.text))
        if not 1 <= len(self.text) <= 2:
            raise ColumnError("choose one text column, or two to join")
        if self.label in self.text:
            raise ColumnError(f"{self.label!r} cannot be both the text and the label")

    def describe(self) -> str:
        return f"text: {' + '.join(self.text)}; label: {self.label}"

    def to_dict(self) -> dict[str, object]:
        return {"text": list(self.text), "label": self.label}

    @classmethod
    def from_dict(cls, data: dict) -> ColumnMapping:
        return cls(tuple(data["text"]), str(data["label"]))


def guess_mapping(columns: list[str]) -> ColumnMapping | None:
    """The obvious text and label columns by name (case-insensitive), or None when either is unclear."""
    by_lower = {c.lower(): c for c in columns}
    label = next((by_lower[n] for n in LABEL_NAMES if n in by_lower), None)
    pair = next((p for p in TEXT_PAIRS if all(n in by_lower for n in p)), None)
    if pair and not any(n in by_lower for n in TEXT_NAMES[:3]):  # a 'text' column beats a title+description pair
        text: tuple[str, ...] = tuple(by_lower[n] for n in pair)
    else:
        single = next((by_lower[n] for n in TEXT_NAMES if n in by_lower and by_lower[n] != label), None)
        text = (single,) if single else ()
    if label is None or not text:
        return None
    return ColumnMapping(text, label)


def check_mapping(mapping: ColumnMapping, columns: list[str], where: str) -> None:
    """ColumnError when a mapped column is not in the file, naming the columns it has."""
    missing = [c for c in (*mapping.text, mapping.label) if c not in columns]
    if missing:
        raise ColumnError(f"{where} has no column {', '.join(map(repr, missing))} "
                          f"(its columns: {', '.join(columns) or 'none'})")


def mapped_frame(frame: pd.DataFrame, mapping: ColumnMapping, where: str) -> pd.DataFrame:
    """Columns 'text' and 'label' (strings or None): texts joined by a space, labels stripped."""
    check_mapping(mapping, [str(c) for c in frame.columns], where)
    parts = [frame[c] for c in mapping.text]
    if len(parts) == 1:
        text = parts[0]
    else:
        left, right = (p.fillna("").astype(str).str.strip() for p in parts)
        text = (left + " " + right).str.strip()
        text = text.where(text != "", None)
    label = frame[mapping.label].map(_clean_label).astype(object)
    if label.isna().all():
        raise ColumnError(f"the label column {mapping.label!r} of {where} has no values")
    return pd.DataFrame({"text": text.to_numpy(dtype=object), "label": label.to_numpy(dtype=object)})


def _clean_label(value: object) -> str | None:
    if value is None or (isinstance(value, float) and value != value):  # None or NaN
        return None
    text = str(value).strip()
    return text or None


def label_names(*labels: pd.Series, given: tuple[str, ...] | None = None) -> tuple[str, ...]:
    """Label names in id order: `given` (a Hub ClassLabel's names) as they are; integers in numeric order;
    other strings sorted. ColumnError outside 2..500 classes."""
    if given:
        return tuple(given)
    values = pd.concat([s.dropna() for s in labels]).astype(str).unique() if labels else []
    if len(values) and all(_INTEGER.match(v) for v in values):
        names = tuple(str(v) for v in sorted({int(v) for v in values}))
    else:
        names = tuple(sorted(values, key=_natural))
    if not MIN_CLASSES <= len(names) <= MAX_CLASSES:
        what = "one class" if len(names) == 1 else f"{len(names):,} classes"
        raise ColumnError(f"the labels have {what}: a classifier needs {MIN_CLASSES} to {MAX_CLASSES:,} classes")
    return names


def _natural(text: str) -> tuple[object, ...]:
    """Sort key that orders 'c2' before 'c10': digit runs compare as numbers."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part.lower()) for part in re.split(r"(\d+)", text) if part)


def normalise_integers(label: pd.Series) -> pd.Series:
    """'+3', '03' -> '3' when every label is an integer, so they match the names label_names gives."""
    present = label.dropna().astype(str)
    if len(present) and present.map(lambda v: bool(_INTEGER.match(v))).all():
        return label.map(lambda v: None if v is None else str(int(v)))
    return label
