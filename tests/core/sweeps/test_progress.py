"""Human-readable durations for progress reports."""

from __future__ import annotations

import pytest

from agnews_core.sweeps.progress import format_duration


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(None, "?"), (float("nan"), "?"), (-1, "?"), (0, "0 s"), (35.4, "35 s"), (89, "89 s"), (90, "2 min"),
     (240, "4 min"), (3569, "59 min"), (3600, "1 h 00 min"), (3900, "1 h 05 min"), (36000, "10 h 00 min")],
)
def test_format_duration(seconds: float | None, text: str) -> None:
    assert format_duration(seconds) == text

