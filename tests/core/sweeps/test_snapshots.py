"""Job snapshots are values: a page holding one never sees it change under it."""

from __future__ import annotations

import dataclasses

import pytest

from agnews_core.config.sweep_config import SweepConfig
from agnews_core.store.records import RunRecord, SweepRecord
from agnews_core.sweeps.progress import Progress
from agnews_core.sweeps.snapshots import JobSnapshot, ignore_snapshot


def test_a_snapshot_is_frozen_and_holds_tuples() -> None:
    snapshot = JobSnapshot(SweepRecord("s1", SweepConfig()), (RunRecord("r1", 0, 1e-4),), Progress("loading", "Loading"))
    with pytest.raises(dataclasses.FrozenInstanceError):
        snapshot.runs = ()  # type: ignore[misc]
    assert isinstance(snapshot.runs, tuple) and snapshot.queue_position is None


def test_ignore_snapshot_accepts_any_snapshot() -> None:
    assert ignore_snapshot(JobSnapshot(SweepRecord("s1", SweepConfig()), ())) is None
