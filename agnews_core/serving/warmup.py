"""Process-wide background loading of Predict's models, so the first Classify does not wait on a cold load.

Plain threads and futures, no Streamlit: the background threads never touch st.* or session state. Pages call
start_* (returns at once) when they open, and result_of(...) when they need the model; one load per key, shared by
every session of the server process. A load that failed is dropped, so the next call tries again.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Hashable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agnews_core.store.variant_record import InferenceVariant

logger = logging.getLogger(__name__)

TFIDF_KEY = ("tfidf-demo",)
MAX_MODELS = 4  # loaded fine-tuned models kept, oldest dropped first (each MiniLM is about 90 MB)


@dataclass(frozen=True)
class Pending:
    """A load in flight or done."""

    future: Future
    started: float  # time.monotonic() when it was queued


class BackgroundLoader:
    """One future per key; loads run on a small thread pool (two workers: the TF-IDF fit and a model in parallel)."""

    def __init__(self, workers: int = 2, max_models: int = MAX_MODELS) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="agnews-warmup")
        self._lock = threading.Lock()
        self._loads: dict[Hashable, Pending] = {}
        self._max_models = max_models

    def start(self, key: Hashable, load: Callable[[], Any]) -> Pending:
        """Queue load() under key unless it is loading or loaded already; never blocks."""
        with self._lock:
            pending = self._loads.get(key)
            if pending is not None and not _failed(pending.future):
                return pending
            pending = Pending(self._pool.submit(_logged, key, load), time.monotonic())
            self._loads[key] = pending
            self._evict_locked(keep=key)
            return pending

    def result(self, key: Hashable, load: Callable[[], Any], timeout: float | None = None) -> Any:
        """The loaded object (start it if needed and wait); re-raises the load's error."""
        return self.start(key, load).future.result(timeout)

    def is_ready(self, key: Hashable) -> bool:
        """True when key's load finished without error."""
        with self._lock:
            pending = self._loads.get(key)
        return pending is not None and pending.future.done() and not _failed(pending.future)

    def clear(self, keep: tuple[Hashable, ...] = ()) -> None:
        """Forget every load except those in keep (tests; loads in flight finish and are dropped)."""
        with self._lock:
            self._loads = {k: v for k, v in self._loads.items() if k in keep}
        with _defaults_lock:
            _defaults_started.clear()

    def _evict_locked(self, keep: Hashable) -> None:
        models = [k for k in self._loads if k != TFIDF_KEY and k != keep and self._loads[k].future.done()]
        while len(self._loads) - (TFIDF_KEY in self._loads) > self._max_models and models:
            del self._loads[models.pop(0)]  # dicts keep insertion order: the oldest load goes first


def _failed(future: Future) -> bool:
    return future.done() and (future.cancelled() or future.exception() is not None)


def _logged(key: Hashable, load: Callable[[], Any]) -> Any:
    started = time.perf_counter()
    try:
        value = load()
    except Exception:
        logger.exception("background load of %s failed", key)
        raise
    logger.info("loaded %s in %.1f s", key, time.perf_counter() - started)
    return value


LOADER = BackgroundLoader()


ModelKey = tuple[str, str, str, str, InferenceVariant | None]


def model_key(root: Path, sweep_id: str, run_id: str, variant: InferenceVariant | None) -> ModelKey:
    """The loader key of one run's predictor in one artifacts folder (variant None: the run's recorded one)."""
    return ("model", str(Path(root).resolve()), sweep_id, run_id, variant)


def load_tfidf(root: Path | None = None) -> Any:
    """The TF-IDF + logistic regression demo on the bundled sample: saved in root's cache, else fitted (a few
    seconds of CPU) and saved there."""
    from agnews_core.serving.tfidf_demo import TfidfPredictor

    return TfidfPredictor.saved_or_fit("sample", root)


def start_tfidf(data: str = "sample", root: Path | None = None) -> Pending:
    """Start loading or fitting the TF-IDF demo of a data set in the background (once per process and data set
    version; the sample's demo is the same in every artifacts folder, so once per process)."""
    if data == "sample":
        return LOADER.start(TFIDF_KEY, lambda: load_tfidf(root))
    from agnews_core.serving.tfidf_demo import TfidfPredictor

    return LOADER.start(("tfidf-demo", str(Path(root).resolve()) if root else "", data),
                        lambda: TfidfPredictor.saved_or_fit(data, root))


def model_loader(root: Path, sweep_id: str, run_id: str, variant: InferenceVariant | None) -> Callable[[], Any]:
    """A function that loads one run's Predictor from the artifacts folder at root."""

    def load() -> Any:
        from agnews_core.serving.predictor import Predictor, RunRef
        from agnews_core.store.artifact_store import ArtifactStore

        return Predictor.for_run(ArtifactStore(root), RunRef(sweep_id, run_id), variant=variant)

    return load


def start_model(root: Path, sweep_id: str, run_id: str, variant: InferenceVariant | None) -> Pending:
    """Start loading one run's predictor in the background."""
    return LOADER.start(model_key(root, sweep_id, run_id, variant), model_loader(root, sweep_id, run_id, variant))


_defaults_started: set[str] = set()
_defaults_lock = threading.Lock()


def start_default(root: Path, variant: InferenceVariant | None) -> None:
    """Once per process and folder: load or fit the TF-IDF demo and load root's Predict default, in the background."""
    with _defaults_lock:
        if str(root) in _defaults_started:
            return
        _defaults_started.add(str(root))
    start_tfidf("sample", root)

    def find_and_load() -> None:
        from agnews_core.serving.predictor import default_run
        from agnews_core.store.artifact_store import ArtifactStore

        ref = default_run(ArtifactStore(root))
        if ref is not None:
            start_model(root, ref.sweep_id, ref.run_id, variant)

    # Finding the default imports live_predict and lists the sweeps: off the script thread as well.
    threading.Thread(target=_quietly, args=(find_and_load,), name="agnews-warmup-default", daemon=True).start()


def _quietly(job: Callable[[], None]) -> None:
    try:
        job()
    except Exception:  # noqa: BLE001 - a warm-up is an optimisation: the page loads on demand and reports errors
        logger.exception("warm-up of the default model failed")
