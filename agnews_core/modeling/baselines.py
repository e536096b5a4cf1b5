"""Reference points a fine-tuned model must beat: TF-IDF + logistic regression, and the untrained model."""

from __future__ import annotations

import numpy as np
import pandas as pd

from agnews_core.labels import AG_NEWS, LabelSet
from agnews_core.modeling.batch_predict import PredictionTable, predictions_frame
from agnews_core.modeling.metrics import compute_metrics
from agnews_core.modeling.tfidf import BASELINE, class_probabilities, fit_tfidf
from agnews_core.store.records import EvalMetrics

TFIDF = "TF-IDF + logistic regression"
UNTRAINED = "untrained model"


def tfidf_baseline(train: pd.DataFrame, test: pd.DataFrame, seed: int, labels: LabelSet = AG_NEWS) -> EvalMetrics:
    """Fit the baseline on train; score on test."""
    pipeline = fit_tfidf(BASELINE, train, seed)
    return compute_metrics(test["label"].to_numpy(), pipeline.predict(test["text"].astype(str)), labels)


def tfidf_predictions(train: pd.DataFrame, test: pd.DataFrame, seed: int, labels: LabelSet = AG_NEWS) -> pd.DataFrame:
    """Per-row test predictions of the baseline, shaped like a run's (predictions_frame, split 'test')."""
    import time

    started = time.perf_counter()
    pipeline = fit_tfidf(BASELINE, train, seed)
    texts = test["text"].astype(str).tolist()
    probabilities = class_probabilities(pipeline, texts, labels.size).astype(np.float32)
    table = PredictionTable(probabilities=probabilities, seconds=time.perf_counter() - started)
    return predictions_frame(texts, test["label"].tolist(), table, "test", labels)
