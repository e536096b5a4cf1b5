"""The background loader behind Predict's warm-up: one load per key across threads, retry after a failure, bounded."""

from __future__ import annotations

import threading

import pytest

from agnews_core.serving.warmup import TFIDF_KEY, BackgroundLoader

WAIT = 30


def test_concurrent_callers_share_one_load() -> None:
    loader, calls, release = BackgroundLoader(), [], threading.Event()

    def load() -> object:
        calls.append(1)
        release.wait(WAIT)
        return object()

    loader.start("model", load)
    assert not loader.is_ready("model")  # start() returned while the load is blocked
    results: list[object] = []
    threads = [threading.Thread(target=lambda: results.append(loader.result("model", load, WAIT))) for _ in range(8)]
    for thread in threads:
        thread.start()
    release.set()
    for thread in threads:
        thread.join(WAIT)
    assert len(calls) == 1 and len(results) == 8 and len({id(r) for r in results}) == 1
    assert loader.is_ready("model")


def test_a_failed_load_raises_and_the_next_call_tries_again() -> None:
    loader, attempts = BackgroundLoader(), []

    def flaky() -> str:
        attempts.append(1)
        if len(attempts) == 1:
            raise OSError("disk hiccup")
        return "loaded"

    with pytest.raises(OSError, match="disk hiccup"):
        loader.result("model", flaky, WAIT)
    assert not loader.is_ready("model")
    assert loader.result("model", flaky, WAIT) == "loaded"
    assert len(attempts) == 2


def test_old_models_are_dropped_but_the_tfidf_demo_stays() -> None:
    loader = BackgroundLoader(max_models=2)
    loader.result(TFIDF_KEY, lambda: "tfidf", WAIT)
    for name in ("a", "b", "c"):
        loader.result(name, lambda name=name: name, WAIT)
    assert [loader.is_ready(k) for k in (TFIDF_KEY, "a", "b", "c")] == [True, False, True, True]
    loader.clear(keep=(TFIDF_KEY,))
    assert loader.is_ready(TFIDF_KEY) and not loader.is_ready("c")
