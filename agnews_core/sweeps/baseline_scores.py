"""A sweep's two baselines, each reused from the cache when an earlier sweep scored it on the same inputs
(modeling.baseline_keys says which), else scored here and cached for the next sweep."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agnews_core.modeling.baseline_keys import tfidf_key, untrained_key
from agnews_core.modeling.baselines import TFIDF, UNTRAINED, tfidf_predictions
from agnews_core.modeling.batch_predict import predict_probabilities
from agnews_core.modeling.metrics import compute_metrics
from agnews_core.modeling.models import load_pretrained
from agnews_core.store.baseline_cache import BaselineCache, CachedBaseline
from agnews_core.store.records import EvalMetrics

if TYPE_CHECKING:
    import pandas as pd

    from agnews_core.config.sweep_config import SweepConfig
    from agnews_core.data.sources import DataSplits

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ScoredBaseline:
    """One baseline's test metrics, and where they came from."""

    name: str
    metrics: EvalMetrics
    reused_from: str = ""  # the sweep that scored them; '' when this sweep did
    predictions: pd.DataFrame | None = None  # per-row test predictions (TF-IDF's; the untrained model saves none)
    inference: tuple[float, int] | None = None  # (examples/s, rows) of a prediction pass run here, for estimates


class BaselineScorer:
    """Scores, or reuses, the baselines of one sweep on its splits."""

    def __init__(self, root: Path, sweep_id: str, config: SweepConfig, splits: DataSplits) -> None:
        self.cache = BaselineCache(root)
        self.sweep_id = sweep_id
        self.config = config
        self.splits = splits

    def tfidf(self) -> ScoredBaseline:
        """TF-IDF + logistic regression fitted on the train rows, with its per-row test predictions."""
        return self._reused_or_scored(tfidf_key(self.splits, self.config.seed), TFIDF, self._score_tfidf)

    def untrained(self, precision: str) -> ScoredBaseline:
        """The model before fine-tuning, scored in `precision` (the one this machine's runs use)."""
        key = untrained_key(self.splits, self.config.model, self.config.seed, self.config.max_length, precision)
        return self._reused_or_scored(key, UNTRAINED, lambda: self._score_untrained(precision))

    def _reused_or_scored(self, key: dict[str, Any], name: str, score: Callable[[], ScoredBaseline]
                          ) -> ScoredBaseline:
        cached = self.cache.load(key)
        if cached is not None:
            logger.info("sweep %s reuses the %s baseline of sweep %s", self.sweep_id, name, cached.sweep_id)
            return ScoredBaseline(name, cached.metrics, cached.sweep_id, cached.predictions)
        scored = score()
        try:
            self.cache.save(key, CachedBaseline(scored.metrics, self.sweep_id, scored.predictions))
        except (OSError, ValueError) as exc:  # the sweep has its scores; only the next one loses the shortcut
            logger.warning("the %s baseline could not be cached: %s", name, exc)
        return scored

    def _score_tfidf(self) -> ScoredBaseline:
        splits = self.splits
        # Stored per row so the baseline can be compared with any run; its accuracy comes from the same rows.
        frame = tfidf_predictions(splits.train, splits.test, self.config.seed, splits.labels)
        metrics = compute_metrics(frame["label"].to_numpy(), frame["predicted"].to_numpy(), splits.labels)
        return ScoredBaseline(TFIDF, metrics, predictions=frame)

    def _score_untrained(self, precision: str) -> ScoredBaseline:
        splits, config = self.splits, self.config
        loaded = load_pretrained(config.model, config.seed, splits.train["text"], splits.labels)
        table = predict_probabilities(loaded.model, loaded.tokenizer, splits.test["text"].tolist(),
                                      max_length=config.max_length, precision=precision)
        metrics = compute_metrics(splits.test["label"].to_numpy(), table.predicted, splits.labels)
        return ScoredBaseline(UNTRAINED, metrics, inference=(table.examples_per_second, len(table.probabilities)))


def reuse_note(reused: dict[str, str]) -> str:
    """'Untrained model and TF-IDF + logistic regression reused from sweep X' per source sweep; '' when none."""
    by_sweep: dict[str, list[str]] = {}
    for name, sweep_id in reused.items():
        by_sweep.setdefault(sweep_id, []).append(name)
    return "; ".join(f"{' and '.join(names)} reused from sweep {sweep_id}" for sweep_id, names in by_sweep.items())
