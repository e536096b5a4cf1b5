"""Shared fixtures: offline settings and one finished tiny sweep for tests that only read results."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import ray_support  # noqa: F401 - keeps every Ray these tests start on 127.0.0.1: must come before any import of ray
from sweep_configs import tiny_config

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
# The tiny model gains nothing from threads, and the test process, app servers and sweep subprocesses
# share 2 cores: one thread each avoids oversubscription stalls (seen at 20x per step).
os.environ.setdefault("OMP_NUM_THREADS", "1")

REPO_ROOT = Path(__file__).resolve().parents[1]
TESTS = Path(__file__).resolve().parent
FIXTURES = TESTS / "fixtures"
# Folders whose every test gets the marker of the same name (registered in pyproject.toml).
FOLDER_MARKERS = ("browser", "reliability")
# Test files that start or ask a real Ray cluster; any other test that uses the local_ray fixture is marked too.
RAY_FILES = frozenset({"test_ray_executor.py", "test_ray_cluster.py", "test_browser_ray_cluster.py",
                       "test_sweep_page_ray.py"})
# Other files with a test that uses the local_ray fixture; under xdist they run in the Ray tests' worker.
LOCAL_RAY_FILES = frozenset({"test_baseline_scores.py", "test_crossfit_command.py"})
RAY_GROUP = "ray"
# A real sweep written before sweep.json and run.json had schema_version: tiny model, 2 LRs, no weights kept.
V1_SWEEP_ID = "20261126-234315-15d1bd"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark tests by where they live, so that `-m "not ray and not browser and not reliability"` picks the fast ones."""
    for item in items:
        if not item.path.is_relative_to(TESTS):
            continue
        folder = item.path.relative_to(TESTS).parts[0]
        if folder in FOLDER_MARKERS:
            item.add_marker(folder)
        if item.path.name in RAY_FILES or "local_ray" in getattr(item, "fixturenames", ()):
            item.add_marker("ray")


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """Under pytest-xdist (`make test` runs 2 workers), send each test file whole to one worker, so a browser module's
    steps stay in order with their server, and every file that uses Ray to the same worker, so two workers never
    run Ray side by side. (xdist's own `--dist loadgroup` cannot rename node ids under pytest 9.)"""
    from xdist.scheduler import LoadScopeScheduling

    class FileOrRayScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            path = nodeid.split("::", 1)[0]
            return RAY_GROUP if path.rsplit("/", 1)[-1] in RAY_FILES | LOCAL_RAY_FILES else path

    return FileOrRayScheduling(config, log)


@pytest.fixture
def v1_artifacts(tmp_path: Path) -> Path:
    """A writable copy of the committed v1 artifacts folder (tests/fixtures/v1_artifacts)."""
    import shutil

    root = tmp_path / "v1-artifacts"
    shutil.copytree(FIXTURES / "v1_artifacts", root)
    return root


@pytest.fixture(scope="session")
def finished_sweep(tmp_path_factory: pytest.TempPathFactory):
    """(store, sweep record) of a finished 2-LR tiny sweep, every run's model kept; treat as read-only."""
    from agnews_core.store.artifact_store import ArtifactStore
    from agnews_core.sweeps.runner import run_sweep

    store = ArtifactStore(tmp_path_factory.mktemp("finished-artifacts"))
    record = run_sweep(store, tiny_config(keep_models="all"))
    assert record.status == "done", record.error
    return store, record


@pytest.fixture
def store(tmp_path: Path):
    """An empty artifact store in a temporary folder."""
    from agnews_core.store.artifact_store import ArtifactStore

    return ArtifactStore(tmp_path / "artifacts")


@pytest.fixture
def make_manager() -> Iterator[Callable[..., Any]]:
    """Factory of JobManagers that are all stopped at teardown, even when the test fails."""
    from agnews_core.sweeps.jobs import JobManager

    managers: list[JobManager] = []

    def make(store: Any, **kwargs: Any) -> JobManager:
        manager = JobManager(store, **kwargs)
        managers.append(manager)
        return manager

    yield make
    for manager in managers:
        manager.stop()


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[Any]:
    """The one Playwright driver of the test session: a second sync_playwright() in the same thread fails."""
    sync_api = pytest.importorskip("playwright.sync_api")
    driver = sync_api.sync_playwright().start()
    try:
        yield driver
    finally:
        driver.stop()


@pytest.fixture
def local_ray() -> Iterator[Any]:
    """A real embedded Ray with 2 CPUs on loopback; started once and shared by the tests that use Ray."""
    import ray

    if not ray.is_initialized():
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    yield ray


@pytest.fixture(scope="session", autouse=True)
def _stop_ray_at_the_end() -> Iterator[None]:
    """Shut down an embedded Ray some test started, once the session ends."""
    yield
    import sys

    if "ray" in sys.modules and sys.modules["ray"].is_initialized():
        sys.modules["ray"].shutdown()
