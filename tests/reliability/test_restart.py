"""A server killed mid-sweep (SIGKILL) and restarted: finished runs intact, the sweep shown as interrupted."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from support.served_app import served_app
from support.waiting import wait_until

from agnews_core.states import RunState
from agnews_core.store.artifact_store import ArtifactStore

from .conftest import CHILD_ENV, small_config, start_process, tiny_config

LRS = (3e-3, 1e-3, 3e-4)
# Run 1 trains at full speed (about a second); later runs sleep in every forward pass, so the kill finds one running.
SLOW_LATER_RUNS = f"""
import time
from agnews_core.sweeps import runner as sweep_module

sweep_module.CURVE_SAVE_SECONDS = 0.2  # write curves often: the kill must find some on disk
_train = sweep_module.train_model


def _slow_after_the_first(model, tokenizer, train, validation, settings, *rest):
    if settings.learning_rate != {LRS[0]!r}:
        model.register_forward_pre_hook(lambda *args: time.sleep(0.3))
    return _train(model, tokenizer, train, validation, settings, *rest)


sweep_module.train_model = _slow_after_the_first
"""
MANAGER_CHILD = SLOW_LATER_RUNS + """
import json, sys
from agnews_core.store.artifact_store import ArtifactStore
from agnews_core.config.sweep_config import SweepConfig
from agnews_core.sweeps.jobs import JobManager

manager = JobManager(ArtifactStore(sys.argv[1]))
manager.submit(SweepConfig(**json.loads(sys.argv[2])))
time.sleep(600)
"""
# The real server: the sweep is submitted to the cached job manager that the app's pages then share.
SERVER_CHILD = SLOW_LATER_RUNS + """
import json, sys
from agnews_core.config.sweep_config import SweepConfig
from agnews_ui.resources import job_manager

job_manager().submit(SweepConfig(**json.loads(sys.argv[1])))
sys.argv = ["streamlit", *sys.argv[2:]]  # the rest: run app.py --flags
from streamlit.web.cli import main

main()
"""


def _config_json() -> str:
    config = tiny_config(learning_rates=LRS, train_size=320, eval_size=16, test_size=16, evals_per_run=2)
    return json.dumps(config.to_dict())


def _read_run(root: Path, name: str) -> dict:
    for path in (root / "sweeps").glob(f"*/runs/{name}*/run.json"):
        try:
            return json.loads(path.read_text())
        except (OSError, ValueError):  # written atomically, but be safe
            return {}
    return {}


def _wait_for_first_run_done_and_second_with_curves(root: Path, process: subprocess.Popen, log: Path) -> None:
    def ready() -> bool:
        assert process.poll() is None, f"the sweep process died:\n{log.read_text(errors='replace')[-3000:]}"
        first, second = _read_run(root, "run01"), _read_run(root, "run02")
        return first.get("status") == RunState.DONE and second.get("status") == RunState.RUNNING and len(second.get("train_loss", [])) >= 2

    wait_until(ready, 180, lambda: f"run 1 to finish and run 2 to log losses:\n{log.read_text(errors='replace')[-3000:]}")


def _kill(process: subprocess.Popen) -> None:
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)  # reaped: a zombie would still look alive to the next manager


def test_a_killed_sweep_process_leaves_finished_runs_intact_and_the_sweep_interrupted(
        tmp_path, processes, make_manager) -> None:
    from agnews_core.modeling.models import load_saved

    root = tmp_path / "artifacts"
    log = tmp_path / "child.log"
    child = start_process([sys.executable, "-c", MANAGER_CHILD, str(root), _config_json()], root, log)
    processes.append(child)
    _wait_for_first_run_done_and_second_with_curves(root, child, log)
    _kill(child)

    # What a crash can leave: temp files of atomic writes and a half-copied model folder.
    (sweep_dir,) = (root / "sweeps").iterdir()
    (sweep_dir / ".sweep.json.k1ll3d.tmp").write_text('{"half": ')
    (sweep_dir / "runs" / "run02-lr1e-3" / ".run.json.k1ll3d.tmp").write_text("{")
    (sweep_dir / "runs" / "run02-lr1e-3" / ".model.tmp").mkdir()
    (root / "sweeps" / ".20260101-000000-abcdef.tmp").mkdir()

    store = ArtifactStore(root)
    manager = make_manager(store)
    assert manager.recovered == [sweep_dir.name]
    sweeps, broken = store.list_sweeps()
    assert broken == [] and [s.sweep_id for s in sweeps] == [sweep_dir.name]
    (sweep,) = sweeps
    assert sweep.status == RunState.INTERRUPTED and "stopped while this sweep was running" in sweep.error
    assert manager.job(sweep.sweep_id).sweep.status == RunState.INTERRUPTED
    runs, broken_runs = store.load_runs(sweep)
    assert broken_runs == [] and [r.run_id for r in runs] == list(sweep.run_ids)
    finished, interrupted, never_started = runs
    assert [r.status for r in runs] == [RunState.DONE, RunState.INTERRUPTED, RunState.SKIPPED]
    predictions = store.load_predictions(sweep.sweep_id, finished.run_id)
    assert len(predictions) == sweep.config.eval_size + sweep.config.test_size
    assert finished.test is not None and finished.eval_loss and finished.final_eval_loss is not None
    if finished.model_saved:
        assert load_saved(store.model_dir(sweep.sweep_id, finished.run_id)).model is not None
    assert "curves kept" in interrupted.error and len(interrupted.train_loss) >= 2
    assert not store.has_model(sweep.sweep_id, interrupted.run_id)

    new = manager.submit(small_config())
    assert manager.wait_idle(timeout=120), "a sweep submitted after the restart did not finish"
    assert store.load_sweep(new.sweep_id).status == RunState.DONE
    assert store.load_sweep(sweep.sweep_id).status == RunState.INTERRUPTED


def _listening_addresses(port: int) -> set[str]:
    """Local addresses of sockets listening on a TCP port, from /proc/net/tcp (IPv4 and IPv6)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            local, state = line.split()[1], line.split()[3]
            address, _, hex_port = local.partition(":")
            if state == "0A" and int(hex_port, 16) == port:
                found.add(address)
    return found


@pytest.mark.browser
def test_the_real_server_killed_mid_sweep_shows_it_interrupted_after_a_restart(tmp_path, browser) -> None:
    root = tmp_path / "artifacts"
    env = {**CHILD_ENV, "AGNEWS_ARTIFACTS": str(root)}
    with served_app(env, launcher=[sys.executable, "-c", SERVER_CHILD, _config_json()],
                    log=tmp_path / "server1.log") as server:
        _wait_for_first_run_done_and_second_with_curves(root, server.process, server.log)
        _kill(server.process)

    # Restart as `make run` does: no address flag, so .streamlit/config.toml decides where it listens.
    with served_app(env, address=None, log=tmp_path / "server2.log") as restarted:
        assert _listening_addresses(restarted.port) == {"0100007F"}, "the server must listen on 127.0.0.1 only"
        page = browser.new_page()
        page.goto(f"{restarted.url}/sweep", wait_until="domcontentloaded")
        page.get_by_text("server stopped while this sweep was running").first.wait_for(timeout=90_000)
        assert re.search(rf"\b{RunState.INTERRUPTED}\b", page.inner_text("body")), "the job's badge says interrupted"
        page.goto(f"{restarted.url}/", wait_until="domcontentloaded")
        page.get_by_text("interrupted when the server last stopped").first.wait_for(timeout=60_000)

    store = ArtifactStore(root)
    (sweep,) = store.list_sweeps()[0]
    runs, _ = store.load_runs(sweep)
    assert sweep.status == RunState.INTERRUPTED and [r.status for r in runs] == [RunState.DONE, RunState.INTERRUPTED, RunState.SKIPPED]
    assert store.load_predictions(sweep.sweep_id, runs[0].run_id) is not None
