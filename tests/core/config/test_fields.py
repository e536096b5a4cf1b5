"""Field metadata: kinds from type hints, parsing what was typed, and messages built from the declared bounds."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import pytest

from agnews_core.config.fields import Choice, Other, bounds_text, field_info, fields_of, meta, parse, problem, problems


class Colour(StrEnum):
    RED = "red"
    BLUE = "blue"


@dataclass(frozen=True)
class Example:
    count: int = meta(3, label="Count", minimum=1, maximum=10)
    ratio: float = meta(0.5, minimum=0, maximum=1, open_min=True, open_max=True)
    colour: Colour = meta(Colour.RED, label="Colour")
    source: str = meta("a", label="Source", choices=(Choice("a", "A for apple"),),
                       other=Other("folder", "a folder", "Folder", "a folder path"))
    note: str = meta("", label="Note", maximum=5)
    plain: int = 7


def test_kinds_defaults_and_enum_choices_come_from_the_dataclass() -> None:
    infos = {f.name: f for f in fields_of(Example)}
    assert (infos["count"].kind, infos["ratio"].kind, infos["note"].kind) == (int, float, str)
    assert infos["colour"].values == ("red", "blue")  # a StrEnum's members are its choices
    assert infos["plain"].default == 7 and not infos["plain"].exposed and infos["count"].exposed
    assert infos["count"].cli_flag == "--count" and infos["ratio"].what == "ratio"


@pytest.mark.parametrize(("name", "typed", "value"), [
    ("count", "4", 4), ("count", 4.0, 4), ("count", 4, 4), ("ratio", " 0.25 ", 0.25), ("note", "  hi ", "hi"),
])
def test_parse_turns_text_and_widget_numbers_into_the_field_type(name: str, typed: object, value: object) -> None:
    assert parse(field_info(Example, name), typed) == value


@pytest.mark.parametrize(("name", "typed", "message"), [
    ("count", "four", "'four' is not a whole number"), ("count", 2.5, "2.5 is not a whole number"),
    ("ratio", "half", "'half' is not a number"),
])
def test_parse_says_what_is_wrong(name: str, typed: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse(field_info(Example, name), typed)


def test_bounds_text_reads_open_and_closed_bounds() -> None:
    assert bounds_text(field_info(Example, "count")) == "between 1 and 10"
    assert bounds_text(field_info(Example, "ratio")) == "> 0 and < 1"


@pytest.mark.parametrize(("name", "value", "message"), [
    ("count", 0, "count must be between 1 and 10, got 0"),
    ("count", True, "count must be a whole number, got True"),
    ("ratio", 1.0, "ratio must be > 0 and < 1, got 1"),
    ("ratio", float("inf"), "ratio must be a number > 0 and < 1, got inf"),
    ("colour", "green", "colour must be one of red, blue, got 'green'"),
    ("source", " ", "the source is empty: use 'a' or a folder path"),
    ("note", "toolong", "note is longer than 5 characters"),
])
def test_problem_names_the_field_and_its_limits(name: str, value: object, message: str) -> None:
    assert problem(field_info(Example, name), value) == message


def test_an_open_field_takes_any_text_and_problems_checks_only_the_given_fields() -> None:
    assert problem(field_info(Example, "source"), "/data/news") == ""
    assert problems(Example, {"count": 11, "note": "ok"}) == {"count": "count must be between 1 and 10, got 11"}
