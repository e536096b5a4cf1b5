"""Connecting to Ray: addresses, an unreachable cluster, no Ray installed, a separately started cluster with
token authentication and shared storage, and an app that dies while a Ray sweep runs."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from ray_support import (
    REPO_ROOT,
    TRIAL_ACTOR,
    actors_of,
    alive,
    child_env,
    descendants,
    free_port,
    separate_head,
    wait_until,
)
from sweep_configs import small_config, tiny_config

from agnews_core.states import RunState, SweepState
from agnews_core.store.artifact_store import ArtifactStore
from agnews_core.sweeps.executors.ray_cluster import INSTALL_HINT, ClusterError, check_cluster, current_info


def test_addresses_are_checked_before_anything_connects() -> None:
    with pytest.raises(ClusterError, match="not valid"):
        check_cluster("no-port-here")


def test_the_cluster_picture_counts_the_cpus_an_actor_holds_until_it_ends(local_ray) -> None:
    class Holder:  # defined here so that Ray ships it by value (the workers cannot import test modules)
        """Holds the CPU Ray gave it for as long as it lives."""

        def ready(self) -> bool:
            return True

    # Ray's view of free resources lags by up to seconds: each state is held until it has been seen.
    wait_until(lambda: current_info("local").free_cpus == 2, what="an idle cluster")
    holder = local_ray.remote(num_cpus=1)(Holder).remote()
    try:
        assert local_ray.get(holder.ready.remote(), timeout=120)
        wait_until(lambda: current_info("local").free_cpus == 1, what="1 of 2 CPUs free while the actor lives")
    finally:
        local_ray.kill(holder)
    wait_until(lambda: current_info("local").free_cpus == 2, what="both CPUs free once the actor is gone")
    assert current_info("local").cpus == 2


def test_an_unreachable_cluster_is_refused_on_submit_and_nothing_is_written(store, make_manager) -> None:
    address = f"127.0.0.1:{free_port()}"
    manager = make_manager(store)  # picks the executor from the sweep's config
    with pytest.raises(ClusterError, match=f"No Ray cluster answers at {address}.*ray start --head"):
        manager.submit(small_config(executor="ray", ray_address=address))
    assert store.list_sweeps() == ([], []) and not manager.is_busy()
    assert not store.root.exists() or not any(store.root.rglob("*.json"))


WITHOUT_RAY = """
import sys, threading
sys.modules["ray"] = None  # as if Ray were not installed
sys.path.insert(0, "tests")
from sweep_configs import small_config
from agnews_core.store.artifact_store import ArtifactStore
from agnews_core.sweeps.jobs import JobManager
from agnews_core.sweeps.executors.ray_cluster import ClusterError, check_cluster, ray_available
assert not ray_available()
try:
    check_cluster("local")
except ClusterError as exc:
    print("MESSAGE", exc)
manager = JobManager(ArtifactStore(sys.argv[1]))
sweep = manager.submit(small_config())
manager.wait_idle(300)
print("STATUS", manager.job(sweep.sweep_id).sweep.status)
print("LOADED", "ray" in {n.split(".")[0] for n in sys.modules if sys.modules[n] is not None})
"""


def test_without_ray_the_thread_executor_works_and_the_message_says_how_to_install(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-c", WITHOUT_RAY, str(tmp_path / "a")], cwd=REPO_ROOT, env=child_env(),
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert f"MESSAGE {INSTALL_HINT}" in done.stdout
    assert "STATUS done" in done.stdout and "LOADED False" in done.stdout


DRIVER = """
import json, sys
from agnews_core.store.artifact_store import ArtifactStore
from agnews_core.config.sweep_config import SweepConfig
from agnews_core.sweeps.jobs import JobManager
store = ArtifactStore(sys.argv[1])
manager = JobManager(store)
sweep = manager.submit(SweepConfig(**json.loads(sys.argv[2])))
print("SWEEP", sweep.sweep_id, flush=True)
manager.wait_idle(600)
print("STATUS", store.load_sweep(sweep.sweep_id).status, flush=True)
"""


def _driver(root: Path, config, log: Path) -> subprocess.Popen:
    """The app's job manager in a process of its own, running one sweep."""
    handle = log.open("w")
    return subprocess.Popen([sys.executable, "-c", DRIVER, str(root), json.dumps(config.to_dict())], cwd=REPO_ROOT,
                            env=child_env(), stdout=handle, stderr=handle, start_new_session=True)


def test_a_separately_started_cluster_runs_the_sweep_through_ray_client_and_shared_storage(tmp_path: Path) -> None:
    with separate_head("rt-") as head:
        info = check_cluster(head.address)  # token authentication stays on: the token `ray start` wrote is used
        assert info.nodes == ("127.0.0.1",) and info.cpus == 2 and info.ray_version and not info.embedded

        shared, root = tmp_path / "shared", tmp_path / "artifacts"
        # Through Ray Client (ray://), the address for a driver outside the cluster's network; the browser test
        # submits to the GCS address.
        command = [sys.executable, "-m", "agnews_core", "sweep", "--executor", "ray",
                   "--ray-address", f"ray://127.0.0.1:{head.client_port}",
                   "--ray-storage", str(shared), "--model", "tiny", "--data", "sample", "--lrs", "3e-3,1e-3",
                   "--train-size", "400", "--epochs", "4", "--eval-size", "16", "--test-size", "16",
                   "--keep-models", "all", "--artifacts", str(root)]
        cli = subprocess.run(command, cwd=REPO_ROOT, env=child_env(), stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True, timeout=600)
        assert cli.returncode == 0, cli.stdout[-3000:]
        store = ArtifactStore(root)
        (sweep,) = store.list_sweeps()[0]
        assert sweep.config.executor == "ray" and sweep.status == SweepState.DONE
        runs = store.load_runs(sweep)[0]
        # The cluster's own record, read after the sweep: its trials and their board ran there, in one job, on the
        # node each run recorded.
        ran = actors_of(head.address)
        trials = [a for a in ran if a.class_name == TRIAL_ACTOR]
        (board,) = [a for a in ran if a.class_name == "TrialBoard"]
        assert trials and {a.job_id for a in trials} == {board.job_id}, ran
        assert {a.node_ip for a in trials} == {r.node for r in runs} == set(info.nodes), ran
        for run in runs:
            assert run.status == RunState.DONE and run.node == "127.0.0.1" and run.model_saved
            assert (shared / sweep.sweep_id / run.run_id / "predictions.parquet").is_file()
            copied = store.load_predictions(sweep.sweep_id, run.run_id)
            assert copied.equals(__import__("pandas").read_parquet(shared / sweep.sweep_id / run.run_id /
                                                                   "predictions.parquet"))
            assert store.has_model(sweep.sweep_id, run.run_id)


def test_an_app_killed_mid_sweep_shows_its_ray_sweep_interrupted(tmp_path: Path, make_manager) -> None:
    root, log = tmp_path / "artifacts", tmp_path / "driver.log"
    config = tiny_config(learning_rates=(3e-3,), train_size=400, epochs=12.0, eval_size=16, test_size=16,
                         executor="ray", ray_local_cpus=2)
    driver = _driver(root, config, log)
    store = ArtifactStore(root)

    def training() -> bool:
        assert driver.poll() is None, log.read_text(errors="replace")[-3000:]
        sweeps = store.list_sweeps()[0]
        return bool(sweeps) and any(r.status == RunState.RUNNING and r.train_loss
                                    for r in store.load_runs(sweeps[0])[0])
    wait_until(training, what="the Ray trial to train")
    ray_processes = descendants(driver.pid)
    assert ray_processes, "the embedded Ray runs below the app"
    os.killpg(driver.pid, signal.SIGKILL)  # the app dies the hard way
    driver.wait(timeout=30)
    wait_until(lambda: not alive(ray_processes), timeout=90, what="the embedded Ray and its trials to go too")

    manager = make_manager(store)
    (sweep,) = store.list_sweeps()[0]
    assert manager.recovered == [sweep.sweep_id] and sweep.status == SweepState.INTERRUPTED
    (run,) = store.load_runs(sweep)[0]
    assert run.status == RunState.INTERRUPTED and "curves kept" in run.error and run.train_loss


def test_a_ray_sweep_request_without_ray_names_the_install_command(monkeypatch) -> None:
    from agnews_core.sweeps.request import validate_request

    monkeypatch.setitem(sys.modules, "ray", None)  # as if Ray were not installed
    request = validate_request({"executor": "ray", "model": "tiny", "data": "sample", "train_size": 32,
                                "eval_size": 16, "test_size": 16})
    assert request.config is None and "make setup-ray" in request.errors["executor"]
    assert validate_request({"model": "tiny", "data": "sample", "train_size": 32, "eval_size": 16,
                             "test_size": 16}).config is not None  # the thread executor needs no Ray
