"""A live predictor that needs no fine-tuned run: TF-IDF + logistic regression fitted on a data set's train rows
(the bundled AG News sample by default), saved under artifacts/cache/tfidf-demo/ so the next server loads it."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import Any

from agnews_core.labels import AG_NEWS, LabelSet
from agnews_core.modeling.tfidf import DEMO, class_probabilities, fit_tfidf
from agnews_core.modeling.tfidf_files import load_fitted, save_fitted
from agnews_core.serving.predictor import Prediction, clean_text

logger = logging.getLogger(__name__)

NAME = "TF-IDF + logistic regression, fitted on the bundled sample"
SEED = 42
PROBE_ROWS = 8  # train texts scored at save time and again at load time: the check that loading is exact


class TfidfPredictor:
    """Same predict(text) -> Prediction as live_predict.Predictor; never pickled to disk (tfidf_files).

    Fitting takes a few seconds on the sample's train rows, loading a saved one a fraction of that; the UI keeps
    one instance cached.
    """

    name = NAME

    def __init__(self, pipeline: Any, train_rows: int, labels: LabelSet = AG_NEWS, data: str = "sample") -> None:
        self.pipeline = pipeline
        self.train_rows = train_rows
        self.labels = labels
        self.data = data
        self.name = NAME if data == "sample" else f"TF-IDF + logistic regression, fitted on {data}"
        self._lock = threading.Lock()

    @classmethod
    def fit_sample(cls, seed: int = SEED) -> TfidfPredictor:
        """Fit on every train row of the bundled sample (its test rows stay unseen)."""
        from agnews_core.data.sources import load_source

        train = load_source("sample").train
        return cls(fit_tfidf(DEMO, train, seed), len(train))

    @classmethod
    def fit_data(cls, spec: str, artifacts_root: Any = None, seed: int = SEED) -> TfidfPredictor:
        """Fit on every train row of a data set ('sample', a registered name or id, a folder)."""
        from agnews_core.data.sources import load_source

        source = load_source(spec, artifacts_root)
        return cls(fit_tfidf(DEMO, source.train, seed), len(source.train), source.labels,
                   source.dataset_id or spec)

    @classmethod
    def saved_or_fit(cls, spec: str = "sample", artifacts_root: Path | None = None,
                     seed: int = SEED) -> TfidfPredictor:
        """The demo saved in the artifacts folder for these train rows, recipe and settings; else fitted here and
        saved for the next server (only into an artifacts folder that exists: the first sweep creates it)."""
        from agnews_core.data.sources import load_source
        from agnews_core.store.environment import data_checksum
        from agnews_core.store.layout import ArtifactPaths, default_root

        root = Path(artifacts_root) if artifacts_root is not None else default_root()
        source = load_source(spec, root)
        data = source.dataset_id or spec
        checksum = data_checksum({"train": source.train})
        name = source.dataset_id or (spec if spec in ("sample", "hub") else "folder")
        folder = ArtifactPaths(root).tfidf_demo_dir(f"{name[:100]}-{checksum[:16]}")  # ids stop at 128 chars
        meta = {"data": data, "train_rows": len(source.train), "train_sha256": checksum,
                "labels": list(source.labels.names)}
        pipeline = load_fitted(folder, DEMO, seed, meta)
        if pipeline is None:
            pipeline = fit_tfidf(DEMO, source.train, seed)
            if root.is_dir():
                probes = source.train["text"].astype(str).head(PROBE_ROWS).tolist()
                try:
                    save_fitted(pipeline, DEMO, seed, folder, meta, probes)
                except (OSError, ValueError) as exc:  # a read-only folder: the next server fits again
                    logger.warning("the TF-IDF demo could not be saved in %s: %s", folder, exc)
        return cls(pipeline, len(source.train), source.labels, data)

    def predict(self, text: str | None) -> Prediction:
        """Label and class probabilities of one text; TextError for empty text."""
        clean = clean_text(text)
        started = time.perf_counter()
        with self._lock:
            row = class_probabilities(self.pipeline, [clean.text], self.labels.size)[0]
        latency = (time.perf_counter() - started) * 1000
        probabilities = [float(p) for p in row]
        best = max(range(len(probabilities)), key=probabilities.__getitem__)
        return Prediction(best, tuple(probabilities), latency, clean.truncated, self.labels.names)
