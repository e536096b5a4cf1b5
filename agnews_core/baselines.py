"""Reference points a fine-tuned model must beat: TF-IDF + logistic regression, and the untrained model."""

from __future__ import annotations

from typing import Any

import pandas as pd

from agnews_core.metrics import EvalMetrics, compute_metrics

TFIDF = "TF-IDF + logistic regression"
UNTRAINED = "untrained model"


def tfidf_pipeline(seed: int) -> Any:
    """Word and bigram TF-IDF with logistic regression (unfitted sklearn Pipeline): one recipe for every use."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    return make_pipeline(
        TfidfVectorizer(ngram_range=(1, 2), min_df=1, sublinear_tf=True),
        LogisticRegression(C=10.0, max_iter=1000, random_state=seed),
    )


def fit_tfidf(train: pd.DataFrame, seed: int) -> Any:
    """tfidf_pipeline fitted on train's text and label columns."""
    pipeline = tfidf_pipeline(seed)
    pipeline.fit(train["text"].astype(str), train["label"].astype(int))
    return pipeline


def tfidf_baseline(train: pd.DataFrame, test: pd.DataFrame, seed: int) -> EvalMetrics:
    """Fit word and bigram TF-IDF with logistic regression on train; score on test."""
    pipeline = fit_tfidf(train, seed)
    return compute_metrics(test["label"].to_numpy(), pipeline.predict(test["text"].astype(str)))
