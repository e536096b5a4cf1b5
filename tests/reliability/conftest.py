"""Reliability fixtures: tiny configs, stopped job managers, AppTest pages on a chosen artifacts folder, child processes."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sweep_configs import small_config, tiny_config  # noqa: F401 - re-exported to the tests

REPO_ROOT = Path(__file__).resolve().parents[2]
APP = str(REPO_ROOT / "app.py")
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# Child processes train with one thread: two threads on two shared, busy cores are ten times slower.
CHILD_ENV = {"OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1",
             "TOKENIZERS_PARALLELISM": "false", "PYTHONPATH": str(REPO_ROOT)}


def child_env(**extra: str) -> dict[str, str]:
    """Environment for a child process: offline, one torch thread, this repository importable."""
    return {**os.environ, **CHILD_ENV, **extra}


@pytest.fixture(scope="session", autouse=True)
def one_torch_thread() -> Iterator[None]:
    """Train with one thread in this process too, shared fixtures included (restored afterwards)."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)




def copy_store(source: Path, dest: Path) -> Path:
    """A private copy of an artifacts folder (the shared finished sweep stays untouched)."""
    shutil.copytree(source, dest)
    return dest


def _clear_streamlit_caches() -> None:
    import streamlit as st

    st.cache_resource.clear()
    st.cache_data.clear()


@pytest.fixture
def app_root(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Callable[[Path], Path]]:
    """Point the app at an artifacts folder: `use(path)`; the cached job manager is fresh and stopped after."""
    monkeypatch.setenv("AGNEWS_ARTIFACTS", str(tmp_path / "artifacts"))
    _clear_streamlit_caches()

    def use(path: Path) -> Path:
        monkeypatch.setenv("AGNEWS_ARTIFACTS", str(path))
        _clear_streamlit_caches()
        return path

    yield use
    from agnews_ui import resources

    # The manager this test's pages created (or a fresh one): its worker must not outlive the test. It may fail
    # to start on a folder made unusable on purpose.
    with contextlib.suppress(Exception):
        resources.job_manager().stop()
    _clear_streamlit_caches()


def open_page(page: str | None = None, query: dict[str, str] | None = None, timeout: float = 120) -> Any:
    """An AppTest of the whole app (navigation included), switched to a page, with query params, already run."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=timeout)
    at.run()
    if page is not None:
        at.switch_page(page)
    if query:
        at.query_params.update(query)
    return at.run()


def texts(elements: Any) -> list[str]:
    """The text of every element of an AppTest element list."""
    return [str(e.value) for e in elements]


def page_messages(at: Any) -> str:
    """Every error, warning, info, success and caption text of a page, joined."""
    return "\n".join(texts(at.error) + texts(at.warning) + texts(at.info) + texts(at.success) + texts(at.caption))


# ---- child processes (a served app: support.served_app)
def start_process(command: list[str], artifacts: Path, log: Path, **extra_env: str) -> subprocess.Popen:
    """A child in its own process group, output to a log file."""
    handle = log.open("wb")
    return subprocess.Popen(command, cwd=REPO_ROOT, env=child_env(AGNEWS_ARTIFACTS=str(artifacts), **extra_env),
                            stdout=handle, stderr=subprocess.STDOUT, start_new_session=True)


def stop_process(process: subprocess.Popen) -> None:
    """End a child we started (its process group), then reap it."""
    if process.poll() is None:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=10)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


@pytest.fixture
def processes() -> Iterator[list[subprocess.Popen]]:
    """Children registered here are stopped at teardown, even when the test fails."""
    started: list[subprocess.Popen] = []
    yield started
    for process in started:
        with contextlib.suppress(ProcessLookupError):
            stop_process(process)


@pytest.fixture
def browser(playwright_driver: Any) -> Iterator[Any]:
    """Headless Debian chromium driven by playwright (its own browser download is never used)."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed (make test installs it)")
    launched = playwright_driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    try:
        yield launched
    finally:
        launched.close()
