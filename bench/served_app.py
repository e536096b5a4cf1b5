"""The real app served on a free loopback port with a temporary artifacts folder, and Chromium flags, for the
browser benchmarks (first_answer, predict_load)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.common import REPO_ROOT
from bench.startup import free_port

CHROMIUM = os.environ.get("AGNEWS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
START_TIMEOUT = 120.0
# Streamlit marks the app root with the script state; "notRunning" means the last rerun finished.
SCRIPT_IDLE_JS = """() => {
  const app = document.querySelector('[data-testid="stApp"]');
  return app !== null && app.getAttribute('data-test-script-state') === 'notRunning'
    && document.querySelector('[data-testid="stSkeleton"]') === null;
}"""
# The tiny sweep --tiny writes before the server starts: seconds, with saved weights.
TINY_SWEEP = ["sweep", "--model", "tiny", "--data", "sample", "--lrs", "1e-3", "--train-size", "300",
              "--eval-size", "100", "--test-size", "100", "--epochs", "1"]


def prepare_artifacts(folder: Path, copy_from: str | None, tiny: bool) -> str:
    """Fill a fresh artifacts folder: empty (a fresh install), a copy of copy_from, or one tiny sweep. Its name."""
    if copy_from:
        shutil.copytree(Path(copy_from) / "sweeps", folder / "sweeps")
        return f"saved runs copied from {copy_from}"
    folder.mkdir(parents=True, exist_ok=True)
    if tiny:
        subprocess.run([sys.executable, "-m", "agnews_core", *TINY_SWEEP, "--artifacts", str(folder)], check=True,
                       cwd=REPO_ROOT, capture_output=True)
        return "one saved tiny run"
    return "fresh install (no runs)"


@contextmanager
def served_app(artifacts: Path, warmup: bool = True) -> Iterator[str]:
    """`streamlit run app.py` on 127.0.0.1 with this artifacts folder until the block ends; yields its URL."""
    port = free_port()
    env = {**os.environ, "AGNEWS_ARTIFACTS": str(artifacts), "HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1",
           "TOKENIZERS_PARALLELISM": "false", "AGNEWS_WARMUP": "1" if warmup else "0"}
    command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true", "--server.address",
               "127.0.0.1", "--server.port", str(port), "--browser.gatherUsageStats", "false",
               "--server.fileWatcherType", "none"]
    log = tempfile.NamedTemporaryFile(prefix="agnews-bench-streamlit-", suffix=".log", delete=False)  # noqa: SIM115
    process = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
                               start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for_health(url, process, Path(log.name))
        yield url
    finally:
        _stop(process)
        log.close()
    Path(log.name).unlink(missing_ok=True)  # kept only when something failed, for its traceback


@contextmanager
def chromium() -> Iterator[object]:
    """One headless Debian Chromium driven by Playwright (sync API)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def _wait_for_health(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with code {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as reply:
                if reply.read().decode().strip() == "ok":
                    return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"streamlit did not answer {url}/_stcore/health in time")


def _stop(process: subprocess.Popen) -> None:
    """Stop the server we started (its own process group, nothing else)."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
