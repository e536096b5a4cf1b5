"""Immutable pictures of a job, published by whoever runs it and read by pages and the CLI."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from agnews_core.store.records import RunRecord, SweepRecord
from agnews_core.sweeps.executors.ray_cluster import ClusterInfo
from agnews_core.sweeps.progress import Progress


@dataclass(frozen=True)
class JobSnapshot:
    """One sweep as it is now: its record, its runs with the curves so far, and live progress."""

    sweep: SweepRecord
    runs: tuple[RunRecord, ...]  # live curves while running, else as stored (unreadable runs left out)
    progress: Progress | None = None  # only while this process runs the job
    queue_position: int | None = None  # 1 = next to start
    run_progress: tuple[Progress, ...] = ()  # one per run training in parallel (Ray trials); empty on the thread
    cluster: ClusterInfo | None = None  # the Ray cluster's nodes and free resources while a Ray sweep runs


SnapshotCallback = Callable[[JobSnapshot], None]


def ignore_snapshot(_: JobSnapshot) -> None:
    """A snapshot callback that does nothing."""
