"""The TF-IDF baseline is a real reference point: well above chance on the bundled sample."""

from __future__ import annotations

import numpy as np

from agnews_core.config.sweep_config import SweepConfig
from agnews_core.data.sources import load_source, make_splits
from agnews_core.labels import LABELS
from agnews_core.modeling.baselines import tfidf_baseline, tfidf_predictions


def test_tfidf_baseline_beats_chance_on_the_sample() -> None:
    config = SweepConfig(model="tiny", data="sample", train_size=400, eval_size=40, test_size=200, seed=3)
    splits = make_splits(load_source("sample"), config)
    metrics = tfidf_baseline(splits.train, splits.test, config.seed)
    assert metrics.count == 200
    assert metrics.accuracy > 0.5  # chance is 0.25 on four balanced labels


def test_tfidf_predictions_have_a_column_per_label_even_one_train_lacks() -> None:
    rows = load_source("sample").train
    train = rows[rows["label"] != 3].head(300)  # no Sci/Tech row: its probability stays 0
    frame = tfidf_predictions(train, rows.tail(20), seed=0)
    assert (frame["p_Sci/Tech"] == 0).all() and (frame["predicted"] != 3).all()
    probabilities = frame[[f"p_{name}" for name in LABELS]].to_numpy()
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, rtol=1e-6)
