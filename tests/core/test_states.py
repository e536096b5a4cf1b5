"""Run and sweep states: the same plain strings on disk as before the enums, and what counts as active."""

from __future__ import annotations

import json

import pytest

from agnews_core.states import RunState, SweepState


def test_states_are_stored_as_their_plain_strings() -> None:
    assert json.dumps([SweepState.DONE_WITH_FAILURES, RunState.STOPPED_EARLY]) == '["done with failures", "stopped early"]'
    assert SweepState("interrupted") is SweepState.INTERRUPTED and RunState("skipped") is RunState.SKIPPED
    with pytest.raises(ValueError):
        SweepState("finished")


def test_only_queued_and_running_sweeps_are_active() -> None:
    assert {s for s in SweepState if s.is_active} == {SweepState.QUEUED, SweepState.RUNNING}


def test_a_sweep_succeeded_when_done_even_with_failures() -> None:
    assert {s for s in SweepState if s.succeeded} == {SweepState.DONE, SweepState.DONE_WITH_FAILURES}
