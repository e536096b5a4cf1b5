"""Where a running sweep is, as carried in its job snapshot, and how long that is in words."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Progress:
    """Where a sweep is: which run, which step, how fast, how long to go."""

    phase: str  # 'loading', 'baselines', 'training', 'evaluating', 'saving', 'finished'
    message: str
    run_index: int = 0  # 0-based index of the current run
    run_count: int = 0
    learning_rate: float | None = None
    step: int = 0
    total_steps: int = 0
    examples_per_second: float = 0.0
    eta_seconds: float | None = None  # for the whole sweep (for one trial in a JobSnapshot's run_progress)
    node: str = ""  # the Ray node a trial runs on


def format_duration(seconds: float | None) -> str:
    """'about 4 min', '35 s', '1 h 05 min'; '?' when unknown."""
    if seconds is None or seconds != seconds or seconds < 0:
        return "?"
    seconds = int(round(seconds))
    if seconds < 90:
        return f"{seconds} s"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d} min"
