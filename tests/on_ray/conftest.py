"""Ray fixtures: one real local Ray for the whole test session (no mocks), kept on loopback."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

# Every Ray port stays on 127.0.0.1: without this Ray swaps in the machine's outward address on Linux.
os.environ["RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"] = "0"
REPO_ROOT = Path(__file__).resolve().parents[2]
WAIT = 240  # seconds; a trial's worker imports torch and transformers first (10-20 s on 2 busy cores)


@pytest.fixture(scope="session")
def local_ray() -> Iterator[Any]:
    """A real embedded Ray with 2 CPUs, shared by the Ray tests of this session."""
    import ray

    from agnews_core import ray_cluster

    if not ray.is_initialized():
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    yield ray
    ray_cluster.disconnect()


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
