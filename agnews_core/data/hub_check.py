"""Is the Hugging Face Hub reachable? Asked once a minute at most, answered within ~2 s."""

from __future__ import annotations

import os
import socket
import threading
import time

HUB_HOST = ("huggingface.co", 443)
PROBE_SECONDS = 2.0
_CACHE_SECONDS = 60.0
_last: tuple[float, bool] | None = None  # (when, answer) of the latest probe, shared by every thread
_last_lock = threading.Lock()


def offline_mode() -> bool:
    """True when the user asked the HF libraries to stay offline."""
    return any(os.environ.get(name, "") not in ("", "0") for name in ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE"))


def hub_is_reachable(timeout: float = PROBE_SECONDS) -> bool:
    """True when offline mode is off and the Hub accepts a TCP connection within timeout."""
    global _last
    if offline_mode():
        return False
    now = time.monotonic()
    with _last_lock:
        if _last is not None and now - _last[0] < _CACHE_SECONDS:
            return _last[1]
    result: list[bool] = []

    def probe() -> None:
        try:
            with socket.create_connection(HUB_HOST, timeout=timeout):
                result.append(True)
        except OSError:
            result.append(False)

    worker = threading.Thread(target=probe, daemon=True)
    worker.start()
    worker.join(timeout + 0.5)  # DNS can hang past the socket timeout
    answer = bool(result and result[0])
    with _last_lock:
        _last = (now, answer)
    return answer
