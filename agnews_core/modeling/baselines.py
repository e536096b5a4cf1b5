"""Reference points a fine-tuned model must beat: TF-IDF + logistic regression, and the untrained model."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from agnews_core.labels import NUM_LABELS
from agnews_core.modeling.batch_predict import PredictionTable, predictions_frame
from agnews_core.modeling.metrics import compute_metrics
from agnews_core.store.records import EvalMetrics

TFIDF = "TF-IDF + logistic regression"
UNTRAINED = "untrained model"


def tfidf_features() -> Any:
    """The one TF-IDF recipe (words and bigrams, sublinear tf) of the baseline, the demo and label review."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(ngram_range=(1, 2), min_df=1, sublinear_tf=True)


def tfidf_pipeline(seed: int) -> Any:
    """The unfitted baseline: word and bigram TF-IDF, then logistic regression (sklearn Pipeline)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    return make_pipeline(tfidf_features(), LogisticRegression(C=10.0, max_iter=1000, random_state=seed))


def fit_tfidf(train: pd.DataFrame, seed: int) -> Any:
    """The baseline fitted on train's text and label columns."""
    pipeline = tfidf_pipeline(seed)
    pipeline.fit(train["text"].astype(str), train["label"].astype(int))
    return pipeline


def tfidf_baseline(train: pd.DataFrame, test: pd.DataFrame, seed: int) -> EvalMetrics:
    """Fit the baseline on train; score on test."""
    pipeline = fit_tfidf(train, seed)
    return compute_metrics(test["label"].to_numpy(), pipeline.predict(test["text"].astype(str)))


def tfidf_predictions(train: pd.DataFrame, test: pd.DataFrame, seed: int) -> pd.DataFrame:
    """Per-row test predictions of the baseline, shaped like a run's (predictions_frame, split 'test')."""
    import time

    started = time.perf_counter()
    pipeline = fit_tfidf(train, seed)
    texts = test["text"].astype(str).tolist()
    probabilities = np.zeros((len(texts), NUM_LABELS), dtype=np.float32)
    # A class absent from train has no column in predict_proba: it keeps probability 0.
    probabilities[:, pipeline.classes_.astype(int)] = pipeline.predict_proba(texts)
    table = PredictionTable(probabilities=probabilities, seconds=time.perf_counter() - started)
    return predictions_frame(texts, test["label"].tolist(), table, "test")
