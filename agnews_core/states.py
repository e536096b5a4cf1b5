"""Every state a run or a sweep can be in, stored in JSON as the same plain strings as before."""

from __future__ import annotations

from enum import StrEnum


class RunState(StrEnum):
    """One learning rate's state."""

    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"
    INTERRUPTED = "interrupted"
    SKIPPED = "skipped"
    STOPPED_EARLY = "stopped early"  # a scheduler ended it on purpose: finished, not failed


class SweepState(StrEnum):
    """One sweep's (one job's) state."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    DONE_WITH_FAILURES = "done with failures"
    FAILED = "failed"
    CANCELLED = "cancelled"
    INTERRUPTED = "interrupted"

    @property
    def is_active(self) -> bool:
        """Queued or running: some process should still be working on it."""
        return self in (SweepState.QUEUED, SweepState.RUNNING)

    @property
    def succeeded(self) -> bool:
        """Ended with at least one usable run."""
        return self in (SweepState.DONE, SweepState.DONE_WITH_FAILURES)


NOT_STARTED_CANCELLED = "not started: the sweep was cancelled"  # why a skipped run never trained
