"""wait_until: the predicate's first truthy value, a TimeoutError that says what it waited for, errors pass through."""

from __future__ import annotations

import pytest

from .waiting import wait_until


def test_returns_the_first_truthy_value_of_the_predicate() -> None:
    answers = iter([None, 0, "ready", "later"])
    calls: list[str] = []

    def predicate() -> object:
        calls.append("call")
        return next(answers)

    assert wait_until(predicate, 60, "an answer", interval=0) == "ready"
    assert len(calls) == 3


def test_a_timeout_names_what_it_waited_for() -> None:
    with pytest.raises(TimeoutError, match=r"^timed out after 0 s waiting for the sweep to start$"):
        wait_until(lambda: False, 0, "the sweep to start")


def test_a_callable_message_is_read_only_on_timeout() -> None:
    read: list[str] = []

    def message() -> str:
        read.append("read")
        return "log tail"

    assert wait_until(lambda: True, 0, message)
    assert read == []
    with pytest.raises(TimeoutError, match="waiting for log tail"):
        wait_until(lambda: False, 0, message)
    assert read == ["read"]


def test_an_error_in_the_predicate_ends_the_wait_at_once() -> None:
    calls: list[str] = []

    def predicate() -> bool:
        calls.append("call")
        raise RuntimeError("the server died")

    with pytest.raises(RuntimeError, match="the server died"):
        wait_until(predicate, 60, "never")
    assert calls == ["call"]
