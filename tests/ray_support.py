"""Helpers for tests that use a real Ray: loopback only, polling, child-process environment."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

# Every Ray port stays on 127.0.0.1: without this Ray swaps in the machine's outward address on Linux.
os.environ["RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"] = "0"
REPO_ROOT = Path(__file__).resolve().parents[1]
WAIT = 240  # seconds; a trial's worker imports torch and transformers first (10-20 s on 2 busy cores)
RAY_BIN = str(Path(sys.executable).with_name("ray"))


def wait_until(predicate: Callable[[], bool], timeout: float = WAIT, what: str = "condition") -> None:
    """Poll predicate every 50 ms; fail the test with what it waited for on timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")


def child_env(**extra: str) -> dict[str, str]:
    """Environment of a child process: offline, one torch thread, Ray on loopback, this repository importable."""
    return {**os.environ, "OMP_NUM_THREADS": "1", "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1",
            "TOKENIZERS_PARALLELISM": "false", "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0",
            "PYTHONPATH": str(REPO_ROOT), **extra}


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _ppid(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return -1


def descends_from(pid: int, ancestor: int) -> bool:
    """True when ancestor is pid's parent, grandparent, and so on."""
    for _ in range(64):
        pid = _ppid(pid)
        if pid == ancestor:
            return True
        if pid <= 1:
            return False
    return False


def processes_of_cluster(markers: tuple[str, ...]) -> set[int]:
    """Pids of the processes a `ray start` made: their command line names its private temp dir or GCS address,
    plus every descendant of those (workers and agents)."""
    found: set[int] = set()
    pids = [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit()]
    for pid in pids:
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if pid != os.getpid() and any(marker in cmdline for marker in markers):
            found.add(pid)
    parents = {pid: _ppid(pid) for pid in pids}
    grew = True
    while grew:
        children = {pid for pid, parent in parents.items() if parent in found} - found
        found |= children
        grew = bool(children)
    return found


def stop_cluster(markers: tuple[str, ...]) -> set[int]:
    """Kill only the processes of the cluster this test started (`ray stop --force` would stop every Ray on
    the machine, a user's own cluster included); return the pids still alive afterwards."""
    import signal

    for _ in range(3):
        for pid in processes_of_cluster(markers):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(1.0)
    return processes_of_cluster(markers)


def descendants(root: int) -> set[int]:
    """Pids of every living process below root."""
    pids = [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit()]
    parents = {pid: _ppid(pid) for pid in pids}
    found: set[int] = set()
    frontier = {root}
    while frontier:
        frontier = {pid for pid, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def alive(pids: set[int]) -> set[int]:
    """The pids of pids that still run (zombies count as gone)."""
    running = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if state != "Z":
            running.add(pid)
    return running



@dataclass(frozen=True)
class Head:
    """A Ray head this test started on its own: where drivers reach it."""

    address: str  # the GCS address, '127.0.0.1:PORT'
    client_port: int  # the Ray Client server's port (ray://127.0.0.1:PORT)


@contextlib.contextmanager
def separate_head(prefix: str) -> Iterator[Head]:
    """`ray start --head` as a user runs it (token authentication on), 2 CPUs, no dashboard, every port on loopback;
    afterwards only its own processes are stopped."""
    temp_dir = tempfile.mkdtemp(prefix=prefix, dir="/tmp")  # short: Ray's socket paths must fit 107 bytes
    port, client_port = free_port(), free_port()
    address = f"127.0.0.1:{port}"
    start = [RAY_BIN, "start", "--head", "--port", str(port), "--num-cpus", "2", "--include-dashboard", "false",
             "--disable-usage-stats", "--temp-dir", temp_dir, "--ray-client-server-port", str(client_port),
             "--dashboard-agent-listen-port", str(free_port()), "--metrics-export-port", str(free_port())]
    try:
        # `ray start` turns token authentication on only when a token already exists (a local ray.init() makes one):
        # make sure one does, as a user following Ray's guide would, so the cluster is the same whatever ran before.
        token = subprocess.run([RAY_BIN, "get-auth-token", "--generate"], env=child_env(), capture_output=True,
                               text=True, timeout=120)
        assert token.returncode == 0, token.stderr[-3000:]
        started = subprocess.run(start, env=child_env(RAY_AUTH_MODE="token"), capture_output=True, text=True,
                                 timeout=120)
        assert started.returncode == 0, started.stderr[-3000:]
        yield Head(address, client_port)
    finally:
        left = stop_cluster((temp_dir, address))
        shutil.rmtree(temp_dir, ignore_errors=True)
        assert left == set(), f"processes of the test's cluster still alive: {left}"


TRIAL_ACTOR = "ImplicitFunc"  # Ray Tune's actor class for a function trainable: each trial runs in one


@dataclass(frozen=True)
class ClusterActor:
    """An actor a cluster's GCS remembers, alive or dead: what it was, where and for which job it ran."""

    class_name: str
    node_ip: str
    job_id: str
    pid: int


# ray.util.state asks the dashboard, which these clusters run without; the GCS's own actor table is read instead.
READ_ACTORS = """
import json, sys
import ray
from ray._private import state
ray.init(address=sys.argv[1], logging_level="ERROR", log_to_driver=False, configure_logging=False)
print(json.dumps([[a["ActorClassName"], a["Address"]["IPAddress"], a["JobID"], a["Pid"]]
                  for a in state.actors().values()]))
"""


def actors_of(address: str) -> list[ClusterActor]:
    """Every actor the cluster at a GCS address ('127.0.0.1:PORT') has run, read by a short-lived driver.

    Unlike `ray status`, which shows only what holds resources at that moment, this lasts: the GCS keeps dead actors
    (up to 100,000) after their job ends.
    """
    done = subprocess.run([sys.executable, "-c", READ_ACTORS, address], env=child_env(RAY_AUTH_MODE="token"),
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    return [ClusterActor(*row) for row in json.loads(done.stdout.strip().splitlines()[-1])]
