"""App cold start: `streamlit run app.py` to health ok and to the first finished script run, vs heavy imports."""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from bench.common import REPO_ROOT, emit_json, median, print_table, ratio

TARGET_SECONDS = 3.0
TIMEOUT_SECONDS = 90.0
HEAVY_MODULES = ("torch", "transformers", "datasets", "sklearn")
# Run in a subprocess: one AppTest run of the home page, then report which heavy modules it pulled in.
APPTEST_PROBE = """
import sys, time
from streamlit.testing.v1 import AppTest
started = time.perf_counter()
at = AppTest.from_file({app!r}, default_timeout=60).run()
seconds = time.perf_counter() - started
heavy = [m for m in {heavy!r} if m in sys.modules]
print(f"{{seconds:.4f}} {{len(at.exception)}} {{','.join(heavy) or '-'}}")
"""


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def command_seconds(code: str) -> float:
    """Wall seconds of `python -c code` in a fresh interpreter."""
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, cwd=REPO_ROOT, capture_output=True)
    return time.perf_counter() - started


def first_script_run(port: int, deadline: float) -> None:
    """Open the app's websocket like a browser tab, ask for a run, wait until the script finishes."""
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
    from websockets.sync.client import connect

    with connect(f"ws://127.0.0.1:{port}/_stcore/stream", subprotocols=["streamlit"],
                 open_timeout=TIMEOUT_SECONDS) as ws:
        message = BackMsg()
        message.rerun_script.query_string = ""
        ws.send(message.SerializeToString())
        while time.perf_counter() < deadline:
            reply = ForwardMsg()
            reply.ParseFromString(ws.recv(timeout=max(deadline - time.perf_counter(), 0.1)))
            if reply.WhichOneof("type") == "script_finished":
                return
    raise TimeoutError("the first script run did not finish in time")


def server_cold_start(app: Path) -> tuple[float, float]:
    """(seconds to /_stcore/health 'ok', seconds to the first finished script run), both from launch."""
    port = free_port()
    command = [sys.executable, "-m", "streamlit", "run", str(app), "--server.headless", "true",
               "--server.address", "127.0.0.1", "--server.port", str(port), "--browser.gatherUsageStats", "false"]
    started = time.perf_counter()
    server = subprocess.Popen(command, cwd=app.parent, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = started + TIMEOUT_SECONDS
        health = _wait_for_health(port, deadline, server)
        first_script_run(port, deadline)
        return health - started, time.perf_counter() - started
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


def _wait_for_health(port: int, deadline: float, server: subprocess.Popen) -> float:
    while time.perf_counter() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"streamlit exited with code {server.returncode} before answering")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1) as reply:
                if reply.read().decode().strip() == "ok":
                    return time.perf_counter()
        except OSError:
            time.sleep(0.02)
    raise TimeoutError("streamlit did not answer /_stcore/health in time")


def apptest_probe(app: Path) -> tuple[float, int, str]:
    """(seconds of one in-process AppTest run, exceptions shown, heavy modules imported) in a fresh interpreter."""
    code = APPTEST_PROBE.format(app=str(app), heavy=HEAVY_MODULES)
    out = subprocess.run([sys.executable, "-c", code], check=True, cwd=app.parent, capture_output=True, text=True)
    seconds, exceptions, heavy = out.stdout.strip().splitlines()[-1].split()
    return float(seconds), int(exceptions), heavy


def main() -> None:
    """Medians over repeats of the server cold start and of the import baselines."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--app", default=str(REPO_ROOT / "app.py"), help="the Streamlit entry script")
    parser.add_argument("--repeats", type=int, default=3, help="cold starts to measure (default 3)")
    args = parser.parse_args()
    app = Path(args.app).resolve()
    if not app.is_file():
        sys.exit(f"{app} does not exist yet: nothing to start")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    baselines = {
        "python -c pass": "pass",
        "import streamlit": "import streamlit",
        "import agnews_core (+ its light modules)": "import agnews_core.config.sweep_config, agnews_core.store.artifact_store, agnews_core.sweeps.estimate",
        "import torch, transformers": "import torch, transformers",
    }
    timings: dict[str, list[float]] = {name: [] for name in baselines}
    health, first_run, probes = [], [], []
    for _ in range(args.repeats):
        for name, code in baselines.items():
            timings[name].append(command_seconds(code))
        seconds_health, seconds_run = server_cold_start(app)
        health.append(seconds_health)
        first_run.append(seconds_run)
        probes.append(apptest_probe(app))
    rows = [(name, median(values)) for name, values in timings.items()]
    rows += [("streamlit run: health ok", median(health)), ("streamlit run: first script run finished", median(first_run)),
             ("AppTest: one run of the home page (in-process)", median([p[0] for p in probes]))]
    print_table(f"App cold start, {app.name}, median of {args.repeats} (seconds)", ["measure", "seconds"], rows)
    heavy = probes[-1][2]
    cold = median(first_run)
    heavy_import = median(timings["import torch, transformers"])
    print(f"\nheavy modules imported by the home page run: {heavy}; exceptions shown: {probes[-1][1]}")
    print(f"cold start to first script run {cold:.2f} s (target <= {TARGET_SECONDS} s: "
          f"{'met' if cold <= TARGET_SECONDS else 'NOT met'}); import torch+transformers alone: {heavy_import:.2f} s")
    emit_json("startup", repeats=args.repeats, health_seconds=median(health), first_run_seconds=cold,
              apptest_seconds=median([p[0] for p in probes]), heavy_modules_imported=heavy,
              baseline_import_torch_transformers_seconds=heavy_import,
              baselines={name: round(median(values), 3) for name, values in timings.items()},
              ratio=ratio(cold, heavy_import), target_seconds=TARGET_SECONDS, met=cold <= TARGET_SECONDS)


if __name__ == "__main__":
    main()
