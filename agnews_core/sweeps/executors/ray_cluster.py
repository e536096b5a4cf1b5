"""Connecting to Ray: an embedded one on this machine, or a cluster started with `ray start`.

Addresses: 'local' starts (or reuses) an embedded Ray in this process; 'auto' uses $RAY_ADDRESS or the cluster
`ray start` left on this machine; 'host:6379' is a cluster's GCS address; 'ray://host:10001' goes through Ray
Client. Importing this module never imports Ray: a user without Ray keeps the thread executor.
"""

from __future__ import annotations

import importlib.util
import json
import os
import socket
import subprocess
import sys
import threading
from dataclasses import asdict, dataclass
from pathlib import Path

from agnews_core.config.ray_address import AUTO, LOCAL, host_port, validate_address

RAY_PIN = "ray[tune]==2.60.0"
INSTALL_HINT = f"Ray is not installed: run `make setup-ray` (or `.venv/bin/pip install '{RAY_PIN}'`)"
CHECK_TIMEOUT_S = 60.0  # importing Ray and joining a cluster takes 5-15 s on a busy 2-core machine
TOKEN_FILE = Path.home() / ".ray" / "auth_token"  # where `ray start` writes its token (Ray 2.60 default)
WORKER_ENV = ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE", "TOKENIZERS_PARALLELISM", "AGNEWS_ARTIFACTS")


class ClusterError(RuntimeError):
    """Ray is missing or the cluster cannot be reached; the message is one sentence a user can act on."""


@dataclass(frozen=True)
class ClusterInfo:
    """What a Ray cluster offers: nodes, CPUs, GPUs (total and free) and its Ray version."""

    address: str
    ray_version: str
    nodes: tuple[str, ...]  # node addresses (IPs) that are alive
    cpus: float
    gpus: float
    free_cpus: float
    free_gpus: float
    embedded: bool = False  # 'local': Ray starts inside the app with the sweep

    def describe(self) -> str:
        """'2 nodes (10.0.0.1, 10.0.0.2), 16 CPUs (12 free), 1 GPU (1 free), Ray 2.60.0'."""
        where = "this machine (an embedded Ray starts with the sweep)" if self.embedded else \
            f"{len(self.nodes)} node{'s' if len(self.nodes) != 1 else ''} ({', '.join(self.nodes)})"
        return (f"{where}: {self.cpus:g} CPUs ({self.free_cpus:g} free), {self.gpus:g} GPUs ({self.free_gpus:g} free),"
                f" Ray {self.ray_version}")

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form (the check subprocess prints it)."""
        return {**asdict(self), "nodes": list(self.nodes)}

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> ClusterInfo:
        """Inverse of to_dict."""
        return cls(**{**data, "nodes": tuple(data["nodes"])})  # type: ignore[arg-type]


def ray_available() -> bool:
    """True when Ray Tune can be imported here."""
    return importlib.util.find_spec("ray") is not None


def require_ray() -> None:
    """Raise ClusterError with the install command unless Ray is installed."""
    if not ray_available():
        raise ClusterError(INSTALL_HINT)


def reachable(address: str, timeout: float = 3.0) -> None:
    """Raise ClusterError unless something accepts TCP connections at a 'host:port' or 'ray://' address.

    ray.init() retries an unreachable address for minutes: this answers in seconds, before anything is written.
    """
    if address in (LOCAL, AUTO):
        return
    host, port = host_port(address)
    try:
        with socket.create_connection((host, int(port)), timeout=timeout):
            return
    except OSError as exc:
        raise ClusterError(f"No Ray cluster answers at {address} ({exc.strerror or exc}): start one with "
                           "`ray start --head` or check the address") from None


def use_token_auth() -> None:
    """Connect with token authentication (Ray 2.60's default for `ray start`) using the token it wrote.

    Ray reads RAY_AUTH_MODE when it is imported: set it before, or make an imported Ray read it again.
    """
    if os.environ.get("RAY_AUTH_MODE"):
        return  # the user chose
    if os.environ.get("RAY_AUTH_TOKEN") or os.environ.get("RAY_AUTH_TOKEN_PATH") or TOKEN_FILE.exists():
        os.environ["RAY_AUTH_MODE"] = "token"
        if "ray" in sys.modules:
            from ray._raylet import Config  # what Ray's own tests call after changing the variable

            Config.initialize("")


_lock = threading.Lock()
_connected: str | None = None  # the address this process is connected to


def connect(address: str, local_cpus: int | None = None) -> None:
    """Make this process a Ray driver for the address; reuse the connection while the address stays the same.

    An embedded Ray ('local') stays up between sweeps: starting one costs about 10 s here.
    """
    global _connected
    require_ray()
    address = validate_address(address)
    if address != LOCAL:
        use_token_auth()
    import ray

    with _lock:
        if ray.is_initialized() and (_connected in (None, address)):
            _connected = _connected or address  # e.g. tests that call ray.init() themselves
            return
        if ray.is_initialized():
            ray.shutdown()
        reachable(address)
        env = {name: os.environ[name] for name in WORKER_ENV if name in os.environ}
        common = dict(include_dashboard=False, log_to_driver=False, configure_logging=False,
                      runtime_env={"env_vars": env, "py_modules": [_package_dir()]} if address != LOCAL
                      else {"env_vars": env})
        try:
            if address == LOCAL:
                os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")  # keep an embedded Ray on loopback
                # Ray runs workers at nice 15; an embedded Ray stands in for the app's own thread: same priority.
                os.environ.setdefault("RAY_worker_niceness", "0")
                ray.init(num_cpus=local_cpus, **common)
            else:
                ray.init(address=address, **common)
        except Exception as exc:  # noqa: BLE001 - Ray raises many kinds; the user needs one sentence
            raise ClusterError(f"Could not connect to Ray at {address}: {_first_line(exc)}") from exc
        _connected = address


def disconnect() -> None:
    """Leave the cluster (an embedded Ray stops)."""
    global _connected
    import ray

    with _lock:
        if ray.is_initialized():
            ray.shutdown()
        _connected = None


def _package_dir() -> str:
    """agnews_core itself, shipped to the cluster's workers (they may not have this repository)."""
    return str(Path(__file__).resolve().parents[2])


def current_info(address: str) -> ClusterInfo:
    """ClusterInfo of the cluster this process is connected to."""
    import ray

    total, free = ray.cluster_resources(), ray.available_resources()
    nodes = tuple(sorted(n["NodeManagerAddress"] for n in ray.nodes() if n.get("Alive")))
    return ClusterInfo(address, ray.__version__, nodes, total.get("CPU", 0.0), total.get("GPU", 0.0),
                       free.get("CPU", 0.0), free.get("GPU", 0.0))


def local_info(local_cpus: int | None = None) -> ClusterInfo:
    """What an embedded Ray would get on this machine, without starting one."""
    from importlib.metadata import version

    cpus = float(local_cpus or os.cpu_count() or 1)
    gpus = 0.0
    try:
        import torch

        gpus = float(torch.cuda.device_count())
    except Exception:  # noqa: BLE001 - no torch CUDA: no GPUs
        gpus = 0.0
    return ClusterInfo(LOCAL, version("ray"), (socket.gethostname(),), cpus, gpus, cpus, gpus, embedded=True)


def check_cluster(address: str, local_cpus: int | None = None, timeout: float = CHECK_TIMEOUT_S) -> ClusterInfo:
    """Nodes, CPUs, GPUs and Ray version of a cluster; ClusterError with one clear sentence when unreachable.

    A remote cluster is probed from a short-lived subprocess: joining a cluster is process-wide in Ray, and a
    dead address would otherwise hang the caller.
    """
    require_ray()
    try:
        address = validate_address(address)
    except ValueError as exc:
        raise ClusterError(str(exc)) from None
    if address == LOCAL:
        return local_info(local_cpus)
    reachable(address)
    env = {**os.environ}
    try:
        done = subprocess.run([sys.executable, "-m", "agnews_core.sweeps.executors.ray_cluster", address], capture_output=True,
                              text=True, timeout=timeout, env=env, cwd=str(Path(__file__).resolve().parents[3]))
    except subprocess.TimeoutExpired:
        raise ClusterError(f"Ray at {address} did not answer within {timeout:.0f} s: is it a Ray cluster, and is "
                           "its token in ~/.ray/auth_token or $RAY_AUTH_TOKEN?") from None
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        why = (lines[-1] if lines else "") or done.stderr.strip().splitlines()[-1:] or ["no answer"]
        message = json.loads(why).get("error", why) if isinstance(why, str) and why.startswith("{") else why[0]
        raise ClusterError(f"Could not connect to Ray at {address}: {message}")
    return ClusterInfo.from_dict(json.loads(lines[-1]))


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0][:300]}" if text else type(exc).__name__


def _probe_main(address: str) -> int:
    """Subprocess entry: connect, print ClusterInfo as JSON (or an error), disconnect."""
    try:
        connect(address)
        print(json.dumps(current_info(address).to_dict()), flush=True)
        return 0
    except Exception as exc:  # noqa: BLE001 - the parent turns it into one sentence
        cause = exc.__cause__ or exc
        print(json.dumps({"error": _first_line(cause)}), flush=True)
        return 1
    finally:
        if ray_available():
            disconnect()


if __name__ == "__main__":
    sys.exit(_probe_main(sys.argv[1] if len(sys.argv) > 1 else AUTO))
