"""Label sets: the names of a data set's classes in id order. AG News is the default one."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

MIN_CLASSES, MAX_CLASSES = 2, 500


@dataclass(frozen=True)
class LabelSet:
    """Class names in id order: id i is names[i]. Names are unique, non-empty strings."""

    names: tuple[str, ...]

    def __post_init__(self) -> None:
        names = tuple(str(n) for n in self.names)
        object.__setattr__(self, "names", names)
        if not MIN_CLASSES <= len(names) <= MAX_CLASSES:
            raise ValueError(f"a label set needs {MIN_CLASSES} to {MAX_CLASSES} classes, got {len(names)}")
        if any(not n.strip() for n in names):
            raise ValueError("a label name is empty")
        if len(set(names)) != len(names):
            raise ValueError("label names repeat: " + ", ".join(sorted({n for n in names if names.count(n) > 1})))

    @property
    def size(self) -> int:
        return len(self.names)

    @cached_property
    def id2label(self) -> dict[int, str]:
        return dict(enumerate(self.names))

    @cached_property
    def label2id(self) -> dict[str, int]:
        return {name: i for i, name in enumerate(self.names)}

    def name(self, label_id: int) -> str:
        """Human name of a label id, e.g. 2 -> 'Business'; KeyError outside the set."""
        return self.id2label[int(label_id)]

    def id_of(self, name: str) -> int:
        """Id of a label name; KeyError naming the known labels when it is not one."""
        try:
            return self.label2id[name]
        except KeyError:
            known = ", ".join(self.names[:10]) + (" ..." if self.size > 10 else "")
            raise KeyError(f"{name!r} is not a label of this data set ({known})") from None

    def __contains__(self, label_id: object) -> bool:
        return isinstance(label_id, int) and not isinstance(label_id, bool) and 0 <= label_id < self.size

    @classmethod
    def from_config(cls, id2label: dict) -> LabelSet:
        """From a transformers config's id2label ({0: 'World', ...}, keys may be strings)."""
        ordered = sorted(((int(k), v) for k, v in id2label.items()), key=lambda kv: kv[0])
        if [k for k, _ in ordered] != list(range(len(ordered))):
            raise ValueError(f"id2label ids are not 0..{len(ordered) - 1}")
        return cls(tuple(v for _, v in ordered))


AG_NEWS = LabelSet(("World", "Sports", "Business", "Sci/Tech"))

# The AG News names as plain constants, for code that only ever serves AG News (the bundled sample, old records).
LABELS: tuple[str, ...] = AG_NEWS.names
NUM_LABELS: int = AG_NEWS.size
ID2LABEL: dict[int, str] = AG_NEWS.id2label
LABEL2ID: dict[str, int] = AG_NEWS.label2id


def label_name(label_id: int) -> str:
    """Human name of an AG News label id, e.g. 2 -> 'Business'."""
    return AG_NEWS.name(label_id)


def labels_or_default(names: tuple[str, ...] | list[str] | None) -> LabelSet:
    """The label set stored with a record, or AG News for records written before label sets existed."""
    return LabelSet(tuple(names)) if names else AG_NEWS
