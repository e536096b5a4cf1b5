"""The served-app launcher, with a stand-in for streamlit: flags, environment, health wait, always stopped."""

from __future__ import annotations

import json
import os
import sys
import urllib.request

import pytest

from .served_app import served_app

# Answers /_stcore/health with ok, and any other path with its own flags and AGNEWS_ARTIFACTS.
FAKE_STREAMLIT = """
import http.server, json, os, sys
port = int(sys.argv[sys.argv.index("--server.port") + 1])


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        about = {"argv": sys.argv[1:], "artifacts": os.environ.get("AGNEWS_ARTIFACTS")}
        body = b"ok" if self.path == "/_stcore/health" else json.dumps(about).encode()
        self.send_response(200)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


print("fake streamlit on", port, flush=True)
http.server.HTTPServer(("127.0.0.1", port), Handler).serve_forever()
"""
FAKE = [sys.executable, "-c", FAKE_STREAMLIT]


def _about(url: str) -> dict:
    with urllib.request.urlopen(f"{url}/about", timeout=10) as reply:
        return json.loads(reply.read())


def test_serves_app_py_on_loopback_with_the_overrides_and_stops_it_after(tmp_path) -> None:
    with served_app({"AGNEWS_ARTIFACTS": str(tmp_path)}, launcher=FAKE) as served:
        about = _about(served.url)
        assert served.url == f"http://127.0.0.1:{served.port}"
        assert about["artifacts"] == str(tmp_path)
        flags = about["argv"]
        assert flags[:2] == ["run", "app.py"]
        assert flags[flags.index("--server.address") + 1] == "127.0.0.1"
        assert flags[flags.index("--server.fileWatcherType") + 1] == "none"
        assert served.process.poll() is None
    assert served.process.poll() is not None
    assert not served.log.exists()  # a temporary log is kept only when something failed


def test_no_address_leaves_it_to_the_config_file(tmp_path) -> None:
    with served_app(launcher=FAKE, address=None, log=tmp_path / "server.log") as served:
        assert "--server.address" not in _about(served.url)["argv"]
    assert "fake streamlit on" in (tmp_path / "server.log").read_text()  # a log the caller named stays


def test_a_failing_block_still_stops_the_server_and_keeps_its_log() -> None:
    with pytest.raises(ValueError, match="the test failed"), served_app(launcher=FAKE) as served:
        raise ValueError("the test failed")
    assert served.process.poll() is not None
    assert "fake streamlit on" in served.log.read_text()
    served.log.unlink()


def test_a_server_that_exits_raises_with_its_exit_code_and_output(tmp_path) -> None:
    crash = [sys.executable, "-c", "import sys; print('no module named plotly'); sys.exit(3)"]
    with (pytest.raises(RuntimeError, match=r"(?s)exited with code 3.*no module named plotly"),
          served_app(launcher=crash, log=tmp_path / "server.log")):
        pytest.fail("the block must not run")


def test_a_server_that_never_answers_times_out_with_its_output_and_is_stopped(tmp_path) -> None:
    silent = [sys.executable, "-c", "import os, time; print('pid', os.getpid(), flush=True); time.sleep(600)"]
    log = tmp_path / "server.log"
    with (pytest.raises(TimeoutError, match=r"(?s)/_stcore/health to answer ok.*pid \d+"),
          served_app(launcher=silent, log=log, timeout=5)):  # ample for python to start and print
        pytest.fail("the block must not run")
    pid = int(log.read_text().split()[1])
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # stopped and reaped
