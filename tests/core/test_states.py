"""States are enums in code and the same plain strings on disk, so older artifacts keep loading."""

from __future__ import annotations

import json

import pytest

from agnews_core.config.sweep_config import KeepModels, SweepConfig
from agnews_core.states import RunState, SweepState
from agnews_core.store.artifact_store import ArtifactError, ArtifactStore
from agnews_core.store.records import RunRecord, SweepRecord


def test_states_are_stored_as_plain_strings(store: ArtifactStore) -> None:
    sweep = SweepRecord("s1", SweepConfig(keep_models="all"), status=SweepState.DONE_WITH_FAILURES, run_ids=("r1",))
    store.save_sweep(sweep)
    store.save_run("s1", RunRecord("r1", 0, 1e-4, status=RunState.FAILED))
    on_disk = json.loads((store.sweep_dir("s1") / "sweep.json").read_text())
    assert on_disk["status"] == "done with failures" and on_disk["config"]["keep_models"] == "all"
    assert json.loads((store.run_dir("s1", "r1") / "run.json").read_text())["status"] == "failed"
    loaded = store.load_sweep("s1")
    assert loaded.status is SweepState.DONE_WITH_FAILURES and loaded.config.keep_models is KeepModels.ALL
    assert store.load_run("s1", "r1").status is RunState.FAILED


def test_plain_strings_become_enums() -> None:
    assert RunRecord("r1", 0, 1e-4, status="done").status is RunState.DONE
    assert SweepRecord("s1", SweepConfig(), status="queued").status is SweepState.QUEUED


def test_an_unknown_state_on_disk_reads_as_a_corrupt_file(store: ArtifactStore) -> None:
    store.save_sweep(SweepRecord("s1", SweepConfig()))
    path = store.sweep_dir("s1") / "sweep.json"
    path.write_text(path.read_text().replace('"queued"', '"exploded"'))
    with pytest.raises(ArtifactError, match="corrupt"):
        store.load_sweep("s1")


@pytest.mark.parametrize(("state", "active", "succeeded"), [
    (SweepState.QUEUED, True, False), (SweepState.RUNNING, True, False), (SweepState.DONE, False, True),
    (SweepState.DONE_WITH_FAILURES, False, True), (SweepState.FAILED, False, False),
    (SweepState.CANCELLED, False, False), (SweepState.INTERRUPTED, False, False)])
def test_sweep_state_questions(state: SweepState, active: bool, succeeded: bool) -> None:
    assert (state.is_active, state.succeeded) == (active, succeeded)


def test_states_are_stored_as_their_plain_strings() -> None:
    assert json.dumps([SweepState.DONE_WITH_FAILURES, RunState.STOPPED_EARLY]) == '["done with failures", "stopped early"]'
    assert SweepState("interrupted") is SweepState.INTERRUPTED and RunState("skipped") is RunState.SKIPPED
    with pytest.raises(ValueError):
        SweepState("finished")
