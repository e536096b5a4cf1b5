"""The job card of a Ray sweep: every trial's progress with its node, the cluster's free resources, the executor."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from agnews_core.config.sweep_config import SweepConfig
from agnews_core.states import RunState, SweepState
from agnews_core.store.records import RunRecord, SweepRecord
from agnews_core.sweeps.executors.ray_cluster import ClusterInfo
from agnews_core.sweeps.progress import Progress
from agnews_core.sweeps.snapshots import JobSnapshot
from agnews_ui.format import executor_label
from agnews_ui.jobs_view import runs_table


def _ray_view() -> JobSnapshot:
    config = SweepConfig(learning_rates=(1e-3, 3e-3, 1e-4), model="tiny", data="sample")
    sweep = SweepRecord("20261127-000000-abcdef", config, status=SweepState.RUNNING, created_at="2026-11-27")
    runs = (RunRecord("run01-lr1e-3", 0, 1e-3, RunState.RUNNING, node="10.0.0.1", total_steps=40, steps_done=10),
            RunRecord("run02-lr3e-3", 1, 3e-3, RunState.RUNNING, node="10.0.0.2", total_steps=40, steps_done=30),
            RunRecord("run03-lr1e-4", 2, 1e-4))
    trials = (Progress("training", "", 0, 3, 1e-3, 10, 40, 12.0, 30.0, "10.0.0.1"),
              Progress("training", "", 1, 3, 3e-3, 30, 40, 14.0, 9.0, "10.0.0.2"))
    overall = Progress("trials", "2 trials running on Ray, 1 queued, 0 finished", 0, 3, step=1000, total_steps=1000)
    cluster = ClusterInfo("10.0.0.1:6379", "2.60.0", ("10.0.0.1", "10.0.0.2"), 8.0, 0.0, 6.0, 0.0)
    return JobSnapshot(sweep, runs, overall, run_progress=trials, cluster=cluster)


def test_the_runs_table_names_each_trials_node_only_for_ray_sweeps() -> None:
    view = _ray_view()
    assert runs_table(view)["node"].tolist() == ["10.0.0.1", "10.0.0.2", ""]
    plain = JobSnapshot(view.sweep, tuple(r.with_changes(node="") for r in view.runs))
    assert "node" not in runs_table(plain).columns
    assert executor_label(view.sweep.config) == ""


def _card() -> None:
    import sys

    sys.path.insert(0, "tests/app")
    import tempfile

    from test_ray_job_card import _ray_view

    from agnews_core.store.artifact_store import ArtifactStore
    from agnews_core.sweeps.jobs import JobManager
    from agnews_ui.jobs_view import render_job

    render_job(JobManager(ArtifactStore(tempfile.mkdtemp())), _ray_view(), show_curves=False)


def test_the_card_shows_every_trial_with_its_node_and_the_free_resources() -> None:
    at = AppTest.from_function(_card, default_timeout=60).run()
    assert not at.exception
    texts = [p.proto.text for p in at.get("progress")]
    assert texts[0] == "2 trials running on Ray, 1 queued, 0 finished"
    assert texts[1].startswith("Run 1 of 3: lr 1e-3, step 10/40, 12 ex/s") and texts[1].endswith("on 10.0.0.1")
    assert texts[2].startswith("Run 2 of 3: lr 3e-3, step 30/40") and texts[2].endswith("on 10.0.0.2")
    captions = " ".join(c.value for c in at.caption)
    assert "Ray cluster: 2 nodes (10.0.0.1, 10.0.0.2): 8 CPUs (6 free), 0 GPUs (0 free), Ray 2.60.0" in captions
