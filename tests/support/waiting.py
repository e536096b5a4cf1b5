"""Poll until something is true or a deadline passes: the one way tests wait for background work."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def wait_until(predicate: Callable[[], T], timeout: float, message: str | Callable[[], str],
               interval: float = 0.05) -> T:
    """Call predicate every interval seconds until it returns something truthy, and return that.

    After timeout seconds raise TimeoutError naming what was awaited; message may be a callable, read only then
    (say, to add the end of a server log). An exception from predicate ends the wait at once.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            what = message() if callable(message) else message
            raise TimeoutError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(interval)
