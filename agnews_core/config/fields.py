"""Field metadata declared once on a config dataclass and read by its validation, the CLI and the form.

Like transformers' `HfArgumentParser`, the kind of a field comes from its type hint (int, float, str, a
StrEnum, or a tuple of floats with its own parser); label, help, bounds and choices come from `meta(...)`.
"""

from __future__ import annotations

import dataclasses
import math
import typing
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from typing import Any

METADATA_KEY = "field_info"


@dataclass(frozen=True)
class Choice:
    """One option of a field, with the words shown for it."""

    value: str
    label: str


@dataclass(frozen=True)
class Other:
    """A free-text alternative to a field's choices, e.g. a Hub id instead of 'minilm'."""

    choice: str  # the option that means "type it yourself", e.g. 'other'
    label: str  # how that option is shown
    input_label: str  # the label of the text box it opens
    what: str  # what to type, in messages: 'a Hugging Face model id or a local folder'
    placeholder: str = ""


@dataclass(frozen=True)
class FieldInfo:
    """Everything the validator, the CLI and the form know about one field."""

    label: str = ""  # on-screen label; a field without one is internal (no flag, no widget)
    help: str = ""
    flag: str = ""  # CLI flag; '--' + the name with dashes when empty
    noun: str = ""  # how messages name it; the name with spaces when empty
    minimum: float | None = None
    maximum: float | None = None  # for text: the most characters
    open_min: bool = False  # True: the value must be above the minimum, not equal to it
    open_max: bool = False
    step: float | None = None
    choices: tuple[Choice, ...] = ()
    other: Other | None = None
    max_items: int | None = None  # for lists
    parse: Callable[[str], Any] | None = None  # text -> value, for kinds without a built-in parser
    check: Callable[[FieldInfo, Any], str] | None = None  # value -> problem, replacing the built-in check
    show: Callable[[Any], str] | None = None  # value -> text, for defaults in help and text boxes
    # Filled in by fields_of():
    name: str = ""
    default: Any = None
    kind: Any = str

    @property
    def cli_flag(self) -> str:
        return self.flag or "--" + self.name.replace("_", "-")

    @property
    def what(self) -> str:
        return self.noun or self.name.replace("_", " ")

    @property
    def exposed(self) -> bool:
        """Shown in the CLI and the form."""
        return bool(self.label)

    @property
    def values(self) -> tuple[str, ...]:
        """The allowed values, or the named choices of an open field."""
        return tuple(c.value for c in self.choices)

    def choice_label(self, value: str) -> str:
        """How a named choice is shown; any other value is shown as it is."""
        return next((c.label for c in self.choices if c.value == value), value)

    def shown(self, value: Any) -> str:
        """A value as text, e.g. a default in help."""
        if self.show is not None:
            return self.show(value)
        return f"{value:g}" if isinstance(value, float) else str(value)


def meta(default: Any, **info: Any) -> Any:
    """A dataclass field with its default and its FieldInfo."""
    return dataclasses.field(default=default, metadata={METADATA_KEY: FieldInfo(**info)})


@cache
def fields_of(cls: type) -> tuple[FieldInfo, ...]:
    """Every field of a dataclass in order, its FieldInfo completed with name, default and kind."""
    hints = typing.get_type_hints(cls)
    found = []
    for f in dataclasses.fields(cls):
        info: FieldInfo = f.metadata.get(METADATA_KEY, FieldInfo())
        kind = hints[f.name]
        kind = tuple if typing.get_origin(kind) is tuple else kind
        choices = info.choices
        if isinstance(kind, type) and issubclass(kind, StrEnum) and not choices:
            choices = tuple(Choice(str(m), str(m)) for m in kind)
        found.append(dataclasses.replace(info, name=f.name, default=f.default, kind=kind, choices=choices))
    return tuple(found)


def field_info(cls: type, name: str) -> FieldInfo:
    """The FieldInfo of one field."""
    return next(f for f in fields_of(cls) if f.name == name)


def bounds_text(info: FieldInfo) -> str:
    """'between 1 and 200,000', '> 0 and <= 1' or '>= 0'."""
    low, high = info.minimum, info.maximum
    number = "{:,}" if info.kind is int else "{:g}"
    if low is not None and high is not None and not info.open_min and not info.open_max:
        return f"between {number.format(low)} and {number.format(high)}"
    parts = []
    if low is not None:
        parts.append(f"{'>' if info.open_min else '>='} {number.format(low)}")
    if high is not None:
        parts.append(f"{'<' if info.open_max else '<='} {number.format(high)}")
    return " and ".join(parts)


def limits_text(info: FieldInfo) -> str:
    """The limits a user must keep to, for help texts: 'between 1 and 200,000', 'each > 0 and <= 1, at most 12'."""
    if info.kind is tuple:
        return f"each {bounds_text(info)}, at most {info.max_items}"
    return bounds_text(info) if info.kind in (int, float) else ""


def in_bounds(info: FieldInfo, value: float) -> bool:
    """Whether a number lies within the field's bounds."""
    low, high = info.minimum, info.maximum
    if low is not None and (value <= low if info.open_min else value < low):
        return False
    return not (high is not None and (value >= high if info.open_max else value > high))


def parse(info: FieldInfo, raw: Any) -> Any:
    """What a user typed (text, or a number from a widget) as the field's type; ValueError if it is not one."""
    if info.parse is not None:
        return info.parse(raw)
    if info.kind is int:
        if isinstance(raw, int) and not isinstance(raw, bool):
            return raw
        if isinstance(raw, float) and raw.is_integer():
            return int(raw)
        try:
            return int(str(raw).strip())
        except ValueError:
            raise ValueError(f"{raw!r} is not a whole number") from None
    if info.kind is float:
        try:
            return float(raw if isinstance(raw, (int, float)) else str(raw).strip())
        except ValueError:
            raise ValueError(f"{raw!r} is not a number") from None
    return str(raw).strip()


def problem(info: FieldInfo, value: Any) -> str:
    """Why a typed value is not allowed for the field; empty when it is."""
    if info.check is not None:
        return info.check(info, value)
    if info.kind is int:
        if isinstance(value, bool) or not isinstance(value, int):
            return f"{info.what} must be a whole number, got {value!r}"
        return "" if in_bounds(info, value) else f"{info.what} must be {bounds_text(info)}, got {value:,}"
    if info.kind is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            return f"{info.what} must be a number {bounds_text(info)}, got {value!r}"
        return "" if in_bounds(info, value) else f"{info.what} must be {bounds_text(info)}, got {value:g}"
    if info.choices and info.other is None:
        if value not in info.values:
            return f"{info.what} must be one of {', '.join(info.values)}, got {value!r}"
        return ""
    text = str(value)
    if info.other is not None and not text.strip():
        return f"the {info.what} is empty: use {', '.join(map(repr, info.values))} or {info.other.what}"
    if info.maximum is not None and len(text) > info.maximum:
        return f"{info.what} is longer than {info.maximum:,.0f} characters"
    return ""


def problems(cls: type, values: dict[str, Any]) -> dict[str, str]:
    """One message per field of `values` that its FieldInfo does not allow."""
    found = {}
    for info in fields_of(cls):
        if info.name in values:
            message = problem(info, values[info.name])
            if message:
                found[info.name] = message
    return found
