"""`streamlit run app.py` on a free loopback port for as long as a with-block lasts.

Shared by the browser tests, the reliability tests and the browser benchmarks (bench/served_app.py).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .waiting import wait_until

REPO_ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 90.0  # a first start imports streamlit, pandas and plotly: 5-40 s on 2 busy cores
LOG_TAIL = 4000
# The served app never reaches for the network; callers add AGNEWS_ARTIFACTS and the like on top.
OFFLINE_ENV = {"HF_HUB_OFFLINE": "1", "HF_DATASETS_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"}
STREAMLIT = (sys.executable, "-m", "streamlit")


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True)
class ServedApp:
    """A running server: where it answers, its process (to kill on purpose) and its log."""

    url: str
    port: int
    process: subprocess.Popen
    log: Path

    def log_tail(self, chars: int = LOG_TAIL) -> str:
        """The end of the server's output."""
        return self.log.read_text(errors="replace")[-chars:] if self.log.exists() else ""

    def stop(self) -> None:
        """Stop the server (its own process group, nothing else); a server that already exited is left alone."""
        if self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        except ProcessLookupError:
            self.process.wait(timeout=10)


def streamlit_args(port: int, address: str | None) -> list[str]:
    """`run app.py` and its flags; address None leaves the address to .streamlit/config.toml, as `make run` does."""
    args = ["run", "app.py", "--server.headless", "true", "--server.port", str(port),
            "--browser.gatherUsageStats", "false",
            # Others edit files while tests run: no reruns on save, and no inotify watches over .venv.
            "--server.fileWatcherType", "none"]
    return args + (["--server.address", address] if address else [])


@contextmanager
def served_app(env: Mapping[str, str] | None = None, *, launcher: Sequence[str] = STREAMLIT,
               address: str | None = "127.0.0.1", log: Path | None = None,
               timeout: float = START_TIMEOUT, port: int | None = None,
               extra_args: Sequence[str] = ()) -> Iterator[ServedApp]:
    """Serve app.py until the block ends, stopping it even when the block fails; yields once health says ok.

    env overrides this process's environment (AGNEWS_ARTIFACTS, ...); launcher is the command before `run app.py`
    (a `python -c` wrapper may patch the app first); port is a free one unless given (a sign-in redirect URI must
    name it before the server starts); extra_args follow the usual flags (`--secrets.files PATH`). Without log
    the output goes to a temporary file that is deleted unless something failed. A server that exits or stays silent raises with the end of its log.
    """
    port = port or free_port()
    keep_log = log is not None
    if log is None:
        with tempfile.NamedTemporaryFile(prefix="agnews-streamlit-", suffix=".log", delete=False) as handle:
            log = Path(handle.name)
    with log.open("wb") as out:
        process = subprocess.Popen([*launcher, *streamlit_args(port, address), *extra_args], cwd=REPO_ROOT,
                                   env={**os.environ, **OFFLINE_ENV, **(env or {})}, stdout=out,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    served = ServedApp(f"http://127.0.0.1:{port}", port, process, log)
    try:
        wait_until(lambda: _healthy(served), timeout,
                   lambda: f"{served.url}/_stcore/health to answer ok; server log {log}:\n{served.log_tail()}",
                   interval=0.25)
        yield served
    finally:
        served.stop()
    if not keep_log:
        log.unlink(missing_ok=True)  # reached only when nothing failed: a failure keeps the log for its traceback


def _healthy(served: ServedApp) -> bool:
    if served.process.poll() is not None:
        raise RuntimeError(f"streamlit exited with code {served.process.returncode}; server log {served.log}:\n"
                           f"{served.log_tail()}")
    try:
        with urllib.request.urlopen(f"{served.url}/_stcore/health", timeout=2) as reply:
            return reply.read().decode().strip() == "ok"
    except OSError:
        return False
