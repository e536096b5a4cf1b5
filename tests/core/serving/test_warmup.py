"""The background loader behind Predict's warm-up: one load per key across threads, retry after a failure, bounded."""

from __future__ import annotations

import threading

import pytest

from agnews_core.serving.warmup import TFIDF_KEY, BackgroundLoader, model_key, model_loader
from agnews_core.store.variant_record import InferenceVariant

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


def test_each_variant_asked_for_is_its_own_model(monkeypatch, tmp_path) -> None:
    from agnews_core.serving import predictor

    keys = {variant: model_key(tmp_path, "s1", "run01", variant) for variant in (None, *InferenceVariant)}
    assert len(set(keys.values())) == len(keys)  # None (the run's recorded variant) is not fp32, int8 or bf16
    assert model_key(tmp_path / ".", "s1", "run01", InferenceVariant("int8")) == keys[InferenceVariant.INT8]
    asked: list[tuple] = []

    def for_run(cls, store, ref, variant=None) -> str:
        asked.append((ref, variant))
        return "loaded"

    monkeypatch.setattr(predictor.Predictor, "for_run", classmethod(for_run))
    for variant in (None, InferenceVariant.BF16):
        assert model_loader(tmp_path, "s1", "run01", variant)() == "loaded"
    ref = predictor.RunRef("s1", "run01")
    assert asked == [(ref, None), (ref, InferenceVariant.BF16)]  # the loader passes on what was asked for


def test_the_sample_demo_is_loaded_from_the_artifacts_folder_it_was_saved_in(tmp_path, monkeypatch) -> None:
    from agnews_core.serving import tfidf_demo
    from agnews_core.serving.warmup import load_tfidf

    first = load_tfidf(tmp_path)
    assert list((tmp_path / "cache" / "tfidf-demo").iterdir())
    monkeypatch.setattr(tfidf_demo, "fit_tfidf", lambda *args: pytest.fail("fitted again"))
    again = load_tfidf(tmp_path)
    assert again.predict("Oil prices jump").probabilities == first.predict("Oil prices jump").probabilities
