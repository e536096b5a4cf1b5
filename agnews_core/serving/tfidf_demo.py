"""A live predictor that needs no fine-tuned run: TF-IDF + logistic regression fitted on a data set's train rows
(the bundled AG News sample by default)."""

from __future__ import annotations

import threading
import time
from typing import Any

from agnews_core.labels import AG_NEWS, LabelSet
from agnews_core.modeling.tfidf import DEMO, class_probabilities, fit_tfidf
from agnews_core.serving.predictor import Prediction, clean_text

NAME = "TF-IDF + logistic regression, fitted on the bundled sample"
SEED = 42


class TfidfPredictor:
    """Same predict(text) -> Prediction as live_predict.Predictor; fitted in memory, never pickled to disk.

    Fitting takes a few seconds on the sample's train rows; the UI keeps one instance cached.
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
