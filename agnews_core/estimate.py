"""How long a sweep will take, from throughput measured on this machine."""

from __future__ import annotations

import json
import logging
import math
from dataclasses import dataclass
from pathlib import Path

from agnews_core.artifacts import atomic_write_json
from agnews_core.config import SweepConfig

logger = logging.getLogger(__name__)

THROUGHPUT_FILE = "throughput.json"
# First guesses (examples/s on 2 CPU cores, batch 16, measured for NOTES.md), replaced by measurements.
DEFAULT_THROUGHPUT: dict[str, tuple[float, float]] = {"minilm": (33.0, 120.0), "tiny": (900.0, 3000.0)}
UNKNOWN_MODEL_THROUGHPUT = (9.0, 30.0)  # a DistilBERT-sized model
MODEL_LOAD_SECONDS = 3.0


@dataclass(frozen=True)
class Throughput:
    """Examples per second for training and for inference of one model."""

    train: float
    inference: float
    measured: bool


def load_throughput(root: Path, model: str) -> Throughput:
    """Measured throughput of a model on this machine, or a first guess."""
    try:
        table = json.loads((root / THROUGHPUT_FILE).read_text())
        train, inference = table[model]["train"], table[model]["inference"]
        if train > 0 and inference > 0:
            return Throughput(float(train), float(inference), True)
    except (OSError, ValueError, KeyError, TypeError):
        pass
    train, inference = DEFAULT_THROUGHPUT.get(model, UNKNOWN_MODEL_THROUGHPUT)
    return Throughput(train, inference, False)


def record_throughput(root: Path, model: str, train: float, inference: float) -> None:
    """Remember a model's measured throughput (kept per model, latest wins)."""
    if not (train > 0 and inference > 0 and math.isfinite(train) and math.isfinite(inference)):
        return
    path = root / THROUGHPUT_FILE
    try:
        table = json.loads(path.read_text())
        if not isinstance(table, dict):
            table = {}
    except (OSError, ValueError):
        table = {}
    table[model] = {"train": round(train, 2), "inference": round(inference, 2)}
    try:
        atomic_write_json(path, table)
    except OSError as exc:
        logger.warning("could not record throughput in %s: %s", path, exc)


def estimate_sweep_seconds(config: SweepConfig, throughput: Throughput) -> float:
    """Seconds the sweep should take: untrained baseline, then per LR training, evals and final predictions."""
    train_examples = config.train_size * config.epochs
    steps = math.ceil(math.ceil(config.train_size / config.batch_size) * config.epochs)
    evals = min(config.evals_per_run, steps)
    inference_rows_per_run = evals * config.eval_size + config.eval_size + config.test_size
    per_run = MODEL_LOAD_SECONDS + train_examples / throughput.train + inference_rows_per_run / throughput.inference
    baseline = MODEL_LOAD_SECONDS + config.test_size / throughput.inference
    return baseline + per_run * len(config.learning_rates)
