"""Range search: seeded log-uniform learning rates inside the range, the same on every executor."""

from __future__ import annotations

import math

import pytest

from agnews_core.config.lr_search import log_uniform, parse_range


def test_log_uniform_draws_are_seeded_sorted_distinct_and_inside_the_range() -> None:
    rates = log_uniform(1e-5, 1e-2, 8, seed=42)
    assert rates == log_uniform(1e-5, 1e-2, 8, seed=42) != log_uniform(1e-5, 1e-2, 8, seed=43)
    assert len(set(rates)) == 8 and list(rates) == sorted(rates)
    assert all(1e-5 <= r <= 1e-2 for r in rates)
    logs = [math.log10(r) for r in log_uniform(1e-6, 1e-1, 12, seed=1)]
    assert min(logs) < -4 and max(logs) > -3  # spread over decades, not bunched at the top as uniform would be


def test_ranges_are_parsed_with_clear_messages() -> None:
    assert parse_range(" 1e-5 .. 1e-3 ") == (1e-5, 1e-3)
    for bad, says in (("1e-5", "two ends"), ("a..1e-3", "numbers"), ("1e-3..1e-5", "low < high"),
                      ("0..1e-3", "0 < low"), ("1e-3..2", "<= 1")):
        with pytest.raises(ValueError, match=says):
            parse_range(bad)
    with pytest.raises(ValueError, match="between 1 and 12"):
        log_uniform(1e-5, 1e-3, 13, seed=0)
    with pytest.raises(ValueError, match="too narrow"):
        log_uniform(1.0e-4, 1.001e-4, 5, seed=0)
