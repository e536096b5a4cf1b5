"""The real app served on a free loopback port with a temporary artifacts folder, and Chromium flags, for the
browser benchmarks (first_answer, predict_load)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench.common import REPO_ROOT

# The launcher lives with the tests that use it most; pytest puts tests/ on sys.path, and so does this line
# (appended, so nothing there can shadow an installed package).
if str(REPO_ROOT / "tests") not in sys.path:
    sys.path.append(str(REPO_ROOT / "tests"))
from support.served_app import served_app as _serve  # noqa: E402

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
    env = {"AGNEWS_ARTIFACTS": str(artifacts), "AGNEWS_WARMUP": "1" if warmup else "0"}
    with _serve(env, timeout=START_TIMEOUT) as served:
        yield served.url


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
