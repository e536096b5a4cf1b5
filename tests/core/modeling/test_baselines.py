"""The TF-IDF baseline is a real reference point: well above chance on the bundled sample."""

from __future__ import annotations

from agnews_core.config.sweep_config import SweepConfig
from agnews_core.data.sources import load_source, make_splits
from agnews_core.modeling.baselines import tfidf_baseline


def test_tfidf_baseline_beats_chance_on_the_sample() -> None:
    config = SweepConfig(model="tiny", data="sample", train_size=400, eval_size=40, test_size=200, seed=3)
    splits = make_splits(load_source("sample"), config)
    metrics = tfidf_baseline(splits.train, splits.test, config.seed)
    assert metrics.count == 200
    assert metrics.accuracy > 0.5  # chance is 0.25 on four balanced labels
