"""Connecting to Ray: addresses, an unreachable cluster, no Ray installed, a separately started cluster with
token authentication and shared storage, and an app that dies while a Ray sweep runs."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from ray_support import REPO_ROOT, alive, child_env, descendants, free_port, stop_cluster, wait_until
from sweep_configs import small_config, tiny_config

from agnews_core.states import RunState, SweepState
from agnews_core.store.artifact_store import ArtifactStore
from agnews_core.sweeps.executors.ray_cluster import INSTALL_HINT, ClusterError, check_cluster

RAY_BIN = str(Path(sys.executable).with_name("ray"))


def test_addresses_are_checked_before_anything_connects() -> None:
    with pytest.raises(ClusterError, match="not valid"):
        check_cluster("no-port-here")


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


def _ray_status_shows_cpus_in_use(address: str) -> bool:
    done = subprocess.run([RAY_BIN, "status", "--address", address], env=child_env(RAY_AUTH_MODE="token"),
                          capture_output=True, text=True, timeout=60)
    return done.returncode == 0 and re.search(r"\b(?:[1-9]\d*(?:\.\d+)?|0\.\d*[1-9]\d*)/2\.0 CPU", done.stdout) is not None


def test_a_separately_started_cluster_runs_the_sweep_through_ray_client_and_shared_storage(tmp_path: Path) -> None:
    temp_dir = tempfile.mkdtemp(prefix="rt-", dir="/tmp")  # short: Ray's socket paths must fit 107 bytes
    port = free_port()
    address = f"127.0.0.1:{port}"
    markers = (temp_dir, address)
    client_port = free_port()
    start = [RAY_BIN, "start", "--head", "--port", str(port), "--num-cpus", "2", "--include-dashboard", "false",
             "--disable-usage-stats", "--temp-dir", temp_dir, "--ray-client-server-port", str(client_port),
             "--dashboard-agent-listen-port", str(free_port()), "--metrics-export-port", str(free_port())]
    try:
        started = subprocess.run(start, env=child_env(), capture_output=True, text=True, timeout=120)
        assert started.returncode == 0, started.stderr[-3000:]
        info = check_cluster(address)  # token authentication stays on: the token `ray start` wrote is used
        assert info.nodes == ("127.0.0.1",) and info.cpus == 2 and info.ray_version and not info.embedded

        shared, root = tmp_path / "shared", tmp_path / "artifacts"
        # Through Ray Client (ray://), the address for a driver outside the cluster's network; the browser test
        # submits to the GCS address.
        command = [sys.executable, "-m", "agnews_core", "sweep", "--executor", "ray",
                   "--ray-address", f"ray://127.0.0.1:{client_port}",
                   "--ray-storage", str(shared), "--model", "tiny", "--data", "sample", "--lrs", "3e-3,1e-3",
                   "--train-size", "400", "--epochs", "4", "--eval-size", "16", "--test-size", "16",
                   "--keep-models", "all", "--artifacts", str(root)]
        cli = subprocess.Popen(command, cwd=REPO_ROOT, env=child_env(), stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
        store = ArtifactStore(root)
        wait_until(lambda: cli.poll() is not None or any(
            r.status == RunState.RUNNING for s in store.list_sweeps()[0] for r in store.load_runs(s)[0]),
            what="a trial to start on the cluster")
        seen_in_ray_status = False  # while it runs, Ray's own view shows CPUs in use
        while cli.poll() is None and not seen_in_ray_status:
            seen_in_ray_status = _ray_status_shows_cpus_in_use(address)
        output, _ = cli.communicate(timeout=400)
        assert cli.returncode == 0, output[-3000:]
        assert seen_in_ray_status, "`ray status` showed no CPU in use while the sweep ran"
        (sweep,) = store.list_sweeps()[0]
        assert sweep.config.executor == "ray" and sweep.status == SweepState.DONE
        for run in store.load_runs(sweep)[0]:
            assert run.status == RunState.DONE and run.node == "127.0.0.1" and run.model_saved
            assert (shared / sweep.sweep_id / run.run_id / "predictions.parquet").is_file()
            copied = store.load_predictions(sweep.sweep_id, run.run_id)
            assert copied.equals(__import__("pandas").read_parquet(shared / sweep.sweep_id / run.run_id /
                                                                   "predictions.parquet"))
            assert store.has_model(sweep.sweep_id, run.run_id)
    finally:
        left = stop_cluster(markers)
        shutil.rmtree(temp_dir, ignore_errors=True)
        assert left == set(), f"processes of the test's cluster still alive: {left}"


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
